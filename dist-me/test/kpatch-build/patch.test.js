// Reading patches, what each file of one is to the build (and the refusal
// of what is not code), and patch(1)'s verdicts, without a kernel tree.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { patchReport, patchSections, patchedFiles } from "../../src/patch/patch.js";
import { fileClass, readPatches } from "../../src/patch/read.js";
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
    assert.deepEqual(patchedFiles(readFileSync(join(buildPatches, "second-hunk-fails.patch"), "utf8")), ["fs/proc/meminfo.c", "fs/proc/version.c"]);
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
    assert.deepEqual(patchReport("patch: **** Only garbage was found in the patch input.\n").failures, ["Only garbage was found in the patch input."]);
});
test("both names of a file header count, and the forms this parser does not read are refused up front", () => {
    const dir = mkdtempSync(join(tmpdir(), "kpatch-forms-"));
    try {
        const renamed = "--- a/fs/one.c\n+++ b/fs/two.c\n@@ -1 +1 @@\n-a\n+b\n";
        assert.deepEqual(patchedFiles(renamed), ["fs/one.c", "fs/two.c"]);
        const cases = [
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
    }
    finally {
        rmSync(dir, { recursive: true, force: true });
    }
});
test("what patch(1) is given is the sections as parsed: the commit message and signature are not", () => {
    const patch = `From 1234 Mon Sep 17 00:00:00 2001
Subject: [PATCH] fix

---
 fs/a.c | 2 +-

diff --git a/fs/a.c b/fs/a.c
index 1111111..2222222 100644
--- a/fs/a.c
+++ b/fs/a.c
@@ -1 +1 @@
-a
+b
\\ No newline at end of file
--- /dev/null
+++ b/fs/new.h
@@ -0,0 +1 @@
+int x;
-- 
2.39.2
`;
    const sections = patchSections(patch);
    assert.deepEqual(sections.map((s) => [s.paths, s.created, s.gitHeaders]), [
        [["fs/a.c"], false, ["index 1111111..2222222 100644"]],
        [["fs/new.h"], true, []],
    ]);
    assert.equal(sections.map((s) => s.text).join(""), "diff --git a/fs/a.c b/fs/a.c\nindex 1111111..2222222 100644\n--- a/fs/a.c\n+++ b/fs/a.c\n" +
        "@@ -1 +1 @@\n-a\n+b\n\\ No newline at end of file\n" +
        "--- /dev/null\n+++ b/fs/new.h\n@@ -0,0 +1 @@\n+int x;\n");
});
test("each file is code, text the build never reads, or refused: the build itself and the rest", () => {
    const classes = Object.fromEntries([
        "fs/proc/meminfo.c",
        "include/linux/fs.h",
        "arch/x86/entry/entry_64.S",
        "Documentation/admin-guide/README.rst",
        "MAINTAINERS",
        "scripts/Kbuild.include",
        "scripts/mod/modpost.c",
        "tools/objtool/check.c",
        "fs/proc/Makefile",
        "drivers/net/Kconfig",
        "Documentation/Makefile",
        "Documentation/conf.py",
        "arch/x86/entry/syscalls/syscall_64.tbl",
        "arch/x86/kernel/vmlinux.lds.S",
        "kernel/time/timeconst.bc",
        "rust/kernel/lib.rs",
        "firmware/x.bin",
    ].map((p) => [p, fileClass(p)]));
    assert.deepEqual(classes, {
        "fs/proc/meminfo.c": "code",
        "include/linux/fs.h": "code",
        "arch/x86/entry/entry_64.S": "code",
        "Documentation/admin-guide/README.rst": "text",
        MAINTAINERS: "text",
        "scripts/Kbuild.include": "build",
        "scripts/mod/modpost.c": "build",
        "tools/objtool/check.c": "build",
        "fs/proc/Makefile": "build",
        "drivers/net/Kconfig": "build",
        "Documentation/Makefile": "build",
        "Documentation/conf.py": "build",
        "arch/x86/entry/syscalls/syscall_64.tbl": "build",
        "arch/x86/kernel/vmlinux.lds.S": "build",
        "kernel/time/timeconst.bc": "build",
        "rust/kernel/lib.rs": "other",
        "firmware/x.bin": "other",
    });
});
test("a hunk to the build, a symlink, a mode change or a binary patch is refused up front, by name", () => {
    const dir = mkdtempSync(join(tmpdir(), "kpatch-scope-"));
    const code = "--- a/fs/proc/meminfo.c\n+++ b/fs/proc/meminfo.c\n@@ -1 +1 @@\n-a\n+b\n";
    const hunk = (path) => `--- a/${path}\n+++ b/${path}\n@@ -1 +1,2 @@\n x\n+y\n`;
    try {
        const cases = [
            [
                hunk("scripts/Kbuild.include"),
                /scripts\/Kbuild\.include: it is part of the kernel's build .* which runs as root/,
            ],
            [hunk("fs/proc/Makefile"), /fs\/proc\/Makefile: it is part of the kernel's build/],
            [hunk("init/Kconfig"), /init\/Kconfig: it is part of the kernel's build/],
            [hunk("tools/objtool/check.c"), /tools\/objtool\/check\.c: it is part of the kernel's build/],
            [hunk("rust/kernel/lib.rs"), /rust\/kernel\/lib\.rs: it is not C, a header or assembly/],
            [
                "diff --git a/fs/l.h b/fs/l.h\nnew file mode 120000\n--- /dev/null\n+++ b/fs/l.h\n" +
                    "@@ -0,0 +1 @@\n+/etc/shadow\n\\ No newline at end of file\n",
                /fs\/l\.h: 'new file mode 120000': a live patch changes file contents only/,
            ],
            [
                // patch(1) takes the mode past a carriage return.
                "diff --git a/fs/l.h b/fs/l.h\nnew file mode 120000\r\n--- /dev/null\n+++ b/fs/l.h\n" +
                    "@@ -0,0 +1 @@\n+/etc/shadow\n",
                /fs\/l\.h: 'new file mode 120000\\r': a live patch changes file contents only/,
            ],
            [
                "diff --git a/fs/l.h b/fs/l.h\nindex 0000000..1111111 120000\n--- a/fs/l.h\n+++ b/fs/l.h\n" +
                    "@@ -1 +1 @@\n-a\n+b\n",
                /fs\/l\.h: 'index 0000000\.\.1111111 120000'/,
            ],
            [
                "--- /dev/null\n+++ /dev/null\n@@ -0,0 +1 @@\n+x\n",
                /'--- \/dev\/null': a section that names no file/,
            ],
            [
                "diff --git a/fs/a.c b/fs/a.c\nold mode 100644\nnew mode 100755\n",
                /fs\/a\.c: 'old mode 100644': a live patch changes file contents only/,
            ],
            [
                "diff --git a/fs/a.o b/fs/a.o\nGIT binary patch\nliteral 1\nIcmZ?d00001\n",
                /fs\/a\.o: 'GIT binary patch'/,
            ],
        ];
        cases.forEach(([text, message], i) => {
            const file = join(dir, `${i}.patch`);
            writeFileSync(file, code + text);
            assert.throws(() => readPatches([file]), (e) => message.test(e.message) &&
                /is refused before anything ran: a live patch may change C sources/.test(e.message), `${text}`);
        });
        // Documentation beside code is read; what patch(1) gets of it is decided later.
        const file = join(dir, "doc.patch");
        writeFileSync(file, code + hunk("Documentation/filesystems/proc.rst"));
        assert.deepEqual(readPatches([file])[0].paths, [
            "Documentation/filesystems/proc.rst",
            "fs/proc/meminfo.c",
        ]);
    }
    finally {
        rmSync(dir, { recursive: true, force: true });
    }
});
//# sourceMappingURL=patch.test.js.map