// The small test kernel: built from Debian's linux-source-6.1 (the installed
// one, else the archive's newest) with a config that
// boots under TCG and shapes objects like a distro kernel. Cached by what
// determines it: source version, config fragment, compiler.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sha256, nodeHost } from "../host/host.js";
import { progress } from "../host/progress.js";
import { HostError } from "../errors.js";
import { atFinalPath, runWithMounts } from "../host/namespace.js";
import { defaultSourceVersion, kernelSource } from "./source.js";
const fragment = fileURLToPath(new URL("../../../kernels/test-6.1.config", import.meta.url));
const done = ".kpatch-built";
export async function testKernel(opts = {}, host = nodeHost) {
    const src = await kernelSource("6.1", await defaultSourceVersion("6.1", host), host);
    const gcc = (await host.run("gcc", ["--version"])).stdout.split("\n")[0];
    const frag = host.readText(fragment);
    const key = sha256(src.pkg, src.version, frag, gcc).slice(0, 16);
    const buildDir = join(host.cacheRoot(), "kernels", `test-6.1-${key}`);
    const result = () => ({
        buildDir,
        source: src,
        bzImage: join(buildDir, "arch/x86/boot/bzImage"),
        release: host.readText(join(buildDir, "include/config/kernel.release")).trim(),
        configFile: join(buildDir, ".config"),
    });
    if (host.exists(join(buildDir, done)))
        return result();
    if (opts.build === false)
        throw new HostError(`test kernel not built: run 'kpatch-dev prepare'`);
    const log = join(host.cacheRoot(), "logs", `test-6.1-${key}.log`);
    host.remove(log);
    // A tree left incomplete by versions that built in place.
    host.remove(buildDir);
    // Scratch out of kernels/, which the tmpfs of atFinalPath hides.
    await host.publishDir(buildDir, (tmp) => build(src, frag, tmp, buildDir, log, host), {
        marker: done,
        scratch: join(host.cacheRoot(), "tmp"),
    });
    return result();
}
/** Configures and builds the test kernel in `tmp`, seen at `buildDir`, where it goes. */
async function build(src, frag, tmp, buildDir, log, host) {
    const inTree = (cmd, args, cwd) => runWithMounts(atFinalPath(tmp, buildDir), `"$@"`, [cmd, ...args], { logFile: log, cwd });
    const make = (...args) => inTree("make", ["-C", src.dir, `O=${buildDir}`, ...args]);
    progress("test kernel", `configuring (${src.pkg} ${src.version}), log ${log}`);
    await make("tinyconfig");
    await inTree(join(src.dir, "scripts/kconfig/merge_config.sh"), [
        "-m",
        "-O",
        buildDir,
        join(buildDir, ".config"),
        join(src.dir, "kernel/configs/kvm_guest.config"),
        fragment,
    ], src.dir);
    await make("olddefconfig");
    const config = host.readText(join(tmp, ".config"));
    const lost = [...frag.matchAll(/^(CONFIG_\w+)=y$/gm)]
        .map((m) => m[1])
        .filter((o) => !config.includes(`\n${o}=y\n`));
    if (lost.length)
        throw new HostError(`test kernel config lost options: ${lost.join(" ")}`, log);
    const t0 = Date.now();
    const jobs = host.cpuCount();
    progress("test kernel", `building bzImage and modules with ${jobs} jobs (about 12 minutes cold)`);
    await make(`-j${jobs}`, "bzImage", "modules");
    progress("test kernel", `built in ${Math.round((Date.now() - t0) / 1000)} s`);
}
//# sourceMappingURL=testkernel.js.map