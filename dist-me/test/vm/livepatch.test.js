// End to end: a source patch becomes a module with kpatch-build, and the test
// kernel booted under QEMU loads it (real insmod, real sysfs), shows the
// change, then disables and unloads it and shows the original again.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { kpatchBuild } from "../../src/kpatch-build/pipeline.js";
import { readPatches } from "../../src/patch/read.js";
import { resolveTarget } from "../../src/kpatch-build/targets.js";
import { cacheRoot } from "../../src/host/host.js";
import { guestKernel } from "../../src/vm/kernels.js";
import { runInGuest } from "../../src/vm/qemu.js";
import { cycleScript, cycleStages } from "../../src/vm/cycle.js";
import { fixture } from "../../bench/support/patches.js";
import { refusingCallbacksPatch } from "../support/patches.js";
// Not under /tmp: the guest has a /tmp of its own.
const outDir = join(cacheRoot(), "test-modules", "vm");
mkdirSync(outDir, { recursive: true });
/** Builds a module from patches (fixture names, or paths) and runs `script(ko)` in the test kernel. */
async function inGuest(name, patches, script) {
    const built = await kpatchBuild({
        patches: readPatches(patches.map((p) => (isAbsolute(p) ? p : fixture(p)))),
        name,
        outputDir: outDir,
        replace: true,
        skipCompilerCheck: false,
        target: await resolveTarget({ kernel: "test" }),
    });
    const guest = await guestKernel("test");
    return runInGuest({
        kernel: guest.image,
        modules: guest.modules,
        timeoutMs: 240_000,
        script: script(built.module),
    });
}
async function cycle(name, patches, probe) {
    const r = await inGuest(name, patches, (ko) => cycleScript({ ko, probe }));
    assert.equal(r.exitCode, 0, `${r.output}\n${r.stderr}`);
    return r;
}
test("the meminfo patch changes /proc/meminfo live, and unloading restores it", async () => {
    const r = await cycle("livepatch-meminfo", ["meminfo-string.patch"], "grep -i '^memtotal' /proc/meminfo");
    const stages = cycleStages(r.output);
    assert.match(stages.get("before"), /^MemTotal:\s+\d+ kB\n$/);
    assert.match(stages.get("patched"), /^MemTotal \(kp\):\s+\d+ kB\n$/);
    assert.match(stages.get("unloaded"), /^MemTotal:\s+\d+ kB\n$/);
    // Out-of-tree, unsigned and livepatch taints (O, E, K) and nothing worse.
    const taint = Number(/tainted=(\d+)/.exec(r.output)?.[1]);
    assert.equal(taint & ~(4096 | 8192 | 32768), 0, `taint ${taint}`);
    assert.match(r.output, /== unloaded \(0 patches loaded\)/);
});
const callbackLines = "dmesg | grep -o 'kpatch-callbacks: [a-z_]*' || true";
test("callbacks run at each step of the patch's life, and a shadow variable lives on a task while patched", async () => {
    const reads = "grep StatusReads /proc/1/status || true; grep StatusReads /proc/1/status || true";
    const r = await cycle("livepatch-shadow-callbacks", ["shadow-callbacks.patch"], `${reads}; ${callbackLines}`);
    const stages = cycleStages(r.output);
    assert.equal(stages.get("before"), "");
    assert.equal(stages.get("patched"), "StatusReads:\t1\nStatusReads:\t2\nkpatch-callbacks: pre_patch\nkpatch-callbacks: post_patch\n");
    assert.equal(stages.get("unloaded"), ["pre_patch", "post_patch", "pre_unpatch", "post_unpatch"]
        .map((k) => `kpatch-callbacks: ${k}\n`)
        .join(""));
});
test("a pre-patch callback that fails refuses the patch: insmod fails and nothing is patched", async () => {
    const refusing = refusingCallbacksPatch(outDir);
    const r = await inGuest("livepatch-refused", [refusing], (ko) => `insmod ${ko} 2>&1 && echo loaded || echo "insmod failed"
ls /sys/kernel/livepatch | wc -l; grep StatusReads /proc/1/status || echo unpatched; lsmod | grep -c livepatch_refused || true
${callbackLines}`);
    assert.equal(r.exitCode, 0, `${r.output}\n${r.stderr}`);
    assert.match(r.output, /insmod failed\n0\nunpatched\n0\nkpatch-callbacks: pre_patch\n$/);
});
test("a changed function without ftrace entry runs as the patch's copy, called by its patched callers", async () => {
    // __free_one_page is a static inline gcc keeps out of line: the kernel's inline is notrace.
    const r = await cycle("livepatch-untraced", ["untraced-callee.patch"], "cat /proc/meminfo >/dev/null; dmesg | grep -c 'kpatch-untraced: the patch' || true");
    const stages = cycleStages(r.output);
    assert.equal(stages.get("before"), "0\n");
    assert.equal(stages.get("patched"), "1\n");
    assert.match(r.output, /== unloaded \(0 patches loaded\)/);
});
test("a changed constant table travels as a new copy: /proc/PID/status reads it while patched", async () => {
    const r = await cycle("livepatch-constant-table", ["constant-table.patch"], "grep State /proc/1/status; cut -d' ' -f3 /proc/1/stat");
    const stages = cycleStages(r.output);
    assert.equal(stages.get("before"), "State:\tS (sleeping)\nS\n");
    assert.equal(stages.get("patched"), "State:\tS (sleeping, patched)\nS\n");
    assert.equal(stages.get("unloaded"), "State:\tS (sleeping)\nS\n");
});
//# sourceMappingURL=livepatch.test.js.map