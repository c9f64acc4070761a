// A prepared kernel build directory (O=): the configuration, generated headers,
// kbuild's host programs and objtool, ready to compile single objects and to
// build external modules, but holding no kernel objects. Cached by what
// determines it: source version, config, compiler and the compile flags.
import { join } from "node:path";
import { sha256, nodeHost } from "../host/host.js";
import { progress } from "../host/progress.js";
import { HostError } from "../errors.js";
import { atFinalPath, runWithMounts } from "../host/namespace.js";
/**
 * What every diffed object is compiled with: each function and data object
 * in a section of its own. The prepared tree is made with them too, as kbuild
 * compiles asm-offsets and the modpost probes with KCFLAGS and would redo them
 * in every session if they differed.
 */
export const diffCflags = "-ffunction-sections -fdata-sections";
const done = ".kpatch-prepared";
/**
 * Runs `make olddefconfig` with `configFile` and `make modules_prepare` (which
 * includes `prepare`, and so objtool, which single-object builds need) once
 * per key. Built in a scratch directory and renamed into place, so readers never
 * see a partial tree; the scratch directory is mounted at the final path while
 * it is built, because kbuild records that path. `release` is the target's
 * uname -r, when it is not the source's own.
 */
export async function preparedTree(source, configFile, opts = {}, host = nodeHost) {
    const config = host.readText(configFile);
    const gcc = (await host.run("gcc", ["--version"])).stdout.split("\n")[0];
    // Without a release, the key is what it was before releases existed.
    const key = sha256(source.pkg, source.version, config, gcc, diffCflags, ...(opts.release ? [opts.release] : [])).slice(0, 16);
    const name = `${source.pkg}_${source.version}-${key}`;
    const dir = join(host.cacheRoot(), "prepared", name);
    const result = {
        dir,
        source,
        configFile: join(dir, ".config"),
        release: opts.release,
    };
    if (host.exists(join(dir, done)))
        return result;
    if (opts.build === false)
        throw new HostError(`kernel tree for ${configFile} not prepared (${dir})`);
    const log = join(host.cacheRoot(), "logs", `prepare-${name}.log`);
    host.remove(log);
    const prepare = async (tmp, signal) => {
        host.writeFileAtomic(join(tmp, ".config"), config);
        progress("prepare", `${source.pkg} ${source.version} with ${configFile}, log ${log}`);
        const t0 = Date.now();
        await runWithMounts(atFinalPath(tmp, dir), 'make -C "$1" O="$2" olddefconfig && ' +
            'make -C "$1" O="$2" -j"$3" KCFLAGS="$4" ${5:+KERNELRELEASE="$5"} modules_prepare', [source.dir, dir, String(host.cpuCount()), diffCflags, opts.release ?? ""], { logFile: log, signal }, host);
        progress("prepare", `done in ${Math.round((Date.now() - t0) / 1000)} s`);
        const changed = changedOptions(config, host.readText(join(tmp, ".config")));
        if (changed.length)
            progress("prepare", `olddefconfig changed ${changed.length} options of ${configFile}: ` +
                `${changed.slice(0, 8).join(" ")}${changed.length > 8 ? " ..." : ""}`);
    };
    // Scratch out of prepared/, which the tmpfs of atFinalPath hides.
    await host.interruptible((signal) => host.publishDir(dir, (tmp) => prepare(tmp, signal), {
        marker: done,
        scratch: join(host.cacheRoot(), "tmp"),
    }));
    return result;
}
/** Options whose value differs between two .config files. */
function changedOptions(before, after) {
    const parse = (text) => new Map([...text.matchAll(/^(CONFIG_\w+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
    const [a, b] = [parse(before), parse(after)];
    return [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k)).sort();
}
//# sourceMappingURL=prepare.js.map