// Line maps read from the patches' hunks: the same as `diff -U0` between the
// file before and after, whatever context the patch carries and wherever
// patch(1) applied its hunks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../../src/host/host.js";
import { LineMap } from "../../src/patch/lines.js";
import { patchSections } from "../../src/patch/patch.js";
import { readSourceChanges } from "../../src/patch/changes.js";
import { scratchDir } from "../support/cc.js";
import { hostWith } from "../support/hosts.js";
const dir = scratchDir("kpatch-lines-");
const lines = (n, tag = "l") => Array.from({ length: n }, (_, i) => `${tag}${i + 1}`);
const text = (l) => `${l.join("\n")}\n`;
/** `diff -U<context>` from `a` to `b`, as the sections of a patch to f.c. */
async function diffOf(a, b, context) {
    writeFileSync(join(dir, "a"), text(a));
    writeFileSync(join(dir, "b"), text(b));
    const d = await run("diff", [`-U${context}`, join(dir, "a"), join(dir, "b")], {
        allowFailure: true,
    });
    return patchSections(d.stdout.replace(/^--- .*$/m, "--- a/f.c").replace(/^\+\+\+ .*$/m, "+++ b/f.c"));
}
/** Where each line of a file of `n` lines (and one past its end) goes. */
const where = (m, n) => Array.from({ length: n + 2 }, (_, i) => m.map(i));
// Close changes (whose contexts join into one hunk) and far ones, of each kind.
const orig = lines(80);
const patched = [
    "new first",
    ...orig.slice(0, 4),
    "l5 changed",
    ...orig.slice(6, 9),
    "inserted",
    ...orig.slice(9, 30),
    ...orig.slice(33, 60),
    "x",
    "y",
    ...orig.slice(60, 79),
    "l80 changed",
];
test("a line map read from a -U3 patch's hunks is the one diff -U0 gives", async () => {
    const u3 = (await diffOf(orig, patched, 3))[0];
    const u0 = (await diffOf(orig, patched, 0))[0];
    assert.ok(u3.hunks.length >= 3 && u3.hunks.length < u0.hunks.length, "a multi-hunk patch");
    assert.deepEqual(where(LineMap.fromHunks([u3.hunks], orig.length), orig.length), where(LineMap.fromHunks([u0.hunks], orig.length), orig.length));
});
test("line maps follow patches in turn, and hunks that patch(1) moved", async () => {
    // The tree's file has two lines more than the one the patches were made from, after l20.
    const tree = join(dir, "tree");
    const extra = (l) => l.flatMap((x) => (x === "l20" ? [x, "extra 1", "extra 2"] : [x]));
    const source = extra(orig);
    mkdirSync(tree, { recursive: true });
    writeFileSync(join(tree, "f.c"), text(source));
    const second = patched.map((l) => (l === "l40" ? "l40 changed" : l));
    const patches = [await diffOf(orig, patched, 3), await diffOf(patched, second, 3)];
    const host = hostWith({ cache: scratchDir("kpatch-lines-cache-") });
    const { layout, lineMaps } = await readSourceChanges(tree, patches, ["f.c"], host);
    assert.deepEqual(layout, []);
    const final = extra(second);
    const direct = (await diffOf(source, final, 0))[0];
    assert.deepEqual(where(lineMaps[0], source.length), where(LineMap.fromHunks([direct.hunks], source.length), source.length));
});
//# sourceMappingURL=lines.test.js.map