// The load-order matrix on Debian's real 6.1 and 6.12 kernels: every patch to
// a module meets that module in every order (patch after the module, the
// module reloaded while patched, patch disabled and unloaded, patch before the
// module), and the module still works after each step. The fixtures:
// - Debian's own fix to nfsd4_sequence (6.1.192-3, and 6.12.117 for 6.12), on
//   the release just before it; nfsd uses static calls and jump labels;
// - a change to nfsd4_create_session, whose tracepoints the patch cannot arm;
// - an alternative (lfence) in nfsd, with one in vmlinux beside it on 6.1;
// - xfs's statistics, whose function reads a static table and helper;
// - cifs, whose statics only the -dbg package's symbols place (6.1);
// - a function of 9p, which the guest then runs without the host root so that
//   nothing holds 9p;
// - a driver fix from Debian's newest 6.12 update, chosen on the day and cut
//   alone as a user would (isl29028's, of 6.12.118, made 6.12 WARN on unload
//   when the glue's exit code returned through the return thunk unpatched).
// The runner fails any of these on an oops, BUG, WARNING or relocation
// complaint in the guest's log.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, isAbsolute, join } from "node:path";
import { kpatchBuild, type KpatchBuildResult } from "../../src/kpatch-build/pipeline.js";
import { readPatches } from "../../src/patch/read.js";
import { resolveTarget } from "../../src/kpatch-build/targets.js";
import { cacheRoot, run } from "../../src/host/host.js";
import { debianKernel, debianReleases, parseRelease } from "../../src/kernel/debian.js";
import { moduleName } from "../../src/kernel/modules.js";
import { readElf } from "../../src/elf/reader.js";
import { guestKernel } from "../../src/vm/kernels.js";
import { runInGuest } from "../../src/vm/qemu.js";
import { cycleStages, matrixScript } from "../../src/vm/cycle.js";
import { fixture } from "../../bench/support/patches.js";
import { newest, olderRelease, someRelease } from "../support/releases.js";
import { driverFixes } from "../support/updates.js";
import { HostError, KpatchError } from "../../src/errors.js";

const outDir = join(cacheRoot(), "test-modules", "matrix");
mkdirSync(outDir, { recursive: true });

interface Case {
  /** The module the patch changes, as the kernel names it. */
  object: string;
  /** Shell command whose output shows the module works; matched by `works`. */
  probe: string;
  works: RegExp;
  /** In the probe's output while the patched code runs, and only then. */
  marker?: string;
  /** Without the host root: nothing in the guest then uses 9p. */
  private?: boolean;
}

// nfsd works: its control filesystem mounts and lists the NFS versions it serves.
const nfsd: Case = {
  object: "nfsd",
  probe: "mount -t nfsd nfsd /proc/fs/nfsd && cat /proc/fs/nfsd/versions && umount /proc/fs/nfsd",
  works: /^[+-]\d(\.\d)? /m,
};

// xfs works: its statistics file lists its counters (and, patched, one line more).
const xfs: Case = {
  object: "xfs",
  probe: "cat /proc/fs/xfs/stat",
  works: /^xpc \d+ \d+ \d+$/m,
  marker: "kpatch 1",
};

// cifs works: its debug file shows its state.
const cifs: Case = {
  object: "cifs",
  probe: "head -1 /proc/fs/cifs/DebugData",
  works: /^Display Internal CIFS Data Structures for Debugging$/m,
};

// 9p works: the run directory's share mounts, and /proc/mounts shows its options.
const ninep: Case = {
  object: "9p",
  probe:
    "mkdir -p /mnt && mount -t 9p -o trans=virtio,version=9p2000.L vmio /mnt && " +
    "grep ' /mnt ' /proc/mounts && umount /mnt",
  works: /^vmio \/mnt 9p .*access=client/m,
  marker: "kpatched",
  private: true,
};

/**
 * Whether the patches apply to the source `release` was built from (Debian may
 * have taken the fix).
 */
async function apply(release: string, patches: string[]): Promise<boolean> {
  const target = await resolveTarget({ kernel: release });
  for (const p of patches) {
    const r = await run(
      "patch",
      ["-p1", "--dry-run", "--batch", "--forward", "-d", target.source.dir, "-i", fixture(p)],
      { allowFailure: true },
    );
    if (r.code !== 0) return false;
  }
  return true;
}

/**
 * `preferred` if the patches apply to its source, else the newest other
 * release of its series in the package lists whose source they apply to
 * (fetching each source in turn); undefined if there is none.
 */
async function releaseTaking(preferred: string, patches: string[]): Promise<string | undefined> {
  const series = parseRelease(preferred)!.series;
  const others = (await debianReleases({ series, flavour: "amd64" }))
    .map((r) => r.release)
    .filter((r) => r !== preferred)
    .reverse();
  for (const release of [preferred, ...others])
    if (await apply(release, patches).catch(() => false)) return release;
  return undefined;
}

async function buildFor(release: string, patches: string[]): Promise<KpatchBuildResult> {
  return kpatchBuild({
    patches: readPatches(patches.map((p) => (isAbsolute(p) ? p : fixture(p)))),
    name: `livepatch-${basename(patches.at(-1)!).replace(/\.patch$/, "")}`,
    outputDir: join(outDir, release),
    replace: true,
    skipCompilerCheck: false,
    target: await resolveTarget({ kernel: release }),
  });
}

async function matrix(
  release: string,
  patches: string[],
  c: Case,
): Promise<{ built: KpatchBuildResult; stages: Map<string, string> }> {
  return cycle(release, await buildFor(release, patches), c);
}

/** The built patch through every load order of its module, in the release's kernel. */
async function cycle(
  release: string,
  built: KpatchBuildResult,
  c: Case,
): Promise<{ built: KpatchBuildResult; stages: Map<string, string> }> {
  const k = await guestKernel("debian", release);
  const root = join((await debianKernel(release)).modulesDir, "../../..");
  const ko = c.private ? `/files/${moduleName(built.module)}.ko` : built.module;
  // Without the host root, the object's module comes from the initramfs, whose
  // init loaded it already.
  const loadObject = c.private
    ? `grep -q '^${c.object} ' /proc/modules || insmod /modules/*-${c.object}.ko`
    : `modprobe -d ${root} ${c.object}`;
  const r = await runInGuest({
    kernel: k.image,
    modules: k.modules,
    timeoutMs: 400_000,
    shareRoot: !c.private,
    files: c.private ? [built.module] : undefined,
    script: matrixScript({ ko, object: c.object, loadObject, probe: c.probe }),
  });
  assert.equal(r.exitCode, 0, `${r.output}\n${r.stderr}`);
  const stages = cycleStages(r.output);
  assert.match(stages.get("after")!, /^1\n/);
  assert.match(stages.get("reloaded")!, /^1\n/);
  assert.match(stages.get("unloaded")!, /^-\n/);
  assert.match(stages.get("before")!, /^0\n1\n[^]*-\n$/);
  for (const [stage, patched] of [
    ["after", true],
    ["reloaded", true],
    ["unloaded", false],
    ["before", true],
  ] as const) {
    const out = stages.get(stage)!;
    assert.match(out, c.works, `${stage}: ${c.object} works`);
    if (c.marker) {
      assert.equal(
        out.includes(c.marker),
        patched,
        `${stage}: the patched code runs: ${patched}\n${out}`,
      );
    }
  }
  return { built, stages };
}

const changed = (r: KpatchBuildResult) =>
  r.objects.map((o) => [o.object, o.changed.map((c) => c.name)]);

const older61 = (await someRelease("6.1")).release;
const newest612 = await newest("6.12");
// Debian took the nfsd4_sequence fix in 6.12.117: the release before it still needs it.
const older612 = (await olderRelease("6.12"))?.release ?? newest612;

for (const preferred of [older61, older612]) {
  const series = parseRelease(preferred)!.series;
  test(
    `Debian's nfsd4_sequence fix, built for a ${series} release without it: ` +
      "every load order, nfsd patched and working",
    async (t) => {
      const release = await releaseTaking(preferred, ["nfsd-sequence.patch"]);
      if (!release)
        return t.skip(`every ${series} release in the package lists has the fix in its source`);
      t.diagnostic(`built for ${release}`);
      const { built } = await matrix(release, ["nfsd-sequence.patch"], nfsd);
      assert.deepEqual(changed(built), [["nfsd", ["nfsd4_sequence"]]]);
    },
  );
}

for (const release of [older61, newest612]) {
  const series = parseRelease(release)!.series;
  test(
    "a patch to nfsd4_create_session, whose tracepoints stay off, " +
      `on a ${series} release: every load order`,
    async (t) => {
      const chosen = await releaseTaking(release, ["nfsd-create-session.patch"]);
      if (!chosen)
        return t.skip(`the patch applies to no ${series} release's nfsd in the package lists`);
      t.diagnostic(`built for ${chosen}`);
      const { built } = await matrix(chosen, ["nfsd-create-session.patch"], nfsd);
      assert.deepEqual(changed(built), [["nfsd", ["nfsd4_create_session"]]]);
      assert.ok(
        built.objects.some((o) =>
          o.warnings.some((w) =>
            /^tracepoint nfsd_\w+ stays off in the patched nfsd4_create_session: nfsd defines it/.test(
              w,
            ),
          ),
        ),
      );
    },
  );

  test(
    `xfs's statistics (a static table and a static helper), on ${release}: ` +
      "every load order, the patched line shows",
    async () => {
      const { built } = await matrix(release, ["xfs-stats.patch"], xfs);
      assert.deepEqual(changed(built), [["xfs", ["xfs_stats_format"]]]);
    },
  );

  test(
    `a function of 9p, with nothing else holding 9p, on ${release}: ` +
      "every load order, mounts show the patched options",
    async () => {
      const { built } = await matrix(release, ["module-9p.patch"], ninep);
      assert.deepEqual(changed(built), [["9p", ["v9fs_show_options"]]]);
    },
  );
}

test(
  `an alternative in nfsd, and one in vmlinux beside it, on ${older61}: ` +
    "vmlinux stays patched through every order of nfsd",
  async () => {
    const sys = "/sys/kernel/livepatch/livepatch_module_alternatives/vmlinux/patched";
    const { built, stages } = await matrix(
      older61,
      ["alternatives.patch", "module-alternatives.patch"],
      {
        ...nfsd,
        probe: `${nfsd.probe}; cat ${sys} 2>/dev/null || echo -`,
        marker: "kpatched",
      },
    );
    assert.deepEqual(changed(built), [
      ["nfsd", ["write_versions"]],
      ["vmlinux", ["kpagecount_read"]],
    ]);
    // ld merges sections of one name: the module's replacement code gets a name of its own.
    const names = readElf(readFileSync(built.module), built.module).sections.map((s) => s.name);
    assert.ok(
      names.includes(".altinstr_replacement") && names.includes(".altinstr_replacement.nfsd"),
      names.join(" "),
    );
    for (const [stage, vmlinux] of [
      ["after", "1"],
      ["reloaded", "1"],
      ["unloaded", "-"],
    ]) {
      assert.match(stages.get(stage)!, new RegExp(`\\n${vmlinux}\\n$`), stage);
    }
  },
);

test(`cifs, whose statics only the -dbg package's symbols place, on ${older61}: every load order`, async () => {
  const { built } = await matrix(older61, ["cifs-neg-contexts.patch"], cifs);
  assert.deepEqual(changed(built), [["cifs", ["SMB2_negotiate"]]]);
});

test(
  `an alternative in nfsd on ${newest612}: ` + "every load order, the patched code runs",
  async () => {
    const { built } = await matrix(newest612, ["module-alternatives.patch"], {
      ...nfsd,
      marker: "kpatched",
    });
    assert.deepEqual(changed(built), [["nfsd", ["write_versions"]]]);
  },
);

test("a driver fix from Debian's newest 6.12 update, cut alone as a user would, on the release before it: every load order, no complaint", async (t) => {
  const found = await driverFixes("6.12");
  if (!found) return t.skip("the archive holds no 6.12 update whole");
  const { update, fixes } = found;
  if (!fixes.length) {
    return t.skip(`${update.to} changes no driver of a module of its own in function bodies only`);
  }
  // A third of an update's files do not compile without the rest of it; some
  // change data after all. Each is said why, and the first that builds is cycled.
  const why: string[] = [];
  for (const fix of fixes) {
    const file = join(outDir, `${fix.module}-update.patch`);
    writeFileSync(file, fix.patch);
    const built = await buildFor(update.release, [file]).catch((e: unknown) => {
      const alone = e instanceof HostError && /^compiling (ORIG|PATCHED) .* failed/.test(e.message);
      const refused = e instanceof KpatchError && /^(unsafe|no-change)$/.test(e.kind);
      if (!alone && !refused) throw e;
      why.push(`${fix.file}: ${alone ? "does not compile alone" : e.message.split("\n")[0]}`);
      t.diagnostic(why.at(-1)!);
      return undefined;
    });
    if (!built) continue;
    t.diagnostic(`${fix.file} (${update.from} to ${update.to}) on ${update.release}`);
    assert.deepEqual(
      built.objects.map((o) => o.object),
      [fix.module],
    );
    // The glue's exit code returns through the thunk: its site is listed, as every other one.
    const ko = readElf(readFileSync(built.module), built.module);
    const sites = ko.relocationsFor(ko.sections.find((x) => x.name === ".return_sites")!);
    assert.ok(
      sites?.relocations.some((r) => r.symbol?.section?.name === ".exit.text"),
      "the glue's exit code is in .return_sites",
    );
    // Loaded at every step: the guest has none of the hardware it drives.
    const probe = `grep -o '^${fix.module} ' /proc/modules`;
    await cycle(update.release, built, { object: fix.module, probe, works: /^\S+ $/m });
    return;
  }
  t.skip(`no driver fix of ${update.to} builds alone: ${why.join("; ")}`);
});
