// The load-under-stress run the VM test (a few cycles) and the benchmark
// (a hundred) share: the cmdline patch, loaded and unloaded while a reader
// on every guest CPU reads /proc/cmdline, which the patched function makes.
import assert from "node:assert/strict";
import { join } from "node:path";
import { kpatchBuild } from "../../src/kpatch-build/pipeline.js";
import { readPatches } from "../../src/patch/read.js";
import { resolveTarget } from "../../src/kpatch-build/targets.js";
import { cacheRoot } from "../../src/host/host.js";
import { guestKernel } from "../../src/vm/kernels.js";
import { runInGuest } from "../../src/vm/qemu.js";
import { cycleStages, stressScript } from "../../src/vm/cycle.js";
import { fixture } from "./patches.js";
export async function stress(cycles, cpus) {
    const built = await kpatchBuild({
        patches: readPatches([fixture("cmdline.patch")]),
        name: "livepatch-stress",
        outputDir: join(cacheRoot(), "test-modules"),
        replace: true,
        skipCompilerCheck: false,
        target: await resolveTarget({ kernel: "test" }),
    });
    const guest = await guestKernel("test");
    const r = await runInGuest({
        kernel: guest.image,
        modules: guest.modules,
        cpus,
        timeoutMs: 120_000 + cycles * 20_000,
        script: stressScript({
            ko: built.module,
            cycles,
            file: "/proc/cmdline",
            expect: ['"$before"', '"$before kpatch=1"'],
        }),
    });
    assert.equal(r.exitCode, 0, `${r.output}\n${r.stderr}`);
    const s = cycleStages(r.output);
    const [head, ...lines] = s.get("stress").trim().split("\n");
    const rows = lines.map((l) => /^cycle \d+ (\d+) (\d+)$/.exec(l));
    assert.ok(rows.every(Boolean) && rows.length === cycles, s.get("stress"));
    const [, reads, wrong, ...wrongLines] = /^reads (\d+) wrong (\d+)\n?([^]*)$/.exec(s.get("workload").trim())?.map((x) => x) ?? [];
    return {
        cpus: Number(/^cpus (\d+)$/.exec(head)?.[1]),
        load: rows.map((m) => Number(m[1])),
        unload: rows.map((m) => Number(m[2])),
        reads: Number(reads),
        wrong: Number(wrong),
        wrongLines: wrongLines.join("\n").split("\n").filter(Boolean),
    };
}
//# sourceMappingURL=stress.js.map