// The change set of a kernel update: every file that differs between the
// pristine source trees of two versions, classed as a patched file is
// (src/patch/read.ts), and each code file's change as a -p1 unified diff.
// Found by walking both trees and kept in the cache, keyed by the two
// trees: a tree in the cache is never written after its extraction. A name
// the patch reader would refuse is classed "other", which stays out.
import { join } from "node:path";
import { nodeHost, sha256, type Host } from "../host/host.js";
import { progress } from "../host/progress.js";
import { HostError } from "../errors.js";
import type { KernelSource } from "../kernel/source.js";
import { fileClass, type FileClass } from "../patch/read.js";

export interface ChangedFile {
  /** Relative to the tree, e.g. fs/nfsd/nfs4state.c. */
  file: string;
  change: "modified" | "added" | "removed";
  class: FileClass;
  /** The top Makefile, of which only the kernel's version changed (SUBLEVEL in every update). */
  versionOnly?: true;
  /**
   * A Makefile or Kbuild whose change only lists objects in or out of the
   * build (`obj-$(CONFIG_X) += x.o`, `nvkm-y += .../mcp79.o`): the objects
   * and directories those lines name. No other object's command line changes.
   */
  listed?: string[];
}

const VERSION_LINE = /^(VERSION|PATCHLEVEL|SUBLEVEL|EXTRAVERSION) *=/;
const BUILD_RULES = /^(Makefile|Kbuild)(\..*)?$/;
/** Adds to a list of objects or directories to build: obj-y, obj-$(CONFIG_X), foo-objs, ... */
const OBJECT_LIST = /^([A-Za-z0-9_]+-(?:y|m|objs|\$\(CONFIG_[A-Za-z0-9_]+\))) ?\+=(.*)$/;
/** The composite object a list builds: foo of foo-y, foo-objs, foo-$(CONFIG_X). */
const COMPOSITE = /^([A-Za-z0-9_]+)-(?:y|m|objs|\$\(CONFIG_[A-Za-z0-9_]+\))$/;
const OBJECT_WORD = /^[\w.+-]+(?:\/[\w.+-]+)*(?:\.o|\/)$/;

/**
 * The objects and directories a build file's change lists in or out, or
 * undefined when it changes more than that (flags, rules, conditions, `:=`):
 * then any object under it may be built differently. Every other line must
 * stay as it was, in order; an added or dropped word of an `+=` list counts
 * where it stands among them (under which condition), and a composite
 * object (`foo.o` of `foo-y += a.o b.o`) counts with its parts.
 */
function listedOnly(a: string, b: string, host: Host): string[] | undefined {
  const read = (file: string) => {
    const rest: string[] = [];
    const lists = new Map<string, Set<string>>();
    // Logical lines, continuations joined; whole-line comments and blank lines dropped.
    const lines = host
      .readText(file)
      .replace(/\\\n/g, " ")
      .split("\n")
      .filter((l) => !/^\s*(#|$)/.test(l));
    for (const l of lines) {
      const m = OBJECT_LIST.exec(l.replace(/\s+/g, " ").trim());
      const words = m?.[2]!.trim().split(" ").filter(Boolean) ?? [];
      if (!m || !words.length || !words.every((w) => OBJECT_WORD.test(w))) rest.push(l);
      else {
        const key = `${rest.length} ${m[1]}`;
        lists.set(key, new Set([...(lists.get(key) ?? []), ...words]));
      }
    }
    return { rest, lists };
  };
  const [x, y] = [read(a), read(b)];
  if (x.rest.length !== y.rest.length || x.rest.some((l, i) => l !== y.rest[i])) return undefined;
  const listed = new Set<string>();
  for (const key of new Set([...x.lists.keys(), ...y.lists.keys()])) {
    const [p, q] = [x.lists.get(key) ?? new Set<string>(), y.lists.get(key) ?? new Set<string>()];
    for (const w of p) if (!q.has(w)) listed.add(w);
    for (const w of q) if (!p.has(w)) listed.add(w);
  }
  // A composite listed otherwise (built in, or as a module) is built so with all its parts.
  const parts = [...x.lists, ...y.lists];
  for (const w of listed) {
    const stem = w.replace(/\.o$/, "");
    for (const [key, words] of parts) {
      if (COMPOSITE.exec(key.split(" ")[1]!)?.[1] === stem) for (const p of words) listed.add(p);
    }
  }
  return [...listed].sort();
}

/** Whether the two top Makefiles differ only in their version lines. */
function versionOnly(a: string, b: string, host: Host): boolean {
  const rest = (file: string) =>
    host
      .readText(file)
      .split("\n")
      .filter((l) => !VERSION_LINE.test(l));
  const [x, y] = [rest(a), rest(b)];
  return x.length === y.length && x.every((l, i) => l === y[i]);
}

/** What is not source: extract.ts's marker, at the top of every cached tree. */
const NOT_SOURCE = new Set([".extracted"]);

/** Where an update's change set and patch are kept: by its series and two versions. */
export function updateCacheDir(
  series: string,
  from: string,
  to: string,
  host: Host = nodeHost,
): string {
  return join(host.cacheRoot(), "updates", `${series}_${from}_${to}`);
}

/** The files that differ between `from` and `to`, sorted by path. */
export function updateChanges(
  from: KernelSource,
  to: KernelSource,
  cacheDir: string,
  host: Host = nodeHost,
): ChangedFile[] {
  // -4: the record's format (versionOnly since 2, listed since 3, in order since 4).
  const file = join(cacheDir, `changes-4-${sha256(from.dir, to.dir).slice(0, 16)}.json`);
  const known = host.readIfExists(file);
  if (known) {
    const kept = JSON.parse(known) as { from: string; to: string; files: ChangedFile[] };
    if (kept.from === from.dir && kept.to === to.dir) return kept.files;
  }
  progress("update", `comparing ${from.pkg} ${from.version} with ${to.version}`);
  const files: ChangedFile[] = [];
  const walk = (rel: string) => {
    const entries = (dir: string) =>
      host.exists(dir)
        ? new Map(host.readDirEntries(dir).map((d) => [d.name, d] as const))
        : new Map();
    const [a, b] = [entries(join(from.dir, rel)), entries(join(to.dir, rel))];
    for (const name of [...new Set([...a.keys(), ...b.keys()])].sort()) {
      const path = rel ? `${rel}/${name}` : name;
      if (!rel && NOT_SOURCE.has(name)) continue;
      const [x, y] = [a.get(name), b.get(name)];
      if (x?.isDirectory() || y?.isDirectory()) {
        // A directory on one side and a file on the other is both a removal and an addition.
        if (x && y && x.isDirectory() !== y.isDirectory()) {
          files.push(changed(path, x.isDirectory() ? "added" : "removed"));
        }
        walk(path);
      } else if (!x || !y) {
        files.push(changed(path, x ? "removed" : "added"));
      } else if (!sameFile(join(from.dir, path), join(to.dir, path), host)) {
        const [x, y] = [join(from.dir, path), join(to.dir, path)];
        const version = path === "Makefile" && versionOnly(x, y, host);
        const f = changed(path, "modified");
        const listed =
          !version && f.class === "build" && BUILD_RULES.test(name) && listedOnly(x, y, host);
        files.push({
          ...f,
          ...(version && { versionOnly: true }),
          ...(listed && { listed }),
        });
      }
    }
  };
  walk("");
  host.makeDirs(cacheDir);
  host.writeFileAtomic(file, JSON.stringify({ from: from.dir, to: to.dir, files }));
  return files;
}

function changed(file: string, change: ChangedFile["change"]): ChangedFile {
  const plain = /^[\w.+,=@%~/-]+$/.test(file) && !file.split("/").some((c) => c.startsWith("-"));
  return { file, change, class: plain ? fileClass(file) : "other" };
}

/** Same kind, and the same bytes, or the same link within the tree. */
function sameFile(a: string, b: string, host: Host): boolean {
  const [x, y] = [host.lstat(a), host.lstat(b)];
  if (x.isSymbolicLink() || y.isSymbolicLink()) {
    return x.isSymbolicLink() && y.isSymbolicLink() && linkText(a, host) === linkText(b, host);
  }
  if (!x.isFile() || !y.isFile()) {
    throw new HostError(`${a}, ${b}: not a regular file; a source tree holds none`);
  }
  return x.size === y.size && host.readFile(a).equals(host.readFile(b));
}

function linkText(path: string, host: Host): string {
  return host.runSync("readlink", ["--", path]).toString();
}

/**
 * The change to `file` as a -p1 unified diff, as git would write it (an
 * added file from /dev/null); empty when the trees hold the same.
 */
export async function fileDiff(
  from: KernelSource,
  to: KernelSource,
  f: ChangedFile,
  host: Host = nodeHost,
): Promise<string> {
  const side = (dir: string, exists: boolean) => (exists ? join(dir, f.file) : "/dev/null");
  const r = await host.run(
    "diff",
    [
      "-u",
      "--label",
      f.change === "added" ? "/dev/null" : `a/${f.file}`,
      "--label",
      f.change === "removed" ? "/dev/null" : `b/${f.file}`,
      "--",
      side(from.dir, f.change !== "added"),
      side(to.dir, f.change !== "removed"),
    ],
    { allowFailure: true },
  );
  if (r.code > 1) throw new HostError(`diff of ${f.file} failed: ${r.stderr.trim()}`);
  return r.stdout;
}
