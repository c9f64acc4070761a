// Which kernel objects a patch affects: the objects of vmlinux and of modules
// compiled from, or including, a changed file, with the config at hand.
//
// A full build of the same config answers exactly: kbuild lists vmlinux's
// objects (.vmlinux.objs) and each module's (*.mod), and each object's
// .<name>.o.cmd lists every file its compile read (deps_ from gcc -MD), which
// covers headers and .c files #included by other .c files alike.
//
// Without one, kbuild's own plan for the changed files' directories (make -n
// DIR/) says which objects the config compiles there and for which module;
// asking for the single object is no test, as kbuild 6.1 compiles any .o
// asked for, in the parent directory's context when the config skips its
// directory. A header, or a .c file no Makefile names, needs kbuild's plan for
// the whole kernel and its modules (cached): the objects whose #include lines
// could reach it are asked of the preprocessor (gcc -MM, cached), which is
// much cheaper than compiling them. Even a directory's own header goes this
// way: other directories include it through -I (cxgb4's, from four drivers).
// The plan does not tell objects linked into vmlinux from others compiled
// beside them (the vDSO's): those are reported as vmlinux objects.
import { basename, dirname, isAbsolute, join, normalize, relative } from "node:path";
import { nodeHost, sha256, toolsDigest, type Host } from "../host/host.js";
import { countingDone, progress } from "../host/progress.js";
import type { CompilerTime } from "./command.js";
import { preprocessorDependencies } from "./dependencies.js";
import { possibleIncluders } from "./includes.js";
import { cmdFile } from "./kbuild.js";
import { kbuildPlan, type PlannedObject } from "./plan.js";
import type { PreparedTree } from "./prepare.js";
import { moduleName } from "../kernel/modules.js";

export interface AffectedObject {
  /** Relative to the build directory, e.g. fs/proc/meminfo.o. */
  object: string;
  /** "vmlinux" or the module name as the kernel knows it. */
  target: string;
  /** The changed files it is compiled from or includes. */
  files: string[];
  /** kbuild's recipe for it, where its directory's plan gave one (PlannedObject.recipe). */
  recipe?: string;
  /** Its compiler command line, run in the build directory, where kbuild's plan gave it. */
  command?: string;
}

export interface SkippedFile {
  file: string;
  why: string;
}

export interface AffectedObjects {
  objects: AffectedObject[];
  /** Changed files that no object of vmlinux or a module is built from, with this config. */
  skipped: SkippedFile[];
  /** Changed files whose objects are unknown: a wider build is needed to find them. */
  unresolved: SkippedFile[];
  /** How objects were found. */
  method: "dependency files" | "kbuild plan";
}

/** What a full build directory says about its objects. */
export interface BuildDependencies {
  /** Object → "vmlinux" or module name, for every object linked into one. */
  targets: Map<string, string>;
  /** Source-relative file → the objects that compile or include it. */
  users: Map<string, string[]>;
}

const notCompiled = "not compiled into the kernel or a module";
const notBuilt = "no object of vmlinux or a module is built from it with this config";
const buildFile = "changes how the kernel is configured or built, which is not analysed";

export interface AffectedOptions {
  /**
   * A complete build directory; its dependency files are used when it was
   * built from the same source and config as the prepared tree.
   */
  fullBuild?: string;
  /** Parallel preprocessor runs (default: one per CPU). */
  jobs?: number;
  /** Where the preprocessor's runs add their time. */
  compilerTime?: CompilerTime;
}

/**
 * The objects that `files` (source-relative) affect: from a full build's
 * dependency files, or kbuild's plan otherwise.
 */
export async function affectedObjects(
  prepared: PreparedTree,
  files: string[],
  opts: AffectedOptions = {},
  host: Host = nodeHost,
): Promise<AffectedObjects> {
  const { fullBuild } = opts;
  const mismatch = fullBuild && fullBuildMismatch(prepared, fullBuild, host);
  if (mismatch) progress("build", `not using ${fullBuild}: ${mismatch}`);
  const result =
    fullBuild && !mismatch
      ? affectedByDependencies(files, buildDependencies(fullBuild, prepared.source.dir, host))
      : await affectedByKbuildPlan(prepared, files, opts, host);
  for (const u of result.unresolved) progress("build", `${u.file}: ${u.why}`);
  return result;
}

function fullBuildMismatch(
  prepared: PreparedTree,
  fullBuild: string,
  host: Host,
): string | undefined {
  const config = host.readIfExists(join(fullBuild, ".config"));
  if (config === undefined || !host.exists(join(fullBuild, ".vmlinux.objs"))) {
    return "not a complete kernel build";
  }
  if (!host.exists(join(fullBuild, "source"))) {
    return "not built with O= from a separate source tree";
  }
  if (host.realPath(join(fullBuild, "source")) !== host.realPath(prepared.source.dir)) {
    return "built from another source tree";
  }
  if (config !== host.readText(prepared.configFile)) return "built with another config";
  return undefined;
}

export function buildDependencies(
  buildDir: string,
  sourceDir: string,
  host: Host = nodeHost,
): BuildDependencies {
  const lines = (file: string) => host.readText(join(buildDir, file)).split("\n").filter(Boolean);
  const targets = new Map<string, string>();
  for (const o of lines(".vmlinux.objs")) targets.set(o, "vmlinux");
  for (const ko of host.exists(join(buildDir, "modules.order")) ? lines("modules.order") : []) {
    const name = moduleName(ko);
    for (const o of lines(ko.replace(/\.ko$/, ".mod"))) targets.set(o, name);
  }
  const users = new Map<string, string[]>();
  for (const object of targets.keys()) {
    const cmd = host.readIfExists(cmdFile(buildDir, object));
    for (const file of cmd ? cmdDependencies(cmd, sourceDir) : []) {
      const list = users.get(file);
      if (list) list.push(object);
      else users.set(file, [object]);
    }
  }
  return { targets, users };
}

/** The source-relative files a .cmd file says its object was compiled from: source_ and deps_. */
function cmdDependencies(cmd: string, sourceDir: string): Set<string> {
  const paths = [/^source_\S+ := (.+)$/m.exec(cmd)?.[1] ?? ""];
  const deps = /^deps_\S+ := \\\n((?:.*\\\n)*)/m.exec(cmd)?.[1] ?? "";
  for (const line of deps.split("\n")) paths.push(line.replace(/\\$/, "").trim());
  // Generated headers (relative, in the build tree), compiler headers and
  // $(wildcard include/config/...) entries are not source files.
  return new Set(
    paths
      .map((p) => normalize(p))
      .filter((p) => p.startsWith(`${sourceDir}/`))
      .map((p) => relative(sourceDir, p)),
  );
}

export function affectedByDependencies(files: string[], deps: BuildDependencies): AffectedObjects {
  const result = new Collector("dependency files");
  for (const file of files) {
    const objects = deps.users.get(file);
    if (objects) for (const o of objects) result.add(o, deps.targets.get(o)!, file);
    else if (kind(file) === "build") result.unresolved.push({ file, why: buildFile });
    else result.skipped.push({ file, why: kind(file) === "other" ? notCompiled : notBuilt });
  }
  return result.result();
}

async function affectedByKbuildPlan(
  prepared: PreparedTree,
  files: string[],
  opts: AffectedOptions,
  host: Host,
): Promise<AffectedObjects> {
  const result = new Collector("kbuild plan");
  const src = prepared.source.dir;
  const sources = files.filter((f) => kind(f) === "source");
  // tools/ has kbuild Makefiles of its own (perf's runs feature checks even
  // under -n): only the whole plan is asked.
  const dirs = [
    ...new Set(sources.filter((f) => !f.startsWith("tools/")).map((f) => `${dirname(f)}/`)),
  ];
  const plan = dirs.length
    ? await kbuildPlan(prepared, dirs, host)
    : new Map<string, PlannedObject>();
  // Headers, and .c files other files #include, can be read by any object of
  // the kernel (a driver's header through another's -I): the preprocessor
  // says which, asked about those whose #include lines could reach them.
  const wide: string[] = [];
  for (const file of files) {
    const object = plan.get(file.replace(/\.[cS]$/, ".o"));
    if (kind(file) === "source" && object?.target) {
      result.add(object.object, object.target, file, object.recipe, object.command);
    } else if (
      kind(file) === "source" &&
      namedInMakefile(src, file.replace(/\.[cS]$/, ".o"), host)
    ) {
      result.skipped.push({ file, why: notBuilt });
    } else if (kind(file) === "source" || kind(file) === "header") {
      wide.push(file);
    } else if (kind(file) === "build") {
      result.unresolved.push({ file, why: buildFile });
    } else {
      result.skipped.push({ file, why: notCompiled });
    }
  }
  const users = wide.length
    ? await includersInKernel(prepared, wide, opts, host)
    : new Map<string, PlannedObject[]>();
  // Each directory's plan read once: a wide header reaches hundreds of
  // amdgpu's and kvm's objects of other directories, for each of its files.
  const plans = new Map<string, Promise<Map<string, PlannedObject>>>();
  for (const file of wide) {
    const objects = users.get(file)!.filter((p) => p.target);
    for (const p of objects) {
      result.add(
        p.object,
        p.target!,
        file,
        p.recipe ?? (await foreignRecipe(prepared, p.object, plans, host)),
        p.command,
      );
    }
    if (!objects.length) result.skipped.push({ file, why: notBuilt });
  }
  return result.result();
}

/**
 * The objects of the whole kernel and its modules whose compile reads
 * `files`: kbuild's plan for all of them, narrowed to those whose #include
 * lines could reach the files, then asked of the preprocessor. Kept per
 * prepared tree, files and tools: an update's hundred headers make the scan
 * and the 15,000 lists it reads most of a second build's first minute.
 */
async function includersInKernel(
  prepared: PreparedTree,
  files: string[],
  opts: AffectedOptions,
  host: Host,
): Promise<Map<string, PlannedObject[]>> {
  const plan = await kbuildPlan(prepared, undefined, host);
  // A user's own tree (-s) may change in place.
  const cache =
    prepared.source.pkg === "tree"
      ? undefined
      : join(
          host.cacheRoot(),
          "includers",
          basename(prepared.dir),
          `${sha256(toolsDigest(), ...files).slice(0, 16)}.json`,
        );
  const kept = cache ? keptReaders(host.readIfExists(cache), files, plan) : undefined;
  const found = kept ? undefined : await readersOf(prepared, [...plan.values()], files, opts, host);
  const readers = kept ?? found!.readers;
  // An object whose list the preprocessor could not give is asked again next time.
  if (cache && found?.complete) {
    host.makeDirs(dirname(cache));
    host.writeFileAtomic(cache, JSON.stringify(readers.map((l) => l.map((p) => p.object))));
  }
  const users = new Map(files.map((f, i) => [f, readers[i]!]));
  for (const [file, objects] of users) {
    progress(
      "build",
      `${file}: read by ${objects.length} object${objects.length === 1 ? "" : "s"}` +
        `${kept ? " (kept)" : ""}`,
    );
  }
  return users;
}

/** The readers kept for `files`, or undefined for a record that is not one (torn, foreign). */
function keptReaders(
  text: string | undefined,
  files: string[],
  plan: Map<string, PlannedObject>,
): PlannedObject[][] | undefined {
  if (!text) return undefined;
  try {
    const lists = JSON.parse(text) as unknown;
    if (!Array.isArray(lists) || lists.length !== files.length) return undefined;
    const readers = lists.map((l) =>
      Array.isArray(l) ? l.map((o) => plan.get(o as string)) : [undefined],
    );
    return readers.every((l) => l.every((p) => p !== undefined))
      ? (readers as PlannedObject[][])
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * For each of `files`, the objects of `plan` whose compile reads it;
 * complete unless some object's list could not be had (it reads them all).
 */
async function readersOf(
  prepared: PreparedTree,
  plan: PlannedObject[],
  files: string[],
  opts: AffectedOptions,
  host: Host,
): Promise<{ readers: PlannedObject[][]; complete: boolean }> {
  const src = prepared.source.dir;
  // Sources kbuild generates (the vDSO images, ASN.1 decoders) do not exist before a build.
  const units = plan
    .filter((p) => isAbsolute(p.source))
    .map((p) => ({ planned: p, source: p.source, forced: forcedIncludes(p.command) }));
  const generated = plan.filter((p) => !isAbsolute(p.source)).map((p) => p.object);
  const targets = files.map((f) => join(src, f));
  const candidates = [
    ...possibleIncluders(
      { source: src, build: prepared.dir, arch: "x86" },
      units,
      targets,
      host,
    ).keys(),
  ].map((u) => u.planned);
  progress(
    "build",
    `${files.join(", ")}: ${candidates.length} of ${plan.length} kernel objects ` +
      `may include ${files.length > 1 ? "them" : "it"} by their #include lines; ` +
      "asking the preprocessor (cached per prepared tree)",
  );
  if (generated.length) {
    progress(
      "build",
      `not checked: ${generated.length} objects compiled from sources kbuild ` +
        `generates (${generated.slice(0, 3).join(" ")}${generated.length > 3 ? " ..." : ""})`,
    );
  }
  const said = countingDone(
    "build",
    candidates.length,
    (n) => `listed what ${n} of ${candidates.length} objects read`,
  );
  const deps = await preprocessorDependencies(
    prepared,
    candidates,
    {
      jobs: opts.jobs,
      compilerTime: opts.compilerTime,
      onProgress: said,
    },
    host,
  );
  const unknown = candidates.filter((p) => !deps.get(p.object));
  if (unknown.length) {
    progress(
      "build",
      `the preprocessor could not list what ${unknown.length} objects read ` +
        `(${unknown
          .slice(0, 3)
          .map((p) => p.object)
          .join(" ")}` +
        `${unknown.length > 3 ? " ..." : ""}): taken to read everything`,
    );
  }
  // Each object's list walked once, not once per file: an update's hundred
  // headers and 15,000 objects of thousands of paths each.
  const index = new Map(targets.map((t, i) => [t, i]));
  const readers = files.map((): PlannedObject[] => []);
  for (const p of candidates) {
    const read = deps.get(p.object);
    const hits = read
      ? new Set(read.flatMap((path) => index.get(path) ?? []))
      : new Set(files.keys());
    for (const i of hits) readers[i]!.push(p);
  }
  return { readers, complete: !unknown.length };
}

/**
 * kbuild's recipe for DIR/../OTHER.o (the whole plan keeps none), from the
 * plan of DIR, whose Makefile compiles it: that file can be compiled on its
 * own by no make goal, only by its recipe.
 */
async function foreignRecipe(
  prepared: PreparedTree,
  object: string,
  plans: Map<string, Promise<Map<string, PlannedObject>>>,
  host: Host,
): Promise<string | undefined> {
  const at = object.indexOf("/../");
  if (at < 0) return undefined;
  const dir = object.slice(0, at + 1);
  let plan = plans.get(dir);
  if (!plan) plans.set(dir, (plan = kbuildPlan(prepared, [dir], host)));
  return (await plan).get(object)?.recipe;
}

/** The files a compile command line includes before the source (-include FILE). */
function forcedIncludes(command: string): string[] {
  return [...command.matchAll(/ -include (\S+)/g)].map((m) => m[1]!);
}

/**
 * Whether the object's directory Makefile (or Kbuild) mentions it, as
 * obj-$(CONFIG_...) or part of a composite.
 */
function namedInMakefile(sourceDir: string, object: string, host: Host): boolean {
  const word = new RegExp(`(^|[\\s=])${basename(object).replaceAll(".", "\\.")}(\\s|$)`, "m");
  return ["Makefile", "Kbuild"].some((m) =>
    word.test(host.readIfExists(join(sourceDir, dirname(object), m)) ?? ""),
  );
}

function kind(file: string): "source" | "header" | "build" | "other" {
  if (/^(Documentation|LICENSES|scripts)\//.test(file)) return "other";
  if (/(^|\/)(Makefile|Kbuild|Kconfig)[^/]*$/.test(file)) return "build";
  if (/\.[cS]$/.test(file)) return "source";
  if (/\.(h|inc)$/.test(file)) return "header";
  return "other";
}

/** Collects the answer; objects come out sorted, each once. */
class Collector {
  private readonly objects = new Map<string, AffectedObject>();
  readonly skipped: SkippedFile[] = [];
  readonly unresolved: SkippedFile[] = [];

  constructor(private readonly method: AffectedObjects["method"]) {}

  add(object: string, target: string, file: string, recipe?: string, command?: string): void {
    if (object.split("/").includes("..") && !recipe) {
      // kvm and amdgpu compile files of other directories as DIR/../../OTHER.o,
      // which kbuild builds only as part of DIR: only its recipe compiles it alone.
      if (!this.unresolved.some((u) => u.file === file)) {
        this.unresolved.push({
          file,
          why:
            `compiled as ${object}, from another directory's Makefile, and kbuild's ` +
            "plan gave no command for it: it cannot be compiled on its own",
        });
      }
      return;
    }
    const known = this.objects.get(object);
    if (known) known.files.push(file);
    else {
      this.objects.set(object, {
        object,
        target,
        files: [file],
        ...(recipe ? { recipe } : {}),
        ...(command ? { command } : {}),
      });
    }
  }

  result(): AffectedObjects {
    const objects = [...this.objects.values()].sort((a, b) => a.object.localeCompare(b.object));
    return { objects, skipped: this.skipped, unresolved: this.unresolved, method: this.method };
  }
}
