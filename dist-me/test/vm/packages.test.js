// Fleet delivery end to end, as a production host sees it: a Debian 12
// system (systemd as PID 1, Debian's nodejs, the real Debian kernel chosen
// from the package lists) installs the runtime package and a patch package
// from an apt repository. The patch is live at once and again after a
// reboot, not with kpatch.enable=0, replaced atomically by a cumulative v2
// on upgrade, rolled back by a downgrade, and gone on removal.
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { kpatchBuild } from "../../src/kpatch-build/pipeline.js";
import { readPatches } from "../../src/patch/read.js";
import { resolveTarget } from "../../src/kpatch-build/targets.js";
import { cacheRoot, run } from "../../src/host/host.js";
import { debianSystem } from "../../src/vm/rootfs.js";
import { Machine } from "../../src/vm/machine.js";
import { cycleStages } from "../../src/vm/cycle.js";
import { patchDeb } from "../../src/package/patch.js";
import { runtimeDeb } from "../../src/package/runtime.js";
import { some61 } from "../support/releases.js";
import { fixture } from "../../bench/support/patches.js";
const RELEASE = (await some61()).release;
const outDir = join(cacheRoot(), "test-modules", "packages", RELEASE);
mkdirSync(outDir, { recursive: true });
async function build(name, patches) {
    const r = await kpatchBuild({
        patches: readPatches(patches.map(fixture)),
        name,
        cves: ["CVE-2026-0001"],
        outputDir: outDir,
        replace: true,
        skipCompilerCheck: false,
        target: await resolveTarget({ kernel: RELEASE }),
    });
    return r.module;
}
/** Puts packages in the machine's flat apt repository and indexes every version. */
async function publish(machine, debs) {
    const repo = join(machine.io, "repo");
    mkdirSync(repo, { recursive: true });
    for (const d of debs)
        copyFileSync(d, join(repo, d.split("/").at(-1)));
    const index = await run("dpkg-scanpackages", ["--multiversion", "."], { cwd: repo });
    await run("sh", ["-c", "cat >Packages && gzip -9nkf Packages"], {
        cwd: repo,
        input: index.stdout,
    });
}
// What each boot prints, as stages: the patch's effects, sysfs, and status.
const observe = `
echo "== meminfo"; grep -c 'MemTotal (kp)' /proc/meminfo || true
echo "== uname"; uname -v | grep -o ' kpatch$' || true
echo "== livepatch"; for p in /sys/kernel/livepatch/*; do
  if [ -d "$p" ]; then echo "\${p##*/} $(cat "$p/enabled")"; fi; done
echo "== installed"; ls /var/lib/kpatch/$(uname -r)/ 2>/dev/null || true
echo "== status"; kpatch status --json >status.json && echo 0 || echo $?
echo "== end"
`;
// apt-get as a script runs it: quiet, its log shown only when it fails.
const aptq = `aptq() {
  DEBIAN_FRONTEND=noninteractive apt-get -y -qq "$@" >apt.log 2>&1 || { cat apt.log; return 1; }
}`;
async function boot(machine, script, appendCmdline) {
    const r = await machine.boot({
        script: `set -e\n${aptq}\n${script}\n${observe}`,
        timeoutMs: 600_000,
        ...(appendCmdline ? { appendCmdline } : {}),
    });
    assert.equal(r.exitCode, 0, `${r.output}\n${r.stderr}`);
    const stages = cycleStages(r.output);
    const status = JSON.parse((await run("cat", [join(machine.io, "status.json")])).stdout);
    return { stages, status, output: r.output, stderr: r.stderr };
}
test("Debian packages on a Debian 12 system with systemd: apt installs, reboots, the kill switch, a cumulative upgrade, a downgrade, removal, and an upgrade that kept the live module's name refused", async () => {
    const v1 = await build("livepatch-fleet-v1", ["meminfo-string.patch"]);
    const v2 = await build("livepatch-fleet-v2", ["meminfo-string.patch", "syscall.patch"]);
    const debs = join(outDir, "debs");
    mkdirSync(debs, { recursive: true });
    const runtime = await runtimeDeb(debs);
    const p1 = await patchDeb(v1, { version: "1" }, debs);
    const p2 = await patchDeb(v2, { version: "2" }, debs);
    assert.equal(p1.name, `kpatch-patch-${RELEASE}`);
    assert.equal(p2.name, p1.name, "a cumulative patch keeps one package name per release");
    // Kept after a failure, with its console log, as the VM runner keeps its runs.
    const machine = await Machine.create(await debianSystem(RELEASE));
    await publish(machine, [runtime, p1.deb]);
    const pkg = p1.name;
    // The guest has no network: its apt reads the repository the host serves.
    const first = await boot(machine, `rm -f /etc/apt/sources.list /etc/apt/sources.list.d/*
echo 'deb [trusted=yes] file:/vmio/repo ./' >/etc/apt/sources.list.d/kpatch.list
node --version
apt-get update -qq
aptq install ${pkg}
systemctl is-enabled kpatch.service
test -f /usr/share/man/man1/kpatch.1.gz`);
    assert.match(first.output, /^v18\./m, "Debian's own nodejs runs kpatch");
    assert.match(first.output, /^enabled$/m, "the runtime enables its boot unit");
    assert.equal(first.stages.get("meminfo"), "1\n", "the patch is live once installed");
    assert.equal(first.stages.get("livepatch"), "livepatch_fleet_v1 1\n");
    assert.equal(first.stages.get("installed"), "livepatch-fleet-v1.ko\n");
    assert.equal(first.status.state, "ok");
    // kpatch install beside the packages: it keeps the packaged unit, and uninstall undoes it.
    copyFileSync(v2, join(machine.io, "extra.ko"));
    const again = await boot(machine, `systemctl is-active kpatch.service
kpatch list
kpatch info /var/lib/kpatch/$(uname -r)/livepatch-fleet-v1.ko | grep -E '^(name|kpatch_cve):'
kpatch install extra.ko
test ! -e /etc/systemd/system/kpatch.service
kpatch uninstall livepatch_fleet_v2`);
    assert.match(again.output, /^installed: \/var\/lib\/kpatch\/[^/]+\/extra\.ko \(\/lib\/systemd\/system\/kpatch\.service enabled\)\nuninstalled: \/var\/lib\/kpatch\/[^/]+\/extra\.ko\n/m);
    assert.match(again.output, /^active$/m, "the boot unit ran");
    assert.match(again.output, /^Loaded patch modules:\nlivepatch_fleet_v1 \[enabled\]\n {2}vmlinux: meminfo_proc_show,1\n\nInstalled patch modules \(\/var\/lib\/kpatch\/[^)]+\):\nlivepatch_fleet_v1 \(CVE-2026-0001\)\nkpatch_cve: +CVE-2026-0001\nname: +livepatch_fleet_v1\n/m);
    assert.deepEqual(again.status.cves, ["CVE-2026-0001"], "status names the CVE for scanners");
    assert.equal(again.stages.get("meminfo"), "1\n", "live again after a reboot");
    assert.equal(again.stages.get("status"), "0\n");
    const off = await boot(machine, "systemctl is-active kpatch.service || true", "kpatch.enable=0");
    assert.match(off.output, /^inactive$/m, "the unit is skipped");
    assert.equal(off.stages.get("meminfo"), "0\n", "nothing patched with kpatch.enable=0");
    assert.equal(off.stages.get("status"), "3\n", "status says a patch is not loaded");
    assert.match(off.status.installed[0].why, /kpatch\.enable=0/);
    await publish(machine, [p2.deb]);
    const upgrade = await boot(machine, `apt-get update -qq
aptq upgrade
dpkg-query -W -f='\${Version}\\n' ${pkg}`);
    assert.match(upgrade.output, /^2$/m);
    assert.equal(upgrade.stages.get("meminfo"), "1\n", "the fix v1 carried stays live");
    assert.equal(upgrade.stages.get("uname"), " kpatch\n", "v2's own fix is live");
    assert.equal(upgrade.stages.get("livepatch"), "livepatch_fleet_v2 1\n", "v2 replaced v1");
    assert.equal(upgrade.stages.get("installed"), "livepatch-fleet-v2.ko\n");
    assert.equal(upgrade.status.state, "ok");
    // The downgrade and the removal, observed in turn, then a v3 that kept v2's module
    // name: its upgrade would leave v2's code live, so its postinst refuses.
    const p3 = await patchDeb(v2, { version: "3" }, debs);
    await publish(machine, [p3.deb]);
    const last = await boot(machine, `apt-get update -qq
aptq install --allow-downgrades ${pkg}=1
${observe}
echo "== removing"
aptq remove ${pkg}
${observe}
echo "== same-name"
aptq install ${pkg}=2
if aptq install ${pkg}=3; then echo upgraded; fi
dpkg-query -W -f='\${Status} \${Version}\n' ${pkg}`);
    const [downgraded, rest] = last.output.split("== removing\n");
    const [removed, sameName] = rest.split("== same-name\n");
    const back = cycleStages(downgraded);
    assert.equal(back.get("meminfo"), "1\n");
    assert.equal(back.get("uname"), "", "v2's fix is gone with the rollback");
    assert.equal(back.get("livepatch"), "livepatch_fleet_v1 1\n", "v1 replaced v2");
    assert.equal(back.get("installed"), "livepatch-fleet-v1.ko\n");
    const gone = cycleStages(removed);
    assert.equal(gone.get("meminfo"), "0\n", "removal unloads the patch");
    assert.equal(gone.get("livepatch"), "");
    assert.equal(gone.get("installed"), "");
    assert.match(sameName, /livepatch_fleet_v2 is live from version 2: build this one with its own -n/);
    assert.doesNotMatch(sameName, /^upgraded$/m);
    assert.match(sameName, /^install ok half-configured 3$/m, "dpkg knows it is not configured");
    assert.equal(last.stages.get("livepatch"), "livepatch_fleet_v2 1\n");
    machine.dispose();
});
//# sourceMappingURL=packages.test.js.map