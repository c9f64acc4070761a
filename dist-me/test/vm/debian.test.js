// End to end on the real Debian 12 kernels, chosen from the package lists:
// an older 6.1 release (its source fetched by version), the newest 6.1 and the
// newest 6.12, booted from their packages: kpatch-build's distro mode builds each patch against the exact
// source, config and symbols Debian built that kernel from, and the kernel
// loads it. Covers a vmlinux function, a patch that calls non-exported
// functions and uses a static local, and a change to a header under include/,
// traced without building the kernel. Patches to modules meet their module
// in every load order in matrix.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { kpatchBuild } from "../../src/kpatch-build/pipeline.js";
import { readPatches } from "../../src/patch/read.js";
import { resolveTarget } from "../../src/kpatch-build/targets.js";
import { cacheRoot, run } from "../../src/host/host.js";
import { guestKernel } from "../../src/vm/kernels.js";
import { runInGuest } from "../../src/vm/qemu.js";
import { storeTrusting } from "../../src/vm/firmware.js";
import { cycleScript, cycleStages } from "../../src/vm/cycle.js";
import { newest, some61 } from "../support/releases.js";
import { fixture } from "../../bench/support/patches.js";
import { kpatchForGuest } from "../support/guest.js";
const RELEASE = (await some61()).release;
const outDir = join(cacheRoot(), "test-modules", "debian");
mkdirSync(outDir, { recursive: true });
async function build(patch, release = RELEASE) {
    const target = await resolveTarget({ kernel: release });
    const r = await kpatchBuild({
        patches: readPatches([fixture(patch)]),
        name: `livepatch-${patch.replace(/\.patch$/, "")}`,
        outputDir: join(outDir, release),
        replace: true,
        skipCompilerCheck: false,
        target,
    });
    return r.module;
}
async function cycle(ko, probe, release = RELEASE) {
    const k = await guestKernel("debian", release);
    const r = await runInGuest({
        kernel: k.image,
        modules: k.modules,
        timeoutMs: 300_000,
        script: cycleScript({ ko, probe }),
    });
    assert.equal(r.exitCode, 0, `${r.output}\n${r.stderr}`);
    return cycleStages(r.output);
}
const meminfoProbe = "uname -r; grep -i '^memtotal' /proc/meminfo";
function assertMeminfoCycle(release, stages) {
    assert.match(stages.get("before"), new RegExp(`^${release.replace(/[.+]/g, "\\$&")}\nMemTotal:\\s+\\d+ kB\n$`));
    assert.match(stages.get("patched"), /\nMemTotal \(kp\):\s+\d+ kB\n$/);
    assert.match(stages.get("unloaded"), /\nMemTotal:\s+\d+ kB\n$/);
}
test("two Debian 6.1 releases in one command (an older one, its source fetched by version, and the newest): one module each, each live in its own kernel", async (t) => {
    const releases = [RELEASE, await newest("6.1")];
    // some61 looked at every older release: none is complete and built from another source.
    if (releases[0] === releases[1])
        return t.skip("no 6.1 release but the newest is complete in the package lists today with a source " +
            "other than the installed one: there is no older one to fetch by version");
    const out = join(outDir, "fleet");
    const cli = fileURLToPath(new URL("../../src/cli/kpatch-build.js", import.meta.url));
    const r = await run("node", [
        cli,
        ...releases.flatMap((k) => ["-k", k]),
        "-o",
        out,
        "-n",
        "livepatch-meminfo",
        fixture("meminfo-string.patch"),
    ], { allowFailure: true });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^kpatch-build: release 1 of 2: /m);
    assert.match(r.stderr, /^kpatch-build: 2 of 2 releases built$/m);
    for (const release of releases) {
        const ko = join(out, release, "livepatch-meminfo.ko");
        assert.ok((await run("modinfo", ["-F", "vermagic", ko])).stdout.startsWith(`${release} `));
        assertMeminfoCycle(release, await cycle(ko, meminfoProbe, release));
    }
});
test("a Debian kernel that enforces module signatures and trusts a key (UEFI db): the module signed with it loads, the unsigned one is refused, and kpatch says how to sign and enroll", async () => {
    const dir = join(outDir, "signing");
    mkdirSync(dir, { recursive: true });
    const [key, cert] = [join(dir, "key.pem"), join(dir, "cert.der")];
    const subject = "/CN=kpatch-ts fleet signing key";
    await run("openssl", [
        ...["req", "-new", "-nodes", "-utf8", "-sha256", "-days", "36500", "-batch", "-x509"],
        ...["-subj", subject, "-outform", "DER", "-keyout", key, "-out", cert],
    ]);
    const signed = (await kpatchBuild({
        patches: readPatches([fixture("meminfo-string.patch")]),
        name: "livepatch-signed",
        outputDir: join(dir, "signed"),
        replace: true,
        skipCompilerCheck: false,
        target: await resolveTarget({ kernel: RELEASE }),
        sign: { key, cert },
    })).module;
    const unsigned = await build("meminfo-string.patch");
    const kpatch = kpatchForGuest(outDir);
    const k = await guestKernel("debian", RELEASE);
    const r = await runInGuest({
        kernel: k.image,
        modules: k.modules,
        timeoutMs: 400_000,
        uefiVars: storeTrusting(readFileSync(cert), join(dir, "vars.fd")),
        appendCmdline: "module.sig_enforce=1",
        script: `dmesg | grep -o "Loaded X.509 cert 'kpatch-ts fleet signing key[^']*'" | head -1
echo "== signed"; node ${kpatch} load ${signed} && grep -c 'MemTotal (kp)' /proc/meminfo
node ${kpatch} unload livepatch_signed
echo "== unsigned"; node ${kpatch} load ${unsigned} 2>&1 || echo "exit $?"
ls /sys/kernel/livepatch | wc -l`,
    });
    assert.equal(r.exitCode, 0, r.stderr);
    const s = cycleStages(`== key\n${r.output}`);
    assert.match(s.get("key"), /^Loaded X\.509 cert 'kpatch-ts fleet signing key/, "from db");
    assert.equal(s.get("signed"), "loaded: livepatch_signed\n1\n", "the signed module is live");
    assert.match(s.get("unsigned"), /^kpatch: error: insmod .*livepatch-meminfo-string\.ko failed: .*Key was rejected by service\. This kernel enforces module signatures .*mokutil --import CERT\.der/);
    assert.match(s.get("unsigned"), /Loading of unsigned module is rejected/, "the kernel's words");
    assert.match(s.get("unsigned"), /\nexit 1\n0\n$/, "nothing loaded");
});
test("Debian's newest 6.12 kernel: meminfo_proc_show patched live and restored", async () => {
    const release = await newest("6.12");
    assertMeminfoCycle(release, await cycle(await build("meminfo-string.patch", release), meminfoProbe, release));
});
test("Debian kernel: a syscall patched the kpatch way (KPATCH_SYSCALL_DEFINE1): its entry points patched, uname shows it", async () => {
    const ko = await build("syscall.patch");
    const stages = await cycle(ko, "uname -v");
    assert.doesNotMatch(stages.get("before"), / kpatch$/m);
    assert.match(stages.get("patched"), / kpatch\n$/);
    assert.doesNotMatch(stages.get("unloaded"), / kpatch$/m);
});
test("Debian kernel: kpatch's callbacks (patch_object) run at each step, and KPATCH_PRINTK prints", async () => {
    const probe = "cat /proc/cmdline >/dev/null; dmesg | grep -o 'kpatch-api: [a-z_]* *[a-z]*' || true";
    const stages = await cycle(await build("macro-callbacks.patch"), probe);
    assert.equal(stages.get("before"), "");
    assert.equal(stages.get("patched"), "kpatch-api: pre_patch vmlinux\nkpatch-api: post_patch vmlinux\nkpatch-api: cmdline read\n");
    assert.match(stages.get("unloaded"), /kpatch-api: pre_unpatch vmlinux\nkpatch-api: post_unpatch vmlinux\n$/);
});
test("Debian kernel: a patch using a static local and non-exported functions loads and unloads", async () => {
    // A real-time signal a process sends itself with RLIMIT_SIGPENDING 0 is
    // dropped, and print_dropped_signal (its ratelimit state the static local)
    // says so; bash, as dash has no ulimit -i. The kill ends that bash.
    const probe = "echo 1 > /proc/sys/kernel/print-fatal-signals; " +
        "bash -c 'ulimit -i 0; kill -s RTMIN $$' || true; " +
        "dmesg | grep -o 'reached RLIMIT_SIGPENDING.*dropped signal 34' | tail -n 1";
    const stages = await cycle(await build("static-local.patch"), probe);
    const said = (patched) => `reached RLIMIT_SIGPENDING${patched}, dropped signal 34\n`;
    assert.equal(stages.get("before"), said(""));
    assert.equal(stages.get("patched"), said(" (patched)"));
    assert.equal(stages.get("unloaded"), said(""));
});
test("Debian kernel: a change to a header under include/ (signalfd.h) patches the functions that inline it; signals still arrive", async () => {
    const probe = 'ls /sys/kernel/livepatch/*/vmlinux 2>/dev/null || true; sleep 10 & kill -TERM $!; wait $! || echo "exit $?"';
    const stages = await cycle(await build("shared-header.patch"), probe);
    assert.equal(stages.get("before"), "exit 143\n");
    assert.equal(stages.get("patched"), "__send_signal_locked,1\npatched\nsend_sigqueue,1\nexit 143\n");
    assert.equal(stages.get("unloaded"), "exit 143\n");
});
//# sourceMappingURL=debian.test.js.map