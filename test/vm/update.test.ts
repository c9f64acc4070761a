// kpatch-build --update on Debian's real kernels: an update the archive
// carries on the day, built for the release before it as one cumulative
// module, meets the module it patches in every load order, and kpatch
// status says what the host now effectively runs. The update is the newest
// of 6.1's or 6.12's that is small enough for CI (a whole-update build is a
// benchmark: bench/update.ts). The runner fails the run on an oops, BUG,
// WARNING or relocation complaint in the guest's log.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { cacheRoot } from "../../src/host/host.js";
import { debianKernel, debianUpdates, type DebianUpdate } from "../../src/kernel/debian.js";
import { kernelSource } from "../../src/kernel/source.js";
import { moduleName } from "../../src/kernel/modules.js";
import { resolveTarget } from "../../src/kpatch-build/targets.js";
import { moduleInfo } from "../../src/runtime/module.js";
import { buildUpdate, planUpdate } from "../../src/update/update.js";
import { updateCacheDir, updateChanges } from "../../src/update/changes.js";
import { guestKernel } from "../../src/vm/kernels.js";
import { runInGuest } from "../../src/vm/qemu.js";
import { cycleStages, matrixScript } from "../../src/vm/cycle.js";
import { kpatchForGuest } from "../support/guest.js";

const outDir = join(cacheRoot(), "test-modules", "update");
const kpatch = kpatchForGuest(outDir);

/** Code files an update changes, by the trees of its two versions. */
async function codeFiles(series: string, u: DebianUpdate): Promise<number> {
  const [a, b] = await Promise.all([kernelSource(series, u.from), kernelSource(series, u.to)]);
  return updateChanges(a, b, updateCacheDir(series, u.from, u.to)).filter((c) => c.class === "code")
    .length;
}

/** The newest update of 6.1 or 6.12 with at most `most` code files changed, newest first. */
async function smallUpdate(most: number): Promise<DebianUpdate & { series: string }> {
  const series = ["6.1", "6.12"];
  const lists = await Promise.all(series.map((s) => debianUpdates(s)));
  for (let i = 0; i < Math.max(...lists.map((l) => l.length)); i++) {
    for (const [j, s] of series.entries()) {
      const u = lists[j]![i];
      if (u && (await codeFiles(s, u)) <= most) return { ...u, series: s };
    }
  }
  throw new Error(`no 6.1 or 6.12 update the archive has changes at most ${most} code files`);
}

test("Debian's update, built with --update: every load order, status says the effective version", async () => {
  const u = await smallUpdate(40);
  const target = await resolveTarget({ kernel: u.release });
  const plan = await planUpdate(target, u.to);
  assert.deepEqual([plan.from, plan.to], [u.from, u.to]);
  const built = await buildUpdate({
    target,
    plan,
    outputDir: join(outDir, u.release),
    skipCompilerCheck: false,
  });
  const m = /^(\S+): (\d+) of (\d+) runtime changes live/.exec(built.update.summary);
  assert.ok(m, built.update.summary);
  const [live, changes] = [Number(m[2]), Number(m[3])];
  assert.equal(m[1], u.to);
  assert.ok(live > 0);
  const cves = [...new Set(plan.changelog.flatMap((e) => e.cves))].sort();
  const info = moduleInfo(built.module, readFileSync(built.module));
  assert.deepEqual(info.update, { version: u.to, from: u.from, live, changes, cves });
  // The changelog's CVEs are said fixed only when the whole update is live.
  assert.deepEqual(info.cves, live === changes ? cves : []);
  assert.ok(built.review, "the review report was written");
  assert.match(readFileSync(built.review.markdown, "utf8"), /^## Update$/m);

  const modules = [...new Set(built.objects.map((o) => o.object))].filter((o) => o !== "vmlinux");
  const root = join((await debianKernel(u.release)).modulesDir, "../../..");
  const name = moduleName(built.module);
  const object = modules[0];
  const loadAll = modules.map((o) => `modprobe -d ${root} ${o}`).join("; ");
  const k = await guestKernel("debian", u.release);
  const r = await runInGuest({
    kernel: k.image,
    modules: k.modules,
    timeoutMs: 400_000,
    script: `${
      object
        ? matrixScript({
            ko: built.module,
            object,
            loadObject: `modprobe -d ${root} ${object}`,
            probe: `grep -c '^${object} ' /proc/modules`,
          })
        : ""
    }
K="node ${kpatch}"
export KPATCH_DIR=/tmp/kpatch KPATCH_RUNDIR=/tmp/kpatch-run
echo "== load"; ${loadAll}
$K install ${built.module} >/dev/null && $K load --all
echo "== status"; $K status --json
echo "== text"; $K status; $K list | tail -n 1
$K unload --all; ls /sys/kernel/livepatch | grep -c ${name} || true
`,
  });
  assert.equal(r.exitCode, 0, `${r.output}\n${r.stderr}`);
  const stages = cycleStages(r.output);
  if (object) {
    assert.match(stages.get("after")!, /^1\n1\n/, "patched after its module, which works");
    assert.match(stages.get("reloaded")!, /^1\n1\n/);
    assert.match(stages.get("unloaded")!, /^-\n1\n/);
    assert.match(stages.get("before")!, /^0\n1\n1\n[^]*-\n$/);
  }
  assert.match(stages.get("load")!, new RegExp(`^loaded: ${name}\n`));
  const status = JSON.parse(stages.get("status")!) as {
    state: string;
    update?: {
      version: string;
      from: string;
      live: number;
      changes: number;
      reboot: number;
      cves: string[];
    };
  };
  assert.equal(status.state, "ok");
  assert.deepEqual(status.update, {
    version: u.to,
    from: u.from,
    live,
    changes,
    reboot: changes - live,
    cves,
  });
  const effective =
    `running ${u.release}, live-patched to ${u.to} (${live} of ${changes} changes` +
    `${changes > live ? `; ${changes - live} need a reboot` : ""})`;
  assert.ok(stages.get("text")!.includes(`effective: ${effective}`), stages.get("text"));
  const listed = stages
    .get("text")!
    .split("\n")
    .find((l) => l.startsWith(`${name} `));
  assert.ok(listed?.endsWith(`: ${effective}`), `kpatch list says it too: ${listed}`);
  assert.match(stages.get("text")!, /\n0\n$/, "unloaded: nothing left in sysfs");
});
