// Kernel source trees from Debian's linux-source-* packages, extracted once into
// the cache and never written to afterwards (builds use O= directories).
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { cacheRoot, run, progress, HostError } from "../host/host.js";

export interface KernelSource {
  /** Debian package, e.g. linux-source-6.1 */
  pkg: string;
  /** Debian package version, e.g. 6.1.192-2 */
  version: string;
  /** Extracted, pristine source tree. */
  dir: string;
}

export async function packageVersion(pkg: string): Promise<string | undefined> {
  const r = await run("dpkg-query", ["-W", "-f=${Status}\t${Version}", pkg], { allowFailure: true });
  const [status, version] = r.stdout.split("\t");
  return r.code === 0 && status?.endsWith("installed") ? version : undefined;
}

/** Extracts /usr/src/linux-source-X.tar.xz into the cache, keyed by package version. */
export async function kernelSource(series: string): Promise<KernelSource> {
  const pkg = `linux-source-${series}`;
  const version = await packageVersion(pkg);
  if (!version) throw new HostError(`${pkg} is not installed: run scripts/setup.sh`);
  const dir = join(cacheRoot(), "src", `${pkg}_${version}`);
  if (!existsSync(join(dir, ".extracted"))) {
    progress(`source: extracting ${pkg} ${version}`);
    const tmp = `${dir}.tmp`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    await run("tar", ["-xf", `/usr/src/${pkg}.tar.xz`, "-C", tmp, "--strip-components=1"]);
    await run("touch", [join(tmp, ".extracted")]);
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  }
  return { pkg, version, dir };
}
