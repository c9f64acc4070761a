// Pins the ELF layer's contract on small objects compiled at test time:
// faithful round trips (including COMDAT groups and extended section
// indexes), edits that the linker accepts, and typed errors on bad input.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../../src/host/host.js";
import { readElf } from "../../src/elf/reader.js";
import { writeElf } from "../../src/elf/writer.js";
import { ElfError, modinfo } from "../../src/elf/model.js";
import { R_X86_64, SHF, SHT, STB, STT } from "../../src/elf/constants.js";
import { compareObjects, roundTrip } from "../support/roundtrip.js";
const dir = mkdtempSync(join(tmpdir(), "kpatch-elf-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
const C_FIXTURE = `
#include <stddef.h>
extern int printf(const char *, ...);
int counter = 3;
static const char table[] = "lookup table";
__attribute__((section(".modinfo"), used)) static const char mi[] = "license=GPL\\0import_ns=CRYPTO_INTERNAL\\0import_ns=USB";
int bump(void) { static int calls; return ++calls + counter; }
__attribute__((noinline)) static int helper(int x) { return x * 7 + table[x & 7]; }
__attribute__((cold, noinline)) void report(int x) { printf("value %d\\n", x); }
int work(int x) { if (x < 0) report(x); return helper(x) + bump(); }
int unused_fn(int y) { return y + 1; }
`;
// COMDAT group and a local symbol in a merged string section, as kernel objects have.
const ASM_FIXTURE = `
  .section .text.shared,"axG",@progbits,shared_fn,comdat
  .globl shared_fn
  .type shared_fn,@function
shared_fn:
  call ext_fn
  ret
  .size shared_fn, .-shared_fn
  .section .rodata.str1.1,"aMS",@progbits,1
msg: .string "hello"
  .data
  .quad msg
  .quad shared_fn
`;
async function compile(name, source, ext) {
    const src = join(dir, `${name}.${ext}`);
    const obj = join(dir, `${name}.o`);
    writeFileSync(src, source);
    // Without unwind tables, as the kernel builds: .eh_frame would refer to every function.
    if (ext === "c")
        await run("gcc", [
            "-O2",
            "-fno-asynchronous-unwind-tables",
            "-ffunction-sections",
            "-fdata-sections",
            "-c",
            src,
            "-o",
            obj,
        ]);
    else
        await run("as", [src, "-o", obj]);
    return obj;
}
test("C and assembler objects, with COMDAT groups, round-trip unchanged", async () => {
    const objs = [await compile("fixture", C_FIXTURE, "c"), await compile("group", ASM_FIXTURE, "s")];
    const group = readElf(readFileSync(objs[1]), objs[1]).sections.find((s) => s.type === SHT.GROUP);
    assert.equal(group?.groupMembers.map((m) => m.name).join(), ".text.shared,.rela.text.shared");
    assert.equal(group?.infoSymbol?.name, "shared_fn");
    const r = await roundTrip(objs, join(dir, "rt"));
    assert.deepEqual(r.mismatches, []);
});
test("the round-trip comparison sees a changed byte, a renamed symbol and a dropped relocation", async () => {
    const obj = await compile("fixture", C_FIXTURE, "c");
    const variants = [
        [
            "byte",
            (e) => {
                e.symbol("work").section.data[3] ^= 0xff;
            },
            /contents of section|objdump/,
        ],
        [
            "name",
            (e) => {
                e.symbol("bump").name = "bumq";
            },
            /readelf differs/,
        ],
        [
            "reloc",
            (e) => {
                e.relocationsFor(e.symbol("work").section).relocations.pop();
            },
            /readelf differs/,
        ],
    ];
    for (const [what, edit, why] of variants) {
        const elf = readElf(Uint8Array.from(readFileSync(obj)), obj);
        edit(elf);
        const copy = join(dir, `variant-${what}.o`);
        writeFileSync(copy, writeElf(elf));
        const found = await compareObjects([obj], [copy]);
        assert.equal(found.length, 1, what);
        assert.match(found[0], why);
    }
});
test("objects with more than 65280 sections use and keep extended section indexes", async () => {
    const n = 66000;
    const lines = [];
    for (let i = 0; i < n; i++)
        lines.push(`.section .data.s${i},"aw"`, `s${i}: .byte ${i % 256}`);
    lines.push(".data", ".globl g", `g: .quad s${n - 1}`);
    const obj = await compile("many", lines.join("\n"), "s");
    const elf = readElf(readFileSync(obj), obj);
    assert.equal(elf.symbol(`s${n - 1}`)?.section?.name, `.data.s${n - 1}`);
    assert.ok(elf.sections.some((s) => s.type === SHT.SYMTAB_SHNDX));
    const r = await roundTrip([obj], join(dir, "rt-many"));
    assert.deepEqual(r.mismatches, []);
});
test(".modinfo reads as ordered key/value pairs with repeated keys", async () => {
    const obj = await compile("fixture", C_FIXTURE, "c");
    const elf = readElf(readFileSync(obj), obj);
    assert.deepEqual(modinfo(elf), [
        ["license", "GPL"],
        ["import_ns", "CRYPTO_INTERNAL"],
        ["import_ns", "USB"],
    ]);
});
test("an edited object (section removed, symbol renamed, section added) links with ld -r", async () => {
    const obj = await compile("fixture", C_FIXTURE, "c");
    const elf = readElf(readFileSync(obj), obj);
    const unused = elf.symbol("unused_fn");
    const text = unused.section;
    elf.removeSymbol(unused);
    elf.removeSection(text);
    assert.equal(elf.section(".rela.text.unused_fn"), undefined);
    elf.symbol("work").name = "work_v2";
    elf.invalidate();
    // A new data section holding a pointer to `counter`, as the differ adds livepatch tables.
    const counter = elf.symbol("counter");
    const added = elf.addSection({
        name: ".data.added",
        type: SHT.PROGBITS,
        flags: SHF.ALLOC | SHF.WRITE,
        addralign: 8n,
        data: new Uint8Array(8),
    });
    elf.addSymbol({
        name: "added_ptr",
        type: STT.OBJECT,
        bind: STB.GLOBAL,
        section: added,
        size: 8n,
    });
    const symtab = elf.sections.find((s) => s.type === SHT.SYMTAB);
    elf.addSection({
        name: ".rela.data.added",
        type: SHT.RELA,
        flags: SHF.INFO_LINK,
        addralign: 8n,
        link: symtab,
        infoSection: added,
        relocations: [{ offset: 0n, type: R_X86_64._64, symbol: counter, addend: 0n }],
    });
    const edited = join(dir, "edited.o");
    writeFileSync(edited, writeElf(elf));
    const linked = join(dir, "linked.o");
    await run("ld", ["-r", edited, "-o", linked]);
    const syms = (await run("readelf", ["-sW", linked])).stdout;
    const secs = (await run("readelf", ["-SW", edited])).stdout;
    const relocs = (await run("readelf", ["-rW", edited])).stdout;
    assert.match(syms, / work_v2$/m);
    assert.doesNotMatch(syms, / work$/m);
    assert.match(syms, / added_ptr$/m);
    assert.doesNotMatch(secs, /\.text\.unused_fn/);
    assert.match(relocs, /Relocation section '\.rela\.data\.added'[^]*R_X86_64_64\s+0+ counter \+ 0/);
});
test("removing a section that is still referenced is refused", async () => {
    const obj = await compile("fixture", C_FIXTURE, "c");
    const elf = readElf(readFileSync(obj), obj);
    assert.throws(() => elf.removeSection(elf.symbol("work").section), (e) => e instanceof ElfError && /still referenced by symbol work/.test(e.message));
});
test("non-ELF, 32-bit and big-endian input get a typed error naming the file", () => {
    const cases = [
        [
            new TextEncoder().encode("#!/bin/sh\necho not an object, but long enough to hold a header......\n"),
            /bad magic/,
        ],
        [new Uint8Array(10), /too short/],
    ];
    const elf64 = new Uint8Array(64);
    elf64.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
    cases.push([elf64.slice(), /only 64-bit/]);
    elf64[4] = 2;
    elf64[5] = 2;
    cases.push([elf64.slice(), /only little-endian/]);
    for (const [bytes, why] of cases) {
        assert.throws(() => readElf(bytes, "input.o"), (e) => e instanceof ElfError && e.file === "input.o" && why.test(e.message));
    }
});
test("truncated and bit-flipped objects give ElfError or a valid model, never another failure", async () => {
    const obj = await compile("fixture", C_FIXTURE, "c");
    const good = readFileSync(obj);
    const attempt = (bytes, what) => {
        try {
            writeElf(readElf(bytes, what));
        }
        catch (e) {
            if (!(e instanceof ElfError))
                throw new Error(`${what}: ${e instanceof Error ? e.stack : String(e)}`);
            assert.equal(e.file, what);
        }
    };
    let errors = 0;
    for (let len = 0; len < good.length; len += Math.max(1, Math.floor(good.length / 997))) {
        try {
            readElf(good.subarray(0, len), `truncated-${len}`);
        }
        catch (e) {
            if (e instanceof ElfError)
                errors++;
        }
        attempt(good.subarray(0, len), `truncated-${len}`);
    }
    assert.ok(errors > 900, `truncation was detected in only ${errors} cases`);
    // Deterministic pseudo-random flips, so a failure reproduces.
    let seed = 12345;
    const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    for (let i = 0; i < 3000; i++) {
        const bytes = Uint8Array.from(good);
        // Half the flips hit the headers, where they do the most damage.
        const span = i % 2 ? 64 : bytes.length;
        const at = i % 4 === 1
            ? Number(new DataView(bytes.buffer).getBigUint64(40, true)) +
                Math.floor(rand() * (bytes.length - Number(new DataView(bytes.buffer).getBigUint64(40, true))))
            : Math.floor(rand() * span);
        bytes[at] ^= 1 << Math.floor(rand() * 8);
        attempt(bytes, `flip-${i}-at-${at}`);
    }
});
//# sourceMappingURL=elf.test.js.map