// Pins what the review report tells a reviewer, on C fixtures compiled with
// debug info at test time: which hunk changed which function, that a change
// to an inline helper is named as the reason its callers changed, the
// instruction diff's alignment and folding, the hunks that change no code,
// the questions a new allocation raises, and the page as Chromium draws it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run, nodeHost } from "../../src/host/host.js";
import { diffFiles } from "../../src/diff/run.js";
import { buildReview, type Review, type ReviewInput } from "../../src/review/review.js";
import { reviewSession } from "../../src/kpatch-build/review.js";
import { KpatchError } from "../../src/errors.js";
import { reviewHtml, reviewMarkdown, summaryLines } from "../../src/review/render.js";
import { commentsOnly, sourceHunks } from "../../src/review/hunks.js";
import { sideBySide } from "../../src/review/sidebyside.js";
import { parsePatch } from "../../src/patch/read.js";
import { compileC, scratchDir } from "../support/cc.js";
import { readPng } from "../support/png.js";

const dir = scratchDir("kpatch-review-");

const ORIG = `extern void *kmalloc(unsigned long size, unsigned flags);
extern int sink(int);

/* Clamps a request. */
static inline int limit(int x)
{
	return x > 100 ? 100 : x;
}

int alpha(int x)
{
	return sink(limit(x) + 1);
}

int beta(int x)
{
	return sink(limit(x * 2));
}

int gamma(int x)
{
	return sink(x - 3);
}

void *delta(int n)
{
	return (void *)(long)sink(n);
}

int epsilon(int x)
{
	if (x)
		return sink(x + 5);
	return 0;
}

/* The end of the fixture. */
`;

const PATCHED = ORIG.replace("/* The end of the fixture. */", "/* The end. */")
  .replace("return x > 100 ? 100 : x;", "return x > 64 ? 64 : x;")
  .replace("return (void *)(long)sink(n);", "return kmalloc(n, 0xcc0);");

async function reviewed(): Promise<Review> {
  return buildReview(await reviewedInput(), nodeHost);
}

async function reviewedInput(): Promise<ReviewInput> {
  const objs = [
    await compileC(dir, ORIG, "fixture", "gcc", ["-g"]),
    await compileC(dir, PATCHED, "fixture", "gcc", ["-g"]),
  ];
  const [a, b] = [join(dir, "orig.c"), join(dir, "patched.c")];
  writeFileSync(a, ORIG);
  writeFileSync(b, PATCHED);
  const diff = await run("diff", ["-u", "--label", "a/fixture.c", "--label", "b/fixture.c", a, b], {
    allowFailure: true,
  });
  const report = diffFiles({
    orig: objs[0]!,
    patched: objs[1]!,
    output: join(dir, "out.o"),
    object: "vmlinux",
  });
  return {
    name: "livepatch-fixture",
    module: "/x/livepatch-fixture.ko",
    patches: [parsePatch("/p/fixture.patch", diff.stdout)],
    objects: [{ object: "fixture.o", orig: objs[0]!, patched: objs[1]!, report }],
    skipped: [],
    layout: [],
    build: {
      release: "6.1.0-57-amd64",
      source: "linux-source-6.1 6.1.192-3",
      configSha256: "0".repeat(64),
      compiler: "gcc",
      options: { replace: true },
      phases: { diff: 0.1 },
      date: "2026-11-29T00:00:00Z",
    },
  };
}

test("several objects are reviewed in their order, each read whole; one that cannot be read fails the review", async () => {
  const input = await reviewedInput();
  const one = input.objects[0]!;
  const two = await buildReview(
    { ...input, objects: [one, { ...one, object: "again.o" }] },
    nodeHost,
  );
  assert.deepEqual(
    two.objects.map((o) => o.object),
    ["fixture.o", "again.o"],
  );
  assert.deepEqual(two.objects[1]!.functions, two.objects[0]!.functions);
  // Read ahead while the first is reviewed, the missing second one still fails the review.
  const missing = { ...one, object: "gone.o", orig: join(dir, "no-such.o") };
  await assert.rejects(buildReview({ ...input, objects: [one, missing] }, nodeHost), /no-such\.o/);
});

test("a hunk in an inline helper maps to each caller, with the helper named as the reason", async () => {
  const r = await reviewed();
  const fns = r.objects[0]!.functions;
  assert.deepEqual(fns.map((f) => f.name).sort(), ["alpha", "beta", "delta"]);
  const helper = r.hunks.find((h) => h.body.some((l) => l.includes("x > 64")))!;
  assert.deepEqual(helper.functions, ["fixture.o: alpha", "fixture.o: beta"]);
  for (const name of ["alpha", "beta"]) {
    const f = fns.find((f) => f.name === name)!;
    assert.deepEqual(f.hunks, [], `${name} has no hunk of its own`);
    assert.deepEqual(f.reasons, [`inlined callee limit changed (${helper.id})`]);
    const first = f.rows.filter((row) => row.kind === "changed" && row.first);
    assert.equal(first.length, 1, `${name}: one first change`);
    assert.match(JSON.stringify(f.rows), /\$0x64|\$0x40/, "the constants are in the diff");
    assert.ok(f.rows.some((row) => row.kind === "same"));
  }
  const delta = fns.find((f) => f.name === "delta")!;
  assert.equal(delta.hunks.length, 1, "delta's hunk is its own");
  assert.deepEqual(delta.callsAdded, ["kmalloc"]);
  assert.deepEqual(delta.callsRemoved, ["sink"]);
  assert.ok(
    r.verdict.questions.some(
      (q) => q.function === "fixture.o: delta" && /now allocates \(kmalloc\)/.test(q.question),
    ),
    JSON.stringify(r.verdict.questions),
  );
});

test("a comment-only hunk is said to change no code, and the pages carry every part", async () => {
  const r = await reviewed();
  const comment = r.hunks.find((h) => h.body.some((l) => l.includes("/* The end. */")))!;
  assert.deepEqual(comment.functions, []);
  assert.equal(comment.outcome, "no code");
  assert.equal(comment.why, "it changes comments or blank lines only");
  const md = reviewMarkdown(r);
  for (const part of [
    "## Verdict",
    "## From source to binary",
    "### alpha",
    "## How it was built",
  ]) {
    assert.ok(md.includes(part), part);
  }
  assert.match(md, /^> /m, "the first changed instruction is marked");
  const html = reviewHtml(r);
  assert.doesNotMatch(html, /<script|https?:\/\/|<link /, "no script, no network, no asset");
  assert.match(html, /<tr class="changed first">/);
});

test("a hunk left out of the build is said so, never called clean, and asks the reviewer", async () => {
  const input = await reviewedInput();
  const doc = "--- a/Documentation/x.rst\n+++ b/Documentation/x.rst\n@@ -1 +1 @@\n-a\n+b\n";
  input.patches.push(parsePatch("/p/doc.patch", doc));
  input.skipped.push({ file: "Documentation/x.rst", why: "documentation" });
  const r = await buildReview(input, nodeHost);
  const left = r.hunks.find((h) => h.file === "Documentation/x.rst")!;
  assert.deepEqual(
    { outcome: left.outcome, why: left.why },
    { outcome: "not applied", why: "Documentation/x.rst: documentation" },
  );
  const [counts, verdict] = summaryLines(r);
  assert.match(counts!, /\(1 changing no code, 1 not applied\)$/);
  assert.match(verdict!, /checks passed, 1 hunk not applied, /);
  assert.doesNotMatch(verdict!, /nothing refused/);
  assert.ok(
    r.verdict.questions.some(
      (q) =>
        q.function === "doc.patch#1 Documentation/x.rst" &&
        /left out of the build/.test(q.question),
    ),
  );
  assert.match(reviewMarkdown(r), /Not applied: Documentation\/x\.rst: documentation/);
});

test("Markdown: text a patch controls makes no links, HTML, emphasis or lines of its own", async () => {
  const input = await reviewedInput();
  const hostile = "[click](http://x.invalid) <img src=x> **bold** __init www.x.invalid\x1b[2J";
  input.patches[0] = parsePatch(
    "/p/`evil`[x](y).patch",
    input.patches[0]!.text.replace(/^(@@ .*@@)(.*)$/m, `$1 ${hostile}`),
  );
  input.refusal = {
    message: `refused ${hostile}`,
    details: [`symbol ${hostile}\n- checked: fake`],
  };
  const md = reviewMarkdown(await buildReview(input, nodeHost));
  assert.doesNotMatch(md, /\x1b/, "no terminal escape");
  assert.doesNotMatch(md, /^- checked: fake/m, "no line of the patch's making");
  // What is left once fenced blocks and code spans are gone is prose: all of its markup is ours.
  const prose = md
    .replace(/^(`{3,})[^\n]*\n[\s\S]*?^\1$/gm, "")
    .replace(/(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g, "");
  assert.doesNotMatch(prose, /(?<!\\)\[click\]\(/, "no link");
  assert.doesNotMatch(prose, /(?<!\\)<img/, "no HTML");
  assert.doesNotMatch(prose, /(?<!\\)\*\*bold/, "no emphasis");
  assert.doesNotMatch(prose, /(?<!\\)_(?!_init)/, "no underscore that can open emphasis");
  assert.doesNotMatch(prose, /evil/, "the patch name's backticks are escaped or spanned");
  assert.doesNotMatch(prose, /www\.x|[a-z]:\/\//, "no text GitHub would link of itself");
  assert.match(md, /- \*\*refused\*\*: refused \\\[click\\\]\(http\\:\/\/x\.invalid\) \\<img/);
  assert.match(md, /`@@ [^`\n]*\[click\]\(http:\/\/x\.invalid\) <img src=x>[^`\n]*\\x1b\[2J`/);
});

/** The review's hunks of patch text `text`. */
const hunksOf = (text: string) => sourceHunks(parsePatch("p.patch", text));

test("hunks: removed lines in ORIG's numbering, added in PATCHED's; comments told apart", () => {
  const [h] = hunksOf(
    "--- a/f.c\n+++ b/f.c\n@@ -10,4 +10,5 @@ int f(void)\n a\n-b\n+B\n+C\n c\n /* d */\n",
  );
  assert.equal(h!.file, "f.c");
  assert.deepEqual(h!.removed, [11]);
  assert.deepEqual(h!.added, [11, 12]);
  assert.equal(commentsOnly(h!), false);
  const [c] = hunksOf("--- a/f.c\n+++ b/f.c\n@@ -1,2 +1,2 @@\n-/* x */\n+/* y */\n *p = 1;\n");
  assert.equal(commentsOnly(c!), true);
  const [deref] = hunksOf("--- a/f.c\n+++ b/f.c\n@@ -1 +1 @@\n-*p = 1;\n+*p = 2;\n");
  assert.equal(commentsOnly(deref!), false, "a line starting with * may be code");
});

test("side by side: changes aligned, unchanged runs folded, the first change marked", () => {
  const orig = ["a", "b", "c", "d", "e", "f", "g", "h", "x", "i", "j", "k", "l", "m"];
  const patched = ["a", "b", "c", "d", "e", "f", "g", "h", "y", "z", "i", "j", "k", "l", "m"];
  const rows = sideBySide(orig, patched);
  assert.deepEqual(rows, [
    { kind: "folded", count: 5 },
    { kind: "same", orig: "f", patched: "f" },
    { kind: "same", orig: "g", patched: "g" },
    { kind: "same", orig: "h", patched: "h" },
    { kind: "changed", orig: "x", patched: "y", first: true },
    { kind: "changed", patched: "z" },
    { kind: "same", orig: "i", patched: "i" },
    { kind: "same", orig: "j", patched: "j" },
    { kind: "same", orig: "k", patched: "k" },
    { kind: "folded", count: 2 },
  ]);
  assert.deepEqual(sideBySide(["a"], ["a"]), [{ kind: "folded", count: 1 }]);
});

test("the HTML page renders offline in headless Chromium, diff in colour, no console error", async () => {
  const html = join(dir, "review.html");
  writeFileSync(html, reviewHtml(await reviewed()));
  const shot = join(dir, "review.png");
  // No proxy that answers and no name that resolves: the page must need no network.
  const r = await run(
    "chromium",
    [
      "--headless=new",
      "--no-sandbox",
      "--disable-gpu",
      "--hide-scrollbars",
      "--window-size=1280,1600",
      `--screenshot=${shot}`,
      "--enable-logging=stderr",
      "--v=0",
      "--proxy-server=127.0.0.1:9",
      "--host-resolver-rules=MAP * ~NOTFOUND",
      `file://${html}`,
    ],
    { timeoutMs: 60_000 },
  );
  assert.doesNotMatch(r.stderr, /:CONSOLE[:(]/, "no console message");
  const image = readPng(readFileSync(shot));
  assert.equal(image.width, 1280);
  const colours = new Set<string>();
  for (let y = 0; y < image.height; y += 2) {
    for (let x = 0; x < image.width; x += 4) colours.add(image.pixel(x, y));
  }
  // The side-by-side diff's removed (red) and added (green) backgrounds.
  assert.ok(colours.has("ffebe9") && colours.has("dafbe1"), [...colours].slice(0, 20).join(" "));
});

// Cases a review of the review found: each read wrong before.
const EDGES = `extern int printk(const char *fmt, ...);
extern void schedule(void);
int flag, obj, obj2, *ptr;

void theta(int x)
{
	if (x > 5)
		flag = x;
	schedule();
}

void iota(void)
{
	printk("%s\\n", "abc");
}

void kappa(void)
{
	ptr = &obj;
}

int zeta(void)
{
	return 2;
}
`;

test("listings: a call at a jump target, strings of absolute relocations, two relocations, a line sharing its address", async () => {
  const patchedSrc = EDGES.replace("x > 5", "x > 6")
    .replace('"abc"', '"abd"')
    .replace("&obj;", "&obj2;")
    .replace("return 2;", "return 3;");
  const objs = [
    await compileC(dir, EDGES, "edges", "gcc", ["-g"]),
    await compileC(dir, patchedSrc, "edges", "gcc", ["-g"]),
  ];
  const [a, b] = [join(dir, "edges-orig.c"), join(dir, "edges-patched.c")];
  writeFileSync(a, EDGES);
  writeFileSync(b, patchedSrc);
  const diff = await run("diff", ["-U1", "--label", "a/edges.c", "--label", "b/edges.c", a, b], {
    allowFailure: true,
  });
  const report = diffFiles({
    orig: objs[0]!,
    patched: objs[1]!,
    output: join(dir, "e.o"),
    object: "vmlinux",
  });
  const r = await buildReview(
    {
      name: "livepatch-edges",
      patches: [parsePatch("edges.patch", diff.stdout)],
      objects: [{ object: "edges.o", orig: objs[0]!, patched: objs[1]!, report }],
      skipped: [],
      layout: [],
      build: (await reviewed()).build,
    },
    nodeHost,
  );
  const fn = (name: string) => r.objects[0]!.functions.find((f) => f.name === name)!;
  const patchedText = (name: string) =>
    fn(name).rows.flatMap((row) => ("patched" in row && row.patched) || []);
  // schedule() is a jump target (after the if): its call still counts.
  assert.ok(
    fn("theta").risks.some((x) => /tasks may sleep in it \(it calls schedule\)/.test(x)),
    fn("theta").risks.join("; "),
  );
  assert.ok(!fn("theta").risks.some((x) => /never returns/.test(x)), "it returns");
  // mov $.rodata.str1.1+N: the string at N, not the next one.
  assert.ok(
    patchedText("iota").some((t) => t.includes('$"abd"')),
    patchedText("iota").join("\n"),
  );
  assert.ok(
    patchedText("iota").some((t) => t.includes('$"%s\\n"')),
    patchedText("iota").join("\n"),
  );
  // An immediate and a displacement relocated in one instruction.
  assert.ok(patchedText("kappa").includes("movq $obj2,ptr(%rip)"), patchedText("kappa").join("\n"));
  // Every hunk reaches its function, also where the changed line shares its address.
  for (const name of ["theta", "iota", "kappa", "zeta"]) {
    assert.equal(
      fn(name).hunks.length,
      1,
      `${name}: ${JSON.stringify(r.hunks.map((h) => h.functions))}`,
    );
  }
});

test("a comment before code on a changed line is code", () => {
  const [h] = hunksOf(
    "--- a/f.c\n+++ b/f.c\n@@ -1 +1 @@\n-/* cap */ n = 100;\n+/* cap */ n = 64;\n",
  );
  assert.equal(commentsOnly(h!), false);
});

test("kpatch-build review refuses a hostile session: a clear error, nothing written outside -o", async () => {
  const session = join(dir, "session");
  const out = join(dir, "review-out");
  mkdirSync(session, { recursive: true });
  mkdirSync(out, { recursive: true });
  const good = { ...(await reviewedInput()), objects: [] };
  const cases: [unknown, RegExp][] = [
    [{ ...good, objects: [null] }, /is not a review input kpatch-build wrote/],
    [{ ...good, patches: undefined }, /is not a review input kpatch-build wrote/],
    [{ ...good, build: { ...good.build, phases: { x: "1" } } }, /is not a review input/],
    [{ ...good, name: "../escaped" }, /module name '\.\.\/escaped' is refused/],
    ["not json", /is not a review input/],
  ];
  for (const [input, message] of cases) {
    writeFileSync(
      join(session, "review-input.json"),
      typeof input === "string" ? input : JSON.stringify(input),
    );
    const e = await reviewSession(session, out).catch((e: unknown) => e);
    assert.ok(e instanceof KpatchError && e.kind === "input", String(e));
    assert.match(e.message, message);
  }
  assert.deepEqual(readdirSync(out), []);
  assert.ok(!existsSync(join(dir, "escaped.review.json")));
});
