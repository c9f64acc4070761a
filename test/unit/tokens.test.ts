// What a preprocessed unit can become: a header change that no code of the
// unit uses leaves its digest alone, one that it uses changes it. Each case
// is a real C unit, preprocessed and compiled at test time, and wherever two
// digests are equal the two objects' code must be equal too.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../../src/host/host.js";
import { readElf } from "../../src/elf/reader.js";
import { SHF } from "../../src/elf/constants.js";
import { CodeReader, splitText, withoutLines } from "../../src/build/tokens.js";
import { btfSlotType } from "../../src/symbols/names.js";

const dir = mkdtempSync(join(tmpdir(), "kpatch-tokens-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const reader = new CodeReader();
let units = 0;

/** The unit's digest and its object's allocated sections with their relocations. */
async function unit(header: string, source: string): Promise<{ digest: string; code: string }> {
  const base = join(dir, String(units++));
  writeFileSync(`${base}.h`, header);
  writeFileSync(`${base}.c`, `#include "${base}.h"\n${source}`);
  const cc = ["-O2", "-ffunction-sections", "-fdata-sections", "-fno-common"];
  const pre = await run("gcc", [...cc, "-E", "-P", `${base}.c`]);
  await run("gcc", [...cc, "-c", "-o", `${base}.o`, `${base}.c`]);
  const elf = readElf(readFileSync(`${base}.o`), `${base}.o`);
  const code = elf.sections
    .filter((s) => (s.flags & SHF.ALLOC) !== 0n || s.infoSection)
    .filter((s) => !/\.note|\.comment/.test(s.name))
    .map(
      (s) =>
        `${s.name} ${s.nobitsSize} ${Buffer.from(s.data).toString("hex")} ` +
        s.relocations.map((r) => `${r.offset}:${r.type}:${r.symbol?.name}:${r.addend}`).join(","),
    )
    .sort()
    .join("\n");
  // The types of BTF ID slots are in their symbols' names alone.
  const slots = elf.symbols
    .filter((s) => s.section?.name === ".BTF_ids")
    .map((s) => btfSlotType(s.name) ?? s.name)
    .sort();
  return { digest: reader.digest(pre.stdout), code: `${code}\n${slots.join(" ")}` };
}

/** Asserts whether the digests of the two headers' units are equal. */
async function same(before: string, after: string, source: string, expected: boolean) {
  const [a, b] = [await unit(before, source), await unit(after, source)];
  assert.equal(a.digest === b.digest, expected, `digests ${expected ? "differ" : "equal"}`);
  if (a.digest === b.digest) assert.equal(b.code, a.code, "equal digests, different code");
}

const USER = "int api(int x) { return used(x); }\n";
const USED = "static inline int used(int x) { return x + 1; }\n";

test("an inline function no code uses may change", async () => {
  const h = (n: number) => `${USED}static inline int other(int x) { return x * ${n}; }\n`;
  await same(h(2), h(3), USER, true);
});

test("an inline function the unit calls may not", async () => {
  await same(USED, USED.replace("x + 1", "x + 2"), USER, false);
});

test("what an unused inline function calls may change, what a used one calls may not", async () => {
  const h = (n: number) =>
    `static inline int deep(int x) { return x - ${n}; }\n` +
    "static inline int other(int x) { return deep(x); }\n" +
    `static inline int used(int x) { return x + ${n}; }\n`;
  await same(h(1), h(2), USER, false);
  const g = (n: number) =>
    `static inline int deep(int x) { return x - ${n}; }\n` +
    "static inline int other(int x) { return deep(x); }\n" +
    USED;
  await same(g(1), g(2), USER, true);
  const f = (n: number) =>
    `static inline int deep(int x) { return x - ${n}; }\n` +
    "static inline int used(int x) { return deep(x); }\n";
  await same(f(1), f(2), USER, false);
});

test("a struct: its layout matters where the unit names it, through any typedef", async () => {
  const h = (extra: string) => `struct s { int a; ${extra} int b; };\ntypedef struct s s_t;\n`;
  await same(h(""), h("int pad;"), "int api(int x) { return x; }\n", true);
  await same(h(""), h("int pad;"), "int api(s_t *p) { return p->b; }\n", false);
  await same(h(""), h("int pad;"), "long api(void) { return sizeof(struct s); }\n", false);
});

test("a prototype: unused ones may change, a used one's attributes may not", async () => {
  await same(
    "int helper(int);\nint gone(int);\n",
    "int helper(int);\nlong gone(long, int);\n",
    "int api(int x) { return helper(x); }\n",
    true,
  );
  await same(
    "int helper(int);\n",
    "int helper(int) __attribute__((cold));\n",
    "int api(int x) { return x ? helper(x) : 0; }\n",
    false,
  );
});

test("an enum's constants are its uses", async () => {
  const h = (n: number) => `enum e { ONE = ${n}, TWO };\n`;
  await same(h(1), h(5), "int api(void) { return TWO; }\n", false);
  await same(h(1), h(5), "int api(void) { return 2; }\n", true);
});

test("__COUNTER__ names shifted by an unused function are numbered again", async () => {
  // As the kernel's __UNIQUE_ID() makes them, for min()'s temporaries.
  const id =
    "#define ID(p) P2(P2(__UNIQUE_ID_, p), __COUNTER__)\n" +
    "#define P2(a, b) P3(a, b)\n#define P3(a, b) a##b\n" +
    "#define TWICE(x) TWICE2(x, ID(t))\n#define TWICE2(x, t) ({ int t = (x); t + t; })\n";
  const counted = "static inline int used(int x) { return TWICE(x); }\n";
  const h = (unused: string) => `${id}${unused}${counted}`;
  const unused = "static inline int other(int x) { return TWICE(x) + 1; }\n";
  await same(h(""), h(unused), USER, true);
});

test("BTF ID slots renumbered by a shifted __COUNTER__ are numbered again", async () => {
  // btf_ids.h names each slot in its asm's strings, after __COUNTER__ and __LINE__.
  const id =
    "#define ID(p) P2(P2(__UNIQUE_ID_, p), __COUNTER__)\n" +
    "#define P2(a, b) P3(a, b)\n#define P3(a, b) a##b\n" +
    "#define TWICE(x) ({ int ID(t) = (x); 0; })\n" +
    "#define SLOT(name) SLOT2(name)\n" +
    '#define SLOT2(name) asm(".pushsection .BTF_ids,\\"a\\"\\n.local " #name "\\n" ' +
    '#name ":\\n.zero 4\\n.popsection\\n");\n';
  const slot = "SLOT(P2(P2(__BTF_ID__struct__file__, __COUNTER__), __LINE__))\n";
  const unused = "static inline int other(int x) { return TWICE(x); }\n";
  await same(`${id}${slot}`, `${id}${unused}${slot}`, USER.replace("used(x)", "x"), true);
  await same(`${id}${slot}`, `${id}${slot.replace("file", "inode")}`, USER, false);
  // Digits of the type's own name are no count.
  const tcp = slot.replace("file", "tcp_sock");
  await same(`${id}${tcp}`, `${id}${tcp.replace("tcp", "tcp6")}`, USER, false);
});

test("functions defined in another order are the same code", async () => {
  const first = "static inline int first(int x) { return x + 7; }\n";
  await same(
    `${first}${USED}`,
    `${USED}${first}`,
    "int api(int x) { return used(x) + first(x); }\n",
    true,
  );
});

test("an inline function kept by an attribute or named in asm is code", async () => {
  const h = (n: number, attr: string) =>
    `${USED}static inline ${attr} int other(int x) { return x * ${n}; }\n`;
  await same(h(2, "__attribute__((used))"), h(3, "__attribute__((used))"), USER, false);
  await same(h(2, ""), h(3, ""), `${USER}asm(".set other_alias, other");\n`, false);
});

test("items end at a top-level semicolon or a function body's brace", () => {
  assert.deepEqual(
    splitText('struct a { int x; };\nint f(void) { return "}"[0]; }\n#pragma once\nint y;'),
    ["struct a { int x; };", 'int f(void) { return "}"[0]; }', "#pragma once", "int y;"],
  );
});

test("each shape a review found read wrong: different code, different digests", async () => {
  // [what, unit before, unit after, its user]: gcc compiles each pair to
  // different code; the reader once gave each pair one digest.
  const pairs: [string, string, string, string][] = [
    [
      "a struct moved out of a #pragma pack region",
      "#pragma pack(1)\nstruct h { char t; int n; };\n#pragma pack()\n",
      "#pragma pack(1)\n#pragma pack()\nstruct h { char t; int n; };\n",
      "int api(struct h *p) { return p->n; }\n",
    ],
    [
      "an inline function moved out of an optimize region",
      '#pragma GCC push_options\n#pragma GCC optimize("O0")\n' +
        "static inline int sq(int x) { return x * x; }\n#pragma GCC pop_options\n",
      '#pragma GCC push_options\n#pragma GCC optimize("O0")\n#pragma GCC pop_options\n' +
        "static inline int sq(int x) { return x * x; }\n",
      "int api(int x) { return sq(x) + 1; }\n",
    ],
    [
      "a function pointer's return type",
      "typedef long ret_t;\nret_t (*hook)(void);\n",
      "typedef int ret_t;\nret_t (*hook)(void);\n",
      "long api(void) { return hook ? hook() : 0; }\n",
    ],
    [
      "a struct a typedef of another tag's name points to",
      "struct T { int pad; int x; };\ntypedef struct S { struct T *t; } T;\n",
      "struct T { int x; };\ntypedef struct S { struct T *t; } T;\n",
      "int api(struct S *s) { return s->t->x; }\n",
    ],
    [
      "an asm label on a function gcc calls for sprintf",
      'char *strcpy(char *, const char *) __asm__("kstrcpy");\n' +
        "int sprintf(char *, const char *, ...);\n",
      "char *strcpy(char *, const char *);\nint sprintf(char *, const char *, ...);\n",
      'void api(char *d, const char *s) { sprintf(d, "%s", s); }\n',
    ],
    [
      "a counted name declared by one item, used by another",
      "typedef int __UNIQUE_ID_t1;\ntypedef long __UNIQUE_ID_t2;\n" +
        "static inline long pick(long x) { return (__UNIQUE_ID_t2)x; }\n",
      "typedef int __UNIQUE_ID_t1;\ntypedef long __UNIQUE_ID_t2;\n" +
        "static inline long pick(long x) { return (__UNIQUE_ID_t1)x; }\n",
      "long api(long x) { return pick(x) + (__UNIQUE_ID_t2)x; }\n",
    ],
    [
      "a user moved across a later declaration that adds an attribute",
      "void *f(unsigned long);\nvoid *f(unsigned long) __attribute__((assume_aligned(64)));\n" +
        "static inline unsigned long low(void) { return (unsigned long)f(8) & 63; }\n",
      "void *f(unsigned long);\n" +
        "static inline unsigned long low(void) { return (unsigned long)f(8) & 63; }\n" +
        "void *f(unsigned long) __attribute__((assume_aligned(64)));\n",
      "unsigned long api(void) { return low(); }\n",
    ],
    [
      "a prototype moved after a call that an old-style declaration left untyped",
      "int f();\nint f(int);\n",
      "int f();\n",
      "int api(void) { return f(1.5); }\nint f(int);\n",
    ],
    [
      "a pack pragma in the middle of an unused struct",
      'struct U { char c;\n_Pragma("pack(1)") int i; };\nstruct P { char c; int i; };\n',
      "struct U { char c; int i; };\nstruct P { char c; int i; };\n",
      "int api(struct P *p) { return p->i; }\n",
    ],
    [
      "a counted name in a string that is data",
      'const char *name(void) { static const char __UNIQUE_ID_x12[] = "__UNIQUE_ID_x12"; ' +
        "return __UNIQUE_ID_x12; }\n",
      'const char *name(void) { static const char __UNIQUE_ID_x13[] = "__UNIQUE_ID_x13"; ' +
        "return __UNIQUE_ID_x13; }\n",
      "",
    ],
    // Shapes never dropped, whether or not anything names them.
    [
      "an object declared in parentheses",
      "typedef int T;\nT (x);\n",
      "typedef long T;\nT (x);\n",
      "",
    ],
    [
      "an object declared after a struct's body",
      "struct S { int a; } (x);\n",
      "struct S { long a[8]; } (x);\n",
      "",
    ],
    [
      "an ifunc",
      "static int impl(void) { return 1; }\nstatic void *resolve(void) { return impl; }\n" +
        'int f(void) __attribute__((ifunc("resolve")));\n',
      "static int impl(void) { return 1; }\nstatic void *resolve(void) { return impl; }\n",
      "",
    ],
    [
      "an extern gnu_inline function with a static array parameter",
      "inline __attribute__((__gnu_inline__)) int pick(int a[static 2]) { return a[1]; }\n",
      "inline __attribute__((__gnu_inline__)) int pick(int a[static 2]) { return a[0]; }\n",
      "int api(int *a) { return pick(a); }\n",
    ],
    [
      "a K&R definition",
      "long f(a) int a; { return a; }\n",
      "long f(a) long a; { return a; }\n",
      "",
    ],
  ];
  for (const [what, before, after, user] of pairs) {
    const [a, b] = [await unit(before, user), await unit(after, user)];
    assert.notEqual(a.code, b.code, `${what}: the pair compiles differently`);
    assert.notEqual(a.digest, b.digest, what);
  }
});

test("read blind to lines, a unit's numbers that are their own line's read as __LINE__", () => {
  // gcc -E's markers set the line; each line after one counts one more.
  assert.equal(
    withoutLines('# 36 "h.h"\nvoid f(void) { warn(36, 0x36, 36U, 7); }\nint g = 37, h = 36;\n'),
    "void f(void) { warn(__LINE__, 0x36, 36U, 7); }\nint g = __LINE__, h = 36;\n",
  );
  const unit = (at: number) =>
    `# 1 "a.c"\n# ${at} "h.h" 1\nvoid f(void) { warn(${at}, 7); }\n\nvoid g(void) { warn(${at + 2}); }\n`;
  const reader = new CodeReader();
  const digest = (text: string) => reader.digest(withoutLines(text));
  assert.equal(digest(unit(36)), digest(unit(41)), "moved lines read the same");
  assert.notEqual(
    digest('# 36 "h.h"\nint x = 36;\n'),
    digest('# 36 "h.h"\nint x = 35;\n'),
    "a number that is not its line's is code",
  );
});

test("a reader whose cache forgets mid-unit reads the unit as a fresh one does", () => {
  // The prototype twice is one declaration; forgetting it between the two
  // would count two, and read g's stretch in another order.
  const text = "int f(void);\nint a;\nint b;\nint f(void);\nint g(void) { return f(); }\n";
  for (const limit of [1, 2]) {
    const small = new CodeReader(limit);
    assert.equal(small.digest(text), new CodeReader().digest(text), `${limit}`);
    assert.equal(small.digest(text), new CodeReader().digest(text), `${limit}, again, warm`);
  }
});
