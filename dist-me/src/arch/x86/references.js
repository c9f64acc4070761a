// Which relocations take an address and which only branch to it. On a CPU
// with IBT an indirect call must land on endbr64, which the kernel seals
// (turns into a nop) in every function whose address nothing takes; a
// direct call or jump needs none.
import { R_X86_64, SHF, SHT } from "../../elf/constants.js";
// Tables of code addresses: what they point at is not taken as a function
// pointer. objtool's validate_ibt skips the same, and the last three too.
export const CODE_ADDRESS_TABLES = new Set([
    ".orc_unwind_ip",
    ".return_sites",
    ".retpoline_sites",
    ".call_sites",
    ".ibt_endbr_seal",
    "__mcount_loc",
    "__patchable_function_entries",
    ".altinstructions",
    "__jump_table",
    "__ex_table",
    "__bug_table",
    ".static_call_sites",
    ".smp_locks",
    ".parainstructions",
    ".printk_index",
    "_kprobe_blacklist",
    "_error_injection_whitelist",
    ".kcfi_traps",
]);
export const isCode = (s) => s.type === SHT.PROGBITS && (s.flags & SHF.EXECINSTR) !== 0n;
/** The start of the call, jump or conditional jump whose rel32 `r` fills, if it is one. */
export function branchStart(sec, r) {
    const at = Number(r.offset);
    if (r.type !== R_X86_64.PLT32 && r.type !== R_X86_64.PC32)
        return undefined;
    const [b1, b2] = [sec.data[at - 1], sec.data[at - 2]];
    // gcc's -mindirect-branch-cs-prefix puts cs before calls to r8..r15's thunks.
    if (b1 === 0xe8 || b1 === 0xe9)
        return b2 === 0x2e ? at - 2 : at - 1;
    if (b2 === 0x0f && b1 !== undefined && (b1 & 0xf0) === 0x80)
        return at - 2;
    return undefined;
}
/**
 * Every relocation that takes an address rather than branching to it, from
 * an allocated section other than a table of code addresses, with the
 * addend that gives the place it means.
 */
export function addressesTaken(elf) {
    return elf.sections.flatMap((rela) => {
        const from = rela.infoSection;
        if (rela.type !== SHT.RELA || !from || (from.flags & SHF.ALLOC) === 0n)
            return [];
        if (CODE_ADDRESS_TABLES.has(from.name))
            return [];
        return rela.relocations.flatMap((r) => {
            if (isCode(from) && branchStart(from, r) !== undefined)
                return [];
            // A PC-relative field in code ends its instruction (lea, mov): the address is the next one.
            const pcInCode = isCode(from) && r.type !== R_X86_64._64 && r.type !== R_X86_64._32S;
            return [{ r, from, addend: r.addend + (pcInCode ? 4n : 0n) }];
        });
    });
}
/** Why taking the address of `object`'s sealed function `name` (at `by`) is refused. */
export function sealedTaken(object, name, by) {
    return (`${object}:${name}: the patch takes its address (${by}), but ${object} seals its ` +
        "endbr64, as nothing in it takes its address: an indirect call to it faults on a CPU " +
        "with IBT (QEMU's emulator does not check); call it directly, or take the address of a new " +
        "function in the patch that calls it");
}
//# sourceMappingURL=references.js.map