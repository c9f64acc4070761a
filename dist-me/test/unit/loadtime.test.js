// Pins what happens to special-section entries whose key only a module's
// livepatch relocation can fill: static call sites and tracepoints are
// dropped with a warning, other jump labels are refused with the remedy,
// entries on vmlinux's keys stay (unless the target applies vmlinux's
// livepatch relocations late, as kernels before 5.8 did).
import { test } from "node:test";
import assert from "node:assert/strict";
import { R_X86_64, SHF, SHT, STB, STT } from "../../src/elf/constants.js";
import { addCode, x86Object } from "../support/elf.js";
import { guardLoadTimeTables } from "../../src/diff/loadtime.js";
import { KpatchError } from "../../src/errors.js";
const sizes = { __jump_table: 16, ".static_call_sites": 8 };
/** A differ output for nfsd4_create_session: one jump label and one static call site per key. */
function output(jumpKeys, callKeys) {
    const out = x86Object("nfs4state.o");
    const text = addCode(out, ".text.nfsd4_create_session", new Uint8Array(256));
    out.addSymbol({ name: "nfsd4_create_session", type: STT.FUNC, section: text, size: 256n });
    const textSym = out.addSymbol({ name: "", type: STT.SECTION, section: text });
    const ext = (name) => out.addSymbol({ name, bind: STB.GLOBAL });
    const table = (name, size, keys, keyField, keyType) => {
        const sec = out.addSection({
            name,
            type: SHT.PROGBITS,
            flags: SHF.ALLOC | SHF.WRITE,
            data: new Uint8Array(keys.length * size),
        });
        out.addSection({
            name: `.rela${name}`,
            type: SHT.RELA,
            flags: SHF.INFO_LINK,
            infoSection: sec,
            entsize: 24n,
            relocations: keys.flatMap((k, i) => [
                {
                    offset: BigInt(i * size),
                    type: R_X86_64.PC32,
                    symbol: textSym,
                    addend: BigInt(16 * i + 0x10),
                },
                { offset: BigInt(i * size + keyField), type: keyType, symbol: ext(k), addend: 0n },
            ]),
        });
        return sec;
    };
    const jumps = table("__jump_table", 16, jumpKeys, 8, R_X86_64.PC64);
    const calls = table(".static_call_sites", 8, callKeys, 4, R_X86_64.PC32);
    return { out, jumps, calls };
}
test("a module's tracepoint: its jump label and static call site are dropped, once warned", () => {
    const { out } = output([".klp.sym.nfsd.__tracepoint_nfsd_clid_replaced,0", ".klp.sym.vmlinux.__tracepoint_kfree,0"], [".klp.sym.nfsd.__SCK__tp_func_nfsd_clid_replaced,0"]);
    const warnings = guardLoadTimeTables(out, sizes);
    assert.deepEqual(warnings, [
        "tracepoint nfsd_clid_replaced stays off in the patched nfsd4_create_session: nfsd defines it, and the kernel reads the patch module's jump labels and static calls before the livepatch core can resolve nfsd's symbols",
    ]);
    // vmlinux's tracepoint stays, moved to the first entry; the static call table is gone.
    const jumps = out.section("__jump_table");
    assert.equal(jumps.data.length, 16);
    assert.deepEqual(out.relocationsFor(jumps).relocations.map((r) => [Number(r.offset), r.symbol.name]), [
        [0, ""],
        [8, ".klp.sym.vmlinux.__tracepoint_kfree,0"],
    ]);
    assert.equal(out.section(".static_call_sites"), undefined);
});
test("a pr_debug's jump label on the module's own descriptor is dropped: the pr_debug stays off", () => {
    const { out } = output([".klp.sym.hid_nintendo.__UNIQUE_ID_ddebug282.10,0", ".klp.sym.hid_nintendo.descriptor.3,0"], []);
    assert.deepEqual(guardLoadTimeTables(out, sizes), [
        "pr_debug stays off in the patched nfsd4_create_session: " +
            "hid_nintendo defines it, and the kernel reads the patch module's jump labels before the livepatch core can " +
            "resolve hid_nintendo's symbols",
    ]);
    assert.equal(out.section("__jump_table"), undefined);
});
test("a dropped jump label's site is left as objtool would leave it: a NOP where its key starts off", () => {
    // Where objtool runs on the linked module (6.12 with IBT), the sites are still the compiler's jmp.
    const keys = [
        ".klp.sym.nfsd.__tracepoint_a,0",
        ".klp.sym.nfsd.__tracepoint_b,0",
        ".klp.sym.nfsd.__tracepoint_c,0",
    ];
    const { out, jumps } = output(keys, []);
    const text = out.section(".text.nfsd4_create_session");
    text.data.set([0xeb, 0x05], 0x10); // jmp rel8, key starts off (arch_static_branch): NOP'd
    text.data.set([0xe9, 1, 0, 0, 0], 0x20); // jmp rel32, key starts off: NOP'd
    text.data.set([0xeb, 0x05], 0x30); // jmp rel8, a jump by default (arch_static_branch_jump): kept
    const relocs = out.relocationsFor(jumps).relocations;
    relocs[1].addend = 2n;
    relocs[3].addend = 2n;
    guardLoadTimeTables(out, sizes);
    assert.deepEqual([...text.data.subarray(0x10, 0x12)], [0x66, 0x90]);
    assert.deepEqual([...text.data.subarray(0x20, 0x25)], [0x0f, 0x1f, 0x44, 0x00, 0x00]);
    assert.deepEqual([...text.data.subarray(0x30, 0x32)], [0xeb, 0x05]);
});
test("a static call on a module's key goes through its trampoline: the site is dropped, saying so", () => {
    const { out } = output([], [".klp.sym.nfsd.__SCK__nfsd_op,0", ".klp.sym.vmlinux.__SCK__pv_sched_clock,0"]);
    assert.deepEqual(guardLoadTimeTables(out, sizes), [
        "static call nfsd_op at nfsd4_create_session+0x10 goes through its trampoline, which static_call_update() keeps current, instead of being patched inline: nfsd defines it, and the kernel reads .static_call_sites before the livepatch core can resolve nfsd's symbols",
    ]);
    assert.equal(out.section(".static_call_sites").data.length, 8);
});
test("a jump label on a module's own static key is refused, naming the site and the remedy", () => {
    const { out } = output([".klp.sym.nfsd.nfsd_fast_path,0"], []);
    assert.throws(() => guardLoadTimeTables(out, sizes), (e) => e instanceof KpatchError &&
        e.kind === "unsafe" &&
        e.message.includes("jump label at nfsd4_create_session+0x10 on static key nfsd_fast_path: nfsd defines it, and the kernel reads __jump_table before the livepatch core can resolve nfsd's symbols; in the patch, test static_key_enabled(&nfsd_fast_path) instead of static_branch_*()"));
});
test("vmlinux's keys stay, unless the target resolves vmlinux's livepatch symbols late", () => {
    const keys = [".klp.sym.vmlinux.sched_smt_present,0"];
    assert.deepEqual(guardLoadTimeTables(output(keys, []).out, sizes), []);
    assert.throws(() => guardLoadTimeTables(output(keys, []).out, sizes, false), /jump label at nfsd4_create_session\+0x10 on static key sched_smt_present: vmlinux defines it/);
});
//# sourceMappingURL=loadtime.test.js.map