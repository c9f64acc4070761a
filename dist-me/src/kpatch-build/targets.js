// What kpatch-build builds against, from its command line: the project's test
// kernel (-k test), a Debian kernel release in distro mode (-k 6.1.0-57-amd64:
// its exact source, config, symbols and exports from Debian's packages; the
// running kernel when nothing is named), or a kernel tree given piece by piece
// (-s, -c, -v or --symbols, --symvers).
import { join } from "node:path";
import { nodeHost, sha256 } from "../host/host.js";
import { progress } from "../host/progress.js";
import { KpatchError } from "../errors.js";
import { testKernel } from "../kernel/testkernel.js";
import { debianTarget, debugModule, parseRelease } from "../kernel/debian.js";
import { symbolFiles } from "../diff/run.js";
export function targetTables(target, host = nodeHost) {
    let symvers;
    const sources = new Map();
    return {
        symbolFile: symbolFiles(target.symbols, target.modulesDir, host),
        symvers: () => (symvers ??= host.readText(target.symvers)),
        moduleSymbols: (module) => {
            let fetched = sources.get(module);
            if (!fetched) {
                fetched = target.moduleSymbols?.(module) ?? Promise.resolve(undefined);
                sources.set(module, fetched);
                // A fetch that failed (the network, a full disk) is tried again for the next object.
                fetched.catch(() => sources.delete(module));
            }
            return fetched;
        },
    };
}
async function debian(release, version, host) {
    const d = await debianTarget(release, version, host);
    return {
        source: d.source,
        config: d.config,
        symbols: d.vmlinux,
        symvers: d.symvers,
        modulesDir: d.modulesDir,
        release: d.release,
        moduleSymbols: (m) => debugModule(d.release, m, version, host),
    };
}
export async function resolveTarget(req, host = nodeHost) {
    const pieces = [
        req.config && "-c",
        req.vmlinux && "-v",
        req.symbols && "--symbols",
        req.symvers && "--symvers",
        req.buildDir && "--build-dir",
    ].filter(Boolean);
    if (!req.sourcedir && pieces.length)
        throw new KpatchError("usage", `${pieces.join(", ")} ${pieces.length > 1 ? "describe" : "describes"} a kernel tree: ` +
            "name it with -s SOURCEDIR");
    if (req.kernel !== undefined && req.sourcedir)
        throw new KpatchError("usage", "-k and -s name two targets: give one");
    if (req.kernel === "test") {
        const k = await testKernel({ build: false }, host);
        return {
            source: k.source,
            config: k.configFile,
            symbols: join(k.buildDir, "vmlinux"),
            symvers: join(k.buildDir, "Module.symvers"),
            fullBuild: k.buildDir,
            modulesDir: k.buildDir,
        };
    }
    if (req.kernel === undefined && !req.sourcedir) {
        // As kpatch does: the kernel this machine runs, when it is one of Debian's.
        const running = host.runningKernel();
        if (!parseRelease(running.release)) {
            throw new KpatchError("usage", `the running kernel ${running.release} is not one of Debian's: name the target with ` +
                "-k RELEASE (a Debian kernel), -k test, or -s SOURCEDIR -c CONFIG -v VMLINUX");
        }
        progress("target", `the running kernel, ${running.release}` +
            `${running.debianVersion ? ` (Debian ${running.debianVersion})` : ""}`);
        return debian(running.release, running.debianVersion, host);
    }
    if (req.kernel !== undefined) {
        if (req.kernel !== "test")
            progress("target", `Debian kernel ${req.kernel}`);
        return debian(req.kernel, undefined, host);
    }
    if (!req.sourcedir || !req.config || !(req.vmlinux ?? req.symbols)) {
        throw new KpatchError("usage", "-s SOURCEDIR needs -c CONFIG and -v VMLINUX or --symbols System.map");
    }
    const dir = host.realPath(req.sourcedir);
    const makefile = host.readText(join(dir, "Makefile"));
    const v = (k) => new RegExp(`^${k} = (\\S*)$`, "m").exec(makefile)?.[1] ?? "";
    const symvers = req.symvers ?? join(req.buildDir ?? dir, "Module.symvers");
    if (!host.exists(symvers))
        throw new KpatchError("input", `no Module.symvers at ${symvers}: pass --symvers (the target's exports and their CRCs)`);
    return {
        // A tree is keyed by where it is, as well as its version: two trees of one version may differ.
        source: {
            pkg: "tree",
            version: `${v("VERSION")}.${v("PATCHLEVEL")}.${v("SUBLEVEL")}-${sha256(dir).slice(0, 8)}`,
            dir,
        },
        config: req.config,
        symbols: (req.vmlinux ?? req.symbols),
        symvers,
        fullBuild: req.buildDir,
        modulesDir: req.buildDir,
    };
}
//# sourceMappingURL=targets.js.map