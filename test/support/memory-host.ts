// A Host that keeps its files in memory and answers the programs it is asked
// to run from a table: the engine's logic above the host layer (the archive's
// package lists, release choice) tested without touching this machine.
import type { Dirent, Stats } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import type { Host, RunResult } from "../../src/host/host.js";

export type Program = (args: string[]) => Partial<RunResult> | undefined;

export interface MemoryHost extends Host {
  files: Map<string, string>;
  /** Every program run, as "cmd arg arg". */
  ran: string[];
}

export function memoryHost(programs: Record<string, Program>): MemoryHost {
  const files = new Map<string, string>();
  const ran: string[] = [];
  const missing = (path: string) =>
    Object.assign(new Error(`ENOENT: ${path}`), { code: "ENOENT", syscall: "open", path });
  const read = (path: string) => {
    const text = files.get(path);
    if (text === undefined) throw missing(path);
    return text;
  };
  const unsupported = (what: string) => () => {
    throw new Error(`the memory host does not ${what}`);
  };
  const write = (path: string, data: string | Uint8Array) =>
    void files.set(path, typeof data === "string" ? data : Buffer.from(data).toString());
  return {
    files,
    ran,
    async run(cmd, args, options) {
      ran.push([cmd, ...args].join(" "));
      const r = { code: 0, stdout: "", stderr: "", timedOut: false, ...programs[cmd]?.(args) };
      if (r.code !== 0 && !options?.allowFailure) throw new Error(`${cmd} failed: ${r.stderr}`);
      return r;
    },
    runSync: unsupported("run programs synchronously"),
    cpuCount: () => 2,
    runningKernel: unsupported("run a kernel"),
    kernelLog: unsupported("have a kernel log"),
    env: () => undefined,
    uid: () => 1000,
    cacheRoot: () => "/cache",
    requireCompiled: createRequire(import.meta.url),
    interruptible: (body) => body(new AbortController().signal),
    exists: (path) => files.has(path) || [...files.keys()].some((f) => f.startsWith(`${path}/`)),
    readFile: (path) => Buffer.from(read(path)),
    readText: read,
    readIfExists: (path) => files.get(path),
    readHead: (path, length) => Buffer.from(read(path)).subarray(0, length),
    writeFile: write,
    writeFileAtomic: write,
    stat: (path) => ({ size: read(path).length, mtimeMs: 0, isFile: () => true }) as Stats,
    lstat: (path) => ({ size: read(path).length, mtimeMs: 0, isFile: () => true }) as Stats,
    realPath: (path) => path,
    readDir: (dir) =>
      [...files.keys()].filter((f) => dirname(f) === dir).map((f) => f.slice(dir.length + 1)),
    readDirEntries: unsupported("list directory entries") as () => Dirent[],
    makeDirs: () => {},
    remove: (path) => {
      for (const f of files.keys()) if (f === path || f.startsWith(`${path}/`)) files.delete(f);
    },
    rename: unsupported("rename"),
    copyFile: (from, to) => write(to, read(from)),
    linkFile: (from, to) => write(to, read(from)),
    chown: () => {},
    makeTempDir: unsupported("make directories"),
    scratchDir: unsupported("make directories"),
    publishDir: unsupported("publish directories"),
  };
}
