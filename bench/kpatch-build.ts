// Benchmark: patch to module for one-file patches against Debian's full 6.1
// config in distro mode, phase by phase: a .c file, and a header under
// include/ (its first run also reads kbuild's plan for the whole kernel). Run it twice: the first run in a
// fresh cache (KPATCH_CACHE=/some/new/dir) is the cold figure, the second
// the one with the prepared tree cached. Package downloads and extraction are
// timed apart, as "target".
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { tmpdir } from "node:os";
import { resolveTarget } from "../src/build/targets.js";
import { kpatchBuild } from "../src/build/pipeline.js";
import { newestRelease } from "../src/kernel/debian.js";

const release = process.argv[2] ?? (await newestRelease("6.1"));
const patches = process.argv.length > 3 ? process.argv.slice(3) : ["meminfo-string.patch", "shared-header.patch"];
const out = mkdtempSync(join(tmpdir(), "kpatch-bench-"));
try {
  const t0 = Date.now();
  const target = await resolveTarget({ kernel: release });
  const targetSeconds = (Date.now() - t0) / 1000;
  console.log(`kpatch-build -k ${release}`);
  console.log(`  ${"target".padEnd(16)} ${targetSeconds.toFixed(1).padStart(6)} s  (package downloads and extraction)`);
  for (const name of patches) {
    const patch = fileURLToPath(new URL(`../../test/fixtures/patches/${name}`, import.meta.url));
    // The second build of the same file finds its ORIG objects in the cache.
    for (const run of ["", " again (ORIG cached)"]) {
      const t1 = Date.now();
      const r = await kpatchBuild({ patches: [patch], name: "livepatch-bench", outputDir: out, replace: true, skipCompilerCheck: false, ...target });
      const total = (Date.now() - t1) / 1000;
      console.log(`${name}${run}`);
      for (const [phase, s] of Object.entries(r.phases)) console.log(`  ${phase.padEnd(16)} ${s.toFixed(1).padStart(6)} s`);
      console.log(`  ${"patch to module".padEnd(16)} ${total.toFixed(1).padStart(6)} s`);
    }
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
