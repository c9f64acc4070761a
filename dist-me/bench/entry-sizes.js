// The special-section entry sizes of Debian's 6.1 x86-64 kernels (what
// kpatch-build's probe measures), for the benchmarks that run the differ alone.
export const entrySizes = {
    __bug_table: 12,
    __ex_table: 12,
    __jump_table: 16,
    ".altinstructions": 12,
    ".parainstructions": 16,
    ".static_call_sites": 8,
    ".printk_index": 8,
    ".smp_locks": 4,
};
//# sourceMappingURL=entry-sizes.js.map