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
// directory. Headers and .c files no Makefile names stay unresolved: only
// dependency files, from a wider build, can tell who includes them. The plan
// does not tell objects linked into vmlinux from others compiled beside them
// (the vDSO's): those are reported as vmlinux objects.
import { existsSync, readFileSync, readdirSync, realpathSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { progress, readIfExists } from "../host/host.js";
import { cmdFile, compiledFor } from "./kbuild.js";
import type { PreparedTree } from "./prepare.js";
import { withBuildSession } from "./session.js";

export interface AffectedObject {
  /** Relative to the build directory, e.g. fs/proc/meminfo.o. */
  object: string;
  /** "vmlinux" or the module name as the kernel knows it. */
  target: string;
  /** The changed files it is compiled from or includes. */
  files: string[];
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

/**
 * The objects that `files` (source-relative) affect. `fullBuild` is a complete
 * build directory; its dependency files are used when it was built from the
 * same source and config as `prepared`, and kbuild's plan otherwise.
 */
export async function affectedObjects(prepared: PreparedTree, files: string[], fullBuild?: string): Promise<AffectedObjects> {
  const mismatch = fullBuild && fullBuildMismatch(prepared, fullBuild);
  if (mismatch) progress(`build: not using ${fullBuild}: ${mismatch}`);
  const result = fullBuild && !mismatch ? affectedByDependencies(files, buildDependencies(fullBuild, prepared.source.dir)) : await affectedByKbuildPlan(prepared, files);
  for (const u of result.unresolved) progress(`build: ${u.file}: ${u.why}`);
  return result;
}

function fullBuildMismatch(prepared: PreparedTree, fullBuild: string): string | undefined {
  const config = readIfExists(join(fullBuild, ".config"));
  if (config === undefined || !existsSync(join(fullBuild, ".vmlinux.objs"))) return "not a complete kernel build";
  if (!existsSync(join(fullBuild, "source"))) return "not built with O= from a separate source tree";
  if (realpathSync(join(fullBuild, "source")) !== realpathSync(prepared.source.dir)) return "built from another source tree";
  if (config !== readFileSync(prepared.configFile, "utf8")) return "built with another config";
  return undefined;
}

export function buildDependencies(buildDir: string, sourceDir: string): BuildDependencies {
  const lines = (file: string) => readFileSync(join(buildDir, file), "utf8").split("\n").filter(Boolean);
  const targets = new Map<string, string>();
  for (const o of lines(".vmlinux.objs")) targets.set(o, "vmlinux");
  for (const ko of existsSync(join(buildDir, "modules.order")) ? lines("modules.order") : []) {
    // kbuild's KBUILD_MODNAME: the file name with '-' as '_'.
    const name = basename(ko, ".ko").replaceAll("-", "_");
    for (const o of lines(ko.replace(/\.ko$/, ".mod"))) targets.set(o, name);
  }
  const users = new Map<string, string[]>();
  for (const object of targets.keys()) {
    const cmd = readIfExists(cmdFile(buildDir, object));
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
  return new Set(paths.filter((p) => p.startsWith(`${sourceDir}/`)).map((p) => relative(sourceDir, p)));
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

async function affectedByKbuildPlan(prepared: PreparedTree, files: string[]): Promise<AffectedObjects> {
  const result = new Collector("kbuild plan");
  // A header private to a directory is included from that directory's own
  // files: those are found by reading them, and go through the plan in the
  // header's name.
  const includers = new Map<string, string[]>();
  for (const h of files.filter((f) => kind(f) === "header" && !isSharedHeader(f))) includers.set(h, localIncluders(prepared.source.dir, h));
  const sources = [...new Set([...files.filter((f) => kind(f) === "source"), ...[...includers.values()].flat()])];
  const dirs = [...new Set(sources.map((f) => `${dirname(f)}/`))];
  // A fresh session: kbuild lists only objects that are out of date.
  const plan = dirs.length ? await withBuildSession(prepared, (s) => s.exec(`src=$1 build=$2; shift 2; make -C "$src" O="$build" -n "$@"`, [prepared.source.dir, prepared.dir, ...dirs], { capture: true })) : undefined;
  const compiled = new Map<string, string | undefined>();
  for (const line of plan?.stdout.split("\n") ?? []) {
    const object = / -c -o (\S+\.o) /.exec(line)?.[1];
    if (object && !compiled.has(object)) compiled.set(object, compiledFor(line));
  }
  for (const [header, users] of includers) {
    const built = users.map((u) => u.replace(/\.[cS]$/, ".o")).filter((o) => compiled.get(o));
    for (const o of built) result.add(o, compiled.get(o)!, header);
    if (!built.length) result.skipped.push({ file: header, why: users.length ? notBuilt : "no file of its directory includes it" });
  }
  for (const file of files) {
    if (includers.has(file)) continue;
    const object = file.replace(/\.[cS]$/, ".o");
    const target = compiled.get(object);
    if (kind(file) === "source" && target) result.add(object, target, file);
    else if (kind(file) === "source" && namedInMakefile(prepared.source.dir, object)) result.skipped.push({ file, why: notBuilt });
    else if (kind(file) === "source") result.unresolved.push({ file, why: "no Makefile names its object: it may be #included by another file, which only a full build's dependency files tell" });
    else if (kind(file) === "header") result.unresolved.push({ file, why: "a header shared across the tree: which objects include it is known only from a complete build's dependency files (--build-dir); kpatch-build does not build the whole kernel to find out" });
    else if (kind(file) === "build") result.unresolved.push({ file, why: buildFile });
    else result.skipped.push({ file, why: notCompiled });
  }
  return result.result();
}

/** Headers under include/ or arch/*\/include/ are for the whole tree; others belong to their directory. */
function isSharedHeader(file: string): boolean {
  return /^(include|arch\/[^/]+\/include)\//.test(file);
}

/**
 * The C and assembler files near a header (its parent directory, and below)
 * that include it, directly or through other headers there, by "name"
 * (fs/proc_namespace.c includes "proc/internal.h").
 */
function localIncluders(sourceDir: string, header: string): string[] {
  const dir = dirname(dirname(header));
  const files = readdirSync(join(sourceDir, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => /\.(c|S|h)$/.test(f)).map((f) => join(dir, f));
  const includes = new Map(files.map((f) => {
    const text = readIfExists(join(sourceDir, f)) ?? "";
    const named = [...text.matchAll(/^\s*#\s*include\s+"([^"]+)"/gm)].map((m) => join(dirname(f), m[1]!));
    return [f, named] as const;
  }));
  const reaching = new Set([header]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [f, named] of includes) {
      if (!reaching.has(f) && named.some((n) => reaching.has(n))) {
        reaching.add(f);
        grew = true;
      }
    }
  }
  return [...reaching].filter((f) => /\.[cS]$/.test(f)).sort();
}

/** Whether the object's directory Makefile (or Kbuild) mentions it, as obj-$(CONFIG_...) or part of a composite. */
function namedInMakefile(sourceDir: string, object: string): boolean {
  const word = new RegExp(`(^|[\\s=])${basename(object).replaceAll(".", "\\.")}(\\s|$)`, "m");
  return ["Makefile", "Kbuild"].some((m) => word.test(readIfExists(join(sourceDir, dirname(object), m)) ?? ""));
}

function kind(file: string): "source" | "header" | "build" | "other" {
  if (/^(Documentation|LICENSES|scripts|tools)\//.test(file)) return "other";
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

  add(object: string, target: string, file: string): void {
    const known = this.objects.get(object);
    if (known) known.files.push(file);
    else this.objects.set(object, { object, target, files: [file] });
  }

  result(): AffectedObjects {
    const objects = [...this.objects.values()].sort((a, b) => a.object.localeCompare(b.object));
    return { objects, skipped: this.skipped, unresolved: this.unresolved, method: this.method };
  }
}
