// Which objects changed files affect: exactly, from the test kernel's full
// build, and from kbuild's plan when there is no full build of the config.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { cacheRoot } from "../../src/host/host.js";
import {
  affectedByDependencies,
  affectedObjects,
  buildDependencies,
  type AffectedObjects,
} from "../../src/build/affected.js";
import { testTree } from "./support.js";

const { kernel, prepared } = await testTree();

const files = [
  "fs/proc/meminfo.c",
  "drivers/thermal/intel/x86_pkg_temp_thermal.c",
  "kernel/sched/rt.c",
  "include/linux/seq_file.h",
  "fs/ext4/inode.c",
  "fs/proc/Makefile",
  "Documentation/filesystems/proc.rst",
  "tools/perf/builtin-top.c",
];

/** Each changed file with where it went: the objects it affects, or skipped/unresolved. */
function outcome(a: AffectedObjects, file: string): string {
  const objects = a.objects.filter((o) => o.files.includes(file));
  if (objects.length > 3) return `${objects.length} objects`;
  if (objects.length) return objects.map((o) => `${o.object} (${o.target})`).join(" ");
  if (a.skipped.some((s) => s.file === file)) return "skipped";
  return a.unresolved.some((u) => u.file === file) ? "unresolved" : "missing";
}

test("a full build's dependency files map sources, headers and #included .c files to objects", async () => {
  const a = await affectedObjects(prepared, files, { fullBuild: kernel.buildDir });
  assert.equal(a.method, "dependency files");
  assert.deepEqual(
    files.map((f) => [f, outcome(a, f)]),
    [
      ["fs/proc/meminfo.c", "fs/proc/meminfo.o (vmlinux)"],
      [
        "drivers/thermal/intel/x86_pkg_temp_thermal.c",
        "drivers/thermal/intel/x86_pkg_temp_thermal.o (x86_pkg_temp_thermal)",
      ],
      // The scheduler's classes are compiled as part of build_policy.c.
      ["kernel/sched/rt.c", "kernel/sched/build_policy.o (vmlinux)"],
      [
        "include/linux/seq_file.h",
        `${a.objects.filter((o) => o.files.includes("include/linux/seq_file.h")).length} objects`,
      ],
      ["fs/ext4/inode.c", "skipped"],
      ["fs/proc/Makefile", "unresolved"],
      ["Documentation/filesystems/proc.rst", "skipped"],
      ["tools/perf/builtin-top.c", "skipped"],
    ],
  );
  const users = a.objects
    .filter((o) => o.files.includes("include/linux/seq_file.h"))
    .map((o) => o.object);
  assert.ok(
    users.length > 100 &&
      users.includes("fs/proc/meminfo.o") &&
      users.includes("kernel/sched/build_policy.o"),
    `${users.length} users of seq_file.h`,
  );
});

test("the vDSO and boot code are compiled, but not into vmlinux: not affected", () => {
  const a = affectedByDependencies(
    ["arch/x86/entry/vdso/vclock_gettime.c", "arch/x86/boot/main.c", "arch/x86/entry/vdso/vma.c"],
    buildDependencies(kernel.buildDir, prepared.source.dir),
  );
  assert.deepEqual(
    a.objects.map((o) => o.object),
    ["arch/x86/entry/vdso/vma.o"],
  );
  assert.deepEqual(
    a.skipped.map((s) => s.file),
    ["arch/x86/entry/vdso/vclock_gettime.c", "arch/x86/boot/main.c"],
  );
});

test("without a full build, kbuild's plan and the preprocessor find the same objects as the full build's dependency files", async () => {
  // The prepared tree has the same config but no objects: not a full build.
  const a = await affectedObjects(prepared, files, { fullBuild: prepared.dir });
  assert.equal(a.method, "kbuild plan");
  const exact = await affectedObjects(prepared, files, { fullBuild: kernel.buildDir });
  assert.deepEqual(
    files.map((f) => [f, outcome(a, f)]),
    files.map((f) => [f, outcome(exact, f)]),
  );
  // Shared headers and #included .c files included: the same objects, each for the same files.
  assert.deepEqual(
    a.objects.map(({ recipe: _, command: __, ...o }) => o),
    exact.objects,
  );
  // Objects of a changed .c file come with kbuild's recipe for them, which compiles them without make.
  for (const o of a.objects.filter((x) =>
    x.files.some((f) => f.endsWith(".c") && x.object === f.replace(/\.c$/, ".o")),
  )) {
    assert.match(o.recipe ?? "", new RegExp(` -c -o ${o.object} \\S+\\s*;.*fixdep `), o.object);
  }
  assert.deepEqual(
    a.unresolved.map((u) => u.file),
    ["fs/proc/Makefile"],
  );
});

test("without a full build, a directory's own header affects the objects of the files that include it there", async () => {
  const a = await affectedObjects(prepared, ["fs/proc/internal.h"], { fullBuild: prepared.dir });
  const objects = a.objects.map((o) => o.object);
  // Included directly (inode.c), through the parent directory (proc_namespace.c includes "proc/internal.h").
  for (const o of [
    "fs/proc/inode.o",
    "fs/proc/generic.o",
    "fs/proc/meminfo.o",
    "fs/proc_namespace.o",
  ])
    assert.ok(objects.includes(o), o);
  // The full build's dependency files agree.
  const exact = await affectedObjects(prepared, ["fs/proc/internal.h"], {
    fullBuild: kernel.buildDir,
  });
  assert.deepEqual(
    objects,
    exact.objects.map((o) => o.object),
  );
});

test("a header's readers are kept per tree and files: the record answers again, a torn one is redone", async () => {
  const dir = join(cacheRoot(), "includers", basename(prepared.dir));
  rmSync(dir, { recursive: true, force: true });
  const header = ["include/linux/seq_file.h"];
  const first = await affectedObjects(prepared, header, { fullBuild: prepared.dir });
  const [record] = readdirSync(dir);
  assert.ok(record && readdirSync(dir).length === 1);
  // A record naming one reader is what the next build reads: nothing scans again.
  writeFileSync(join(dir, record), JSON.stringify([["fs/proc/meminfo.o"]]));
  const kept = await affectedObjects(prepared, header, { fullBuild: prepared.dir });
  assert.deepEqual(
    kept.objects.map((o) => o.object),
    ["fs/proc/meminfo.o"],
  );
  // A torn record, or one naming an object the plan lacks, is asked of the tree again.
  for (const torn of ['[["fs/proc/meminfo.o"', JSON.stringify([["fs/nothere.o"]])]) {
    writeFileSync(join(dir, record), torn);
    const again = await affectedObjects(prepared, header, { fullBuild: prepared.dir });
    assert.deepEqual(again.objects, first.objects);
  }
});
