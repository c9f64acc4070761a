// The load-order matrix on Debian's real kernels: every patch to a module
// meets that module in every order (patch after the module, the module
// reloaded while patched, patch disabled and unloaded, patch before the
// module), and the module still works after each step. The patches are to
// nfsd, which uses static calls and jump labels: Debian's own fix to
// nfsd4_sequence (6.1.192-3), and a change to nfsd4_create_session, whose
// tracepoints the patch module cannot arm. The runner fails any of these on
// an oops, BUG, WARNING or relocation complaint in the guest's log.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { kpatchBuild } from "../../src/build/pipeline.js";
import { resolveTarget } from "../../src/build/targets.js";
import { cacheRoot, run } from "../../src/host/host.js";
import { debianKernel } from "../../src/kernel/debian.js";
import { guestKernel } from "../../src/vm/kernels.js";
import { runInGuest } from "../../src/vm/qemu.js";
import { cycleStages, matrixScript } from "../../src/vm/cycle.js";
import { fixture } from "../support/patches.js";
import { newest, some61 } from "../support/releases.js";

const outDir = join(cacheRoot(), "test-modules", "matrix");
mkdirSync(outDir, { recursive: true });

// nfsd works: its control filesystem mounts and lists the NFS versions it serves.
const probe = "mount -t nfsd nfsd /proc/fs/nfsd && cat /proc/fs/nfsd/versions && umount /proc/fs/nfsd";

/** Whether `patch` applies to the source `release` was built from (Debian may have taken the fix). */
async function applies(release: string, patch: string): Promise<boolean> {
  const target = await resolveTarget({ kernel: release });
  const r = await run("patch", ["-p1", "--dry-run", "--batch", "--forward", "-d", target.source.dir, "-i", fixture(patch)], { allowFailure: true });
  return r.code === 0;
}

async function matrix(release: string, patch: string) {
  const target = await resolveTarget({ kernel: release });
  const built = await kpatchBuild({
    patches: [fixture(patch)], name: `livepatch-${patch.replace(/\.patch$/, "")}`,
    outputDir: join(outDir, release), replace: true, skipCompilerCheck: false, ...target,
  });
  const root = join((await debianKernel(release)).modulesDir, "../../..");
  const k = await guestKernel("debian", release);
  const r = await runInGuest({
    kernel: k.image, modules: k.modules, timeoutMs: 400_000,
    script: matrixScript({ ko: built.module, object: "nfsd", loadObject: `modprobe -d ${root} nfsd`, probe }),
  });
  assert.equal(r.exitCode, 0, `${r.output}\n${r.stderr}`);
  const s = cycleStages(r.output);
  const works = /^[+-]\d(\.\d)? /m;
  assert.match(s.get("after")!, /^1\n/);
  assert.match(s.get("reloaded")!, /^1\n/);
  assert.match(s.get("unloaded")!, /^-\n/);
  assert.match(s.get("before")!, /^0\n1\n[^]*-\n$/);
  for (const stage of ["after", "reloaded", "unloaded", "before"]) assert.match(s.get(stage)!, works, `${stage}: nfsd works`);
  return built;
}

const older = (await some61()).release;

test(`Debian's nfsd4_sequence fix, built for ${older}: every load order, nfsd patched and working`, async (t) => {
  if (!(await applies(older, "nfsd-sequence.patch"))) return t.skip(`${older}'s source already has the fix`);
  const built = await matrix(older, "nfsd-sequence.patch");
  assert.deepEqual(built.objects.flatMap((o) => o.changed.map((c) => c.name)), ["nfsd4_sequence"]);
});

for (const release of [older, await newest("6.12")]) {
  test(`a patch to nfsd4_create_session, whose tracepoints stay off, on ${release}: every load order`, async (t) => {
    if (!(await applies(release, "nfsd-create-session.patch"))) return t.skip(`the patch no longer applies to ${release}'s nfsd`);
    const built = await matrix(release, "nfsd-create-session.patch");
    assert.deepEqual(built.objects.flatMap((o) => o.changed.map((c) => c.name)), ["nfsd4_create_session"]);
    assert.ok(built.objects.some((o) => o.warnings.some((w) => /^tracepoint nfsd_\w+ stays off in the patched nfsd4_create_session: nfsd defines it/.test(w))));
  });
}
