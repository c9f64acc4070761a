// The small test kernel: built from Debian's linux-source-6.1 (the installed
// one, else the archive's newest) with a config that
// boots under TCG and shapes objects like a distro kernel. Cached by what
// determines it: source version, config fragment, compiler.
import { existsSync, readFileSync, rmSync, mkdirSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cacheRoot, run, progress, sha256, HostError, nodeHost } from "../host/host.js";
import { defaultSourceVersion, kernelSource, type KernelSource } from "./source.js";

export interface TestKernel {
  /** Kernel build directory (O=): .o files, vmlinux, System.map, Module.symvers. */
  buildDir: string;
  source: KernelSource;
  bzImage: string;
  release: string;
  configFile: string;
}

const fragment = fileURLToPath(new URL("../../../kernels/test-6.1.config", import.meta.url));

export async function testKernel(opts: { build?: boolean } = {}): Promise<TestKernel> {
  const src = await kernelSource("6.1", await defaultSourceVersion("6.1"));
  const gcc = (await run("gcc", ["--version"])).stdout.split("\n")[0]!;
  const frag = readFileSync(fragment, "utf8");
  const key = sha256(src.pkg, src.version, frag, gcc).slice(0, 16);
  const buildDir = join(cacheRoot(), "kernels", `test-6.1-${key}`);
  const done = join(buildDir, ".kpatch-built");
  const result = (): TestKernel => ({
    buildDir,
    source: src,
    bzImage: join(buildDir, "arch/x86/boot/bzImage"),
    release: readFileSync(join(buildDir, "include/config/kernel.release"), "utf8").trim(),
    configFile: join(buildDir, ".config"),
  });
  if (existsSync(done)) return result();
  if (opts.build === false) throw new HostError(`test kernel not built: run 'kpatch-dev prepare'`);

  const log = join(cacheRoot(), "logs", `test-6.1-${key}.log`);
  rmSync(log, { force: true });
  rmSync(buildDir, { recursive: true, force: true });
  mkdirSync(buildDir, { recursive: true });
  const make = (...args: string[]) =>
    run("make", ["-C", src.dir, `O=${buildDir}`, ...args], { logFile: log });
  progress(`test kernel: configuring (${src.pkg} ${src.version}), log ${log}`);
  await make("tinyconfig");
  await run(
    join(src.dir, "scripts/kconfig/merge_config.sh"),
    [
      "-m",
      "-O",
      buildDir,
      join(buildDir, ".config"),
      join(src.dir, "kernel/configs/kvm_guest.config"),
      fragment,
    ],
    { logFile: log, cwd: src.dir },
  );
  await make("olddefconfig");
  const config = readFileSync(join(buildDir, ".config"), "utf8");
  const lost = [...frag.matchAll(/^(CONFIG_\w+)=y$/gm)]
    .map((m) => m[1]!)
    .filter((o) => !config.includes(`\n${o}=y\n`));
  if (lost.length) throw new HostError(`test kernel config lost options: ${lost.join(" ")}`, log);
  const t0 = Date.now();
  progress(
    `test kernel: building bzImage and modules with ${cpus().length} jobs (about 12 minutes cold)`,
  );
  await make(`-j${cpus().length}`, "bzImage", "modules");
  progress(`test kernel: built in ${Math.round((Date.now() - t0) / 1000)} s`);
  nodeHost.writeFileAtomic(done, `${new Date().toISOString()}\n`);
  return result();
}
