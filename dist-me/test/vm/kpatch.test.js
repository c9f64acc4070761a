// kpatch, the patch manager, run in the booted test kernel on real modules:
// load (waiting for the transition), list, info, atomic replace, unload,
// install and load --all (what boot runs), and its refusals.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { kpatchBuild } from "../../src/kpatch-build/pipeline.js";
import { readPatches } from "../../src/patch/read.js";
import { resolveTarget } from "../../src/kpatch-build/targets.js";
import { cacheRoot } from "../../src/host/host.js";
import { guestKernel } from "../../src/vm/kernels.js";
import { runInGuest } from "../../src/vm/qemu.js";
import { cycleStages } from "../../src/vm/cycle.js";
import { fixture } from "../../bench/support/patches.js";
import { refusingCallbacksPatch } from "../support/patches.js";
import { kpatchForGuest } from "../support/guest.js";
// Not under /tmp: the guest has a /tmp of its own.
const outDir = join(cacheRoot(), "test-modules", "kpatch");
mkdirSync(outDir, { recursive: true });
const kpatch = kpatchForGuest(outDir);
async function build(name, patch, meta = {}) {
    const r = await kpatchBuild({
        patches: readPatches([isAbsolute(patch) ? patch : fixture(patch)]),
        name,
        ...meta,
        outputDir: outDir,
        replace: true,
        skipCompilerCheck: false,
        target: await resolveTarget({ kernel: "test" }),
    });
    return r.module;
}
test("kpatch loads, lists, replaces, unloads, installs and loads at boot, reports status, in the test kernel", async () => {
    const meminfo = await build("livepatch-meminfo", "meminfo-string.patch", {
        cves: ["CVE-2024-0002", "CVE-2024-0001"],
        description: "meminfo marks MemTotal",
    });
    const cmdline = await build("livepatch-cmdline", "cmdline.patch");
    const refused = await build("livepatch-refused", refusingCallbacksPatch(outDir));
    // The same module, said to be for another kernel release.
    const other = join(outDir, "livepatch-other.ko");
    const bytes = readFileSync(meminfo);
    const at = bytes.indexOf("vermagic=6.1.192 ");
    assert.ok(at > 0);
    bytes.write("vermagic=6.1.999 ", at, "latin1");
    writeFileSync(other, bytes);
    const guest = await guestKernel("test");
    const script = `K="node ${kpatch}"
export KPATCH_DIR=/tmp/kpatch KPATCH_RUNDIR=/tmp/kpatch-run
probe() { grep -i '^memtotal' /proc/meminfo | cut -d: -f1; grep -o 'kpatch=1' /proc/cmdline || true; }
echo "== info"; $K info ${meminfo} | grep -E '^(name|kpatch_func)'
echo "== load"; $K load ${meminfo}; probe
echo "== again"; $K load ${meminfo} 2>&1 || echo "exit $?"
echo "== list"; $K list
echo "== replace"; $K load ${cmdline}; probe; $K list | head -3
echo "== unload"; $K unload livepatch_cmdline; $K unload ${meminfo}; probe; $K list | head -1
echo "== install"; $K install ${meminfo} | cut -d' ' -f1,2; $K install ${cmdline} >/dev/null
# A bad entry at boot is skipped and said; the others still load.
echo garbage > /tmp/kpatch/6.1.192/00-bad.ko
$K load --all 2>/tmp/err || echo "exit $?"; grep -c '^kpatch: not loaded: .*00-bad\.ko' /tmp/err; rm /tmp/kpatch/6.1.192/00-bad.ko
probe; $K list --json | grep -c '"enabled": true'
echo "== status"; $K status; echo "exit $?"; $K status --json | grep -c '"CVE-2024-0001"'
echo "== uninstall"; $K unload --all; $K uninstall livepatch_meminfo; $K list | tail -n +3; probe
echo "== other"; $K load ${other} 2>&1 || echo "exit $?"; $K info /proc/version 2>&1 || echo "exit $?"
echo "== refused"; $K load ${refused} 2>&1 || echo "exit $?"
`;
    const r = await runInGuest({
        kernel: guest.image,
        modules: guest.modules,
        timeoutMs: 300_000,
        script,
    });
    assert.equal(r.exitCode, 0, `${r.output}\n${r.stderr}`);
    const s = cycleStages(r.output);
    assert.equal(s.get("info"), "kpatch_func:    vmlinux:meminfo_proc_show,1\nname:           livepatch_meminfo\n");
    assert.equal(s.get("load"), "loaded: livepatch_meminfo\nMemTotal (kp)\n");
    assert.equal(s.get("again"), "kpatch: error: livepatch_meminfo is loaded already\nexit 1\n");
    assert.match(s.get("list"), /^Loaded patch modules:\nlivepatch_meminfo \[enabled\]\n  vmlinux: meminfo_proc_show,1\n\nInstalled patch modules \(\/tmp\/kpatch\/6\.1\.192\):\n$/);
    // replace: the cmdline patch takes over atomically; the meminfo change is gone with its patch.
    assert.equal(s.get("replace"), "loaded: livepatch_cmdline\nMemTotal\nkpatch=1\nLoaded patch modules:\nlivepatch_cmdline [enabled]\n  vmlinux: cmdline_proc_show,1\n");
    assert.equal(s.get("unload"), "MemTotal\nLoaded patch modules:\n");
    // load --all loads both in file-name order: cmdline, then meminfo, which replaces it.
    assert.equal(s.get("install"), "installed: /tmp/kpatch/6.1.192/livepatch-meminfo.ko\nloaded: livepatch_cmdline livepatch_meminfo\nexit 1\n1\nMemTotal (kp)\n1\n");
    // Status names what is fixed; the cmdline patch, replaced by the cumulative meminfo one, is fine.
    assert.equal(s.get("status"), "kernel: 6.1.192\nstate: ok\nfixed: CVE-2024-0001 CVE-2024-0002\n" +
        "loaded: livepatch_meminfo [enabled] CVE-2024-0001 CVE-2024-0002\n" +
        "not loaded: livepatch_cmdline (/tmp/kpatch/6.1.192/livepatch-cmdline.ko): " +
        "replaced by a later cumulative patch (kpatch unload removes its module)\nexit 0\n3\n");
    assert.equal(s.get("uninstall"), "uninstalled: /tmp/kpatch/6.1.192/livepatch-meminfo.ko\nInstalled patch modules (/tmp/kpatch/6.1.192):\nlivepatch_cmdline\nMemTotal\n");
    assert.match(s.get("other"), /^kpatch: error: .*livepatch-other\.ko was built for 6\.1\.999, this kernel is 6\.1\.192: build the patch against the running kernel\nexit 1\n/);
    assert.match(s.get("other"), /kpatch: error: \/proc\/version: .*\nexit 1\n$/);
    // Booted with kpatch.enable=0, boot loading loads nothing, and status says why, exit 3.
    const off = await runInGuest({
        kernel: guest.image,
        modules: guest.modules,
        timeoutMs: 300_000,
        appendCmdline: "kpatch.enable=0",
        script: `K="node ${kpatch}"
export KPATCH_DIR=/tmp/kpatch KPATCH_RUNDIR=/tmp/kpatch-run
$K install ${meminfo} >/dev/null
echo "== off"; $K load --all; echo "exit $?"; $K status >/tmp/st; e=$?; tail -n +2 /tmp/st; echo "exit $e"
`,
    });
    assert.equal(cycleStages(off.output).get("off"), "kpatch.enable=0 on the kernel command line: nothing loaded\nexit 0\nstate: not-loaded\n" +
        "fixed: (no CVE recorded by the loaded patches)\n" +
        "not loaded: livepatch_meminfo (/tmp/kpatch/6.1.192/livepatch-meminfo.ko): " +
        "boot loading is off (kpatch.enable=0 on the kernel command line)\nexit 3\n");
    // A refused load quotes what the kernel said of it, not only "insmod failed".
    assert.match(s.get("refused"), /^kpatch: error: insmod .*livepatch-refused\.ko failed: .*; the kernel said:\n(  .*\n)*  livepatch: pre-patch callback failed for object 'vmlinux'\n(  .*\n)*  livepatch: failed to enable patch 'livepatch_refused'\n(  .*\n)*exit 1\n$/);
});
test("a task asleep in a patched function holds the transition: the review and load --dry-run foresee it; load reverses it and unloads, or waits for the kernel's signal; force ends a stalled one", async () => {
    const pipe = await build("livepatch-pipe", "pipe-read.patch");
    // The review names the risk before the module reaches a machine.
    const review = JSON.parse(readFileSync(pipe.replace(/\.ko$/, ".review.json"), "utf8"));
    const risks = review.objects.flatMap((o) => o.functions).find((f) => f.name === "pipe_read");
    assert.ok(risks.risks.some((r) => /^tasks may sleep in it \(it calls .*schedule/.test(r)), risks.risks.join("; "));
    const guest = await guestKernel("test");
    // cat sleeps in pipe_read, which the patch replaces, until its FIFO has data or a signal wakes it.
    // The script itself reads no pipe while a transition runs: a reader would hold it up too.
    const script = `K="node ${kpatch}"
mkfifo /tmp/f; cat /tmp/f >/dev/null & exec 3>/tmp/f; sleep 1
echo "== dry"; $K load --dry-run ${pipe}; echo "exit $?"; grep -c livepatch_pipe /proc/modules || true
echo "== stalled"; $K load --timeout 3 ${pipe} >/tmp/o 2>&1; echo "exit $?"; cat /tmp/o; grep -c livepatch_pipe /proc/modules || true
echo "== signal"; $K load --timeout 120 ${pipe} >/tmp/o 2>&1 & sleep 3; $K list >/tmp/l; sed -n 2p /tmp/l; $K signal; wait $!; echo "exit $?"; cat /tmp/o
echo "== force"; $K unload --timeout 3 livepatch_pipe >/tmp/o 2>&1; echo "exit $?"; tail -n 1 /tmp/o; $K force livepatch_pipe; sleep 1; $K list >/tmp/l; sed -n 2p /tmp/l
exec 3>&-; wait
`;
    const r = await runInGuest({
        kernel: guest.image,
        modules: guest.modules,
        timeoutMs: 300_000,
        script,
    });
    assert.equal(r.exitCode, 0, `${r.output}\n${r.stderr}`);
    const s = cycleStages(r.output);
    assert.match(s.get("dry"), /^livepatch_pipe could load; it replaces pipe_read\n {2}\d+ \(cat\) at pipe_read\+0x\w+\/0x\w+\nthe transition would likely stall: 1 task is inside a function it replaces\nexit 0\n0\n$/);
    assert.match(s.get("stalled"), /^exit 1\nkpatch: loaded livepatch_pipe, waiting for every task to switch to it\nkpatch: livepatch_pipe: the transition did not finish; reversing it\nkpatch: error: livepatch_pipe: the transition did not finish in 3 s, so it was reversed and the module unloaded: \d+ \(cat\) at pipe_read\+.*\n0\n$/);
    // 6.1 has no signal control: the kernel sends the fake signal itself after 15 s, and load waits on, saying who it waits for.
    assert.match(s.get("signal"), /^livepatch_pipe \[enabled, in transition\]\nlivepatch_pipe: this kernel signals the tasks holding it up by itself, every 15 s: \d+ \(cat\) at pipe_read\+.*\nexit 0\nkpatch: loaded livepatch_pipe, waiting for every task to switch to it\n(kpatch: livepatch_pipe: 1 task not switched yet \(\d+ cat\)\n)+loaded: livepatch_pipe\n$/);
    // Back out of the patched pipe_read, cat holds the transition back until forced.
    assert.match(s.get("force"), /^exit 1\nkpatch: error: livepatch_pipe: the transition back did not finish: \d+ \(cat\) at pipe_read\+.*\[livepatch_pipe\].*kpatch force livepatch_pipe \(unsafe\)\nforced livepatch_pipe's transition to finish\n\n?$/);
});
//# sourceMappingURL=kpatch.test.js.map