// Pins what kpatch's create-diff-object form does with what kpatch-build
// hands it: entry sizes that do not fit the object, objects kbuild links
// from several files, and clang's UBSAN data.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "../../src/host/host.js";
import { compileC, scratchDir } from "../support/cc.js";
import { diffFiles } from "../../src/diff/run.js";
const dir = scratchDir("kpatch-cdo-");
let n = 0;
const cdo = fileURLToPath(new URL("../../src/cli/create-diff-object.js", import.meta.url));
/** An alternative as x86's ALTERNATIVE() records it: a 12-byte struct alt_instr (6.1). */
const ALT = `#define ALT(n) asm volatile("1: nop\\n.pushsection .altinstr_replacement,\\"ax\\"\\n2: int3\\n.popsection\\n" \\
  ".pushsection .altinstructions,\\"a\\"\\n.long 1b - .\\n.long 2b - .\\n.word " #n "\\n.byte 1\\n.byte 1\\n.popsection")
int patched_here(int x) { ALT(1); ALT(2); return x + 1; }
int elsewhere(int x) { ALT(3); return x + 3; }
`;
async function drop(src, env) {
    const [orig, patched] = [
        await compileC(dir, src),
        await compileC(dir, src.replace("x + 1", "x + 2")),
    ];
    const symtab = join(dir, `${n}.symtab`);
    writeFileSync(symtab, (await run("readelf", ["-s", "--wide", orig])).stdout);
    const out = join(dir, `out${n++}.o`);
    const args = [cdo, orig, patched, "vmlinux", symtab, "/dev/null", "livepatch-test", out];
    return { patched, out, r: await run("node", args, { allowFailure: true, env }) };
}
test("an ALT_STRUCT_SIZE the object does not fit: its stride is used, with a warning", async () => {
    // 13 bytes was struct alt_instr with padlen (before 4.20): kpatch chunks by it blindly.
    const { patched, out, r } = await drop(ALT, { ALT_STRUCT_SIZE: "13" });
    assert.equal(r.code, 0, r.stderr);
    const warning = r.stdout.split("\n").find((l) => l.startsWith(`${patched}: WARNING: `));
    assert.match(warning ?? r.stdout, /\.altinstructions: the target kernel's entry size 13 does not fit .*its relocations repeat every 12 bytes, the size used$/);
    assert.match(r.stdout, /changed function: patched_here/);
    const sections = (await run("readelf", ["-SW", out])).stdout;
    // The two alternatives of patched_here, 12 bytes each, and none of elsewhere's.
    assert.match(sections, /\.altinstructions\s+PROGBITS\s+0+\s+[0-9a-f]+\s+0+18\s+0c\s/);
});
test("an ALT_STRUCT_SIZE that no stride of the table's relocations replaces is refused", async () => {
    const odd = `${ALT}int odd(int x) { asm volatile("1: nop\\n.pushsection .altinstructions,\\"a\\"\\n.long 1b - .\\n.popsection"); return x; }\n`;
    const { out, r } = await drop(odd, { ALT_STRUCT_SIZE: "13" });
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /\.altinstructions is 40 bytes, not a multiple of 13: .*no other size fits/);
    assert.ok(!existsSync(out), "no output is left behind");
});
/** kbuild's multi-file object: each file compiled alone, then `ld -r` into one. */
async function linked(files) {
    const objs = await Promise.all(files.map(([name, src]) => compileC(dir, src, name)));
    const out = join(dir, `linked${n++}.o`);
    await run("ld", ["-r", ...objs, "-o", out]);
    return out;
}
test("a changed static of an ld -r object's second file is found as that file's, by its position", async () => {
    // Each file has its own static helper: the target's table has two, one per STT_FILE.
    const file = (tag, k) => `extern int other(int);
static __attribute__((noinline)) int helper(int x) { return other(x * ${k}) + ${k}; }
int ${tag}(int x) { return helper(x) + 1; }
`;
    const orig = await linked([
        ["meminfo", file("first", 3)],
        ["proc", file("second", 5)],
    ]);
    const patched = await linked([
        ["meminfo", file("first", 3)],
        ["proc", file("second", 5).replace("+ 5;", "+ 6;")],
    ]);
    const symtab = join(dir, `${n++}.symtab`);
    writeFileSync(symtab, (await run("readelf", ["-s", "--wide", orig])).stdout);
    const r = diffFiles({
        orig,
        patched,
        output: join(dir, `out${n++}.o`),
        object: "vmlinux",
        symbols: symtab,
    });
    assert.deepEqual(r.functions, [{ name: "helper", sympos: 2, replacement: "helper" }]);
    const out = join(dir, `out${n++}.o`);
    const args = [cdo, orig, patched, "vmlinux", symtab, "/dev/null", "livepatch-test", out];
    const drop = await run("node", args, { allowFailure: true });
    assert.equal(drop.code, 0, drop.stderr);
    assert.match(drop.stdout, /changed function: helper/);
    // Callers changed, helpers not: each calls its own file's helper in the kernel.
    const callers = await linked([
        ["meminfo", file("first", 3).replace("+ 1;", "+ 2;")],
        ["proc", file("second", 5).replace("+ 1;", "+ 2;")],
    ]);
    const both = diffFiles({
        orig,
        patched: callers,
        output: join(dir, `out${n++}.o`),
        object: "vmlinux",
        symbols: symtab,
    });
    assert.deepEqual(both.changed.map((c) => c.name).sort(), ["first", "second"]);
    assert.deepEqual(both.klp.map((k) => `${k.name},${k.pos}`).sort(), ["helper,1", "helper,2"]);
});
test("UBSAN: all users of a changed type descriptor change, whichever was edited", async () => {
    // add and sub share one descriptor ('long'); 'long long' is another text for the same code.
    const src = `#line 1 "ubsan.c"
typedef long T;
T add(T a, T b) { return a + b; }
T sub(T a, T b) { return a - b; }
int mul(int a, int b) { return a * b; }
`;
    const ubsan = (s) => compileC(dir, s, "ubsan", "clang", ["-fsanitize=signed-integer-overflow"]);
    const orig = await ubsan(src);
    const symtab = join(dir, `${n++}.symtab`);
    writeFileSync(symtab, (await run("readelf", ["-s", "--wide", orig])).stdout);
    const longLong = src.replace("typedef long T", "typedef long long T");
    // Editing sub renumbers no site data of add: its sites keep their names, not their content.
    for (const patch of [
        longLong.replace("a + b", "a + b + 1"),
        longLong.replace("a - b", "a - b - 1"),
    ]) {
        const patched = await ubsan(patch);
        const native = diffFiles({
            orig,
            patched,
            output: join(dir, `out${n++}.o`),
            object: "vmlinux",
            symbols: symtab,
        });
        assert.deepEqual(native.changed.map((c) => c.name).sort(), ["add", "sub"]);
        const out = join(dir, `out${n++}.o`);
        const args = [cdo, orig, patched, "vmlinux", symtab, "/dev/null", "livepatch-test", out];
        const drop = await run("node", args, { allowFailure: true });
        assert.equal(drop.code, 0, drop.stderr);
        assert.deepEqual(drop.stdout.match(/(?<=changed function: )\w+/g)?.sort(), ["add", "sub"]);
    }
    // A site that only moved reports another line: like a moved __LINE__, no change.
    const moved = await ubsan(src.replace("int mul", "\nint mul").replace("a + b", "a + b + 1"));
    const r = diffFiles({
        orig,
        patched: moved,
        output: join(dir, `out${n++}.o`),
        object: "vmlinux",
        symbols: symtab,
    });
    assert.deepEqual(r.changed.map((c) => c.name), ["add"]);
});
//# sourceMappingURL=create-diff-object.test.js.map