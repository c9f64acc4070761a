// kpatch-build's pipeline, one phase after another: prepare the target's
// tree, find the objects the patches affect, compile them ORIG and PATCHED
// in a session that never writes to the source or the prepared tree, diff
// each pair, and build the patch module from the differences.
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { nodeHost, type Host } from "../host/host.js";
import { progress, warn } from "../host/progress.js";
import { HostError, KpatchError } from "../errors.js";
import { diffFiles, loadSymtab, targetSymbols, type DiffReport } from "../diff/run.js";
import { cachedDiff, digestOnce } from "./diffs.js";
import { buildModule, type Kbuild, type PatchPart } from "../module/build.js";
import { probeEntrySizes } from "../module/probe.js";
import type { EntrySizes } from "../diff/context.js";
import { readSourceChanges, type SourceChanges } from "../patch/changes.js";
import type { KlpConversion } from "../module/klp.js";
import { preparedTree, type PreparedTree } from "../build/prepare.js";
import { compilerTime, type CompilerTime } from "../build/command.js";
import {
  withBuildSession,
  type BuildSession,
  type CompiledObject,
  type SessionOptions,
} from "../build/session.js";
import { affectedObjects, type AffectedObjects, type SkippedFile } from "../build/affected.js";
import { checkCve, checkDescription } from "./inputs.js";
import { fileClass, patchText, type PatchInput } from "../patch/read.js";
import { checkModuleName } from "../names.js";
import type { PatchSection } from "../patch/patch.js";
import {
  buildFacts,
  makeReview,
  reviewModinfo,
  safely,
  saveReviewInput,
  writeReview,
  type ReviewFiles,
} from "./review.js";
import type { Review, ReviewInput, UpdateReview } from "../review/review.js";
import { LAYOUT_REMEDY, type LayoutChange } from "../patch/layout.js";
import { filesReaching } from "../build/reach.js";
import { targetTables, type Target, type TargetTables } from "./targets.js";

const authorHeaders = fileURLToPath(new URL("../../../include/", import.meta.url));

export interface KpatchBuildOptions {
  /** The patches, read and checked once (readPatches): the build and its review use this model. */
  patches: PatchInput[];
  /** The kernel built against, as resolveTarget found it. */
  target: Target;
  name: string;
  outputDir: string;
  replace: boolean;
  /** CVE identifiers the patch fixes, and what it is for: recorded in .modinfo. */
  cves?: string[];
  description?: string;
  /** Sign the module with this private key and X.509 certificate (the kernel's sign-file). */
  sign?: { key: string; cert: string };
  skipCompilerCheck: boolean;
  /** Parallel compile jobs, and whether to keep the build session for inspection. */
  session?: SessionOptions;
  /**
   * A kernel update's build (src/update/): what one object refuses, a layout
   * change and files of unknown objects end no build; `select` gets what was
   * found and says which objects go into the module.
   */
  select?: (found: Found) => Selection;
}

/** What a build found, object by object, for an update's selection. */
export interface Found {
  objects: {
    object: string;
    /** "vmlinux" or the module's name. */
    target: string;
    /** The changed files it is built from or includes whose change reaches its code. */
    files: string[];
    /** The changed headers it includes whose change does not (build/reach.ts). */
    unreached?: string[];
    report?: DiffReport;
    /** The PATCHED object the report is of, while the session lasts. */
    patched?: string;
    /** Why the differ refused it, or found no change. */
    refused?: string;
    unchanged?: string;
    /** Unchanged but for __init code or data: it takes effect at the next boot. */
    bootOnly?: boolean;
  }[];
  layout: LayoutChange[];
  /** Changed code files no object is built from, with this config. */
  notBuilt: SkippedFile[];
  unresolved: SkippedFile[];
}

export interface Selection {
  /** The objects whose patched code goes into the module. */
  live: string[];
  /** .modinfo entries the module carries besides its own. */
  info: [string, string][];
  review: UpdateReview;
}

export interface KpatchBuildResult {
  module: string;
  objects: DiffReport[];
  klp: KlpConversion;
  /** Seconds per phase. */
  phases: Record<string, number>;
  /** The compiler's own time, and the jobs it ran on: how compile-bound the build was. */
  compiler: CompilerTime & { jobs: number };
  /** The review report beside the module, unless it could not be made (a warning said why). */
  review?: ReviewFiles;
}

/** What a build has learnt so far: the review report is made of it, refused or not. */
interface Seen {
  inputs: PatchInput[];
  release?: string;
  skipped: { file: string; why: string }[];
  compared: ReviewInput["objects"];
  layout?: LayoutChange[];
  phases: Record<string, number>;
  compiler: CompilerTime;
  /**
   * The review of the module, or of the refusal: made within the session, as
   * it reads the objects, where its input is kept for `kpatch-build review`.
   */
  review: (module?: string, refusal?: KpatchError) => Promise<Review | undefined>;
  reviewed?: boolean;
  reviewInput?: ReviewInput;
  /** The build session's directory, while it runs. */
  sessionDir?: string;
  update?: UpdateReview;
}

/**
 * What every phase of a build reads: its options, its host, its target's
 * tables, and what it has learnt so far.
 */
interface BuildContext {
  opts: KpatchBuildOptions;
  host: Host;
  tables: TargetTables;
  seen: Seen;
}

/** The files the patches touch: the code, and the text the build never reads. */
interface TouchedFiles {
  code: string[];
  text: SkippedFile[];
}

/** The objects the patches affect, and which sections of the patches are applied to them. */
interface Affected {
  found: AffectedObjects;
  objects: string[];
  recipes: Map<string, string>;
  /** Changed files this config builds no object from (but the files the patches create). */
  notBuilt: SkippedFile[];
  applied: (s: PatchSection) => boolean;
  /** Objects not compiled: the preprocessor read the same tokens for them before and after. */
  same: Set<string>;
}

/** The context within the build session: the prepared tree, the session and what it builds. */
interface SessionContext extends BuildContext {
  prepared: PreparedTree;
  session: BuildSession;
  changes: SourceChanges;
  affected: Affected;
  /**
   * An update's objects that do not compile alone, with the compiler's
   * error: each stands alone, and is refused rather than ending the build.
   */
  failures?: Map<string, string>;
}

/** The objects whose differences go into the module, and the .modinfo entries it carries. */
interface Diffed {
  reports: DiffReport[];
  info: [string, string][];
}

/**
 * Builds the patch module and its review report; a refused build leaves the
 * report only. `host` runs every process and file access of the build.
 */
export async function kpatchBuild(
  opts: KpatchBuildOptions,
  host: Host = nodeHost,
): Promise<KpatchBuildResult> {
  const ctx: BuildContext = {
    opts,
    host,
    tables: targetTables(opts.target, host),
    seen: startSeeing(opts, host),
  };
  checkModuleName(opts.name);
  for (const f of opts.sign ? [opts.sign.key, opts.sign.cert] : []) {
    if (!host.exists(f)) throw new KpatchError("usage", `signing: ${f} does not exist`);
  }
  for (const id of opts.cves ?? []) checkCve(id);
  if (opts.description !== undefined) checkDescription(opts.description);
  return reviewingRefusal(ctx, () => buildPatch(ctx));
}

/** The phases of a build, one after another. */
async function buildPatch(ctx: BuildContext): Promise<KpatchBuildResult> {
  const { opts, host } = ctx;
  const files = touchedFiles(ctx);
  if (!opts.skipCompilerCheck) await checkCompiler(opts.target.config, host);
  const changes = await readChanges(ctx, files);
  const prepared = await prepare(ctx);
  const affected = await screen(ctx, prepared, changes, await findAffected(ctx, prepared, files));
  const failures = opts.select ? new Map<string, string>() : undefined;
  const beside = compileOrigBeside(ctx, prepared, affected, failures);
  // Whatever happens to the build, the session beside it ends before the build returns.
  const built = await withBuildSession(
    prepared,
    (session) =>
      reviewingRefusal(ctx, async () => {
        const sc: SessionContext = { ...ctx, prepared, session, changes, affected, failures };
        ctx.seen.sessionDir = session.dir;
        const origFirst = beside ? undefined : await compileOrig(sc);
        await applyPatches(sc);
        const patched = await compilePatched(sc);
        const orig = origFirst ?? (await compileOrigAfter(sc, beside));
        const kbuild = moduleKbuild(session, opts.target.symvers);
        const entrySizes = await probe(sc, kbuild);
        const diffed = await diff(sc, orig, patched, entrySizes);
        return writeModule(sc, diffed, kbuild);
      }),
    sessionOptions(ctx),
    host,
  ).finally(() => beside);
  const jobs = opts.session?.jobs ?? host.cpuCount();
  return { ...built, compiler: { ...structuredClone(ctx.seen.compiler), jobs } };
}

/** The build's session options, with its tally of the compiler's time. */
function sessionOptions({ opts, seen }: BuildContext): SessionOptions {
  return { ...opts.session, compilerTime: seen.compiler };
}

/** Runs phase `name`, its seconds kept for the result and the review. */
async function time<T>(ctx: BuildContext, name: string, body: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  const r = await body();
  ctx.seen.phases[name] = (Date.now() - t0) / 1000;
  return r;
}

/** What the build will learn, with the review it makes of it, refused or not. */
function startSeeing(opts: KpatchBuildOptions, host: Host): Seen {
  const seen: Seen = {
    inputs: opts.patches,
    release: opts.target.release,
    skipped: [],
    compared: [],
    phases: {},
    compiler: compilerTime(),
    review: (module, refusal) => {
      seen.reviewed = true;
      return makeReview(() => {
        const input: ReviewInput = {
          name: opts.name,
          module,
          refusal: refusal && { message: refusal.message, details: refusal.details },
          patches: seen.inputs,
          objects: seen.compared,
          skipped: seen.skipped,
          layout: seen.layout ?? [],
          ...(seen.update ? { update: seen.update } : {}),
          build: buildFacts(
            {
              release: seen.release ?? "(the source's own)",
              source: `${opts.target.source.pkg} ${opts.target.source.version}`,
              config: opts.target.config,
            },
            {
              name: opts.name,
              replace: opts.replace,
              patches: opts.patches.map((p) => p.file).join(" "),
              ...(opts.cves?.length ? { cves: opts.cves.join(" ") } : {}),
              ...(opts.description ? { description: opts.description } : {}),
            },
            seen.phases,
            host,
          ),
        };
        seen.reviewInput = input;
        const dir = seen.sessionDir;
        if (dir) safely("its input was not kept", () => saveReviewInput(input, dir, host));
        return input;
      }, host);
    },
  };
  return seen;
}

/** Runs `body`; an unsafe change it refuses gets its review, once, where its objects still are. */
async function reviewingRefusal<T>(ctx: BuildContext, body: () => Promise<T>): Promise<T> {
  const { seen, opts, host } = ctx;
  try {
    return await body();
  } catch (e) {
    if (e instanceof KpatchError && e.kind === "unsafe" && !seen.reviewed) {
      // The refusal stands whatever happens to its review.
      const review = await seen.review(undefined, e);
      if (review) safely("it was not written", () => writeReview(review, opts.outputDir, host));
    }
    throw e;
  }
}

/** The files the patches touch; readPatches refused all but code and text the build never reads. */
function touchedFiles({ seen }: BuildContext): TouchedFiles {
  const paths = [...new Set(seen.inputs.flatMap((p) => p.paths))];
  const text = paths
    .filter((f) => fileClass(f) === "text")
    .map((file) => ({ file, why: "documentation, which the kernel's build does not read" }));
  for (const t of text) warn("kpatch-build", `${t.file} is not applied: ${t.why}`);
  return { code: paths.filter((f) => fileClass(f) === "code"), text };
}

/** What the patches do to the source before anything compiles: a layout change is refused. */
async function readChanges(ctx: BuildContext, files: TouchedFiles): Promise<SourceChanges> {
  const { opts, host, seen } = ctx;
  const code = (s: PatchSection) => s.paths.every((f) => fileClass(f) === "code");
  const changes = await time(ctx, "layout", () =>
    readSourceChanges(
      opts.target.source.dir,
      seen.inputs.map((p) => p.sections.filter(code)),
      files.code,
      host,
    ),
  );
  const layout = changes.layout;
  seen.layout = layout;
  if (layout.length && !opts.select) {
    throw new KpatchError(
      "unsafe",
      "the patches change the layout of data types the running kernel already uses",
      {
        details: layout.map(
          (l) => `${l.type} (${l.file}): objects in memory keep the old layout; ${LAYOUT_REMEDY}`,
        ),
      },
    );
  }
  return changes;
}

/** The target's prepared tree, which says its release and whether its kernel checks signatures. */
async function prepare(ctx: BuildContext): Promise<PreparedTree> {
  const { opts, host, seen } = ctx;
  const prepared = await time(ctx, "prepare", () =>
    preparedTree(opts.target.source, opts.target.config, { release: opts.target.release }, host),
  );
  seen.release ??= host.readIfExists(join(prepared.dir, "include/config/kernel.release"))?.trim();
  if (opts.sign && !host.exists(join(prepared.dir, "scripts", "sign-file"))) {
    throw new KpatchError(
      "usage",
      "cannot sign: the target's tree has no scripts/sign-file (CONFIG_MODULE_SIG is off), " +
        "so its kernel checks no signature",
    );
  }
  return prepared;
}

/** The objects the patched code files affect; the files no object is built from are left out. */
async function findAffected(
  ctx: BuildContext,
  prepared: PreparedTree,
  files: TouchedFiles,
): Promise<Affected> {
  const { opts, host, seen } = ctx;
  const found = await time(ctx, "affected", () =>
    affectedObjects(
      prepared,
      files.code,
      { fullBuild: opts.target.fullBuild, jobs: opts.session?.jobs, compilerTime: seen.compiler },
      host,
    ),
  );
  if (found.unresolved.length && !opts.select) {
    throw new KpatchError(
      "input",
      "cannot tell which objects the patches affect: " +
        `${found.unresolved.map((u) => `${u.file}: ${u.why}`).join("; ")}`,
    );
  }
  // Files the patches create are applied: only the changed code that includes them reads them.
  const created = new Set(
    seen.inputs.flatMap((p) => p.sections.filter((s) => s.created)).flatMap((s) => s.paths),
  );
  const notBuilt = found.skipped.filter((s) => !created.has(s.file));
  seen.skipped = [...files.text, ...notBuilt];
  if (!found.objects.length) {
    throw new KpatchError(
      "no-change",
      "the patches change no file compiled with this config " +
        `(${seen.skipped.map((s) => `${s.file}: ${s.why}`).join("; ")})`,
    );
  }
  // A file this config does not build is no error while others change, but the
  // user must hear of it. It is not applied: the build reads none of it, and a
  // host program's source must not run.
  if (!opts.select) {
    for (const s of notBuilt) warn("kpatch-build", `${s.file} is not applied: ${s.why}`);
  } else if (notBuilt.length) {
    progress("kpatch-build", `${notBuilt.length} changed files not built with this config`);
  }
  const left = new Set(seen.skipped.map((s) => s.file));
  const many = found.objects.length > 20;
  progress(
    "kpatch-build",
    `${found.objects.length} ` +
      `object${found.objects.length > 1 ? "s" : ""} affected (${found.method})` +
      `${many ? "" : `: ${found.objects.map((o) => o.object).join(" ")}`}`,
  );
  return {
    found,
    objects: found.objects.map((o) => o.object),
    recipes: new Map(
      found.objects.flatMap((o) => (o.recipe ? [[o.object, o.recipe] as const] : [])),
    ),
    notBuilt,
    applied: (s) => s.paths.every((f) => fileClass(f) === "code" && !left.has(f)),
    same: new Set(),
  };
}

/**
 * An update's objects that only changed headers reach, and whose compile
 * reads the same tokens before and after (gcc -E -P: macros expanded, no
 * line markers) where they can become code (tokens.ts: what nothing uses
 * dropped): their code cannot change, so they are not compiled. A wide
 * header's readers are most of the kernel (6.12.118's cpufeatures.h: 14,908
 * objects), and most of them never use what changed; the preprocessor costs
 * a fraction of a compile. The session keeps the digests.
 */
async function screen(
  ctx: BuildContext,
  prepared: PreparedTree,
  changes: SourceChanges,
  affected: Affected,
): Promise<Affected> {
  const { opts, host } = ctx;
  const asked = affected.found.objects.flatMap((o) =>
    o.command && o.files.every((f) => f.endsWith(".h"))
      ? [{ object: o.object, command: o.command }]
      : [],
  );
  if (!opts.select || !asked.length) return affected;
  const same = await time(ctx, "screen", () =>
    withBuildSession(
      prepared,
      async (session) => {
        const before = await session.preprocessed(asked);
        await applyPatches({ ...ctx, prepared, session, changes, affected });
        const after = await session.preprocessed(asked);
        return new Set(
          asked.flatMap((o) =>
            after.get(o.object) === before.get(o.object) && after.has(o.object) ? [o.object] : [],
          ),
        );
      },
      sessionOptions(ctx),
      host,
    ),
  );
  progress(
    "kpatch-build",
    `${same.size} of ${affected.objects.length} objects read the same tokens before and ` +
      "after: not compiled",
  );
  return { ...affected, objects: affected.objects.filter((o) => !same.has(o)), same };
}

/**
 * ORIG in a session of its own, beside PATCHED, where there is a core for
 * each object of both (a header patch's many objects use all cores in
 * turn instead); it leaves them in the tree's ORIG cache (not for -s trees).
 * Settles with its failure, or undefined.
 */
function compileOrigBeside(
  { host, seen }: BuildContext,
  prepared: PreparedTree,
  { objects, recipes }: Affected,
  failures?: Map<string, string>,
): Promise<unknown> | undefined {
  if (host.cpuCount() < 2 * objects.length || prepared.source.pkg === "tree") return undefined;
  return withBuildSession(
    prepared,
    (s) => s.compile(objects, "orig", recipes, { failures }),
    { jobs: 1, compilerTime: seen.compiler },
    host,
  ).then(
    () => undefined,
    (e: unknown) => e,
  );
}

function compileOrig(sc: SessionContext): Promise<CompiledObject[]> {
  const { objects, recipes } = sc.affected;
  return time(sc, "compile ORIG", () =>
    sc.session.compile(objects, "orig", recipes, { failures: sc.failures }),
  );
}

/** ORIG once the session beside compiled it: from the tree's ORIG cache. */
function compileOrigAfter(
  sc: SessionContext,
  beside: Promise<unknown> | undefined,
): Promise<CompiledObject[]> {
  return time(sc, "compile ORIG", async () => {
    const failed = await beside;
    if (failed) throw failed;
    return sc.session.compile(
      sc.affected.objects.filter((o) => !sc.failures?.has(o)),
      "orig",
    );
  });
}

function compilePatched(sc: SessionContext): Promise<CompiledObject[]> {
  const { objects, recipes } = sc.affected;
  // Only what compiled ORIG: a pair is compared, or refused whole.
  const built = objects.filter((o) => !sc.failures?.has(o));
  return time(sc, "compile PATCHED", () =>
    sc.session.compile(built, "patched", recipes, { failures: sc.failures }),
  );
}

/** The patch-author API, then the sections of the patches that become code. */
function applyPatches(sc: SessionContext): Promise<void> {
  const { session, prepared, host, seen } = sc;
  return time(sc, "apply", async () => {
    // The patch-author API: kpatch's headers in include/, where "kpatch-macros.h"
    // is found from any file, and klp-build's where the target predates it.
    await session.exec(
      `cp "$1/kpatch-macros.h" "$1/kpatch-syscall.h" "$2/include/"
[ -e "$2/include/linux/livepatch_helpers.h" ] || \\
  cp "$1/linux/livepatch_helpers.h" "$2/include/linux/"`,
      [authorHeaders, prepared.source.dir],
    );
    // Only the sections that become code, as the patch parser read them.
    for (const [i, p] of seen.inputs.entries()) {
      const file = join(session.dir, "patches", `${i + 1}-${basename(p.file)}`);
      host.makeDirs(dirname(file));
      host.writeFile(file, patchText(p, sc.affected.applied));
      await session.applyPatch(file);
    }
  });
}

/** The target's special-section entry sizes. */
function probe(sc: SessionContext, kbuild: Kbuild): Promise<EntrySizes> {
  const { prepared, session, host } = sc;
  return time(sc, "probe", () =>
    cachedEntrySizes(
      prepared,
      () => probeEntrySizes(scratch(session, "probe", host), kbuild, host),
      host,
    ),
  );
}

/** Diffs each ORIG/PATCHED pair; an update's build then selects what goes into the module. */
function diff(
  sc: SessionContext,
  orig: CompiledObject[],
  patched: CompiledObject[],
  entrySizes: EntrySizes,
): Promise<Diffed> {
  const vmlinuxRelocatedEarly = relocatesVmlinuxEarly(sc.prepared.source.dir, sc.host);
  return time(sc, "diff", async () => {
    const found: Found["objects"] = [];
    sc.host.makeDirs(join(sc.session.dir, "diff"));
    for (const [i, a] of sc.affected.found.objects.entries()) {
      const [o, p] = [orig, patched].map((l) => l.find((c) => c.object === a.object));
      if (o && p) found.push(await diffObject(sc, i, o, p, entrySizes, vmlinuxRelocatedEarly));
      else if (sc.affected.same.has(a.object)) {
        const why = "it preprocesses to the same tokens where they make code: it cannot change";
        found.push({ object: a.object, target: a.target, files: a.files, unchanged: why });
      } else {
        const why = sc.failures?.get(a.object) ?? "it was not compiled";
        found.push({ object: a.object, target: a.target, files: a.files, refused: why });
      }
    }
    const select = sc.opts.select;
    if (!select) return { reports: changedReports(found), info: [] };
    return selected(sc, select, await narrowed(sc, found));
  });
}

/**
 * The changed objects' files narrowed to those whose change reaches their
 * code, for the grouping: an unchanged object's files hold nothing together.
 */
async function narrowed(sc: SessionContext, found: Found["objects"]): Promise<Found["objects"]> {
  const commands = new Map(sc.affected.found.objects.map((a) => [a.object, a.command]));
  const reach = await time(sc, "reach", () =>
    filesReaching(
      sc.session,
      found
        .filter((f) => f.report || f.refused || f.bootOnly)
        .map((f) => ({ object: f.object, command: commands.get(f.object), files: f.files })),
      sc.host,
    ),
  );
  return found.map((f) => {
    const files = reach.get(f.object);
    if (!files || files.length === f.files.length) return f;
    return { ...f, files, unreached: f.files.filter((x) => !files.includes(x)) };
  });
}

/** What the differ says of one object: its changes, or why it is unchanged or refused. */
async function diffObject(
  sc: SessionContext,
  i: number,
  o: CompiledObject,
  p: CompiledObject,
  entrySizes: EntrySizes,
  vmlinuxRelocatedEarly: boolean,
): Promise<Found["objects"][number]> {
  const { opts, host, seen, session, tables } = sc;
  const { target } = opts;
  const a = sc.affected.found.objects.find((x) => x.object === o.object)!;
  const object = { object: o.object, target: a.target, files: a.files };
  const symbols = tables.symbolFile(o.target);
  if (!symbols) {
    // xe compiles i915's display files by a rule of its own, so kbuild names
    // their module after the file (intel_cdclk), not the xe.ko they go into.
    const why =
      `kbuild compiled it for module ${o.target}, which is not in ` +
      `${target.modulesDir ?? "the target (no modules directory)"}: ` +
      "its symbols are needed";
    if (!opts.select) throw new KpatchError("input", `${o.object}: ${why}`);
    progress("kpatch-build", `${o.object}: refused: ${why}`);
    return { ...object, refused: why };
  }
  const output = join(session.dir, "diff", `${i}-${basename(o.object)}`);
  const vmlinuxSymbols = o.target === "vmlinux" ? undefined : target.symbols;
  // Each diff kept by what it read: the -dbg package's symbols, when the
  // shipped ones name no files, are a diff of their own.
  const diff = (symbols: string) =>
    cachedDiff(
      {
        orig: o.file,
        patched: p.file,
        output,
        tables: [symbols, vmlinuxSymbols, target.symvers],
        options: {
          object: o.target,
          release: target.release,
          entrySizes,
          vmlinuxRelocatedEarly,
          lineMaps: digestOnce(sc.changes.lineMaps),
        },
      },
      async () =>
        diffFiles(
          {
            orig: o.file,
            patched: p.file,
            output,
            object: o.target,
            symbols,
            vmlinuxSymbols,
            symversText: tables.symvers(),
            entrySizes,
            vmlinuxRelocatedEarly,
            lineMaps: sc.changes.lineMaps,
            // A kernel with livepatch traces every function it can redirect.
            traced: true,
          },
          host,
        ),
      host,
    );
  try {
    const r = await diffWithModuleSources(diff, symbols, o.target, tables.moduleSymbols, host);
    progress(
      "kpatch-build",
      `${o.object}: ${r.changed.length} changed, ` +
        `${r.added.length} new function${r.added.length === 1 ? "" : "s"}`,
    );
    for (const w of r.warnings) warn("kpatch-build", `${o.object}: ${w}`);
    seen.compared.push({ object: o.object, orig: o.file, patched: p.file, report: r });
    return { ...object, report: r, patched: p.file };
  } catch (e) {
    if (!(e instanceof KpatchError) || e.kind === "internal") throw e;
    // What the differ says of the PATCHED object or its output, told without its path.
    const ours = e.file === p.file || e.file?.startsWith(`${session.dir}/`);
    const why = ours ? e.reason : e.message;
    if (e.kind === "no-change") {
      progress("kpatch-build", `${o.object}: ${why}`);
      return { ...object, unchanged: why, ...(e.code === "boot-only" ? { bootOnly: true } : {}) };
    }
    if (!opts.select) {
      // Its review shows the refused object's functions too.
      if (e.kind === "unsafe")
        seen.compared.push({ object: o.object, orig: o.file, patched: p.file });
      throw e;
    }
    // One line: the refusal and the first of its details.
    const [first, ...details] = why.split("\n").map((l) => l.trim());
    const more = details.length > 1 ? ` (and ${details.length - 1} more)` : "";
    const refused = details.length ? `${first}: ${details[0]}${more}` : first!;
    progress("kpatch-build", `${o.object}: refused: ${refused}`);
    return { ...object, refused };
  }
}

/** The reports of the objects that changed: without one, there is nothing to patch. */
function changedReports(found: Found["objects"]): DiffReport[] {
  const reports = found.flatMap((f) => (f.report ? [f.report] : []));
  if (!reports.length) {
    const unchanged = found.flatMap((f) => (f.unchanged ? [`${f.object}: ${f.unchanged}`] : []));
    throw new KpatchError(
      "no-change",
      `the patches change no function that runs: ${unchanged.join("; ")}`,
    );
  }
  return reports;
}

/** The objects an update's selection puts into the module, and what the module says of it. */
function selected(
  sc: SessionContext,
  select: (found: Found) => Selection,
  found: Found["objects"],
): Diffed {
  const { seen, affected } = sc;
  const chosen = select({
    objects: found,
    layout: sc.changes.layout,
    notBuilt: affected.notBuilt,
    unresolved: affected.found.unresolved,
  });
  seen.update = chosen.review;
  const live = new Set(chosen.live);
  seen.compared = seen.compared.filter((c) => live.has(c.object));
  const reports = found.flatMap((f) => (f.report && live.has(f.object) ? [f.report] : []));
  if (!reports.length) {
    throw new KpatchError(
      chosen.review.reboot ? "unsafe" : "no-change",
      `no change of the update can be live: ${chosen.review.summary}`,
    );
  }
  return { reports, info: chosen.info };
}

/** The patch module of the changed objects, with its review beside it. */
async function writeModule(
  sc: SessionContext,
  { reports, info }: Diffed,
  kbuild: Kbuild,
): Promise<Omit<KpatchBuildResult, "compiler">> {
  const { opts, host, seen, session, prepared } = sc;
  const parts: PatchPart[] = reports.map((r) => ({
    file: r.output,
    object: r.object,
    functions: r.functions,
  }));
  const ko = join(opts.outputDir, `${opts.name}.ko`);
  const config = host.readText(opts.target.config);
  const symbolsOf = targetSymbols(sc.tables.symbolFile, host);
  // An IBT kernel always seals some: a table without any (System.map, readelf's text) has none.
  if (
    /^CONFIG_X86_KERNEL_IBT=y$/m.test(config) &&
    !symbolsOf("vmlinux")?.symbols.some((s) => s.sealed)
  )
    warn(
      "kpatch-build",
      "the target's vmlinux symbols hold no IBT seals (not an ELF file): a patch that takes " +
        "the address of a function the kernel seals is not refused; give vmlinux itself",
    );
  // Made before the module, which carries its summary.
  const review = await time(sc, "review", () => seen.review(ko));
  const built = await time(sc, "module", () =>
    buildModule(
      {
        name: opts.name,
        parts,
        replace: opts.replace,
        description:
          opts.description ?? `live patch: ${opts.patches.map((p) => basename(p.file)).join(", ")}`,
        clearRelocations: !clearsRelocations(session.prepared.source.dir, host),
        objtoolOnLink: /^CONFIG_(X86_KERNEL_IBT|LTO_CLANG)=y$/m.test(config),
        symbolsOf,
        info: [
          ...(opts.cves ?? []).map((id): [string, string] => ["kpatch_cve", id]),
          ...info,
          ...(review ? reviewModinfo(review) : []),
        ],
        sign: opts.sign && signer(prepared, opts.sign, session.log, host),
      },
      scratch(session, "module", host),
      kbuild,
      ko,
      host,
    ),
  );
  // The module stands whatever happens to its review.
  const files =
    review && safely("it was not written", () => writeReview(review, opts.outputDir, host));
  // Again, now that the module's phase has its time.
  const input = seen.reviewInput;
  if (input) safely("its input was not kept", () => saveReviewInput(input, session.dir, host));
  return { module: built.ko, objects: reports, klp: built.klp, phases: seen.phases, review: files };
}

/** Signs a module as the target's kernel checks it: its own scripts/sign-file, sha256. */
function signer(
  prepared: PreparedTree,
  sign: { key: string; cert: string },
  log: string,
  host: Host,
): (file: string) => Promise<void> {
  const tool = join(prepared.dir, "scripts", "sign-file");
  return async (file) => {
    await host.run(tool, ["sha256", sign.key, sign.cert, file], { logFile: log });
  };
}

/**
 * Diffs against a module's shipped symbols, and again against its symbols
 * with their source files (the -dbg package's) where the shipped module has
 * none and a static's name is ambiguous without them (many a `_rs.N`).
 */
async function diffWithModuleSources(
  diff: (symbols: string) => Promise<DiffReport>,
  symbols: string,
  object: string,
  moduleSymbols: (module: string) => Promise<string | undefined>,
  host: Host,
): Promise<DiffReport> {
  try {
    return await diff(symbols);
  } catch (e) {
    const ambiguous = e instanceof KpatchError && e.code === "ambiguous-symbols";
    const withSources =
      object !== "vmlinux" &&
      ambiguous &&
      !hasSourceFiles(symbols, host) &&
      (await moduleSymbols(object));
    if (!withSources) throw e;
    progress(
      "kpatch-build",
      `${object}'s shipped symbols name no source files: ` + "reading them from the -dbg package",
    );
    return await diff(withSources);
  }
}

/** Whether a symbol table tells which source file each local comes from (STT_FILE). */
function hasSourceFiles(file: string, host: Host): boolean {
  // The table the diff just read, kept by loadSymtab: no second read of the file.
  return loadSymtab(file, host).symbols.some((s) => s.file !== undefined);
}

/**
 * Whether the first of `files` the target's source has mentions `name`: its
 * behaviour, read rather than guessed from its version.
 */
function sourceMentions(sourceDir: string, files: string[], name: string, host: Host): boolean {
  const text =
    files.map((f) => host.readIfExists(join(sourceDir, f))).find((t) => t !== undefined) ?? "";
  return text.includes(name);
}

/**
 * Whether the module loader applies a patch module's vmlinux livepatch
 * relocations with its own, before it reads the module's tables (5.8 and later).
 */
const relocatesVmlinuxEarly = (sourceDir: string, host: Host) =>
  sourceMentions(
    sourceDir,
    ["kernel/module/main.c", "kernel/module.c"],
    "klp_apply_section_relocs",
    host,
  );

/**
 * Whether the livepatch core zeroes a module's livepatch relocations when it
 * goes away (6.3 and later).
 */
const clearsRelocations = (sourceDir: string, host: Host) =>
  sourceMentions(sourceDir, ["kernel/livepatch/core.c"], "klp_clear_object_relocs", host);

/**
 * Entry sizes depend only on the prepared tree (source, config, compiler):
 * measured once per tree.
 */
async function cachedEntrySizes(
  prepared: PreparedTree,
  probe: () => Promise<EntrySizes>,
  host: Host,
): Promise<EntrySizes> {
  const file = join(host.cacheRoot(), "entry-sizes", `${basename(prepared.dir)}.json`);
  const known = host.readIfExists(file);
  if (known) return JSON.parse(known) as EntrySizes;
  const sizes = await probe();
  host.writeFileAtomic(file, JSON.stringify(sizes, null, 2));
  return sizes;
}

function scratch(session: BuildSession, name: string, host: Host): string {
  const dir = join(session.dir, name);
  host.makeDirs(dir);
  return dir;
}

/** kbuild for an external module against the session's tree, with the target's exports. */
function moduleKbuild(session: BuildSession, symvers: string): Kbuild {
  let copied = false;
  return async (dir) => {
    if (!copied) {
      // Into the session's overlay: modpost reads the exports and their CRCs from the build tree.
      await session.exec(`cp "$1" "$2/Module.symvers"`, [symvers, session.prepared.dir]);
      copied = true;
    }
    // The release sets the module's vermagic: the target's, not the source tree's.
    const release = session.prepared.release ? `KERNELRELEASE=${session.prepared.release}` : "";
    await session.exec(`make -C "$1" O="$2" M="$3" KBUILD_MODPOST_WARN=1 \${4:+"$4"} modules`, [
      session.prepared.source.dir,
      session.prepared.dir,
      dir,
      release,
    ]);
  };
}

/**
 * The compiler must be the one the target was built with: object layout and
 * inlining depend on it.
 */
async function checkCompiler(config: string, host: Host): Promise<void> {
  const want = /^CONFIG_GCC_VERSION=(\d+)$/m.exec(host.readText(config))?.[1];
  const have = (await host.run("gcc", ["-dumpfullversion"])).stdout.trim().split(".").map(Number);
  const haveNum = String(have[0]! * 10000 + (have[1] ?? 0) * 100 + (have[2] ?? 0));
  if (want && want !== haveNum) {
    throw new HostError(
      "the target was built with gcc " +
        `${Number(want.slice(0, -4))}.${Number(want.slice(-4, -2))}.${Number(want.slice(-2))} ` +
        `(CONFIG_GCC_VERSION=${want}), this machine has gcc ${have.join(".")}: ` +
        "install the same compiler, or pass --skip-compiler-check at your own risk",
    );
  }
}
