// Benchmark: patch to module against Debian's full 6.1 config in distro mode,
// phase by phase, for a small .c file (meminfo), a large one (kvm's x86.c)
// and a header under include/.
//
// Each patch is built twice on a target already in use (packages extracted,
// tree prepared, symbols indexed): "first" has none of the per-file caches
// (ORIG objects, kbuild's plan for the directory), which it clears first;
// "again" is a second patch to the same files, which finds them. Package
// downloads, extraction and preparing the tree are timed apart, as "target":
// run the benchmark in a fresh cache (KPATCH_CACHE=/some/new/dir) for the
// cold figure.
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import { tmpdir } from "node:os";
import { resolveTarget } from "../src/kpatch-build/targets.js";
import { kpatchBuild } from "../src/kpatch-build/pipeline.js";
import { readPatches } from "../src/patch/read.js";
import { preparedTree } from "../src/build/prepare.js";
import { loadSymtab } from "../src/diff/run.js";
import { cacheRoot } from "../src/host/host.js";
import { newestRelease } from "../src/kernel/debian.js";
import { fixture } from "./support/patches.js";
const release = process.argv[2] ?? (await newestRelease("6.1"));
const patches = process.argv.length > 3
    ? process.argv.slice(3)
    : ["meminfo-string.patch", "kvm-msr-list.patch", "shared-header.patch"];
const out = mkdtempSync(join(tmpdir(), "kpatch-bench-"));
const line = (what, s, note = "") => console.log(`  ${what.padEnd(16)} ${s.toFixed(1).padStart(6)} s${note}`);
try {
    const t0 = Date.now();
    const target = await resolveTarget({ kernel: release });
    const prepared = await preparedTree(target.source, target.config, { release: target.release });
    loadSymtab(target.symbols);
    console.log(`kpatch-build -k ${release}`);
    line("target", (Date.now() - t0) / 1000, "  (downloads, extraction, prepared tree, symbol index)");
    for (const name of patches) {
        const patch = fixture(name);
        forgetFiles(basename(prepared.dir));
        for (const run of [" first", " again"]) {
            const t1 = Date.now();
            const r = await kpatchBuild({
                patches: readPatches([patch]),
                name: "livepatch-bench",
                outputDir: out,
                replace: true,
                skipCompilerCheck: false,
                target,
            });
            const total = (Date.now() - t1) / 1000;
            console.log(`${name}${run}`);
            for (const [phase, s] of Object.entries(r.phases))
                line(phase, s);
            line("patch to module", total);
        }
    }
}
finally {
    rmSync(out, { recursive: true, force: true });
}
/** Drops what a build keeps per file of a prepared tree: ORIG objects and directory plans. */
function forgetFiles(tree) {
    rmSync(join(cacheRoot(), "orig", tree), { recursive: true, force: true });
    const plans = join(cacheRoot(), "plans");
    for (const f of existsSync(plans) ? readdirSync(plans) : []) {
        if (f.startsWith(`${tree}-2-`))
            rmSync(join(plans, f));
    }
}
//# sourceMappingURL=kpatch-build.js.map