// Kernel source trees from Debian's linux-source-* packages, by version,
// extracted once into the cache and never written to afterwards (builds use O=
// directories). The version installed on the host is only a shortcut: any
// version the archive carries is downloaded, and nothing is ever installed.
import { join } from "node:path";
import { nodeHost } from "../host/host.js";
import { progress } from "../host/progress.js";
import { HostError } from "../errors.js";
import { aptLookup, extracted, gone, installedVersion } from "./apt.js";
/** The installed linux-source-SERIES, else the newest the archive has. */
export async function defaultSourceVersion(series, host = nodeHost) {
    const pkg = `linux-source-${series}`;
    const version = (await installedVersion(pkg, host)) ?? (await aptLookup(pkg, undefined, host))?.version;
    if (!version)
        throw new HostError(`${pkg} is neither installed nor in the apt package lists: run 'apt-get update'`);
    return version;
}
/**
 * Fails unless the archive can still give `linux-source-SERIES` at `version`
 * (or it is installed at that version): checked before anything is downloaded.
 * `forWhat` says why that version is needed.
 */
export async function checkSourceAvailable(series, version, forWhat, host = nodeHost) {
    const pkg = `linux-source-${series}`;
    if ((await installedVersion(pkg, host)) === version)
        return;
    if (await aptLookup(pkg, version, host))
        return;
    throw new HostError(gone(`${pkg} ${version} (the exact source)`, forWhat));
}
/** linux-source-SERIES at `version`, extracted into the cache. */
export async function kernelSource(series, version, host = nodeHost) {
    const pkg = `linux-source-${series}`;
    const dir = join(host.cacheRoot(), "src", `${pkg}_${version}`);
    if (host.exists(join(dir, ".extracted")))
        return { pkg, version, dir };
    await checkSourceAvailable(series, version, "this build", host);
    const member = `usr/src/${pkg}.tar.xz`;
    let tarball = `/${member}`;
    if ((await installedVersion(pkg, host)) !== version || !host.exists(tarball)) {
        const p = await aptLookup(pkg, version, host);
        if (!p)
            throw new HostError(gone(`${pkg} ${version} (the exact source)`, "this build"));
        tarball = join(await extracted(p, { members: [member] }, host), member);
    }
    progress("source", `extracting ${pkg} ${version}`);
    await host.publishDir(dir, async (tmp) => {
        await host.run("tar", ["-xf", tarball, "-C", tmp, "--strip-components=1"]);
    }, { marker: ".extracted" });
    return { pkg, version, dir };
}
//# sourceMappingURL=source.js.map