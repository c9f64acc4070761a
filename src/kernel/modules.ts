// Modules by the name the kernel knows them under.
import { readdirSync } from "node:fs";
import { basename, join } from "node:path";

/**
 * The name the kernel knows a module under (KBUILD_MODNAME), from its file
 * or kbuild path or name: fs/9p/9p, livepatch-meminfo.ko, 9p.ko.xz → 9p,
 * livepatch_meminfo. File names may use hyphens; module names never do.
 */
export function moduleName(path: string): string {
  return basename(path).replace(/\.ko(\.\w+)?$/, "").replaceAll("-", "_");
}

/**
 * The .ko of module `name` under `dir` (a /lib/modules/RELEASE tree or a
 * build directory). Module names use underscores where file names may use
 * hyphens; compressed modules are not read here.
 */
export function findModule(dir: string, name: string): string | undefined {
  const want = moduleName(name);
  const hit = readdirSync(dir, { recursive: true, encoding: "utf8" }).find((p) => p.endsWith(".ko") && moduleName(p) === want);
  return hit && join(dir, hit);
}
