// Pins what the object differ reports and refuses, on pairs of small C files
// compiled at test time with the kernel's code-shaping flags.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../../src/host/host.js";
import { readElf } from "../../src/elf/reader.js";
import { writeElf } from "../../src/elf/writer.js";
import { STB, STT, SHN } from "../../src/elf/constants.js";
import { diffObjects, type DiffResult } from "../../src/diff/diff.js";
import { diffFiles } from "../../src/diff/run.js";
import { KpatchError } from "../../src/errors.js";
import { LineMap } from "../../src/patch/lines.js";
import { patchSections } from "../../src/patch/patch.js";
import type { ElfFile } from "../../src/elf/model.js";
import { compileC, KERNEL_CFLAGS, scratchDir } from "../support/cc.js";

const dir = scratchDir("kpatch-diff-");
let n = 0;

async function compile(source: string): Promise<ElfFile> {
  const obj = await compileC(dir, source);
  return readElf(readFileSync(obj), obj);
}

async function diffC(orig: string, patched: string): Promise<DiffResult> {
  return diffObjects(await compile(orig), await compile(patched), { outFile: "out.o" });
}

async function refusal(orig: string, patched: string): Promise<KpatchError> {
  try {
    await diffC(orig, patched);
  } catch (e) {
    if (e instanceof KpatchError) return e;
    throw e;
  }
  assert.fail("the differ accepted the patch");
}

const names = (r: DiffResult) => ({
  changed: r.changed.map((c) => c.name).sort(),
  added: r.added.map((c) => c.name).sort(),
});
const definedFuncs = (elf: ElfFile) =>
  elf.symbols
    .filter((s) => s.type === STT.FUNC && s.section)
    .map((s) => s.name)
    .sort();

/** Writes the output and links it with ld -r, which rejects what a module build would. */
async function linkOutput(r: DiffResult): Promise<string> {
  const out = join(dir, `out${n++}.o`);
  writeFileSync(out, writeElf(r.output));
  await run("ld", ["-r", out, "-o", `${out}.linked`]);
  return out;
}

const BASE = `
extern int printk(const char *fmt, ...);
extern int other(int);
int shared = 5;
static __attribute__((noinline)) int helper(int x) { return other(x) + 1; }
int show(int x) { printk("value: %d\\n", x); return helper(x); }
int stable(int x) { return other(x * 3); }
`;

test("a string change marks exactly the function that prints it", async () => {
  const r = await diffC(BASE, BASE.replace("value: %d", "value is %d"));
  assert.deepEqual(names(r), { changed: ["show"], added: [] });
  assert.deepEqual(definedFuncs(r.output), ["show"]);
  // The replaced global is local in the output; the original keeps the name in the kernel.
  assert.equal(r.output.symbol("show")?.bind, STB.LOCAL);
  const str = r.output.sections.find(
    (s) => s.name.startsWith(".rodata") && new TextDecoder().decode(s.data).includes("value is %d"),
  );
  assert.ok(str, "the new string travels with the function");
  await linkOutput(r);
});

test("a new EXPORT_SYMBOL is left out of the patch, with a warning", async () => {
  // What EXPORT_SYMBOL emits in 6.1: a reference to the symbol in a section of its own.
  const exp = (name: string) =>
    `__attribute__((section("___ksymtab+${name}"), used)) static const void *__ksymtab_${name} = (void *)${name};\n`;
  const patched = BASE.replace(
    "int show(int x) {",
    "int extra(int x) { return x + 7; }\n" + exp("extra") + "int show(int x) { x = extra(x);",
  );
  const r = await diffC(BASE, patched);
  assert.deepEqual(names(r), { changed: ["show"], added: ["extra"] });
  assert.deepEqual(r.warnings, [
    "new export extra left out: a live patch cannot export symbols, so modules cannot link against it until the next boot",
  ]);
  assert.ok(!r.output.sections.some((s) => s.name.startsWith("___ksymtab")));
});

test("a new export in the .export_symbol form of 6.5 and later is left out too, with the same warning", async () => {
  // What EXPORT_SYMBOL emits since 6.5: a record in .export_symbol, read by modpost.
  const exp = (name: string) =>
    `asm(".section \\".export_symbol\\",\\"a\\"\\n__export_symbol_${name}:\\n.asciz \\"\\"\\n.asciz \\"\\"\\n.balign 8\\n.quad ${name}\\n.previous");\n`;
  // The object already exports stable(): its record shares the section with the new one.
  const orig = BASE + exp("stable");
  const patched = orig.replace(
    "int show(int x) {",
    "int extra(int x) { return x + 7; }\n" + exp("extra") + "int show(int x) { x = extra(x);",
  );
  const r = await diffC(orig, patched);
  assert.deepEqual(names(r), { changed: ["show"], added: ["extra"] });
  assert.deepEqual(r.warnings, [
    "new export extra left out: a live patch cannot export symbols, so modules cannot link against it until the next boot",
  ]);
  assert.ok(!r.output.sections.some((s) => s.name === ".export_symbol"));
  await linkOutput(r);
});

// A code site recorded in a table of entries: two offsets to the site, and a 4-byte value.
const SITE_TABLE = `#define SITE(v) asm volatile("1: nop\\n.pushsection __site_table,\\"a\\"\\n.long 1b - .\\n.long 1b - .\\n.long " #v "\\n.popsection")
int sites(int x) { SITE(1); SITE(2); SITE(3); SITE(4); return x + 1; }
`;

test("a target's entry size the table does not fit gives way to its relocations' stride, said", async () => {
  const [orig, patched] = [
    await compile(SITE_TABLE),
    await compile(SITE_TABLE.replace("x + 1", "x + 2")),
  ];
  const kept = diffObjects(orig, patched, { outFile: "out.o", entrySizes: { __site_table: 12 } });
  assert.equal(kept.output.section("__site_table")?.data.length, 48);
  assert.deepEqual(kept.warnings, []);
  // 16 divides the table but puts relocations at other fields; 13 does not divide it.
  for (const [size, why] of [
    [
      16,
      "__site_table's relocations fall at other offsets in entry 1 (0,8,12) than in others (0,4,12)",
    ],
    [13, "__site_table is 48 bytes, not a multiple of 13"],
  ] as const) {
    const r = diffObjects(orig, patched, { outFile: "out.o", entrySizes: { __site_table: size } });
    assert.deepEqual(r.warnings, [
      `__site_table: the target kernel's entry size ${size} does not fit ${patched.file} ` +
        `(${why}); its relocations repeat every 12 bytes, the size used`,
    ]);
    assert.equal(r.output.section("__site_table")?.data.length, 48);
    // The output says its stride, which the load-time guard reads before the target's.
    assert.equal(r.output.section("__site_table")?.entsize, 12n);
  }
  // An entry of another shape: no stride fits, and the table is refused, naming it.
  const odd = `${SITE_TABLE}int odd(int x) { asm volatile("1: nop\\n.pushsection __site_table,\\"a\\"\\n.long 1b - .\\n.popsection"); return x; }\n`;
  const [o2, p2] = [await compile(odd), await compile(odd.replace("x + 1", "x + 2"))];
  assert.throws(
    () => diffObjects(o2, p2, { outFile: "out.o", entrySizes: { __site_table: 16 } }),
    /__site_table is 52 bytes, not a multiple of 16: the entry size 16 \(from the target kernel\) does not match this object, and no other size fits its relocations/,
  );
});

test("tables of 4-byte code offsets (.smp_locks) need no entry size from the target", async () => {
  const locked = `int counter;\nvoid bump(void) { asm volatile(".pushsection .smp_locks,\\"a\\"\\n.balign 4\\n.long 671f - .\\n.popsection\\n671: lock; incl %0" : "+m"(counter)); }\n`;
  const r = diffObjects(await compile(locked), await compile(locked.replace("incl", "decl")), {
    outFile: "out.o",
  });
  assert.deepEqual(
    r.changed.map((c) => c.name),
    ["bump"],
  );
  assert.equal(r.output.section(".smp_locks")?.data.length, 4);
});

test("import_ns= entries of built-in code (MODNAME.import_ns=) become the module's own, once each", async () => {
  const mi = `__attribute__((section(".modinfo"), used)) static const char mi[] = "proc.import_ns=DMA_BUF\\0proc.file=fs/proc/proc\\0proc.import_ns=DMA_BUF\\0proc.import_ns=USB";\n`;
  const r = await diffC(mi + BASE, mi + BASE.replace("value: %d", "v: %d"));
  const text = new TextDecoder().decode(r.output.section(".modinfo")!.data);
  assert.deepEqual(text.split("\0").filter(Boolean), ["import_ns=DMA_BUF", "import_ns=USB"]);
});

test("the output keeps the object's import_ns= entries of .modinfo, and nothing else of it", async () => {
  const mi = `__attribute__((section(".modinfo"), used)) static const char mi[] = "import_ns=CRYPTO_INTERNAL\\0license=GPL\\0import_ns=USB";\n`;
  const r = await diffC(mi + BASE, mi + BASE.replace("value: %d", "v: %d"));
  const text = new TextDecoder().decode(r.output.section(".modinfo")!.data);
  assert.deepEqual(text.split("\0").filter(Boolean), [
    "import_ns=CRYPTO_INTERNAL",
    "import_ns=USB",
  ]);
});

// kpatch-macros.h's directives, as the header records them.
const DIRECTIVES = `
#define KPATCH_IGNORE_FUNCTION(fn) static void *__kpatch_ignore_func_##fn __attribute__((used, section(".kpatch.ignore.functions"))) = (void *)fn
#define KPATCH_IGNORE_SECTION(name) static const char *__kpatch_ignore_section_##__COUNTER__ __attribute__((used, section(".kpatch.ignore.sections"))) = name
#define KPATCH_FORCE_UNSAFE(fn) static void *__kpatch_force_func_##fn __attribute__((used, section(".kpatch.force"))) = (void *)fn
`;

test("KPATCH_IGNORE_FUNCTION leaves a changed function out, saying so; its record never reaches the output", async () => {
  const patched =
    BASE.replace("value: %d", "v: %d").replace("other(x * 3)", "other(x * 4)") +
    DIRECTIVES +
    "KPATCH_IGNORE_FUNCTION(stable);\n";
  const r = await diffC(BASE, patched);
  assert.deepEqual(names(r), { changed: ["show"], added: [] });
  assert.ok(
    r.warnings.includes("stable changed, and left out as KPATCH_IGNORE_FUNCTION asks"),
    r.warnings.join("\n"),
  );
  assert.ok(
    !r.output.sections.some((s) => s.name.startsWith(".kpatch")),
    r.output.sections.map((s) => s.name).join(" "),
  );
  await linkOutput(r);
});

test("KPATCH_IGNORE_FUNCTION holds for a function that reads a changed constant too", async () => {
  const src =
    BASE + "static const int steps[] = { 1, 2, 4 };\nint step(int i) { return steps[i & 1]; }\n";
  const patched =
    src.replace("value: %d", "v: %d").replace("{ 1, 2, 4 }", "{ 1, 3, 4 }") +
    DIRECTIVES +
    "KPATCH_IGNORE_FUNCTION(step);\n";
  const r = await diffC(src, patched);
  assert.deepEqual(names(r), { changed: ["show"], added: [] });
  assert.ok(!definedFuncs(r.output).includes("step"));
});

test("KPATCH_IGNORE_SECTION takes a section as unchanged, and must name one that exists", async () => {
  const table = (v: number) =>
    `__attribute__((used, section(".fixups"))) static int fixups[] = { 1, ${v} };\n`;
  const orig = BASE + table(2);
  const patched = BASE.replace("value: %d", "v: %d") + table(3);
  const e = await refusal(orig, patched);
  assert.match(e.message, /data object fixups \(\.fixups\) changed/);
  const r = await diffC(orig, patched + DIRECTIVES + 'KPATCH_IGNORE_SECTION(".fixups");\n');
  assert.deepEqual(names(r), { changed: ["show"], added: [] });
  assert.ok(
    r.warnings.includes("KPATCH_IGNORE_SECTION: .fixups is taken as unchanged"),
    r.warnings.join("\n"),
  );
  const missing = await refusal(
    orig,
    patched + DIRECTIVES + 'KPATCH_IGNORE_SECTION(".nowhere");\n',
  );
  assert.equal(missing.kind, "input");
  assert.match(
    missing.message,
    /KPATCH_IGNORE_SECTION\("\.nowhere"\): the object has no such section/,
  );
});

test("KPATCH_FORCE_UNSAFE is accepted, and the differ says it changes nothing", async () => {
  const r = await diffC(
    BASE,
    BASE.replace("value: %d", "v: %d") + DIRECTIVES + "KPATCH_FORCE_UNSAFE(show);\n",
  );
  assert.deepEqual(names(r), { changed: ["show"], added: [] });
  assert.ok(
    r.warnings.some((w) => /^KPATCH_FORCE_UNSAFE\(show\) changes nothing/.test(w)),
    r.warnings.join("\n"),
  );
});

test("identical sources: no change, exit kind no-change", async () => {
  const e = await refusal(BASE, BASE);
  assert.equal(e.kind, "no-change");
});

test("a new function is added and its caller changes", async () => {
  const patched = BASE.replace(
    "int show(int x) {",
    "static __attribute__((noinline)) int clamp(int x) { return x > 9 ? 9 : x; }\nint show(int x) { x = clamp(x);",
  );
  const r = await diffC(BASE, patched);
  assert.deepEqual(names(r), { changed: ["show"], added: ["clamp"] });
  assert.deepEqual(definedFuncs(r.output), ["clamp", "show"]);
});

test("every included function has its __mcount_loc entry and no undefined section symbol remains", async () => {
  const patched = BASE.replace(
    "int show(int x) {",
    "static __attribute__((noinline)) int clamp(int x) { return x > 9 ? 9 : x; }\nint show(int x) { x = clamp(x);",
  );
  const r = await diffC(BASE, patched);
  const mcount = r.output.sections.find((s) => s.name === "__mcount_loc")!;
  const rela = r.output.relocationsFor(mcount)!;
  const targets = rela.relocations
    .map(
      (x) =>
        r.output.symbols.find((s) => s.type === STT.FUNC && s.section === x.symbol?.section)?.name,
    )
    .sort();
  assert.deepEqual(targets, ["clamp", "show"]);
  assert.ok(!r.output.symbols.some((s) => s.type === STT.SECTION && !s.section));
});

test("static locals are correlated by their users, never duplicated, even when renumbered", async () => {
  const orig = `
int counter_a(void) { static int calls; return ++calls; }
int counter_b(void) { static int calls; return calls += 2; }
`;
  // A new static local earlier in the file shifts gcc's numbering of the others.
  const patched = `
int first(void) { static int calls = 7; return calls++; }
int counter_a(void) { static int calls; return ++calls; }
int counter_b(void) { static int calls; return calls += 3; }
`;
  const o = await compile(orig);
  const r = diffObjects(o, await compile(patched));
  assert.deepEqual(names(r), { changed: ["counter_b"], added: ["first"] });
  // counter_b's state stays the kernel's: referenced by the ORIGINAL name, not copied.
  const origName = o.symbols.filter((s) => s.name.startsWith("calls")).map((s) => s.name);
  const ext = r.externals.filter((x) => x.name.startsWith("calls"));
  assert.equal(ext.length, 1);
  assert.equal(ext[0]!.local, true);
  assert.ok(origName.includes(ext[0]!.name));
  const refs = o.symbols.find((s) => s.name === ext[0]!.name)!;
  // It is counter_b's variable in the original: the one counter_b's code refers to.
  const bRela = o.relocationsFor(o.symbol("counter_b")!.section!)!;
  assert.ok(
    bRela.relocations.some(
      (x) =>
        x.symbol === refs || (x.symbol?.type === STT.SECTION && x.symbol.section === refs.section),
    ),
  );
  // first()'s new static is new data, carried in the output.
  assert.deepEqual(
    r.addedData.map((d) => d.name.replace(/\.\d+$/, "")),
    ["calls"],
  );
});

test("__func__ strings pair by their text, not gcc's numbering: a function that gains one changes alone", async () => {
  const helpers = `
extern void report(const char *);
static inline __attribute__((always_inline)) void check_a(int x) { if (x == 1) report(__func__); }
static inline __attribute__((always_inline)) void check_c(int x) { if (x == 3) report(__func__); }
int other(int x) { check_c(x); return x + 1; }
`;
  const r = await diffC(
    `${helpers}int first(int x) { check_a(x); return x; }\n`,
    `${helpers}int first(int x) { check_c(x); check_a(x); return x; }\n`,
  );
  assert.deepEqual(names(r), { changed: ["first"], added: [] });
  assert.deepEqual(r.warnings, []);
});

test("a change of __LINE__ only, passed to a line-taking function, is no change", async () => {
  const src = `
extern void __might_sleep(const char *file, int line);
void f(void) { __might_sleep("f.c", __LINE__); }
int g(int x) { return x + 1; }
`;
  const e = await refusal(src, `\n\n\n${src}`);
  assert.equal(e.kind, "no-change");
});

test("a source position quoted in a string (FILE:LINE) that only moved is no change; other text is", async () => {
  // FORTIFY's field-spanning memcpy warning quotes __FILE__ ":" __stringify(__LINE__).
  const src = `
#define STR2(x) #x
#define STR(x) STR2(x)
extern void warn(const char *where);
void copy(void) { warn("field at fixture.c:" STR(__LINE__)); }
int g(int x) { return x + 1; }
`;
  const e = await refusal(src, `\n\n${src}`);
  assert.equal(e.kind, "no-change");
  const r = await diffC(src, `\n\n${src.replace("x + 1", "x + 2")}`);
  assert.deepEqual(names(r), { changed: ["g"], added: [] });
  assert.deepEqual(
    r.lineOnly.map((u) => u.name),
    ["copy"],
  );
  const text = await diffC(src, src.replace("field at", "field in"));
  assert.deepEqual(names(text), { changed: ["copy"], added: [] });
});

/** How diff -U0 says the patch moved the fixture's lines. */
async function lineMapOf(orig: string, patched: string): Promise<LineMap> {
  const [a, b] = [join(dir, `lines${n}.c`), join(dir, `lines${n++}.patched.c`)];
  writeFileSync(a, orig);
  writeFileSync(b, patched);
  const d = await run("diff", ["-U0", a, b], { allowFailure: true });
  return LineMap.fromHunks([patchSections(d.stdout)[0]?.hunks ?? []], orig.split("\n").length);
}

test("a line map follows insertions, replacements and deletions, and knows no line past the end", async () => {
  const orig = ["a", "b", "c", "d", "e", "f"].join("\n");
  const m = await lineMapOf(orig, ["x", "a", "b", "C", "C2", "d", "f"].join("\n"));
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 7].map((l) => m.map(l)),
    [2, 3, undefined, 6, undefined, 7, undefined],
  );
});

test("a __LINE__ passed to printk that the patch only moved is no change; another value is", async () => {
  // read_rdev's pr_warn("%s: %d ...", __func__, __LINE__, ...) in drivers/md/md.c.
  const src = `
extern int _printk(const char *fmt, ...);
void report(int nr) { _printk("%s: %d bad nr %d\\n", __func__, __LINE__, nr); }
int g(int x) { return x + 1; }
`;
  const moved = `\n\n\n${src}`;
  const [orig, patched] = [await compile(src), await compile(moved)];
  const lineMaps = [await lineMapOf(src, moved)];
  assert.throws(
    () => diffObjects(orig, patched, { lineMaps }),
    (e: KpatchError) => e.kind === "no-change",
  );
  // A map in which no line moved there: printk's number changed.
  const still = [await lineMapOf(src, src)];
  assert.deepEqual(names(diffObjects(orig, patched, { lineMaps: still })), {
    changed: ["report"],
    added: [],
  });
  const other = moved.replace("__LINE__", "__LINE__ + 1");
  const r = diffObjects(orig, await compile(other), { lineMaps: [await lineMapOf(src, other)] });
  assert.deepEqual(names(r), { changed: ["report"], added: [] });
});

test("with no line map (create-diff-object), kpatch's rule: a line for printk or WARN is no change", async () => {
  // kpatch's create-diff-object gets no patch: a differing mov into %esi or %edx whose
  // next reference, past strings and WARN's once flags, is printk, __warn_printk or a
  // line-taker, is a line.
  const src = `
extern int _printk(const char *fmt, ...);
extern void __warn_printk(const char *fmt, ...);
void report(int nr) { _printk("%s: %d bad nr %d\\n", __func__, __LINE__, nr); }
void assert_held(int held) {
  static _Bool __attribute__((section(".data.once"))) __already_done;
  if (!held && !__already_done) { __already_done = 1; __warn_printk("at %s:%d\\n", "f.c", __LINE__); }
}
int g(int x) { return x + 1; }
`;
  const e = await refusal(src, `\n\n\n${src}`);
  assert.equal(e.kind, "no-change");
  assert.match(e.message, /only __LINE__ numbers changed \(report, assert_held\)/);
  const r = await diffC(src, `\n${src.replace("x + 1", "x + 2")}`);
  assert.deepEqual(names(r), { changed: ["g"], added: [] });
  assert.deepEqual(r.lineOnly.map((u) => u.name).sort(), ["assert_held", "report"]);
});

test("kpatch's rule without a line map holds to its registers and its callees", async () => {
  const src = `
extern int _printk(const char *fmt, ...);
extern int note(int, int);
void fourth(int a) { _printk("%d %d %d\\n", a, a + 1, __LINE__); }
void other(int a) { note(a, __LINE__); }
int g(int x) { return x + 1; }
`;
  // A number in the fourth argument (%ecx, where btrfs passes an errno), or for a
  // function that does more than report, is not a line to kpatch.
  const r = await diffC(src, `\n\n\n${src}`);
  assert.deepEqual(names(r), { changed: ["fourth", "other"], added: [] });
});

test("kpatch's data-read-mostly: a line added to one function of net/core/dev.c changes it alone", async () => {
  // 3.10's dev.c below the fix: ASSERT_RTNL()'s printk of __FILE__ and __LINE__, WARN_ON's
  // warn_slowpath_null, might_sleep, and __read_mostly data. Without a line map, each
  // moved line made its function changed: 18 where kpatch's tool finds 1.
  const src = `
#define __read_mostly __attribute__((__section__(".data..read_mostly")))
extern int printk(const char *fmt, ...);
extern void warn_slowpath_null(const char *file, int line);
extern void ___might_sleep(const char *file, int line, int preempt_offset);
extern int rtnl_is_locked(void);
extern void dump_stack(void);
extern int other(int);
#define ASSERT_RTNL() do { if (__builtin_expect(!rtnl_is_locked(), 0)) { \\
  printk("RTNL: assertion failed at %s (%d)\\n", "net/core/dev.c", __LINE__); dump_stack(); } } while (0)
#define WARN_ON(c) ({ int __c = !!(c); \\
  if (__builtin_expect(__c, 0)) warn_slowpath_null("net/core/dev.c", __LINE__); __c; })
int netdev_max_backlog __read_mostly = 1000;
static int weight __read_mostly = 64;
int receive(int x) { switch (x) { case 1: return other(1); case 2: return other(weight); default: __builtin_trap(); } }
int set_up(int x) { ASSERT_RTNL(); return other(x + weight); }
int set_down(int x) { ASSERT_RTNL(); WARN_ON(x > netdev_max_backlog); return other(x); }
int wait_for(int x) { ___might_sleep("net/core/dev.c", __LINE__, 0); return other(x); }
`;
  const r = await diffC(
    src,
    src.replace("default: __builtin_trap();", 'default: printk("BUG!\\n");\n __builtin_trap();'),
  );
  assert.deepEqual(names(r), { changed: ["receive"], added: [] });
  assert.deepEqual(r.lineOnly.map((u) => u.name).sort(), ["set_down", "set_up", "wait_for"]);
});

test("the address where an array ends is the array's end, whatever data follows it", async () => {
  // Explicitly sectioned data (__read_mostly, __ro_after_init) shares a section, and code
  // reaches its statics through the section symbol: arr + 64 is also the next object's
  // start, which a new variable changes.
  const src = `
#define __read_mostly __attribute__((__section__(".data..read_mostly")))
extern int other(int);
static int arr[64] __read_mostly = { 1, 2, 3, 4 };
static int last __read_mostly = 5;
int sum(int x) { int s = x; for (int *p = arr; p != arr + 64; p++) s += other(*p); return s; }
void set(int i, int v) { arr[i & 63] = v; }
int get(int x) { return other(x + last); }
`;
  // gcc lays the section out last to first: the new variable lands right after arr.
  const added = src.replace(
    "static int arr",
    "static int added __read_mostly = 9;\nint use(int x) { return other(x + added); }\nstatic int arr",
  );
  const r = await diffC(src, added);
  assert.deepEqual(names(r), { changed: [], added: ["use"] });
  // A changed loop still ends at the running kernel's arr + 256, not at the new variable.
  const both = await diffC(src, added.replace("int s = x;", "int s = x * 2;"));
  assert.deepEqual(names(both), { changed: ["sum"], added: ["use"] });
  await linkOutput(both);
  const ends = both.output.sections
    .filter((x) => x.name === ".rela.text.sum")
    .flatMap((x) => x.relocations)
    .filter((x) => x.symbol?.name === "arr")
    .map((x) => Number(x.addend));
  // gcc loads arr and compares with arr + 256 as immediates (cmp $arr+256, %rbx).
  assert.deepEqual(
    ends.sort((a, b) => a - b),
    [0, 256],
  );
});

test("a moved line loaded far above its call (mlog's, above the prologue) is no change", async () => {
  // dlm_clean_master_list in fs/ocfs2/dlm/dlmmaster.c: gcc loads the line 18 instructions early.
  const nops = Array(16).fill(" nop\\n").join("");
  const src = `
#define S2(x) #x
#define S(x) S2(x)
asm(".pushsection .text.far_line,\\"ax\\"\\n .globl far_line\\n .type far_line,@function\\n"
    "far_line:\\n mov $" S(__LINE__) ", %edx\\n${nops} call __mlog_printk\\n ret\\n"
    " .size far_line, .-far_line\\n .popsection\\n");
int g(int x) { return x + 1; }
`;
  const moved = `\n\n${src}`;
  const [orig, patched] = [await compile(src), await compile(moved)];
  const lineMaps = [await lineMapOf(src, moved)];
  assert.throws(
    () => diffObjects(orig, patched, { lineMaps }),
    (e: KpatchError) => e.kind === "no-change",
  );
  // Without the line map it is a change (refused: the bare asm function has no fentry call).
  assert.throws(
    () => diffObjects(orig, patched),
    (e: KpatchError) =>
      e.kind === "unsafe" && (e.details ?? []).some((d) => /far_line changed/.test(d)),
  );
});

test("a constant that moves by as many lines as the code above it is still a change", async () => {
  // msleep(100) -> msleep(102) with two lines added above: only calls that report take lines.
  const src = `${"/* filler */\n".repeat(110)}extern void msleep(unsigned int);
extern int _printk(const char *fmt, ...);
void reset_hw(void) { msleep(100); }
int g(int x) { return x + 1; }
`;
  const moved = `\n\n${src.replace("msleep(100)", "msleep(102)")}`;
  const lineMaps = [await lineMapOf(src, moved)];
  const r = diffObjects(await compile(src), await compile(moved), { lineMaps });
  assert.deepEqual(names(r), { changed: ["reset_hw"], added: [] });
});

test("a WARN_ONCE site whose line only moved is no change", async () => {
  // ASSERT_RTNL() in net/ipv4/igmp.c: a .data.once flag, then __warn_printk with the line in edx.
  const src = `
extern void __warn_printk(const char *fmt, ...);
#define WARN_ONCE_AT(c) ({ static _Bool __attribute__((section(".data.once"))) __already_done; \\
  if ((c) && !__already_done) { __already_done = 1; __warn_printk("at %s:%d\\n", "f.c", __LINE__); } })
void assert_held(int held) { WARN_ONCE_AT(!held); }
int g(int x) { return x + 1; }
`;
  const moved = `\n${src}`;
  const [orig, patched] = [await compile(src), await compile(moved)];
  const lineMaps = [await lineMapOf(src, moved)];
  assert.throws(
    () => diffObjects(orig, patched, { lineMaps }),
    (e: KpatchError) => e.kind === "no-change",
  );
});

test("constants of a .rodata.cstN pool compare by value, whatever their label and place in the pool", async () => {
  // vrf.c's 2-byte protocol numbers (.rodata.cst2): a new constant renumbers and moves the others.
  const src = `double scale_a(double x) { return x * 1.5; }\ndouble scale_b(double x) { return x * 2.5; }\n`;
  const r = await diffC(src, `double scale_z(double x) { return x * 3.5; }\n${src}`);
  assert.deepEqual(names(r), { changed: [], added: ["scale_z"] });
  const changed = await diffC(src, src.replace("2.5", "2.75"));
  assert.deepEqual(names(changed), { changed: ["scale_b"], added: [] });
  await linkOutput(changed);
});

/**
 * pr_debug as the kernel shapes it: a descriptor per site in __dyndbg, named
 * by __UNIQUE_ID (its __COUNTER__), listed in __jump_table.
 */
const PR_DEBUG = `
struct ddebug { const char *fmt; unsigned int line; };
extern void dyn_debug(struct ddebug *d);
#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define AT(fmt, id) do { static struct ddebug __attribute__((used, section("__dyndbg"))) id = \\
  { fmt, __LINE__ }; asm volatile(".pushsection __jump_table,\\"aw\\"\\n .quad %c0\\n .popsection" \\
  :: "i"(&id)); dyn_debug(&id); } while (0)
#define pr_dbg(fmt) AT(fmt, CAT(CAT(__UNIQUE_ID_, ddebug), __COUNTER__))`;

test("a new pr_debug renumbers the __UNIQUE_ID descriptors below it, which still pair", async () => {
  // drivers/usb/usbip/vhci_sysfs.c: __UNIQUE_ID_ddebug283.12 became __UNIQUE_ID_ddebug284.13.
  const src = `${PR_DEBUG}
void first(void) { pr_dbg("first"); }
void second(void) { pr_dbg("second"); }
`;
  const r = await diffC(src, src.replace('pr_dbg("first");', 'pr_dbg("first"); pr_dbg("again");'));
  assert.deepEqual(names(r), { changed: ["first"], added: [] });
  // What a site prints is in its descriptor: a new format changes the function that passes it.
  const text = await diffC(src, src.replace('pr_dbg("second")', 'pr_dbg("second (2)")'));
  assert.deepEqual(names(text), { changed: ["second"], added: [] });
});

/**
 * pr_debug before 5.12: its descriptor in __verbose, gcc's `descriptor.N`, a
 * lineno field (the file as kbuild names it: __FILE__ here is a scratch path).
 */
const OLD_PR_DEBUG = `
struct _ddebug { const char *modname, *function, *filename, *format;
  unsigned int lineno:18; unsigned int flags:8; } __attribute__((aligned(8)));
extern void __dynamic_pr_debug(struct _ddebug *d, const char *fmt, ...);
#define pr_dbg(fmt) do { static struct _ddebug __attribute__((aligned(8), section("__verbose"))) \\
  descriptor = { "fixture", __func__, "fixture.c", fmt, __LINE__, 0 }; \\
  if (descriptor.flags & 1) __dynamic_pr_debug(&descriptor, fmt); } while (0)`;

test("a pr_debug descriptor whose line moved is per-site data, __dyndbg's or __verbose's", async () => {
  for (const macros of [PR_DEBUG, OLD_PR_DEBUG]) {
    const src = `${macros}
extern int other(int);
int first(int x) { pr_dbg("first"); return other(x); }
int second(int x) { pr_dbg("second"); return other(x + 1); }
`;
    // A line above both moves both descriptors: the changed function takes a copy of
    // its own; the other, unchanged but for its descriptor's line, is not patched.
    const moved = `\n${src.replace("other(x); }", "other(x * 2); }")}`;
    const r = await diffC(src, moved);
    const section = macros === PR_DEBUG ? "__dyndbg" : "__verbose";
    assert.deepEqual(names(r), { changed: ["first"], added: [] }, section);
    assert.equal(r.output.sections.filter((x) => x.name === section).length, 1, section);
    await linkOutput(r);
    // What a site prints is in its descriptor: a new format changes the function.
    const text = await diffC(src, src.replace('pr_dbg("second")', 'pr_dbg("second (2)")'));
    assert.deepEqual(names(text), { changed: ["second"], added: [] }, section);
  }
});

test("a file-scope __UNIQUE_ID static keeps its exact name: a patched reader uses the live one", async () => {
  const src = `static int __UNIQUE_ID_state7 = 1;
void set(int v) { __UNIQUE_ID_state7 = v; }
int get(void) { return __UNIQUE_ID_state7; }
`;
  const r = await diffC(
    src,
    src.replace("return __UNIQUE_ID_state7;", "return __UNIQUE_ID_state7 + 1;"),
  );
  assert.deepEqual(names(r), { changed: ["get"], added: [] });
  assert.deepEqual(r.addedData, []);
  assert.ok(r.externals.some((x) => x.name === "__UNIQUE_ID_state7" && x.local));
});

test("a descriptor pairs by the function that uses it, not by its place in the jump table", async () => {
  // drivers/net/usb/lan78xx.c: the fix added one pr_debug and dropped another, so the
  // file's __jump_table lists as many descriptors as before, shifted.
  const src = `${PR_DEBUG}
void first(void) { pr_dbg("a"); }
void second(void) { pr_dbg("b"); }
void third(int x) { pr_dbg("c"); dyn_debug(0); }
`;
  const patched = src
    .replace('pr_dbg("a");', 'pr_dbg("a"); pr_dbg("new");')
    .replace('pr_dbg("c"); ', "");
  assert.deepEqual(names(await diffC(src, patched)), { changed: ["first", "third"], added: [] });
});

test("a changed comparison before a printk is a change, not a line number", async () => {
  const src = `extern int _printk(const char *, ...);\nint check(int len) { if (len > 64) { _printk("too long"); return -22; } return 0; }\n`;
  const r = await diffC(src, src.replace("len > 64", "len > 32"));
  assert.deepEqual(names(r), { changed: ["check"], added: [] });
});

test("a static whose initial value becomes non-zero (.bss to .data) is a changed data object", async () => {
  const e = await refusal(
    BASE.replace("int shared = 5;", "int shared;"),
    BASE.replace("int shared = 5;", "int shared = 100;"),
  );
  assert.equal(e.kind, "unsafe");
  assert.match(e.message, /data object shared/);
});

test("a static that one function drops and another adds is not the same variable", async () => {
  const orig = `extern int other(int);\nint a(void) { static int calls; return ++calls; }\nint b(void) { return other(1); }\n`;
  const patched = `extern int other(int);\nint a(void) { return other(2); }\nint b(void) { static int calls; return other(1) + ++calls; }\n`;
  const r = await diffC(orig, patched);
  assert.deepEqual(names(r), { changed: ["a", "b"], added: [] });
  // b's counter is new: carried in the patch, never a's live state.
  assert.ok(!r.externals.some((x) => x.name.startsWith("calls")), JSON.stringify(r.externals));
  assert.deepEqual(
    r.addedData.map((d) => d.name.replace(/\.\d+$/, "")),
    ["calls"],
  );
});

test("a changed immediate that is not a line number is a change", async () => {
  const src = `extern void __might_sleep(const char *file, int line);\nint g(int x) { return x * 1000; }\n`;
  const r = await diffC(src, src.replace("1000", "1001"));
  assert.deepEqual(names(r), { changed: ["g"], added: [] });
});

test("changed data is refused, naming the object and what to do", async () => {
  const e = await refusal(BASE, BASE.replace("int shared = 5;", "int shared = 6;"));
  assert.equal(e.kind, "unsafe");
  assert.match(e.message, /data object shared \(\.data\.shared\) changed: .*shadow variable/);
});

test("a changed constant table read only by code travels as a new copy, and every reader is patched to read it", async () => {
  const src = `
extern int other(int);
struct quirk { int id; int flags; };
static const struct quirk quirks[] = { { 1, 2 }, { 3, 4 }, { 0, 0 } };
int lookup(int id) { for (const struct quirk *q = quirks; q->id; q++) if (q->id == id) return q->flags; return 0; }
int count(void) { int n = 0; for (const struct quirk *q = quirks; q->id; q++) n++; return other(n); }
int unrelated(int x) { return other(x); }
`;
  const r = await diffC(src, src.replace("{ 3, 4 },", "{ 3, 4 }, { 5, 6 },"));
  assert.deepEqual(names(r), { changed: ["count", "lookup"], added: [] });
  assert.ok(
    r.warnings.some((w) =>
      /^constant quirks \(\.rodata\.quirks\) changed: the patch carries a new copy, and patches the functions that read it \(count, lookup\)/.test(
        w,
      ),
    ),
    r.warnings.join("\n"),
  );
  // The copy is defined in the output, with the new entry, and nothing refers to the kernel's.
  const copy = r.output.symbols.find((s) => s.name === "quirks")!;
  assert.ok(copy.section && copy.size === 32n, `quirks: ${copy.section?.name} ${copy.size}`);
  assert.ok(!r.externals.some((e) => e.name === "quirks"));
  await linkOutput(r);
});

test("a changed constant that data points to, or that is global, is refused, saying why", async () => {
  const src = `
extern int other(int);
static const int ids[] = { 1, 2, 0 };
struct driver { const int *table; };
struct driver drv = { ids };
const int limits[] = { 10, 20 };
int first(void) { return other(ids[0]) + limits[1]; }
`;
  let e = await refusal(src, src.replace("{ 1, 2, 0 }", "{ 1, 2, 3, 0 }"));
  assert.equal(e.kind, "unsafe");
  assert.match(
    e.message,
    /constant ids \(\.rodata\.ids\) changed: drv points to it and would keep using the old one/,
  );
  e = await refusal(src, src.replace("{ 10, 20 }", "{ 10, 30 }"));
  assert.match(e.message, /constant limits \(\.rodata\.limits\) changed: it is global/);
});

test("a changed operations table is refused: the kernel keeps and compares its address", async () => {
  const src = `
extern int other(int);
struct ops { int (*run)(int); };
static int slow(int x) { return other(x); }
static int fast(int x) { return other(x + 1); }
static const struct ops my_ops = { slow };
int is_mine(const struct ops *o) { return o == &my_ops; }
int call(int x) { return my_ops.run(x) + fast(x); }
`;
  const e = await refusal(src, src.replace("= { slow }", "= { fast }"));
  assert.equal(e.kind, "unsafe");
  assert.match(
    e.message,
    /constant my_ops \(\.rodata\.my_ops\) changed: it points to code or to other objects \(fast\), like an operations table/,
  );
});

test("a change to __init code only is not needed at run time: no change, saying why", async () => {
  const src = `
extern int other(int);
__attribute__((section(".init.text"))) int setup(void) { return other(1); }
int run(void) { return other(2); }
`;
  const e = await refusal(src, src.replace("other(1)", "other(10)"));
  assert.equal(e.kind, "no-change");
  assert.equal(e.code, "boot-only", "an update counts it as needing a reboot");
  assert.match(
    e.message,
    /only __init code or data changed \(setup\): .*takes effect when a fixed kernel boots/,
  );
});

test("__init code or data changed beside runtime code is refused, as kpatch refuses it; new __init data is left out", async () => {
  const src = `
extern int other(int);
extern int printk(const char *, ...);
static int level;
static int __attribute__((section(".init.data"))) boot_levels[] = { 1, 2 };
__attribute__((section(".init.text"))) int setup(void) { level = boot_levels[0]; printk("setup\\n"); return other(1); }
int run(void) { return other(2) + level; }
int stats(void) { printk("stats\\n"); return other(3); }
`;
  // Even a runtime fix that shares no data with setup: the kernel would have half the fix.
  const e = await refusal(
    src,
    src.replace("other(1)", "other(10)").replace("other(3)", "other(30)"),
  );
  assert.equal(e.kind, "unsafe");
  assert.deepEqual(e.details, [
    "function setup (.init.text) changed beside runtime changes (stats): __init code and data " +
      "served the boot and cannot be live-patched, so the patched kernel would have half the " +
      "fix; if the runtime fix stands alone, take the __init change out of the patch or mark " +
      "it KPATCH_IGNORE_FUNCTION(setup)",
  ]);
  const data = await refusal(
    src,
    src.replace("{ 1, 2 }", "{ 3, 2 }").replace("other(2)", "other(20)"),
  );
  assert.match(
    (data.details ?? []).join("\n"),
    /^data object boot_levels \(\.init\.data\) changed beside runtime changes \(run\)/,
  );
  // New __init data (a renumbered __addressable entry, say) is left out, with a warning.
  const added = await diffC(
    src,
    src.replace("other(2)", "other(20)") +
      'static int __attribute__((section(".init.data"), used)) boot_extra = 5;\n',
  );
  assert.deepEqual(names(added), { changed: ["run"], added: [] });
  assert.ok(
    added.warnings.some((w) => /^boot_extra \(\.init\.data\) added: __init data/.test(w)),
    added.warnings.join("\n"),
  );
  // The author says the runtime fix stands alone: it is patched.
  const r = await diffC(
    src,
    src.replace("other(1)", "other(10)").replace("other(3)", "other(30)") +
      DIRECTIVES +
      "KPATCH_IGNORE_FUNCTION(setup);\n",
  );
  assert.deepEqual(names(r), { changed: ["stats"], added: [] });
});

test("a changed notrace function is refused: ftrace cannot redirect it", async () => {
  const src = `
extern int other(int);
__attribute__((no_instrument_function)) int quiet(int x) { return other(x) + 1; }
int loud(int x) { return other(x) + 2; }
`;
  const e = await refusal(src, src.replace("other(x) + 1", "other(x) + 5"));
  assert.equal(e.kind, "unsafe");
  assert.match(e.message, /function quiet changed but has no ftrace entry/);
  // The same change to a traced function is a patch.
  const r = await diffC(src, src.replace("other(x) + 2", "other(x) + 5"));
  assert.deepEqual(names(r), { changed: ["loud"], added: [] });
  // An object with no traced function at all (as one built without -pg:
  // CFLAGS_REMOVE_x.o = -pg) reads as a test's own: for a kernel, refused too.
  const bare = src.replace("int loud", "__attribute__((no_instrument_function)) int loud");
  const [o, p] = [await compile(bare), await compile(bare.replace("+ 1", "+ 5"))];
  const flat = (traced: boolean) => {
    try {
      return names(diffObjects(o, p, { outFile: "out.o", traced }));
    } catch (e) {
      return (e as Error).message;
    }
  };
  assert.deepEqual(flat(false), { changed: ["quiet"], added: [] });
  assert.match(String(flat(true)), /function quiet changed but has no ftrace entry/);
});

test("a changed static function without ftrace entry comes in with its callers, patched instead", async () => {
  // The kernel's `inline` is notrace: a static inline gcc keeps out of line has no __fentry__.
  const src = `
extern int other(int);
extern void keep(int (*)(int));
#define notrace_inline static inline __attribute__((noinline, no_instrument_function))
notrace_inline int common(int x, int y) { return other(x) * y + 1; }
notrace_inline int mid(int x) { return common(x, 5) + 2; }
int wait_a(int x) { return common(x, 2) + 1; }
int wait_b(int x) { return common(x, 3) - other(x); }
int top(int x) { return mid(x) + 3; }
int stable(int x) { return other(x * 3); }
`;
  const r = await diffC(src, src.replace("y + 1", "y + 7"));
  // Its callers are redirected; it and its untraced caller mid are the patch's own copies.
  assert.deepEqual(names(r), { changed: ["common", "mid", "top", "wait_a", "wait_b"], added: [] });
  const callers = Object.fromEntries(r.changed.map((c) => [c.name, c.callers]));
  assert.deepEqual(callers.common, ["mid", "wait_a", "wait_b"]);
  assert.deepEqual(callers.mid, ["top"]);
  assert.equal(callers.wait_a, undefined);
  assert.match(r.warnings.join("\n"), /function common has no ftrace entry: it comes as the patch/);
  assert.deepEqual(definedFuncs(r.output), ["common", "mid", "top", "wait_a", "wait_b"]);
  await linkOutput(r);

  // Where the kernel could still enter the old copy unseen, it stays refused, saying why.
  const tail = src + "int wait_t(int x) { return common(x, 4); }\n";
  const e = await refusal(tail, tail.replace("y + 1", "y + 7"));
  assert.match(e.details?.join("\n") ?? "", /function common changed but has no ftrace entry/);
  assert.match(e.details?.join("\n") ?? "", /wait_t jumps to it \(a tail call\)/);
  const taken = src + "void reg(void) { keep(mid); }\n";
  const t = await refusal(taken, taken.replace("y + 1", "y + 7"));
  assert.match(t.details?.join("\n") ?? "", /function common .*: reg takes its address/);
  // Built without -ffunction-sections, a call within the section has no relocation to show.
  const one = async (c: string) =>
    readElf(
      readFileSync(await compileC(dir, c, "fixture", "gcc", ["-fno-function-sections"])),
      "x",
    );
  try {
    diffObjects(await one(src), await one(src.replace("y + 1", "y + 7")), { outFile: "out.o" });
    assert.fail("the differ accepted the patch");
  } catch (e) {
    assert.match(String((e as KpatchError).details), /common shares its section with other/);
  }
});

test("a WARN message renumbered by __COUNTER__ alone changes no function", async () => {
  // WARN_ON quotes its condition expanded: READ_ONCE's __compiletime_assert_N among it.
  const src = `
#define __stringify_1(x) #x
#define __stringify(x) __stringify_1(x)
#define PASTE(a, b) a##b
#define XPASTE(a, b) PASTE(a, b)
#define ONCE(x) ({ extern void XPASTE(__compiletime_assert_, __COUNTER__)(void); (x); })
#define WARN_ON(c) report(__stringify(c), (c))
extern int report(const char *, int);
HEADER
int g(int *p) { return WARN_ON(ONCE(*p)); }
`;
  const header = "static inline int unused(int *p) { return ONCE(*p); }";
  const [o, p] = [src.replace("HEADER", ""), src.replace("HEADER", header)];
  assert.notDeepEqual((await compile(o)).sections, (await compile(p)).sections);
  const e = await refusal(o, p);
  assert.equal(e.kind, "no-change");
  // A message that says something else is a change.
  const r = await diffC(o, p.replace("report(__stringify(c)", 'report("at " __stringify(c)'));
  assert.deepEqual(names(r), { changed: ["g"], added: [] });
});

test("an untraced function is carried only where no task can be inside a copy unseen", async () => {
  const head = `
extern int other(int);
extern void keep(void *);
extern int printk(const char *, ...) __attribute__((cold));
#define notrace_inline static inline __attribute__((noinline, no_instrument_function))
`;
  const why = async (src: string, from: string, to: string) =>
    (await refusal(head + src, head + src.replace(from, to))).details?.join("\n") ?? "";
  // It hands out its own address: the kernel may call the old copy later, from nowhere patched.
  assert.match(
    await why(
      "notrace_inline int cb(int x) { keep(cb); return other(x) + 1; }\n" +
        "int use(int x) { return cb(x) + 2; }\n",
      "other(x) + 1",
      "other(x) + 3",
    ),
    /cb takes its own address/,
  );
  // Called last (noreturn), the return address lies past the caller's end.
  assert.match(
    await why(
      "notrace_inline __attribute__((noreturn)) void fatal(int x) { other(x); __builtin_trap(); }\n" +
        "int check(int x) { if (x > 5) fatal(x); return other(x) + 4; }\n",
      "other(x); __builtin",
      "other(x + 1); __builtin",
    ),
    /check(\.cold)? calls it last|check\.cold, a part gcc moved out of line/,
  );
  // The patched caller reaches the patch's copy by a tail call: disabling would not wait.
  assert.match(
    await why(
      "notrace_inline int common(int x) { return other(x) * 3 + 1; }\n" +
        "int wait_a(int x) { return common(x) + 1; }\n",
      "other(x) * 3 + 1; }\nint wait_a(int x) { return common(x) + 1;",
      "other(x) * 3 + 2; }\nint wait_a(int x) { return common(x);",
    ),
    /the patched wait_a jumps to it \(a tail call\)/,
  );
  // Nothing calls it: nothing to redirect.
  assert.match(
    await why(
      "__attribute__((used)) notrace_inline int lonely(int x) { return other(x) + 9; }\n" +
        "int traced(int x) { return other(x); }\n",
      "+ 9",
      "+ 8",
    ),
    /no function of the object calls lonely directly/,
  );
  // Its own out-of-line part jumps back into it: that part travels with it.
  const cold =
    head +
    "notrace_inline int coldy(int x) {\n" +
    '  if (__builtin_expect(x > 1000, 0)) printk("bad %d\\n", x);\n' +
    "  return other(x * 2);\n}\nint use(int x) { return coldy(x) + 1; }\n";
  assert.ok((await compile(cold)).symbol("coldy.cold"), "gcc split coldy.cold");
  const r = await diffC(cold, cold.replace("x * 2", "x * 3"));
  assert.deepEqual(names(r), { changed: ["coldy", "use"], added: [] });
});

test("a function gcc splits into .cold travels with its child, a function of the patch only if changed", async () => {
  // printk is __cold in the kernel: the path that calls it is split out.
  const src = `
extern int other(int);
extern int printk(const char *, ...) __attribute__((cold));
int work(int x) {
  if (__builtin_expect(x > 1000, 0)) { printk("invalid value %d\\n", x); __builtin_trap(); }
  return other(x * 2);
}
`;
  const o = await compile(src);
  assert.ok(o.symbol("work.cold"), "gcc split work.cold (the fixture must exercise it)");
  const r = diffObjects(o, await compile(src.replace("x * 2", "x * 4")));
  assert.deepEqual(names(r), { changed: ["work"], added: [] });
  // The unchanged child is copied, as it jumps back into the new parent, but as a
  // label of its code: kpatch's tests count the output's FUNC symbols (1 here).
  assert.deepEqual(definedFuncs(r.output), ["work"]);
  const cold = r.output.symbol("work.cold");
  assert.ok(cold?.section, "the child's code is in the output");
  assert.equal(cold.type, STT.NOTYPE);
  assert.ok(!r.externals.some((x) => x.name === "work.cold"), "the parent jumps to the copy");
  await linkOutput(r);
  // A change in the child is one the patch makes: both are its functions.
  const inCold = diffObjects(o, await compile(src.replace("invalid value", "bad value")));
  assert.deepEqual(names(inCold), { changed: ["work"], added: [] });
  assert.deepEqual(definedFuncs(inCold.output), ["work", "work.cold"]);
});

test("a .part child whose parent gcc inlined everywhere is patched as an entry point", async () => {
  const src = `
extern int heavy(int);
extern int printk(const char *fmt, ...);
static int maybe(int *p, int x) {
  if (!p) return 0;
  for (int i = 0; i < x; i++) { *p += heavy(i) * heavy(i + x); printk("step %d %d\\n", i, *p); }
  return heavy(*p) + heavy(x) * 3;
}
int a(int *p, int x) { return maybe(p, x) + 1; }
int b(int *p, int x) { return maybe(p, x + 7) + 2; }
`;
  const o = await compile(src);
  assert.ok(
    o.symbol("maybe.part.0") && !o.symbol("maybe"),
    "gcc split maybe.part.0 and inlined the rest (the fixture must exercise it)",
  );
  const slow = diffObjects(o, await compile(src.replace("step %d", "iteration %d")));
  assert.deepEqual(names(slow), { changed: ["maybe.part.0"], added: [] });
  // The inlined fast path changes the callers, not the part.
  const fast = diffObjects(
    o,
    await compile(src.replace("if (!p) return 0;", "if (!p) return -1;")),
  );
  assert.deepEqual(names(fast), { changed: ["a", "b"], added: [] });
});

test("a .constprop/.isra clone whose caller changes: the caller is patched, the clone referenced", async () => {
  const src = `
extern int other(int);
static __attribute__((noinline)) int scale(int x, int k) { return other(x) * k + other(k); }
int use(int x) { return scale(x, 3) + 1; }
int use2(int x) { return scale(x, 3) + 2; }
`;
  const o = await compile(src);
  const clone = o.symbols.find((s) => s.name.startsWith("scale."));
  assert.ok(clone, "gcc made a specialised clone of scale");
  const r = diffObjects(o, await compile(src.replace("+ 1;", "+ 5;")));
  assert.deepEqual(names(r), { changed: ["use"], added: [] });
  assert.ok(r.externals.some((x) => x.name === clone.name && x.local));
});

test("objects from different compilers, with different options, or for another machine are rejected", async () => {
  const a = await compile(BASE);
  const b = await compile(BASE.replace("value: %d", "v %d"));
  const comment = b.section(".comment")!;
  comment.data = new TextEncoder().encode("\0GCC: (GNU) 99.0.0\0");
  assert.throws(
    () => diffObjects(a, b),
    (e: unknown) =>
      e instanceof KpatchError && e.kind === "input" && /different compilers/.test(e.message),
  );
  // Another config shows as other compile options in the debug info.
  const gflags = ["-g", "-c"];
  const [g1, g2] = [join(dir, "g1.o"), join(dir, "g2.o")];
  writeFileSync(join(dir, "g.c"), BASE);
  await run("gcc", [...KERNEL_CFLAGS, ...gflags, join(dir, "g.c"), "-o", g1]);
  await run("gcc", [...KERNEL_CFLAGS, ...gflags, "-fno-inline", join(dir, "g.c"), "-o", g2]);
  assert.throws(
    () => diffObjects(readElf(readFileSync(g1), g1), readElf(readFileSync(g2), g2)),
    (e: unknown) =>
      e instanceof KpatchError &&
      e.kind === "input" &&
      /different options .*PATCHED only -fno-inline/.test(e.message),
  );
  const c = await compile(BASE);
  (c.header as { machine: number }).machine = 183; // aarch64
  assert.throws(
    () => diffObjects(a, c),
    (e: unknown) => e instanceof KpatchError && e.kind === "input" && /not x86-64/.test(e.message),
  );
});

test("an external reference with a livepatch-only target keeps SHN_UNDEF", async () => {
  const r = await diffC(BASE, BASE.replace("return helper(x);", "return helper(x) + 1;"));
  const helper = r.output.symbol("helper");
  assert.ok(helper && !helper.section && helper.shndx === SHN.UNDEF);
  assert.ok(r.externals.some((x) => x.name === "helper" && x.local));
});

test("clang's per-call-site UBSAN data (.data..L__unnamed_N) travels as a copy with the code", async () => {
  // One file name for both compiles, as a kernel tree has (they compile in directories of their own).
  const src = `#line 1 "fixture.c"\nint add(int a, int b) { return a + b; }\nint mul(int a, int b) { return a * b; }\n`;
  const read = async (s: string) => {
    const obj = await compileC(dir, s, "fixture", "clang", ["-fsanitize=signed-integer-overflow"]);
    return readElf(readFileSync(obj), obj);
  };
  const r = diffObjects(await read(src), await read(src.replace("a + b", "a + b + 1")));
  // mul's site data is renumbered (add has two sites now), not changed.
  assert.deepEqual(names(r), { changed: ["add"], added: [] });
  assert.equal(r.output.sections.filter((s) => s.name.startsWith(".data..L__unnamed_")).length, 2);
  await linkOutput(r);
});

test("clang's objects: its own local names (counter_b.calls) and no __mcount_loc, same results", async () => {
  const src = `
extern int printk(const char *fmt, ...);
extern int other(int);
static __attribute__((noinline)) int helper(int x) { return other(x) + 1; }
int show(int x) { printk("value: %d\\n", x); return helper(x); }
int counter_a(void) { static int calls; return ++calls; }
int counter_b(void) { static int calls; return calls += 2; }
`;
  const read = async (s: string) => {
    const obj = await compileC(dir, s, "fixture", "clang");
    return readElf(readFileSync(obj), obj);
  };
  const r = diffObjects(
    await read(src),
    await read(src.replace("value: %d", "value is %d").replace("calls += 2", "calls += 3")),
  );
  assert.deepEqual(names(r), { changed: ["counter_b", "show"], added: [] });
  assert.ok(
    r.externals.some((x) => x.name === "counter_b.calls" && x.local),
    "the static stays the kernel's",
  );
  assert.ok(r.externals.some((x) => x.name === "helper" && x.local));
  await linkOutput(r);
});

test("IBT: a patch that takes the address of a function its target seals is refused by name; a call to it, or a new wrapper's address, is not", async () => {
  // The target seals helper: nothing in it takes helper's address.
  const source = `
static __attribute__((noinline)) int helper(int x) { asm volatile("endbr64"); return x * 3; }
int (*volatile hook)(int);
int show(int x) { return helper(x) + 1; }
asm(".pushsection .ibt_endbr_seal, \\"a\\"\\n.long helper - .\\n.popsection\\n"
    ".globl __fentry__\\n__fentry__: ret");
`;
  const orig = await compileC(dir, source);
  const target = join(dir, `target${n++}`);
  await run("ld", ["-e", "show", "-o", target, orig]);
  const diff = async (patched: string) =>
    diffFiles({
      orig,
      patched: await compileC(dir, patched),
      output: join(dir, `out${n++}.o`),
      object: "vmlinux",
      symbols: target,
    });
  // The fixture's own __fentry__ stands in for the kernel's.
  const called = await diff(source.replace("helper(x) + 1;", "helper(x) + 2;"));
  assert.ok(called.klp.some((k) => k.name === "helper"));
  // The remedy: a new function of the patch's own, which nothing sealed, calls it.
  const wrapped = source
    .replace("int show(", "static int wrap(int x) { return helper(x); }\nint show(")
    .replace("helper(x) + 1;", "hook = wrap, helper(x) + 2;");
  const remedy = await diff(wrapped);
  assert.deepEqual(
    remedy.added.map((a) => a.name),
    ["wrap"],
  );
  const refused = await diff(
    source.replace("helper(x) + 1;", "hook = helper, helper(x) + 2;"),
  ).then(
    () => assert.fail("the differ took the address of a sealed function"),
    (e: KpatchError) => e,
  );
  assert.equal(refused.kind, "unsafe");
  assert.match(refused.message, /takes the address of vmlinux:helper, sealed for IBT/);
  assert.deepEqual(
    refused.details.map((d) => d.replace(/\(\.text\.show\+0x[0-9a-f]+\)/, "(.text.show+N)")),
    [
      "vmlinux:helper: the patch takes its address (.text.show+N), but vmlinux seals its " +
        "endbr64, as nothing in it takes its address: an indirect call to it faults on a CPU " +
        "with IBT (QEMU's emulator does not check); call it directly, or take the address of a new " +
        "function in the patch that calls it",
    ],
  );
});

test("a file-scope __UNIQUE_ID() renumbered by __COUNTER__ is the same declaration: no boot-only change", async () => {
  // module_init's __ADDRESSABLE(init_module) in .init.data, numbered by __COUNTER__.
  const unique = (before: string) => `
#define PASTE_(a, b) a##b
#define PASTE(a, b) PASTE_(a, b)
#define UNIQUE_ID(prefix) PASTE(PASTE(__UNIQUE_ID_, prefix), __COUNTER__)
${before}
static int init_module(void) { return 0; }
static void *UNIQUE_ID(__addressable_init_module) __attribute__((used, section(".init.data")))
  = (void *)init_module;
int show(int x) { return x + 1; }
`;
  // One more unique ID above renumbers it: as a header's new use of __COUNTER__ does.
  const e = await refusal(unique(""), unique("static int UNIQUE_ID(other) __attribute__((used));"));
  assert.equal(e.kind, "no-change");
  assert.equal(e.code, undefined, e.message);
});

test("a renumbered __UNIQUE_ID() variable is not paired by its prefix: run-time state could be another's", async () => {
  // A writable one, zeroed on both sides, would compare the same whichever it is.
  const state = (before: string, body: string) => `
#define PASTE_(a, b) a##b
#define PASTE(a, b) PASTE_(a, b)
#define UNIQUE_ID(prefix) PASTE(PASTE(__UNIQUE_ID_, prefix), __COUNTER__)
#define STATE(n) static int n; int show(int x) { return n += ${body}; }
${before}
STATE(UNIQUE_ID(state))
`;
  const r = await diffC(
    state("", "x"),
    state("static int UNIQUE_ID(other) __attribute__((used));", "x + 1"),
  );
  assert.deepEqual(names(r), { changed: ["show"], added: [] });
  assert.deepEqual(
    r.addedData.map((u) => u.name),
    ["__UNIQUE_ID_state1"],
  );
});

test("code that reaches past an object alone in its section refers to that object", async () => {
  // A loop that ends at a member of the element past the last compares with
  // regs + 76, outside regs; the table is alone in its section
  // (-fdata-sections): the section is the object (amdgpu's sdma_reg_list).
  const src = `
extern int other(int);
struct reg { const char *name; unsigned int off; unsigned int v; };
static const struct reg regs[] = { { "a", 1, 2 }, { "b", 3, 4 }, { "c", 5, 6 }, { "d", 7, 8 } };
int dump(int x) {
  int s = x;
  for (const unsigned int *v = &regs[0].v; v != &regs[4].v; v += 4) s += other(*v);
  return s;
}
`;
  const r = await diffC(src, src.replace("int s = x;", "int s = x * 2;"));
  assert.deepEqual(names(r), { changed: ["dump"], added: [] });
  await linkOutput(r);
  const addends = r.output.sections
    .filter((x) => x.name === ".rela.text.dump")
    .flatMap((x) => x.relocations)
    .filter((x) => x.symbol?.name === "regs")
    .map((x) => Number(x.addend));
  assert.ok(addends.includes(76), `regs + 76: ${addends}`);
});

// include/linux/btf_ids.h, as its asm makes them: a list's label, a slot named by
// __COUNTER__ and __LINE__ with the word after it (a kfunc's flags), a set's count.
const BTF_IDS_H = `
#define PASTE_(a, b) a##b
#define PASTE(a, b) PASTE_(a, b)
#define SLOT(name, word) SLOT_(name, word)
#define SLOT_(name, word) asm(".pushsection .BTF_ids,\\"a\\"\\n.local " #name "\\n" \\
  ".type " #name ", STT_OBJECT\\n.size " #name ", 4\\n" #name ":\\n.zero 4\\n" word \\
  ".popsection\\n");
#define ID_(kind, name, word) \\
  SLOT(PASTE(PASTE(__BTF_ID__##kind##__##name##__, __COUNTER__), __LINE__), word)
#define ID(kind, name) ID_(kind, name, "")
#define FLAGS(name, flags) ID_(func, name, ".long " #flags "\\n")
#define LIST(name) asm(".pushsection .BTF_ids,\\"a\\"\\n.local " #name "\\n" #name ":\\n" \\
  ".popsection\\n"); extern unsigned int name[];
#define UNUSED asm(".pushsection .BTF_ids,\\"a\\"\\n.zero 4\\n.popsection\\n");
#define SET(name) LIST(name) asm(".pushsection .BTF_ids,\\"a\\"\\n.local __BTF_ID__set__" #name \\
  "\\n__BTF_ID__set__" #name ":\\n.zero 8\\n.popsection\\n");
`;

test("BTF ID slots renumbered by __COUNTER__ alone are the same: their tables change nothing", async () => {
  // kernel/bpf/arraymap.c: BTF_ID_LIST_SINGLE(array_map_btf_ids, struct, bpf_array) names its
  // slot __BTF_ID__struct__bpf_array__ then __COUNTER__ and __LINE__; a header that counts once
  // more above it (6.12.118's srcu.h) renumbers every slot, and the ops table points at them.
  // A list that starts with an unnamed slot (a BTF_SET's count) points at a gap, named
  // after the list's label.
  const src = (before: string, extra = "") => `${BTF_IDS_H}
${before}
LIST(map_ids)
ID(struct, bpf_array)
ID(struct, task_struct)
LIST(other_ids)
UNUSED
ID(struct, task_struct)
ID(struct, task_struct)
${extra}
struct ops { int (*get)(int); const unsigned int *ids; const unsigned int *more; };
static int get(int x) { return x + map_ids[1]; }
const struct ops array_ops = { .get = get, .ids = map_ids, .more = other_ids };
`;
  const counted = "static int PASTE(unused, __COUNTER__) __attribute__((used));";
  const e = await refusal(src(""), src(counted));
  assert.equal(e.kind, "no-change", e.message);
  // A changed function reads the running kernel's slot, by its name there.
  const r = await diffC(src(""), src(counted).replace("x + map_ids[1]", "x + 2 * map_ids[1]"));
  assert.deepEqual(names(r), { changed: ["get"], added: [] });
  // The running kernel's task_struct slot, the nth in its object.
  const slotOf = async (source: string, nth: number) =>
    (await compile(source)).symbols
      .filter((x) => x.name.startsWith("__BTF_ID__struct__task_struct__"))
      .sort((a, b) => Number(a.value - b.value))[nth]!.name;
  const refersTo = (d: DiffResult, name: string) =>
    assert.ok(
      d.externals.some((x) => x.name === name && x.local),
      name,
    );
  refersTo(r, await slotOf(src(""), 0));
  // Slots of a type as many no more, after a list of them went: those of a list that
  // reads the same pair by their place in it.
  const gone = "LIST(old_ids)\nID(struct, task_struct)";
  const less = await diffC(src(gone), src("").replace("x + map_ids[1]", "x + 2 * map_ids[1]"));
  assert.deepEqual(names(less), { changed: ["get"], added: [] });
  refersTo(less, await slotOf(src(gone), 1));
  // A slot of its own would hold 0: nothing fills it in a patch module.
  const added = await refusal(
    src(""),
    src(counted, "LIST(new_ids)\nID(struct, file)").replace("x + map_ids[1]", "x + new_ids[0]"),
  );
  assert.match(added.details?.join("\n") ?? "", /BTF IDs __BTF_ID__struct__file__\d+ .* read 0/);
  // So would a gap it reads (a BTF_SET's count): the running kernel's has no name to refer to.
  const gap = await refusal(src(""), src(counted).replace("x + map_ids[1]", "x + other_ids[0]"));
  assert.match(gap.details?.join("\n") ?? "", /BTF IDs \.BTF_ids<at other_ids> .* read 0/);
});

test("unnamed code after a function is carried whole, its labels inside it", async () => {
  // asm after a function's symbol is one gap: a jump between two of its labels has no
  // relocation, so a copy of one labelled part alone would jump out of the module's copy.
  const src = (n: number) => `
asm(".pushsection .text,\\"ax\\"\\n.balign 16\\nhead: mov $1, %eax\\n jmp tail_part\\n"
    "mid: mov $3, %eax\\n ret\\ntail_part: add $2, %eax\\n ret\\n.popsection\\n");
int head(void);
__attribute__((section(".text"))) int pad(void) { return 7; }
int caller(void) { return head() + ${n}; }
`;
  const r = await diffC(src(1), src(2));
  assert.deepEqual(names(r), { changed: ["caller"], added: [] });
  const patched = await compile(src(2));
  const text = (e: ElfFile) => e.sections.find((x) => x.name === ".text")!;
  const copy = text(r.output);
  assert.ok(copy.data.length >= text(patched).data.length - 16, `.text of ${copy.data.length}`);
});

test("a BTF list or set that reads differently is refused: the kernel's stays as it was", async () => {
  // kernel/trace/bpf_trace.c indexes btf_tracing_ids[] at run time; a kfunc set's members and
  // flags are registered once (register_btf_kfunc_id_set). None of it can change live.
  // An empty list ends where the set after it begins, at the same offset.
  // So does the last kfunc's flags where another set begins.
  const src = (ids: string, kfuncs: string, before = "", between = "", after = "") => `${BTF_IDS_H}
${before}
LIST(tracing_ids)
${ids}
LIST(empty_ids)
${between}
SET(my_kfuncs)
${kfuncs}
${after}
SET(more_kfuncs)
FLAGS(bpf_m, 3)
int type_id(int i) { return tracing_ids[i]; }
const void *const kfunc_set = my_kfuncs;
const void *const more_set = more_kfuncs;
`;
  const ids = "ID(struct, sk_buff)\nID(struct, file)\nID(struct, task_struct)";
  const kfuncs = "FLAGS(bpf_a, 1)\nFLAGS(bpf_b, 2)";
  const counted = "static int PASTE(unused, __COUNTER__) __attribute__((used));";
  const base = src(ids, kfuncs);
  const newList = "LIST(new_ids)\nID(struct, inode)";
  for (const [what, patched] of [
    ["one more __COUNTER__", src(ids, kfuncs, counted)],
    ["a new list after an empty one", src(ids, kfuncs, "", newList)],
    ["a new list between two sets", src(ids, kfuncs, "", "", newList)],
  ]) {
    const e = await refusal(base, patched!);
    assert.equal(e.kind, "no-change", `${what}: ${e.message}`);
  }
  const flags = src(ids, kfuncs.replace("2)", "6)"));
  const cases: [string, string, string][] = [
    ["a reordered list", src(ids.split("\n").reverse().join("\n"), kfuncs), "tracing_ids"],
    ["a kfunc's flags", flags, "my_kfuncs"],
    ["a set's members", src(ids, `${kfuncs}\nFLAGS(bpf_c, 0)`), "my_kfuncs"],
  ];
  for (const [what, patched, list] of cases) {
    const e = await refusal(base, patched);
    assert.equal(e.kind, "unsafe", `${what}: ${e.message}`);
    const btf = e.details?.filter((d) => d.startsWith("BTF IDs")) ?? [];
    assert.equal(btf.length, 1, `${what}: ${btf}`);
    assert.match(btf[0]!, new RegExp(`^BTF IDs ${list} \\(\\.BTF_ids\\) changed`), what);
  }
  // The author may vouch for the change.
  const ignore = `${DIRECTIVES}KPATCH_IGNORE_SECTION(".BTF_ids");\n`;
  const ignored = await refusal(base, `${flags}${ignore}`);
  assert.equal(ignored.kind, "no-change", ignored.message);
  // But not for a slot of its own, which would still read 0.
  const reader = src(ids, kfuncs, "", newList).replace("tracing_ids[i]", "new_ids[i]");
  const own = await refusal(base, `${reader}${ignore}`);
  assert.match(own.details?.join("\n") ?? "", /BTF IDs __BTF_ID__struct__inode__\d+ .* read 0/);
  // An ld -r object links each file's own lists, of one name in each.
  const second = base.replace(/type_id|kfunc_set|more_set/g, "$&2");
  const linked = async (first: string) => {
    const objs = [await compileC(dir, first, "first"), await compileC(dir, second, "second")];
    const out = join(dir, `linked${n++}.o`);
    await run("ld", ["-r", ...objs, "-o", out]);
    return readElf(readFileSync(out), out);
  };
  const [before, after] = [await linked(base), await linked(flags)];
  const e = (() => {
    try {
      diffObjects(before, after, { outFile: "out.o" });
    } catch (x) {
      if (x instanceof KpatchError) return x;
      throw x;
    }
    assert.fail("the differ accepted the patch");
  })();
  assert.match(e.details.join("\n"), /^BTF IDs my_kfuncs of first\.c \(\.BTF_ids\) changed/);
});
