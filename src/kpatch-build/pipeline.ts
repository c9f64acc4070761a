// kpatch-build's pipeline, one phase after another: prepare the target's
// tree, find the objects the patches affect, compile them ORIG and PATCHED
// in a session that never writes to the source or the prepared tree, diff
// each pair, and build the patch module from the differences.
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { nodeHost, type Host } from "../host/host.js";
import { progress, warn } from "../host/progress.js";
import { HostError, KpatchError } from "../errors.js";
import type { KernelSource } from "../kernel/source.js";
import { diffFiles, loadSymtab, targetSymbols, type DiffReport } from "../diff/run.js";
import { buildModule, type Kbuild, type PatchPart } from "../module/build.js";
import { probeEntrySizes } from "../module/probe.js";
import type { EntrySizes } from "../diff/include.js";
import { readSourceChanges } from "../patch/changes.js";
import type { KlpConversion } from "../module/klp.js";
import { preparedTree, type PreparedTree } from "../build/prepare.js";
import { withBuildSession, type BuildSession, type SessionOptions } from "../build/session.js";
import { affectedObjects, type SkippedFile } from "../build/affected.js";
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
import { findModule } from "../kernel/modules.js";

const authorHeaders = fileURLToPath(new URL("../../../include/", import.meta.url));

export interface KpatchBuildOptions {
  /** The patches, read and checked once (readPatches): the build and its review use this model. */
  patches: PatchInput[];
  source: KernelSource;
  /** The target kernel's .config. */
  config: string;
  /** The target's symbols: vmlinux, or System.map. */
  symbols: string;
  /**
   * Where the target's modules are (a /lib/modules/RELEASE tree or a build
   * directory), for patches to modules.
   */
  modulesDir?: string;
  /**
   * The target's release, when the source tree would say another (a distro's
   * 6.1.0-56-amd64 for 6.1.192).
   */
  release?: string;
  /** See Target.moduleSymbols. */
  moduleSymbols?: (module: string) => Promise<string | undefined>;
  /** The target's Module.symvers: exported symbols and their CRCs. */
  symvers: string;
  /** A complete build of the same source and config, if there is one: exact header dependencies. */
  fullBuild?: string;
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
    /** The changed files it is built from or includes. */
    files: string[];
    report?: DiffReport;
    /** Why the differ refused it, or found no change. */
    refused?: string;
    unchanged?: string;
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
 * Builds the patch module and its review report; a refused build leaves the
 * report only. `host` runs every process and file access of the build.
 */
export async function kpatchBuild(
  opts: KpatchBuildOptions,
  host: Host = nodeHost,
): Promise<KpatchBuildResult> {
  const seen: Seen = {
    inputs: opts.patches,
    release: opts.release,
    skipped: [],
    compared: [],
    phases: {},
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
              source: `${opts.source.pkg} ${opts.source.version}`,
              config: opts.config,
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
  checkModuleName(opts.name);
  for (const f of opts.sign ? [opts.sign.key, opts.sign.cert] : []) {
    if (!host.exists(f)) throw new KpatchError("usage", `signing: ${f} does not exist`);
  }
  for (const id of opts.cves ?? []) checkCve(id);
  if (opts.description !== undefined) checkDescription(opts.description);
  return reviewingRefusal(seen, opts.outputDir, host, () => buildPatch(opts, seen, host));
}

/** Runs `body`; an unsafe change it refuses gets its review, once, where its objects still are. */
async function reviewingRefusal<T>(
  seen: Seen,
  outputDir: string,
  host: Host,
  body: () => Promise<T>,
): Promise<T> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof KpatchError && e.kind === "unsafe" && !seen.reviewed) {
      // The refusal stands whatever happens to its review.
      const review = await seen.review(undefined, e);
      if (review) safely("it was not written", () => writeReview(review, outputDir, host));
    }
    throw e;
  }
}

async function buildPatch(
  opts: KpatchBuildOptions,
  seen: Seen,
  host: Host,
): Promise<KpatchBuildResult> {
  const phases = seen.phases;
  const phase = async <T>(name: string, body: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    const r = await body();
    phases[name] = (Date.now() - t0) / 1000;
    return r;
  };
  const inputs = seen.inputs;
  // readPatches refused the rest: what is not code is text the build never reads.
  const paths = [...new Set(inputs.flatMap((p) => p.paths))];
  const files = paths.filter((f) => fileClass(f) === "code");
  const text = paths
    .filter((f) => fileClass(f) === "text")
    .map((file) => ({ file, why: "documentation, which the kernel's build does not read" }));
  for (const t of text) warn("kpatch-build", `${t.file} is not applied: ${t.why}`);
  if (!opts.skipCompilerCheck) await checkCompiler(opts.config, host);
  const { layout, lineMaps } = await phase("layout", () =>
    readSourceChanges(
      opts.source.dir,
      inputs.map((p) => p.sections.filter((s) => s.paths.every((f) => fileClass(f) === "code"))),
      files,
      host,
    ),
  );
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
  const prepared = await phase("prepare", () =>
    preparedTree(opts.source, opts.config, { release: opts.release }, host),
  );
  seen.release ??= host.readIfExists(join(prepared.dir, "include/config/kernel.release"))?.trim();
  if (opts.sign && !host.exists(join(prepared.dir, "scripts", "sign-file"))) {
    throw new KpatchError(
      "usage",
      "cannot sign: the target's tree has no scripts/sign-file (CONFIG_MODULE_SIG is off), " +
        "so its kernel checks no signature",
    );
  }
  const affected = await phase("affected", () =>
    affectedObjects(prepared, files, opts.fullBuild, host),
  );
  if (affected.unresolved.length && !opts.select) {
    throw new KpatchError(
      "input",
      "cannot tell which objects the patches affect: " +
        `${affected.unresolved.map((u) => `${u.file}: ${u.why}`).join("; ")}`,
    );
  }
  // Files the patches create are applied: only the changed code that includes them reads them.
  const created = new Set(
    inputs.flatMap((p) => p.sections.filter((s) => s.created)).flatMap((s) => s.paths),
  );
  const notBuilt = affected.skipped.filter((s) => !created.has(s.file));
  seen.skipped = [...text, ...notBuilt];
  if (!affected.objects.length) {
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
  const applied = (s: PatchSection) =>
    s.paths.every((f) => fileClass(f) === "code" && !left.has(f));
  progress(
    "kpatch-build",
    `${affected.objects.length} ` +
      `object${affected.objects.length > 1 ? "s" : ""} affected (${affected.method}): ` +
      `${affected.objects.map((o) => o.object).join(" ")}`,
  );

  const objects = affected.objects.map((o) => o.object);
  const objectOf = (object: string) => {
    const a = affected.objects.find((o) => o.object === object)!;
    return { object, target: a.target, files: a.files };
  };
  // What the module's .modinfo carries besides the build's own.
  const info: [string, string][] = [];
  const recipes = new Map(
    affected.objects.flatMap((o) => (o.recipe ? [[o.object, o.recipe] as const] : [])),
  );
  // ORIG in a session of its own, beside PATCHED, where there is a core for
  // each object of both (a header patch's many objects use all cores in
  // turn instead); it leaves them in the tree's ORIG cache (not for -s trees).
  const beside =
    host.cpuCount() >= 2 * objects.length && prepared.source.pkg !== "tree"
      ? withBuildSession(prepared, (s) => s.compile(objects, "orig", recipes), { jobs: 1 }, host)
      : undefined;
  const origBeside = beside?.then(
    () => undefined,
    (e: unknown) => e,
  );
  // Whatever happens to the build, the session beside it ends before the build returns.
  return withBuildSession(
    prepared,
    (session) =>
      reviewingRefusal(seen, opts.outputDir, host, async () => {
        seen.sessionDir = session.dir;
        const origFirst = beside
          ? undefined
          : await phase("compile ORIG", () => session.compile(objects, "orig", recipes));
        await phase("apply", async () => {
          // The patch-author API: kpatch's headers in include/, where "kpatch-macros.h"
          // is found from any file, and klp-build's where the target predates it.
          await session.exec(
            `cp "$1/kpatch-macros.h" "$1/kpatch-syscall.h" "$2/include/"
[ -e "$2/include/linux/livepatch_helpers.h" ] || \\
  cp "$1/linux/livepatch_helpers.h" "$2/include/linux/"`,
            [authorHeaders, prepared.source.dir],
          );
          // Only the sections that become code, as the patch parser read them.
          for (const [i, p] of inputs.entries()) {
            const file = join(session.dir, "patches", `${i + 1}-${basename(p.file)}`);
            host.makeDirs(dirname(file));
            host.writeFile(file, patchText(p, applied));
            await session.applyPatch(file);
          }
        });

        const patched = await phase("compile PATCHED", () =>
          session.compile(objects, "patched", recipes),
        );
        const orig =
          origFirst ??
          (await phase("compile ORIG", async () => {
            const failed = await origBeside;
            if (failed) throw failed;
            return session.compile(objects, "orig");
          }));
        const kbuild = moduleKbuild(session, opts.symvers);
        const entrySizes = await phase("probe", () =>
          cachedEntrySizes(
            prepared,
            () => probeEntrySizes(scratch(session, "probe", host), kbuild, host),
            host,
          ),
        );

        const vmlinuxRelocatedEarly = relocatesVmlinuxEarly(prepared.source.dir, host);
        const reports = await phase("diff", async () => {
          const out: DiffReport[] = [];
          const unchanged: string[] = [];
          const found: Found["objects"] = [];
          host.makeDirs(join(session.dir, "diff"));
          for (const [i, o] of orig.entries()) {
            const p = patched[i]!;
            const module =
              o.target === "vmlinux"
                ? undefined
                : opts.modulesDir && findModule(opts.modulesDir, o.target, host);
            if (o.target !== "vmlinux" && !module) {
              throw new KpatchError(
                "input",
                `${o.object} belongs to module ${o.target}, which is not in ` +
                  `${opts.modulesDir ?? "the target (no modules directory)"}: ` +
                  "its symbols are needed",
              );
            }
            const diff = (symbols: string) =>
              diffFiles(
                {
                  orig: o.file,
                  patched: p.file,
                  output: join(session.dir, "diff", `${i}-${basename(o.object)}`),
                  object: o.target,
                  symbols,
                  vmlinuxSymbols: module && opts.symbols,
                  symvers: opts.symvers,
                  entrySizes,
                  vmlinuxRelocatedEarly,
                  lineMaps,
                },
                host,
              );
            try {
              const r = await diffWithModuleSources(
                diff,
                module ?? opts.symbols,
                o.target,
                opts.moduleSymbols,
                host,
              );
              progress(
                "kpatch-build",
                `${o.object}: ${r.changed.length} changed, ` +
                  `${r.added.length} new function${r.added.length === 1 ? "" : "s"}`,
              );
              for (const w of r.warnings) warn("kpatch-build", `${o.object}: ${w}`);
              out.push(r);
              seen.compared.push({ object: o.object, orig: o.file, patched: p.file, report: r });
              found.push({ ...objectOf(o.object), report: r });
            } catch (e) {
              if (!(e instanceof KpatchError) || e.kind === "internal") throw e;
              // What the differ says of the PATCHED object, told without its path.
              const why = e.file === p.file ? e.reason : e.message;
              if (e.kind !== "no-change") {
                if (!opts.select) {
                  // Its review shows the refused object's functions too.
                  if (e.kind === "unsafe") {
                    seen.compared.push({ object: o.object, orig: o.file, patched: p.file });
                  }
                  throw e;
                }
                progress("kpatch-build", `${o.object}: refused: ${why.split("\n")[0]}`);
                found.push({ ...objectOf(o.object), refused: why.split("\n")[0] });
                continue;
              }
              unchanged.push(`${o.object}: ${why}`);
              found.push({ ...objectOf(o.object), unchanged: why });
              progress("kpatch-build", `${o.object}: ${why}`);
            }
          }
          if (opts.select) {
            const chosen = opts.select({
              objects: found,
              layout,
              notBuilt,
              unresolved: affected.unresolved,
            });
            seen.update = chosen.review;
            info.push(...chosen.info);
            const live = new Set(chosen.live);
            seen.compared = seen.compared.filter((c) => live.has(c.object));
            const kept = out.filter((r) => live.has(found.find((f) => f.report === r)!.object));
            if (!kept.length) {
              throw new KpatchError(
                chosen.review.reboot ? "unsafe" : "no-change",
                `no change of the update can be live: ${chosen.review.summary}`,
              );
            }
            return kept;
          }
          if (!out.length) {
            throw new KpatchError(
              "no-change",
              `the patches change no function that runs: ${unchanged.join("; ")}`,
            );
          }
          return out;
        });

        const parts: PatchPart[] = reports.map((r) => ({
          file: r.output,
          object: r.object,
          functions: r.functions,
        }));
        const ko = join(opts.outputDir, `${opts.name}.ko`);
        // Made before the module, which carries its summary.
        const review = await seen.review(ko);
        const built = await phase("module", () =>
          buildModule(
            {
              name: opts.name,
              parts,
              replace: opts.replace,
              description:
                opts.description ??
                `live patch: ${opts.patches.map((p) => basename(p.file)).join(", ")}`,
              clearRelocations: !clearsRelocations(session.prepared.source.dir, host),
              objtoolOnLink: /^CONFIG_(X86_KERNEL_IBT|LTO_CLANG)=y$/m.test(
                host.readText(opts.config),
              ),
              symbolsOf: targetSymbols(opts.symbols, opts.modulesDir, host),
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
        if (input)
          safely("its input was not kept", () => saveReviewInput(input, session.dir, host));
        return { module: built.ko, objects: reports, klp: built.klp, phases, review: files };
      }),
    opts.session,
    host,
  ).finally(() => origBeside);
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
  diff: (symbols: string) => DiffReport,
  symbols: string,
  object: string,
  moduleSymbols: ((module: string) => Promise<string | undefined>) | undefined,
  host: Host,
): Promise<DiffReport> {
  try {
    return diff(symbols);
  } catch (e) {
    const ambiguous = e instanceof KpatchError && e.code === "ambiguous-symbols";
    const withSources =
      object !== "vmlinux" &&
      ambiguous &&
      !hasSourceFiles(symbols, host) &&
      (await moduleSymbols?.(object));
    if (!withSources) throw e;
    progress(
      "kpatch-build",
      `${object}'s shipped symbols name no source files: ` + "reading them from the -dbg package",
    );
    return diff(withSources);
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
