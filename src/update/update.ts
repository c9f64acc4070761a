// kpatch-build --update: the Debian kernel update a host has not rebooted
// into, as one cumulative live patch. The change set is the whole difference
// between the source the target was built from and the update's source; its
// code goes through the one pipeline as a single patch, and the grouping
// (groups.ts) decides which objects go in. The module says which update it
// carries and how much of it is live, for `kpatch status` and monitoring.
import { join } from "node:path";
import { nodeHost, type Host } from "../host/host.js";
import { progress, warn } from "../host/progress.js";
import { KpatchError } from "../errors.js";
import { readElf } from "../elf/reader.js";
import { SHN, STB } from "../elf/constants.js";
import { aptLookup } from "../kernel/apt.js";
import { parseRelease } from "../kernel/debian.js";
import { kernelSource } from "../kernel/source.js";
import type { DiffReport } from "../diff/run.js";
import type { UpdateReview } from "../review/review.js";
import {
  kpatchBuild,
  type Found,
  type KpatchBuildOptions,
  type KpatchBuildResult,
  type Selection,
} from "../kpatch-build/pipeline.js";
import { readPatches } from "../patch/read.js";
import type { Target } from "../kpatch-build/targets.js";
import { entriesBetween, sourceChangelog, type ChangelogEntry } from "./changelog.js";
import { fileDiff, updateCacheDir, updateChanges, type ChangedFile } from "./changes.js";
import { coverage, groupUpdate, type UpdateObject } from "./groups.js";

/** A Debian target's update: the versions, and what the archive says of them. */
export interface UpdatePlan {
  release: string;
  series: string;
  /** linux-source versions: the target's and the update's. */
  from: string;
  to: string;
  /** Debian's entries after `from`, up to `to`, newest first. */
  changelog: ChangelogEntry[];
}

/** The versions an update of `target` goes between; `to` by default the newest in the lists. */
export async function planUpdate(target: Target, to?: string, host: Host = nodeHost) {
  const release = target.release;
  const series = release && parseRelease(release)?.series;
  if (!release || !series || target.source.pkg !== `linux-source-${series}`) {
    throw new KpatchError(
      "usage",
      "--update is for Debian's kernels: name one with -k RELEASE, or run it on one",
    );
  }
  const from = target.source.version;
  const pkg = `linux-source-${series}`;
  const newest = to ?? (await aptLookup(pkg, undefined, host))?.version;
  if (!newest || !(await aptLookup(pkg, newest, host))) {
    throw new KpatchError(
      "usage",
      `${pkg} ${to ?? ""} is not in the apt package lists: ` +
        "name a version the archive has (apt-cache policy shows them), or run 'apt-get update'",
    );
  }
  if (newest !== from && (await olderVersion(newest, from, host))) {
    throw new KpatchError(
      "usage",
      `--to ${newest} is older than ${from}, which ${release} was built from: ` +
        "a live patch only moves a kernel forward",
    );
  }
  const changelog =
    newest === from
      ? []
      : entriesBetween(await sourceChangelog(series, newest, host), from, newest);
  return { release, series, from, to: newest, changelog } satisfies UpdatePlan;
}

async function olderVersion(a: string, b: string, host: Host): Promise<boolean> {
  const r = await host.run("dpkg", ["--compare-versions", a, "lt", b], { allowFailure: true });
  return r.code === 0;
}

/** The module name of an update: one per update, so that the next one can replace it. */
export function updateModuleName(to: string): string {
  return `livepatch-update-${to.replace(/[^A-Za-z0-9]+/g, "_")}`.slice(0, 55);
}

export type UpdateBuildOptions = Omit<
  KpatchBuildOptions,
  "patches" | "select" | "replace" | "name"
> & { plan: UpdatePlan; name?: string };

/** Builds the update's cumulative module and its review, update section included. */
export async function buildUpdate(
  opts: UpdateBuildOptions,
  host: Host = nodeHost,
): Promise<KpatchBuildResult & { update: UpdateReview }> {
  const { plan, target } = opts;
  if (plan.from === plan.to) {
    throw new KpatchError(
      "no-change",
      `${plan.release} is built from ${plan.to}, the newest the archive has: no update to patch`,
    );
  }
  const to = await kernelSource(plan.series, plan.to, host);
  const dir = updateCacheDir(plan.series, plan.from, plan.to, host);
  const changes = updateChanges(target.source, to, dir, host);
  const code = changes.filter((c) => c.class === "code" && c.change !== "removed");
  progress(
    "update",
    `${plan.from} → ${plan.to}: ${changes.length} files changed, ${code.length} of them code`,
  );
  if (!code.length) {
    throw new KpatchError("no-change", `the update to ${plan.to} changes no C, header or assembly`);
  }
  const patch = join(dir, "update.patch");
  if (!host.exists(patch)) {
    // One diff at a time: an update has hundreds of files, and each is quick.
    const diffs: string[] = [];
    for (const c of code) diffs.push(await fileDiff(target.source, to, c, host));
    host.writeFileAtomic(patch, diffs.join(""));
  }
  let update: UpdateReview | undefined;
  const r = await kpatchBuild(
    {
      ...opts,
      name: opts.name ?? updateModuleName(plan.to),
      patches: readPatches([patch], host),
      replace: true,
      description: opts.description ?? `live patch of Debian's update to ${plan.to}`,
      select: (found) => {
        const chosen = select(found, changes, plan, host);
        update = chosen.review;
        return chosen;
      },
    },
    host,
  );
  return { ...r, update: update! };
}

/** The grouping of what the build found, and what the module says of it. */
function select(found: Found, changes: ChangedFile[], plan: UpdatePlan, host: Host): Selection {
  const objects = found.objects.map(
    (o): UpdateObject => ({
      object: o.object,
      target: o.target,
      files: o.files,
      unreached: o.unreached,
      outcome: o.report
        ? "changed"
        : o.refused
          ? "refused"
          : o.bootOnly
            ? "boot-only"
            : "unchanged",
      why: o.refused ?? o.unchanged,
      ...(o.report && o.patched ? linkage(o.report, o.patched, host) : { provides: [], needs: [] }),
    }),
  );
  const layout = new Map<string, string[]>();
  for (const l of found.layout) layout.set(l.file, [...(layout.get(l.file) ?? []), l.type]);
  const grouping = groupUpdate({
    files: changes,
    objects,
    notBuilt: new Map(found.notBuilt.map((s) => [s.file, s.why])),
    unresolved: new Map(found.unresolved.map((s) => [s.file, s.why])),
    layout,
  });
  const { live, reboot } = coverage(grouping.files);
  const summary =
    `${plan.to}: ${live} of ${live + reboot} runtime changes live` +
    `${reboot ? `, ${reboot} need a reboot` : ""}`;
  progress("update", summary);
  for (const g of grouping.groups.filter((g) => g.reasons.length)) {
    // The review lists them all; a warning names the first few.
    const few = (l: string[], n: number, sep: string) =>
      l.length > n ? `${l.slice(0, n).join(sep)}${sep}and ${l.length - n} more` : l.join(sep);
    warn(
      "update",
      `group ${g.id} (${few(g.objects, 5, " ")}) stays out: ${few(g.reasons, 3, "; ")}`,
    );
  }
  const cves = [...new Set(plan.changelog.flatMap((e) => e.cves))].sort();
  return {
    live: grouping.live,
    info: [
      ["kpatch_update", plan.to],
      ["kpatch_update_from", plan.from],
      ["kpatch_update_live", String(live)],
      ["kpatch_update_changes", String(live + reboot)],
      ...cves.map((id): [string, string] => ["kpatch_update_cve", id]),
      // A CVE is said fixed only when the whole update is live: without commit
      // boundaries, a change left out may be its fix.
      ...(reboot ? [] : cves.map((id): [string, string] => ["kpatch_cve", id])),
    ],
    review: {
      from: plan.from,
      to: plan.to,
      summary,
      live,
      reboot,
      files: grouping.files,
      groups: grouping.groups,
      changelog: plan.changelog,
    },
  };
}

/**
 * The global functions and data an object's patched code changes or adds,
 * by their binding in the PATCHED object (the differ's output makes a
 * replaced function local), what of them it adds, and the names its output
 * refers to and does not define, but for its own locals: a local static is
 * no other object's.
 */
function linkage(
  r: DiffReport,
  patched: string,
  host: Host,
): Pick<UpdateObject, "provides" | "adds" | "onlyAdds" | "needs"> {
  // Symbols only: an object's relocations (its debug info's, mostly) are most of its parse.
  const symbols = (file: string) => readElf(host.readFile(file), file, { relocations: false });
  const input = symbols(patched).symbols.filter((s) => s.section && s.name);
  const global = new Set(input.filter((s) => s.bind !== STB.LOCAL).map((s) => s.name));
  const local = new Set(input.filter((s) => s.bind === STB.LOCAL).map((s) => s.name));
  const names = (l: DiffReport["changed"]) => l.map((c) => c.name).filter((n) => global.has(n));
  const adds = names([...r.added, ...r.addedData]);
  const out = symbols(r.output);
  return {
    provides: names([...r.changed, ...r.added, ...r.addedData]),
    adds,
    onlyAdds: !r.changed.length && adds.length > 0,
    needs: out.symbols
      .filter((s) => !s.section && s.shndx !== SHN.ABS && s.bind !== STB.LOCAL && s.name)
      .map((s) => s.name.replace(/^\.klp\.sym\.[^.]+\./, "").replace(/,\d+$/, ""))
      .filter((n) => !local.has(n)),
  };
}
