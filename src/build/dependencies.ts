// The files an object's compile reads, from the preprocessor (gcc -MM), without
// compiling it: what a full build's dependency files would say, for the
// objects asked about only. Cached per prepared tree and object, as neither
// the pristine source nor the prepared tree ever changes.
import { basename, join, resolve } from "node:path";
import { nodeHost, type Host } from "../host/host.js";
import { compileAs, type CompilerTime } from "./command.js";
import type { PlannedObject } from "./plan.js";
import type { PreparedTree } from "./prepare.js";

/**
 * Object → the absolute paths of the files its compile reads, or undefined
 * when the preprocessor could not tell. Generated headers the prepared tree
 * does not have yet (-MG) are listed, not read: none of them includes a
 * source header.
 */
export async function preprocessorDependencies(
  prepared: PreparedTree,
  objects: PlannedObject[],
  opts: {
    jobs?: number;
    compilerTime?: CompilerTime;
    /** Objects done, and of those how many were cached. */
    onProgress?: (done: number, cached: number) => void;
  } = {},
  host: Host = nodeHost,
): Promise<Map<string, string[] | undefined>> {
  const cache = join(host.cacheRoot(), "dependencies", basename(prepared.dir));
  const result = new Map<string, string[] | undefined>();
  // A kernel's objects read a few thousand headers, each of them hundreds of
  // times: one string per path, copied out of the text it was read from, so
  // that 15,000 objects' lists take megabytes, not gigabytes.
  const paths = new Map<string, string>();
  const intern = (list: string[]) =>
    list.map((p) => {
      let known = paths.get(p);
      if (known === undefined) {
        known = Buffer.from(p).toString();
        paths.set(known, known);
      }
      return known;
    });
  const todo: PlannedObject[] = [];
  for (const o of objects) {
    const known = host.readIfExists(join(cache, `${o.object}.d`));
    if (known !== undefined) result.set(o.object, intern(known.split("\n").filter(Boolean)));
    else todo.push(o);
  }
  let next = 0;
  const cached = objects.length - todo.length;
  let done = cached;
  const worker = async () => {
    for (let o = todo[next++]; o; o = todo[next++]) {
      const deps = await dependencies(prepared, o, host, opts.compilerTime);
      if (deps) host.writeFileAtomic(join(cache, `${o.object}.d`), `${deps.join("\n")}\n`);
      result.set(o.object, deps && intern(deps));
      opts.onProgress?.(++done, cached);
    }
  };
  await Promise.all(Array.from({ length: opts.jobs ?? host.cpuCount() }, worker));
  return result;
}

async function dependencies(
  prepared: PreparedTree,
  o: PlannedObject,
  host: Host,
  tally?: CompilerTime,
): Promise<string[] | undefined> {
  // The compile, with its dependency file (written into the tree) replaced by -MM's rule on stdout.
  const command = compileAs(o.command, (s) => `-MM -MG ${s}`);
  if (command === undefined) return undefined;
  const t0 = performance.now();
  const r = await host.run("sh", ["-c", command], { cwd: prepared.dir, allowFailure: true });
  if (tally) {
    tally.preprocess.runs++;
    tally.preprocess.seconds += (performance.now() - t0) / 1000;
  }
  // An #error on a constant from a header kbuild has not generated yet fails
  // the run, but the preprocessor went on to the end and printed its rule.
  // "obj.o: a.c b.h \<newline> c.h ...": file names never hold spaces in the kernel.
  const rule = /^[^:\n]+:(.*)$/m.exec(r.stdout.replace(/\\\n/g, " "))?.[1];
  if (rule === undefined) return undefined;
  const files = rule.split(/\s+/).filter(Boolean);
  // Normalized, as the compiler prints paths as reached
  // (include/xen/interface/io/../grant_table.h).
  return files.map((f) => resolve(prepared.dir, f));
}
