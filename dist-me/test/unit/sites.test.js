// Pins what the verifier proves of the sites the kernel patches at load, on
// small modules made here: each return through the return thunk, each
// retpoline branch and each __fentry__ call listed in its table, each
// function's entry unwound by ORC, and on IBT kernels endbr64 where an
// address is taken and no seal on it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { R_X86_64, SHF, SHT, STB, STT } from "../../src/elf/constants.js";
import { addCode, x86Object } from "../support/elf.js";
import { verifySites } from "../../src/module/sites.js";
const ENDBR = [0xf3, 0x0f, 0x1e, 0xfa];
const rel32 = [0, 0, 0, 0];
/** A module whose one function, f, is `code`; tables are added by the test. */
function moduleOf(code) {
    const ko = x86Object("m.ko");
    const text = addCode(ko, ".text.f", new Uint8Array(code));
    const symtab = ko.addSection({ name: ".symtab", type: SHT.SYMTAB });
    const textSym = ko.addSymbol({ name: "", type: STT.SECTION, section: text });
    const f = ko.addSymbol({
        name: "f",
        type: STT.FUNC,
        section: text,
        value: 0n,
        size: BigInt(code.length),
    });
    const extern = (name) => ko.addSymbol({ name, bind: STB.GLOBAL });
    const relaOf = (target) => ko.relocationsFor(target) ??
        ko.addSection({
            name: `.rela${target.name}`,
            type: SHT.RELA,
            link: symtab,
            infoSection: target,
            entsize: 24n,
            flags: SHF.INFO_LINK,
        });
    /** A relocation in f's code at `offset` to `symbol`, as a call or jump's rel32. */
    const branch = (offset, symbol) => relaOf(text).relocations.push({
        offset: BigInt(offset),
        type: R_X86_64.PLT32,
        symbol,
        addend: -4n,
    });
    /** A table of 4-byte PC-relative entries (8-byte absolute for __mcount_loc) at f's offsets. */
    const table = (name, offsets, data) => {
        const width = name === "__mcount_loc" ? 8 : 4;
        const sec = ko.addSection({
            name,
            type: SHT.PROGBITS,
            flags: SHF.ALLOC,
            data: data ? new Uint8Array(data) : new Uint8Array(offsets.length * width),
        });
        for (const [i, off] of offsets.entries()) {
            relaOf(sec).relocations.push({
                offset: BigInt(i * width),
                type: width === 8 ? R_X86_64._64 : R_X86_64.PC32,
                symbol: textSym,
                addend: BigInt(off),
            });
        }
        return sec;
    };
    return { ko, text, f, extern, branch, table, relaOf };
}
test("a return through the thunk, a retpoline branch or an __fentry__ call missing from its table is named", () => {
    // endbr64; call __fentry__; call __x86_indirect_thunk_rax; jmp __x86_return_thunk
    const code = [...ENDBR, 0xe8, ...rel32, 0xe8, ...rel32, 0xe9, ...rel32];
    const complete = moduleOf(code);
    complete.branch(5, complete.extern("__fentry__"));
    complete.branch(10, complete.extern("__x86_indirect_thunk_rax"));
    complete.branch(15, complete.extern("__x86_return_thunk"));
    complete.table("__mcount_loc", [4]);
    complete.table(".retpoline_sites", [9]);
    complete.table(".return_sites", [14]);
    assert.deepEqual(verifySites(complete.ko), []);
    const bare = moduleOf(code);
    bare.branch(5, bare.extern("__fentry__"));
    bare.branch(10, bare.extern("__x86_indirect_thunk_rax"));
    bare.branch(15, bare.extern("__x86_return_thunk"));
    bare.table(".return_sites", [9]);
    assert.deepEqual(verifySites(bare.ko), [
        "f+0x4: its __fentry__ call is not in __mcount_loc",
        "f+0x9: a branch through __x86_indirect_thunk_rax is not in .retpoline_sites",
        "f+0xe: a return through __x86_return_thunk is not in .return_sites",
    ]);
});
test("a cs-prefixed call to a retpoline thunk is listed from its prefix", () => {
    const m = moduleOf([0x2e, 0xe8, ...rel32, 0xc3]);
    m.branch(2, m.extern("__x86_indirect_thunk_r15"));
    m.table(".retpoline_sites", [0]);
    assert.deepEqual(verifySites(m.ko), []);
});
test("a conditional jump to the return thunk counts as a return", () => {
    const m = moduleOf([0x0f, 0x84, ...rel32, 0xc3]);
    m.branch(2, m.extern("__x86_return_thunk"));
    assert.deepEqual(verifySites(m.ko), [
        "f+0x0: a return through __x86_return_thunk is not in .return_sites",
    ]);
    m.table(".return_sites", [0]);
    assert.deepEqual(verifySites(m.ko), []);
});
test("each function's entry must fall under an ORC entry that unwinds it", () => {
    const orc = (entries) => {
        const m = moduleOf([0x55, 0x5d, 0xc3]);
        m.table(".orc_unwind_ip", entries.map(([off]) => off));
        // struct orc_entry: sp_offset, bp_offset, then sp_reg (5: SP) in the low four bits.
        m.table(".orc_unwind", [], entries.flatMap(([, spReg]) => [8, 0, 0, 0, spReg, 0x02]));
        return verifySites(m.ko);
    };
    assert.deepEqual(orc([
        [0, 5],
        [1, 5],
    ]), []);
    const missing = ["f (.text.f): no ORC entry unwinds it, so a stack walk through it fails"];
    // The first instructions uncovered: the differ once dropped the entry in the padding before.
    assert.deepEqual(orc([[1, 5]]), missing);
    // Covered only by an undefined entry (a section's end marker).
    assert.deepEqual(orc([[0, 0]]), missing);
});
test("IBT: an address taken needs endbr64 and no seal; the glue's own references do not count", () => {
    const m = moduleOf([...ENDBR, 0xc3]);
    const g = addCode(m.ko, ".text.g", new Uint8Array([0x55, 0x5d, 0xc3]));
    const gSym = m.ko.addSymbol({ name: "g", type: STT.FUNC, section: g, value: 0n, size: 3n });
    const alias = m.ko.addSymbol({
        name: "__kpatch_func_0",
        type: STT.FUNC,
        bind: STB.GLOBAL,
        section: g,
        value: 0n,
        size: 3n,
    });
    const data = m.ko.addSection({
        name: ".data",
        type: SHT.PROGBITS,
        flags: SHF.ALLOC | SHF.WRITE,
        data: new Uint8Array(24),
    });
    const pointer = (offset, symbol) => m
        .relaOf(data)
        .relocations.push({ offset: BigInt(offset), type: R_X86_64._64, symbol, addend: 0n });
    // klp_func.new_func: ftrace returns into it, no indirect branch.
    pointer(0, alias);
    assert.deepEqual(verifySites(m.ko), []);
    pointer(8, gSym);
    pointer(16, m.f);
    m.table(".ibt_endbr_seal", [0]);
    assert.deepEqual(verifySites(m.ko), [
        "g: its address is taken (.data+0x8) but it does not start with endbr64: " +
            "an indirect call to it faults on an IBT kernel",
        "f: .ibt_endbr_seal seals its endbr64, but its address is taken (.data+0x10): " +
            "an indirect call to it would fault",
    ]);
});
//# sourceMappingURL=sites.test.js.map