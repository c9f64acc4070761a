// The x86-64 decoder against GNU binutils on small objects compiled here:
// objdump -d for instruction boundaries, readelf -rW for where relocations
// patch instructions.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../../src/host/host.js";
import { readElf } from "../../src/elf/reader.js";
import { STT } from "../../src/elf/constants.js";
import { decode, insnAt } from "../../src/arch/x86/decode.js";
import { compareBoundaries, objdumpSections, objdumpView, restartPoints, } from "../support/x86-objdump.js";
// A call to an external symbol (PLT32), a switch (jump table unless
// retpolines forbid it), immediate stores, RIP-relative accesses (PC32).
const C_SOURCE = `
extern int ext(int);
int counter;
int calls(int x) { return ext(x) + 1; }
int sw(int x) {
  switch (x) {
  case 0: return ext(3); case 1: return ext(7) * 2; case 2: return ext(11) - 5; case 3: return ext(x + 13);
  case 4: return 17; case 5: return ext(19) ^ 3; case 6: return ext(23) | 8; default: return -1;
  }
}
void store(int *p) { *p = 0x12345678; counter = 0x5a5a; }
int load(void) { return counter; }
`;
// What kernel code has beyond compiled C: prefixes, segment overrides, 16-bit
// operations, VEX/EVEX, hand-placed nops, BUG's ud2, SLS int3.
const ASM_SOURCE = `
	.text
	.globl kern
	.type kern, @function
kern:
	endbr64
	lock incl (%rdi)
	lock cmpxchgq %rcx, %gs:0x10(%rax)
	movq %fs:0x28, %rax
	movl %gs:pcpu_var(%rip), %eax
	movw $0x1234, 2(%rdi)
	addw %ax, %bx
	rep movsb
	vpxor %ymm1, %ymm2, %ymm3
	vmovdqu64 (%rsi), %zmm0
	vpternlogd $0x96, %zmm2, %zmm1, %zmm0
	enter $0x10, $0
	movabsq $0x1122334455667788, %rax
	call __x86_indirect_thunk_rax
	call *%rax
	.byte 0x0f, 0x1f, 0x44, 0x00, 0x00
	nopw %cs:0x0(%rax,%rax,1)
	xchg %ax, %ax
	pause
	finit
	fstsw %ax
	rdmsr
	swapgs
	jz 1f
	ud2
1:	jmp __x86_return_thunk
	ret
	int3
	.size kern, .-kern

	# Two entry points, as in the kernel's retbleed_untrain_ret: from
	# untrain the CPU runs "test $0xcc,%bl; lfence; jmp", from return_thunk
	# it runs "ret" (the test instruction's ModRM byte).
	.globl untrain
	.type untrain, @function
untrain:
	.byte 0xf6
	.globl return_thunk
return_thunk:
	ret
	int3
	lfence
	jmp return_thunk
	int3
	.size untrain, .-untrain
`;
const KERNEL_CFLAGS = [
    "-fno-pic",
    "-mcmodel=kernel",
    "-mno-red-zone",
    "-fcf-protection=branch",
    "-mindirect-branch=thunk-extern",
    "-mindirect-branch-register",
    "-mfunction-return=thunk-extern",
    "-mharden-sls=all",
];
let dir;
let objects;
before(async () => {
    dir = mkdtempSync(join(tmpdir(), "x86-decode-"));
    writeFileSync(join(dir, "f.c"), C_SOURCE);
    writeFileSync(join(dir, "k.S"), ASM_SOURCE);
    const compile = (src, obj, flags) => run("gcc", ["-O2", "-c", ...flags, join(dir, src), "-o", join(dir, obj)]).then(() => join(dir, obj));
    objects = await Promise.all([
        compile("f.c", "user.o", []),
        compile("f.c", "kernel.o", KERNEL_CFLAGS),
        compile("k.S", "asm.o", []),
    ]);
});
after(() => rmSync(dir, { recursive: true, force: true }));
function load(obj) {
    return readElf(readFileSync(obj), obj);
}
function decodeFunction(elf, name) {
    const sym = elf.symbol(name);
    assert.ok(sym?.section, `${name} defined`);
    return decode(sym.section.data, Number(sym.value), Number(sym.value + sym.size));
}
test("instruction boundaries of every function agree with objdump -d", async () => {
    const ref = await objdumpSections(objects);
    const checked = [];
    const overlapping = [];
    for (const obj of objects) {
        const elf = load(obj);
        const restarts = restartPoints(elf);
        for (const sym of elf.symbols) {
            if (sym.type !== STT.FUNC || !sym.section)
                continue;
            const insns = decodeFunction(elf, sym.name);
            const section = ref.get(obj).find((s) => s.name === sym.section.name);
            assert.ok(section, `objdump disassembled ${sym.section.name}`);
            const start = Number(sym.value);
            const end = start + Number(sym.size);
            const view = objdumpView(insns, sym.section.data, start, end, restarts.get(sym.section));
            if (view.overlapping)
                overlapping.push(sym.name);
            assert.equal(compareBoundaries(view.insns, section, start, end).mismatch, undefined, `${obj} ${sym.name}`);
            assert.equal(insns.reduce((n, i) => n + i.length, 0), end - start, `${sym.name} decoded to its end`);
            assert.ok(insns.every((i) => !i.isInvalid), `${sym.name} has no invalid instructions`);
            checked.push(sym.name);
        }
    }
    for (const name of ["calls", "sw", "store", "load", "kern", "untrain"])
        assert.ok(checked.includes(name), `checked ${name}`);
    assert.deepEqual(overlapping, ["untrain"]);
});
test("a function is decoded from its entry, as the CPU runs it, even across an inner entry point", () => {
    const elf = load(objects[2]);
    const insns = decodeFunction(elf, "untrain");
    assert.deepEqual(insns.map((i) => i.mnemonic), ["test", "lfence", "jmp", "int3"]);
    const thunk = elf.symbol("return_thunk");
    assert.equal(insns[2].target, Number(thunk.value));
    assert.equal(decode(thunk.section.data, Number(thunk.value))[0].flow, "return");
});
// readelf -rW: offset and type of each relocation of .text, and its addend.
async function textRelocations(obj) {
    const out = (await run("readelf", ["-rW", obj])).stdout;
    const body = out.split(/^Relocation section /m).find((s) => s.startsWith("'.rela.text'"));
    assert.ok(body, `${obj} has .rela.text`);
    return [
        ...body.matchAll(/^([0-9a-f]{16})\s+[0-9a-f]+\s+(R_X86_64_\w+)\s+[0-9a-f]+\s+(\S+)\s+([+-])\s+([0-9a-f]+)$/gm),
    ].map((m) => ({
        offset: parseInt(m[1], 16),
        type: m[2],
        symbol: m[3],
        addend: (m[4] === "-" ? -1 : 1) * parseInt(m[5], 16),
    }));
}
test("every relocation of .text patches a displacement or an immediate field", async () => {
    for (const obj of objects) {
        const elf = load(obj);
        const text = elf.section(".text");
        const insns = decode(text.data);
        const relocs = await textRelocations(obj);
        assert.ok(relocs.length >= 3, `${obj}: ${relocs.length} relocations`);
        for (const r of relocs) {
            const insn = insnAt(insns, r.offset);
            assert.ok(insn, `${obj}: relocation at 0x${r.offset.toString(16)} inside an instruction`);
            const field = r.offset - insn.offset;
            const where = `${obj}: ${r.type} ${r.symbol} at 0x${r.offset.toString(16)} in ${insn.mnemonic}`;
            assert.ok((field === insn.dispOffset && insn.dispSize === 4) ||
                (field === insn.immOffset && insn.immSize === 4), where);
            // A PC-relative reference counts from the end of the instruction, so
            // the addend of one to a symbol (not a section plus offset) is minus
            // the bytes from the field to that end.
            if ((r.type === "R_X86_64_PC32" || r.type === "R_X86_64_PLT32") &&
                !r.symbol.startsWith(".")) {
                assert.equal(r.addend, -(insn.offset + insn.length - r.offset), where);
            }
        }
    }
});
test("the known relocations: call, RIP-relative store with immediate, RIP-relative load", async () => {
    const elf = load(objects[0]);
    const relocs = await textRelocations(objects[0]);
    const at = (fn, type) => {
        const sym = elf.symbol(fn);
        const r = relocs.find((x) => x.type === type && x.offset >= Number(sym.value) && x.offset < Number(sym.value + sym.size));
        assert.ok(r, `${type} in ${fn}`);
        return { r, insn: insnAt(decodeFunction(elf, fn), r.offset) };
    };
    const call = at("calls", "R_X86_64_PLT32");
    assert.equal(call.r.symbol, "ext");
    assert.equal(call.insn.flow, "call");
    assert.equal(call.insn.offset + call.insn.immOffset, call.r.offset);
    const store = at("store", "R_X86_64_PC32");
    assert.equal(store.r.symbol, "counter");
    assert.equal(store.insn.offset + store.insn.dispOffset, store.r.offset);
    assert.deepEqual([store.insn.immSize, store.insn.immOffset], [4, store.insn.dispOffset + 4]);
    assert.equal(store.r.addend, -8);
    const loadInsn = at("load", "R_X86_64_PC32");
    assert.deepEqual([loadInsn.insn.mnemonic, loadInsn.insn.dispSize, loadInsn.r.addend], ["mov", 4, -4]);
});
test("kernel-style instructions: fields and control flow", () => {
    const insns = decodeFunction(load(objects[2]), "kern");
    const by = (m) => {
        const i = insns.find((x) => x.mnemonic === m);
        assert.ok(i, m);
        return i;
    };
    assert.equal(insns[0].mnemonic, "endbr64");
    assert.deepEqual([by("vpternlogd").immOffset, by("vpternlogd").immSize, by("vpternlogd").length], [6, 1, 7]);
    assert.deepEqual([by("enter").immSize, by("enter").imm2Offset, by("enter").imm2Size], [2, 3, 1]);
    const movabs = insns.find((i) => i.immSize === 8);
    assert.deepEqual([movabs?.mnemonic, movabs?.immOffset, movabs?.dispSize], ["mov", 2, 0]);
    assert.deepEqual([by("cmpxchg").dispOffset, by("cmpxchg").dispSize], [6, 1]);
    const flows = insns.filter((i) => i.flow !== "next").map((i) => [i.mnemonic, i.flow, i.target]);
    assert.deepEqual(flows, [
        ["call", "call", 0x4d],
        ["call", "indirect-call", undefined],
        ["je", "cond-jump", 0x6d],
        ["ud2", "exception", undefined],
        ["jmp", "jump", 0x72],
        ["ret", "return", undefined],
        ["int3", "interrupt", undefined],
    ]);
    assert.deepEqual(insns.filter((i) => i.isNop).map((i) => i.length), [5, 6, 2]);
    // The CPU runs FWAIT as an instruction of its own; objdump folds it into "finit".
    const wait = insns.findIndex((i) => i.mnemonic === "wait");
    assert.deepEqual(insns.slice(wait, wait + 4).map((i) => [i.mnemonic, i.length]), [
        ["wait", 1],
        ["fninit", 2],
        ["wait", 1],
        ["fnstsw", 2],
    ]);
});
test("garbage decodes without throwing, byte for byte, as 1-byte invalid instructions where undecodable", () => {
    let seed = 12345;
    const random = new Uint8Array(1 << 16).map(() => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
    const cases = [
        random,
        Uint8Array.of(0xe8, 0x00, 0x00), // call rel32 cut short
        Uint8Array.of(...new Array(15).fill(0x66), 0x90), // 16 bytes: over the 15-byte limit
        Uint8Array.of(0x0f, 0x0b, 0xcc, 0xcc, 0xc4), // ud2, int3 padding, then half a VEX prefix
        Uint8Array.of(0xff, 0xff, 0x62), // (bad) for objdump too
    ];
    for (const code of cases) {
        const insns = decode(code);
        let next = 0;
        for (const i of insns) {
            assert.equal(i.offset, next);
            assert.ok(i.length >= 1 && i.length <= 15);
            if (i.isInvalid)
                assert.equal(i.length, 1);
            next += i.length;
        }
        assert.equal(next, code.length);
    }
    assert.deepEqual(decode(cases[1]).map((i) => [i.mnemonic, i.length]), [
        ["(bad)", 1],
        ["add", 2],
    ]);
    assert.equal(decode(cases[2])[0].isInvalid, true);
    assert.deepEqual(decode(cases[3]).map((i) => i.mnemonic), ["ud2", "int3", "int3", "(bad)"]);
    assert.ok(decode(random).some((i) => i.isInvalid));
});
test("insnAt finds the instruction covering an offset", () => {
    const insns = decode(Uint8Array.of(0x90, 0xe8, 0, 0, 0, 0, 0xc3), 1);
    assert.deepEqual(insns.map((i) => [i.offset, i.length]), [
        [1, 5],
        [6, 1],
    ]);
    assert.equal(insnAt(insns, 0), undefined);
    assert.equal(insnAt(insns, 3).offset, 1);
    assert.equal(insnAt(insns, 6).mnemonic, "ret");
    assert.equal(insnAt(insns, 7), undefined);
    assert.equal(insns[0].target, 6);
});
//# sourceMappingURL=x86-decode.test.js.map