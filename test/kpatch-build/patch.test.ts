// Reading patches and patch(1)'s verdicts, without a kernel tree.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { patchReport, patchedFiles } from "../../src/kpatch-build/patch.js";
import { readPatches } from "../../src/kpatch-build/inputs.js";
import { buildPatches } from "./support.js";

test("the files a patch touches: changed, created, deleted, renamed; hunk bodies are not headers", () => {
  const patch = `Subject: a commit message may quote
--- a/not/a/header
without a +++ line after it.

diff --git a/fs/a.c b/fs/a.c
--- a/fs/a.c\t2024-01-01 00:00:00
+++ b/fs/a.c\t2024-01-01 00:00:00
@@ -1,3 +1,3 @@
 context
--- removed line that looks like a header
+++ added line that looks like a header
 context
--- /dev/null
+++ b/fs/new.c
@@ -0,0 +1 @@
+int x;
--- a/fs/old.c
+++ /dev/null
@@ -1 +0,0 @@
-int y;
diff --git a/fs/from.c b/fs/to.c
similarity index 100%
rename from fs/from.c
rename to fs/to.c
`;
  assert.deepEqual(patchedFiles(patch), ["fs/a.c", "fs/from.c", "fs/new.c", "fs/old.c", "fs/to.c"]);
  assert.deepEqual(
    patchedFiles(readFileSync(join(buildPatches, "second-hunk-fails.patch"), "utf8")),
    ["fs/proc/meminfo.c", "fs/proc/version.c"],
  );
});

test("patch's output gives the failing file and hunk, a missing file, an applied patch, and moved hunks", () => {
  const r = patchReport(`checking file fs/proc/meminfo.c
Hunk #1 succeeded at 60 (offset 5 lines).
checking file fs/proc/version.c
Hunk #2 FAILED at 23.
1 out of 2 hunks FAILED
can't find file to patch at input line 30
Perhaps you used the wrong -p or --strip option?
The text leading up to this was:
--------------------------
|--- a/fs/proc/nothere.c
|+++ b/fs/proc/nothere.c
--------------------------
No file to patch.  Skipping patch.
checking file fs/proc/cmdline.c
Reversed (or previously applied) patch detected!  Skipping patch.
`);
  assert.deepEqual(r, {
    failures: [
      "fs/proc/version.c: hunk #2 FAILED at 23",
      "fs/proc/nothere.c: no such file in the source tree",
      "fs/proc/cmdline.c: already applied (or reversed)",
    ],
    inexact: ["fs/proc/meminfo.c: hunk #1 applies at 60 (offset 5 lines)"],
  });
  assert.deepEqual(
    patchReport("patch: **** Only garbage was found in the patch input.\n").failures,
    ["Only garbage was found in the patch input."],
  );
});

test("both names of a file header count, and the forms this parser does not read are refused up front", () => {
  const dir = mkdtempSync(join(tmpdir(), "kpatch-forms-"));
  try {
    const renamed = "--- a/fs/one.c\n+++ b/fs/two.c\n@@ -1 +1 @@\n-a\n+b\n";
    assert.deepEqual(patchedFiles(renamed), ["fs/one.c", "fs/two.c"]);
    const cases: [string, RegExp][] = [
      [
        "--- a/../../x.c\n+++ b/fs/ok.c\n@@ -1 +1 @@\n-a\n+b\n",
        /the path '\.\.\/\.\.\/x\.c' is refused/,
      ],
      [
        "*** a/fs/x.c\n--- b/fs/x.c\n***************\n*** 1 ****\n! a\n--- 1 ----\n! b\n",
        /'\*{15}\.\.\.' lines are refused: give a unified diff/,
      ],
      [
        "diff --git a/fs/a.c b/fs/b.c\ncopy from fs/a.c\ncopy to fs/b.c\n",
        /'copy from \.\.\.' lines are refused/,
      ],
    ];
    cases.forEach(([text, message], i) => {
      const file = join(dir, `${i}.patch`);
      writeFileSync(file, text);
      assert.throws(() => readPatches([file]), message);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
