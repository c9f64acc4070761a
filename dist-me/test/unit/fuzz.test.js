// Pins that hostile objects cannot crash or hang the differ: 10,000 pairs of
// small kernel-shaped objects, mutated where a reader is most easily misled
// (symbol values and sizes, relocation places, types and symbols, section
// headers, the ELF header's counts, truncation), each either diffed or
// refused with an ElfError or KpatchError. Seeded, so a failure can be replayed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { readElf } from "../../src/elf/reader.js";
import { ElfError, ElfFile } from "../../src/elf/model.js";
import { SHT } from "../../src/elf/constants.js";
import { run } from "../../src/host/host.js";
import { compileC, scratchDir } from "../support/cc.js";
const SRC = `
extern int printk(const char *fmt, ...);
static int calls;
struct entry { const char *name; int (*fn)(int); };
static __attribute__((noinline)) int helper(int x) { return printk("%d %d", x, ++calls); }
static const struct entry table[] = { { "one", helper }, { "two", helper } };
int data = 1;
int show(int x) { printk("value: %d\\n", x); return table[x & 1].fn(x) + data; }
int other(int x) { if (x > 3) printk("%s\\n", __func__); return x * 2; }
`;
test("10,000 mutated object pairs: every one diffed or refused with an ElfError or KpatchError, none slow", async (t) => {
    const dir = scratchDir("kpatch-fuzz-");
    const orig = await compileC(dir, SRC);
    const patched = await compileC(dir, SRC.replace("value", "VALUE").replace("x * 2", "x * 3"));
    const seed = Number(process.env.KPATCH_FUZZ_SEED ?? 20261129);
    const driver = fileURLToPath(new URL("../support/fuzz-differ.js", import.meta.url));
    const r = await run("node", [driver, orig, patched, "10000", String(seed)], {
        timeoutMs: 240_000,
        allowFailure: true,
    });
    assert.equal(r.code, 0, `seed ${seed}: ${r.stderr}`);
    const report = JSON.parse(r.stdout);
    t.diagnostic(`seed ${seed}: ${JSON.stringify({ ...report, crashes: report.crashes.length })}`);
    assert.equal(report.pairs, 10000);
    // The mutations must reach the differ, not only the reader.
    assert.ok(report.diffed + report.diffError > 2000, `only ${report.diffed + report.diffError} pairs got past the reader`);
    assert.deepEqual(report.crashes.slice(0, 10), [], `seed ${seed}: ${report.crashes.length} crashes`);
    assert.ok(report.slowestMs < 2000, `a pair took ${report.slowestMs} ms`);
});
test("hand-made: a symbol past its section's end, a relocation past or straddling it, are ElfErrors naming the fault", async () => {
    const dir = scratchDir("kpatch-hostile-");
    const file = await compileC(dir, SRC);
    const bytes = readFileSync(file);
    const elf = readElf(bytes, file);
    const at = (d) => d.byteOffset - bytes.byteOffset;
    const symtab = elf.sections.find((s) => s.type === SHT.SYMTAB);
    const show = elf.symbols.find((s) => s.name === "show");
    const size = Number(ElfFile.size(show.section));
    const rela = elf.relocationsFor(show.section);
    const cases = [
        [
            "symbol size",
            (b) => b.writeBigUInt64LE(BigInt(size + 1), at(symtab.data) + 24 * show.inputIndex + 16),
            /symbol show \(0\+\d+\) runs past the end of \.text\.show/,
        ],
        [
            "symbol value",
            (b) => b.writeBigUInt64LE(BigInt(size + 100), at(symtab.data) + 24 * show.inputIndex + 8),
            /symbol show \(\d+\+\d+\) runs past the end of \.text\.show/,
        ],
        [
            "relocation past",
            (b) => b.writeBigUInt64LE(BigInt(size + 8), at(rela.data)),
            /relocation 0 of \.rela\.text\.show at \d+ \(4 bytes\) lies outside \.text\.show/,
        ],
        [
            "relocation straddling",
            (b) => b.writeBigUInt64LE(BigInt(size - 2), at(rela.data)),
            /lies outside \.text\.show \(\d+ bytes\)/,
        ],
    ];
    for (const [what, mutate, message] of cases) {
        const b = Buffer.from(bytes);
        mutate(b);
        assert.throws(() => readElf(b, "hostile.o"), (e) => e instanceof ElfError && message.test(e.message), what);
    }
});
//# sourceMappingURL=fuzz.test.js.map