#!/usr/bin/env node
// Developer entry point: prepares the test environment (kernels, images) that
// the tests and the demo use, and runs commands in a guest.
import { testKernel } from "../kernel/testkernel.js";
import { guestKernel } from "../vm/kernels.js";
import { parseRelease } from "../kernel/debian.js";
import { runInGuest } from "../vm/qemu.js";
import { cacheRoot } from "../host/host.js";
import { progress } from "../host/progress.js";
import { kpatchBuild } from "../kpatch-build/pipeline.js";
import { readPatches } from "../patch/read.js";
import { resolveTarget } from "../kpatch-build/targets.js";
import { cycleScript } from "../vm/cycle.js";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
const usage = `usage: kpatch-dev prepare
       kpatch-dev demo
         builds a live patch of /proc/meminfo from a source patch with kpatch-build,
         then boots the test kernel under QEMU and loads, checks and unloads it
       kpatch-dev vm [--kernel test|debian|RELEASE] [--timeout SECONDS] [-- COMMAND...]
         boots the kernel under QEMU and runs COMMAND (a shell command line, run in
         the host's root shared read-only) in it; by default prints the livepatch state`;
// What the demo shows until there are patches to load.
const livepatchState = `
echo "kernel:    $(uname -r)"
echo "tainted:   $(cat /proc/sys/kernel/tainted)"
echo "livepatch: $(ls /sys/kernel/livepatch | wc -l) patches loaded"
for p in /sys/kernel/livepatch/*; do
  [ -d "$p" ] || continue
  echo "  \${p##*/}: enabled=$(cat "$p/enabled") transition=$(cat "$p/transition")"
done
`;
async function main(argv) {
    const [cmd, ...rest] = argv;
    switch (cmd) {
        case "prepare": {
            const k = await testKernel();
            console.log(`test kernel ${k.release}: ${k.buildDir}`);
            return 0;
        }
        case "demo":
            return demo();
        case "vm": {
            const dash = rest.indexOf("--");
            const flags = dash < 0 ? rest : rest.slice(0, dash);
            const command = dash < 0 ? livepatchState : rest.slice(dash + 1).join(" ");
            let name = "test";
            let release;
            let timeout = 300;
            for (let i = 0; i < flags.length; i += 2) {
                const [flag, value] = [flags[i], flags[i + 1]];
                if (flag === "--kernel" && (value === "test" || value === "debian"))
                    name = value;
                else if (flag === "--kernel" && value && parseRelease(value))
                    [name, release] = ["debian", value];
                else if (flag === "--timeout" && Number(value) > 0)
                    timeout = Number(value);
                else
                    return fail(`bad option ${flag} ${value ?? ""}`);
            }
            const k = await guestKernel(name, release);
            progress("vm", `booting the ${name} kernel ${k.release} under QEMU TCG`);
            const t0 = Date.now();
            const r = await runInGuest({
                kernel: k.image,
                modules: k.modules,
                script: command,
                timeoutMs: timeout * 1000,
            });
            process.stdout.write(r.output);
            process.stderr.write(r.stderr);
            progress("vm", `booted in ${r.bootMs} ms, whole run ${Date.now() - t0} ms, exit status ${r.exitCode}`);
            return r.exitCode;
        }
        default:
            return fail();
    }
}
/** The main job on the built-in example: a real patch, built and applied to a real kernel. */
async function demo() {
    const patch = fileURLToPath(new URL("../../../examples/meminfo-string.patch", import.meta.url));
    await testKernel();
    const outDir = join(cacheRoot(), "demo");
    mkdirSync(outDir, { recursive: true });
    console.log(`== the patch (${patch})\n${readFileSync(patch, "utf8")}`);
    const built = await kpatchBuild({
        patches: readPatches([patch]),
        name: "livepatch-meminfo",
        outputDir: outDir,
        replace: true,
        skipCompilerCheck: false,
        target: await resolveTarget({ kernel: "test" }),
    });
    console.log(`== kpatch-build: ${built.module}`);
    for (const o of built.objects)
        for (const c of o.changed)
            console.log(`changed function: ${c.name}`);
    console.log(Object.entries(built.phases)
        .map(([k, v]) => `  ${k}: ${v.toFixed(1)} s`)
        .join("\n"));
    if (!built.review)
        return fail("the review report was not written");
    console.log(["== the review report", ...built.review.summary.map((l) => `  ${l}`)].join("\n"));
    console.log(`  open ${built.review.html} (or read ${built.review.markdown})`);
    const k = await guestKernel("test");
    progress("demo", `booting the test kernel ${k.release} under QEMU TCG`);
    const r = await runInGuest({
        kernel: k.image,
        modules: k.modules,
        timeoutMs: 300_000,
        script: cycleScript({ ko: built.module, probe: "grep -i memtotal /proc/meminfo" }),
    });
    process.stdout.write(r.output);
    process.stderr.write(r.stderr);
    return r.exitCode;
}
function fail(why) {
    if (why)
        console.error(`kpatch-dev: ${why}`);
    console.error(usage);
    return 1;
}
main(process.argv.slice(2)).then((code) => process.exit(code), (e) => {
    console.error(`kpatch-dev: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
});
//# sourceMappingURL=dev.js.map