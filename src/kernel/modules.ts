// Finding a module's file by the name the kernel knows it under.
import { readdirSync } from "node:fs";
import { join } from "node:path";

/**
 * The .ko of module `name` under `dir` (a /lib/modules/RELEASE tree or a
 * build directory). Module names use underscores where file names may use
 * hyphens; compressed modules are not read here.
 */
export function findModule(dir: string, name: string): string | undefined {
  const want = name.replace(/-/g, "_");
  const hit = readdirSync(dir, { recursive: true, encoding: "utf8" }).find((p) => p.endsWith(".ko") && p.replace(/^.*\//, "").slice(0, -3).replace(/-/g, "_") === want);
  return hit && join(dir, hit);
}
