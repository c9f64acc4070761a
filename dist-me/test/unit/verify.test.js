// Pins what the patch-module verifier refuses: each defect the kernel would
// trip over (issue 8's module among them), on a small module made here, and
// the CLI's report and exit status for a module file.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { R_X86_64, SHF, SHN, SHT, STB, STT } from "../../src/elf/constants.js";
import { addCode, x86Object } from "../support/elf.js";
import { writeElf } from "../../src/elf/writer.js";
import { run } from "../../src/host/host.js";
import { verifyModule } from "../../src/module/verify.js";
import { TargetSymtab } from "../../src/symbols/symtab.js";
import { scratchDir } from "../support/cc.js";
/**
 * A patch to nfsd4_create_session, shaped as kpatch-build writes one: its
 * code, a jump table entry for its tracepoint, and the calls it makes to
 * nfsd through livepatch relocations.
 */
function patchModule() {
    const ko = x86Object("livepatch-nfsd.ko");
    const text = addCode(ko, ".text.nfsd4_create_session", new Uint8Array(64));
    const table = ko.addSection({
        name: "__jump_table",
        type: SHT.PROGBITS,
        flags: SHF.ALLOC | SHF.WRITE,
        data: new Uint8Array(16),
    });
    const info = new TextEncoder().encode("livepatch=Y\0kpatch_func=nfsd:nfsd4_create_session,1\0");
    ko.addSection({ name: ".modinfo", type: SHT.PROGBITS, flags: SHF.ALLOC, data: info });
    const symtab = ko.addSection({ name: ".symtab", type: SHT.SYMTAB });
    const textSym = ko.addSymbol({ name: "", type: STT.SECTION, section: text });
    const klp = (name) => ko.addSymbol({ name, bind: STB.GLOBAL, shndx: SHN.LIVEPATCH });
    const helper = klp(".klp.sym.nfsd.find_confirmed_client,0");
    const rela = (name, target, livepatch) => ko.addSection({
        name,
        type: SHT.RELA,
        link: symtab,
        infoSection: target,
        entsize: 24n,
        flags: SHF.INFO_LINK | (livepatch ? SHF.ALLOC | SHF.RELA_LIVEPATCH : 0n),
    });
    const code = rela(".rela.text.nfsd4_create_session", text, false);
    const late = rela(".klp.rela.nfsd.text.nfsd4_create_session", text, true);
    late.relocations.push({ offset: 20n, type: R_X86_64.PLT32, symbol: helper, addend: -4n });
    const entries = rela(".rela__jump_table", table, false);
    entries.relocations.push({ offset: 0n, type: R_X86_64.PC32, symbol: textSym, addend: 10n });
    entries.relocations.push({ offset: 4n, type: R_X86_64.PC32, symbol: textSym, addend: 30n });
    return { ko, text, table, code, late, entries, textSym, klp };
}
const sym = (name, local = false) => ({
    name,
    type: "func",
    local,
    file: undefined,
    group: 0,
    value: 0n,
});
const nfsd = new TargetSymtab([
    sym("nfsd4_create_session"),
    sym("find_confirmed_client", true),
    sym("dup", true),
    sym("dup", true),
]);
const symbolsOf = (o) => (o === "nfsd" ? nfsd : new TargetSymtab([sym("_printk")]));
test("a sound patch module passes, its livepatch symbols checked against the target", () => {
    assert.deepEqual(verifyModule(patchModule().ko, symbolsOf), []);
});
test("issue 8's defect: a jump label whose key only a module's livepatch relocation fills is refused", () => {
    const m = patchModule();
    const key = m.klp(".klp.sym.nfsd.__tracepoint_nfsd_clid_replaced,0");
    const keyRela = m.ko.addSection({
        name: ".klp.rela.nfsd.__jump_table",
        type: SHT.RELA,
        infoSection: m.table,
        entsize: 24n,
        flags: SHF.ALLOC | SHF.INFO_LINK | SHF.RELA_LIVEPATCH,
    });
    keyRela.relocations.push({ offset: 8n, type: R_X86_64.PC64, symbol: key, addend: 10n });
    const problems = verifyModule(m.ko, () => undefined);
    assert.deepEqual(problems, [
        ".klp.rela.nfsd.__jump_table: the kernel reads __jump_table+0x8 when the patch module loads, before the livepatch core relocates it for nfsd",
    ]);
});
test("a location relocated twice, a non-zero field, an out-of-range place and an unknown type are each refused", () => {
    const m = patchModule();
    m.code.relocations.push({ offset: 22n, type: R_X86_64.PC32, symbol: m.textSym, addend: 0n });
    m.text.data[40] = 0xe8;
    m.code.relocations.push({ offset: 40n, type: R_X86_64.PC32, symbol: m.textSym, addend: 0n });
    m.code.relocations.push({ offset: 62n, type: R_X86_64.PC32, symbol: m.textSym, addend: 0n });
    m.code.relocations.push({ offset: 8n, type: R_X86_64.GOTPCREL, symbol: m.textSym, addend: 0n });
    assert.deepEqual(verifyModule(m.ko), [
        ".rela.text.nfsd4_create_session: .text.nfsd4_create_session+0x28 is not zero, and the kernel refuses to relocate it",
        ".rela.text.nfsd4_create_session: .text.nfsd4_create_session+0x3e (4 bytes) lies outside .text.nfsd4_create_session (64 bytes)",
        ".rela.text.nfsd4_create_session: .text.nfsd4_create_session+0x8: relocation type 9, which the kernel's module loader does not apply",
        ".text.nfsd4_create_session+0x16 is relocated twice, by .klp.rela.nfsd.text.nfsd4_create_session and .rela.text.nfsd4_create_session",
    ]);
});
test("livepatch symbols: unknown, ambiguous at position 0, beyond the count, vmlinux's in a module's section, or left to the loader", () => {
    const m = patchModule();
    for (const name of [
        ".klp.sym.nfsd.gone,0",
        ".klp.sym.nfsd.dup,0",
        ".klp.sym.nfsd.dup,3",
        ".klp.sym.vmlinux._printk,0",
    ]) {
        m.late.relocations.push({
            offset: BigInt(m.late.relocations.length * 8 + 24),
            type: R_X86_64.PC32,
            symbol: m.klp(name),
            addend: -4n,
        });
    }
    m.code.relocations.push({
        offset: 0n,
        type: R_X86_64.PC32,
        symbol: m.klp(".klp.sym.nfsd.dup,1"),
        addend: -4n,
    });
    assert.deepEqual(verifyModule(m.ko, symbolsOf), [
        ".rela.text.nfsd4_create_session: .text.nfsd4_create_session+0x0 refers to livepatch symbol .klp.sym.nfsd.dup,1, which the module loader cannot resolve",
        ".klp.rela.nfsd.text.nfsd4_create_session: .text.nfsd4_create_session+0x38 refers to .klp.sym.vmlinux._printk,0; the kernel refuses vmlinux symbols in a module's livepatch relocations",
        "livepatch symbol .klp.sym.nfsd.gone,0: nfsd has no symbol gone",
        "livepatch symbol .klp.sym.nfsd.dup,0: nfsd has 2 symbols named dup, and position 0 means the only one",
        "livepatch symbol .klp.sym.nfsd.dup,3: nfsd has 2 symbols named dup, not 3",
    ]);
});
test("kpatch-build verify: lists the defects of a module file, exit status 2; 0 for a sound one", async () => {
    const dir = scratchDir("kpatch-verify-");
    const cli = fileURLToPath(new URL("../../src/cli/kpatch-build.js", import.meta.url));
    const sound = join(dir, "sound.ko");
    writeFileSync(sound, writeElf(patchModule().ko));
    const ok = await run("node", [cli, "verify", sound], { allowFailure: true });
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stderr, /sound\.ko: sound \(livepatch symbols not checked: no target given\)/);
    const m = patchModule();
    m.text.data[20] = 1;
    const bad = join(dir, "bad.ko");
    writeFileSync(bad, writeElf(m.ko));
    const r = await run("node", [cli, "verify", bad], { allowFailure: true });
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, ".klp.rela.nfsd.text.nfsd4_create_session: .text.nfsd4_create_session+0x14 is not zero, and the kernel refuses to relocate it\n");
    assert.match(r.stderr, /bad\.ko: 1 defects/);
});
test("a place inside an earlier, longer field is relocated twice; vmlinux's livepatch section may not name a module's symbol", () => {
    const m = patchModule();
    m.code.relocations.push({ offset: 32n, type: R_X86_64._64, symbol: m.textSym, addend: 0n });
    m.code.relocations.push({ offset: 36n, type: R_X86_64.PC32, symbol: m.textSym, addend: 0n });
    m.code.relocations.push({ offset: 34n, type: R_X86_64.PC32, symbol: m.textSym, addend: 0n });
    const early = m.ko.addSection({
        name: ".klp.rela.vmlinux.text.nfsd4_create_session",
        type: SHT.RELA,
        infoSection: m.text,
        entsize: 24n,
        flags: SHF.ALLOC | SHF.INFO_LINK | SHF.RELA_LIVEPATCH,
    });
    early.relocations.push({
        offset: 48n,
        type: R_X86_64.PC32,
        symbol: m.klp(".klp.sym.nfsd.nfsd_net_id,0"),
        addend: -4n,
    });
    assert.deepEqual(verifyModule(m.ko), [
        ".klp.rela.vmlinux.text.nfsd4_create_session: .text.nfsd4_create_session+0x30 refers to .klp.sym.nfsd.nfsd_net_id,0, which insmod would have to resolve before nfsd loads",
        ".text.nfsd4_create_session+0x22 is relocated twice, by .rela.text.nfsd4_create_session and .rela.text.nfsd4_create_session",
        ".text.nfsd4_create_session+0x24 is relocated twice, by .rela.text.nfsd4_create_session and .rela.text.nfsd4_create_session",
    ]);
});
test("IBT: the address of a target function its kernel seals is refused; a call to it, or an open one's address, is not", () => {
    const m = patchModule();
    const sealed = (name) => ({ ...sym(name, true), sealed: true });
    const target = new TargetSymtab([
        sym("nfsd4_create_session"),
        sealed("find_confirmed_client"),
        sym("open_helper", true),
        sym("twice", true),
        sealed("twice"),
        sealed("ops_fn"),
    ]);
    // The fixture's livepatch relocation at 20 becomes the rel32 of a call.
    m.text.data[19] = 0xe8;
    const lea = (offset, name) => {
        m.text.data.set([0x48, 0x8d, 0x3d], offset - 3);
        m.late.relocations.push({
            offset: BigInt(offset),
            type: R_X86_64.PC32,
            symbol: m.klp(name),
            addend: -4n,
        });
    };
    lea(32, ".klp.sym.nfsd.open_helper,0");
    lea(40, ".klp.sym.nfsd.twice,1");
    assert.deepEqual(verifyModule(m.ko, () => target), []);
    lea(48, ".klp.sym.nfsd.twice,2");
    lea(56, ".klp.sym.nfsd.find_confirmed_client,0");
    // A pointer in data, as an operations table holds one.
    const ops = m.ko.addSection({
        name: ".data.ops",
        type: SHT.PROGBITS,
        flags: SHF.ALLOC | SHF.WRITE,
        data: new Uint8Array(8),
    });
    m.ko
        .addSection({
        name: ".klp.rela.nfsd..data.ops",
        type: SHT.RELA,
        infoSection: ops,
        entsize: 24n,
        flags: SHF.ALLOC | SHF.INFO_LINK | SHF.RELA_LIVEPATCH,
    })
        .relocations.push({
        offset: 0n,
        type: R_X86_64._64,
        symbol: m.klp(".klp.sym.nfsd.ops_fn,0"),
        addend: 0n,
    });
    assert.deepEqual(verifyModule(m.ko, () => target), [
        "nfsd:twice: the patch takes its address (.text.nfsd4_create_session+0x30), but nfsd seals " +
            "its endbr64, as nothing in it takes its address: an indirect call to it faults on a CPU " +
            "with IBT (QEMU's emulator does not check); call it directly, or take the address of a new " +
            "function in the patch that calls it",
        "nfsd:find_confirmed_client: the patch takes its address (.text.nfsd4_create_session+0x38), " +
            "but nfsd seals its endbr64, as nothing in it takes its address: an indirect call to it " +
            "faults on a CPU with IBT (QEMU's emulator does not check); call it directly, or take the address " +
            "of a new function in the patch that calls it",
        "nfsd:ops_fn: the patch takes its address (.data.ops+0x0), but nfsd seals its endbr64, " +
            "as nothing in it takes its address: an indirect call to it faults on a CPU with IBT " +
            "(QEMU's emulator does not check); call it directly, or take the address of a new " +
            "function in the patch that calls it",
    ]);
});
//# sourceMappingURL=verify.test.js.map