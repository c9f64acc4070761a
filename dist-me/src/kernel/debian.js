// The real Debian kernels, as shipped in their packages, and the releases the
// archive carries. Every package is downloaded and extracted into the cache
// (src/kernel/apt.ts), never installed.
import { join } from "node:path";
import { nodeHost } from "../host/host.js";
import { HostError, KpatchError } from "../errors.js";
import { aptLookup, aptNames, aptPackage, extracted, gone } from "./apt.js";
import { checkSourceAvailable, kernelSource } from "./source.js";
import { modulePath } from "./modules.js";
const releaseShape = /^((\d+\.\d+)\.\d+(?:-\d+|\+deb\d+))-((?:[a-z]+-)?amd64)$/;
/** Parses a release name, or undefined if it is not shaped like one of Debian's x86-64 kernels. */
export function parseRelease(release) {
    const m = releaseShape.exec(release);
    return m ? { release, series: m[2], flavour: m[3] } : undefined;
}
const byVersion = new Intl.Collator("en", { numeric: true }).compare;
/**
 * The kernel releases the package lists carry, oldest first within each series
 * (Debian's ABI numbers and upstream versions both grow with every upload).
 */
export async function debianReleases(filter = {}, host = nodeHost) {
    const names = await aptNames("linux-image-", host);
    return names
        .map((n) => parseRelease(n.slice("linux-image-".length)))
        .filter((r) => !!r &&
        (!filter.series || r.series === filter.series) &&
        (!filter.flavour || r.flavour === filter.flavour))
        .sort((a, b) => byVersion(a.release, b.release));
}
/**
 * The updates of `series` whose older release the archive still has whole
 * (for distro mode), newest first. Several releases built from one source
 * version (a rebuild) count once, by the last of them.
 */
export async function debianUpdates(series, host = nodeHost) {
    const updates = [];
    let to;
    for (const { release } of (await debianReleases({ series, flavour: "amd64" }, host)).reverse()) {
        const from = (await availableTarget(release, undefined, host).catch(() => undefined))
            ?.builtFrom;
        if (from && to && from !== to)
            updates.push({ release, from, to });
        to = from ?? to;
    }
    return updates;
}
/** The newest release of `series` in the package lists. */
export async function newestRelease(series, flavour = "amd64", host = nodeHost) {
    const r = (await debianReleases({ series, flavour }, host)).at(-1);
    if (!r)
        throw new HostError(`no ${flavour} kernel of the ${series} series in the apt package lists: run 'apt-get update'`);
    return r.release;
}
/** `version`: the image package's, when it must be that one (the running kernel's). */
export async function debianKernel(release, version, host = nodeHost) {
    const image = await kernelPackage(release, version, host);
    // The package leaves modules.dep to its postinst; the VM needs it to load 9p.
    const finish = (r) => host.run("depmod", ["-b", r, release]);
    const root = await extracted(image, { finish }, host);
    return {
        pkg: image.name,
        version: image.version,
        release,
        vmlinuz: join(root, "boot", `vmlinuz-${release}`),
        config: join(root, "boot", `config-${release}`),
        systemMap: join(root, "boot", `System.map-${release}`),
        modulesDir: join(root, "lib", "modules", release),
    };
}
/**
 * The Debian kernel `release` and everything needed to build live patches for
 * it. The source must be the one the kernel was built from, to the Debian
 * revision (its patches are part of it); it is downloaded at that version
 * whatever linux-source is installed. Every package is checked in the lists
 * before anything is downloaded.
 */
export async function debianTarget(release, version, host = nodeHost) {
    const { image, dbg, headers, builtFrom, series } = await availableTarget(release, version, host);
    const kernel = await debianKernel(release, image.version, host);
    const vmlinux = `usr/lib/debug/boot/vmlinux-${release}`;
    const symvers = `usr/src/linux-headers-${release}/Module.symvers`;
    return {
        ...kernel,
        vmlinux: join(await extracted(dbg, { members: [vmlinux] }, host), vmlinux),
        symvers: join(await extracted(headers, { members: [symvers] }, host), symvers),
        builtFrom,
        source: await kernelSource(series, builtFrom, host),
    };
}
/**
 * Module `name` of `release` with its whole symbol table, source files
 * (STT_FILE) included, from the -dbg package, in the same order as the
 * shipped module's, which Debian strips of them. Undefined if the package
 * has no such module. Fetched only when asked for: the package is large.
 */
export async function debugModule(release, name, version, host = nodeHost) {
    const { dbg, image } = await availableTarget(release, version, host);
    const kernel = await debianKernel(release, image.version, host);
    const shipped = modulePath(kernel.modulesDir, name, host);
    if (!shipped)
        return undefined;
    const member = `usr/lib/debug/lib/modules/${release}/${shipped.replace(/\.xz$/, "")}`;
    try {
        return join(await extracted(dbg, { members: [member] }, host), member);
    }
    catch {
        return undefined;
    }
}
/**
 * Checks, in the package lists alone, that the archive has every package
 * distro mode needs for `release`, at the versions that kernel was built from;
 * fails naming the first one missing.
 */
export async function availableTarget(release, version, host = nodeHost) {
    const image = await kernelPackage(release, version, host);
    const builtFrom = linuxSourceVersion(image);
    // The build's own version first: the candidate may be a later upload of the same release.
    const needed = async (name, what) => (await aptLookup(name, builtFrom, host)) ??
        aptPackage(name, gone(`${name} (${what})`, `building for ${release}`), host);
    const [dbg, headers] = await Promise.all([
        needed(`linux-image-${release}-dbg`, "the kernel's full symbol table"),
        needed(`linux-headers-${release}`, "its Module.symvers"),
    ]);
    for (const p of [dbg, headers]) {
        if (linuxSourceVersion(p) !== builtFrom) {
            throw new HostError(`${p.name} ${p.version} is not from the build of ${image.name} ` +
                `${image.version} (linux ${builtFrom}): the package lists disagree, run 'apt-get update'`);
        }
    }
    const series = /^\d+\.\d+/.exec(builtFrom)?.[0];
    if (!series)
        throw new HostError(`${image.name}: cannot tell the kernel series of linux ${builtFrom}`);
    await checkSourceAvailable(series, builtFrom, `building for ${release}`, host);
    return { image, dbg, headers, builtFrom, series };
}
async function kernelPackage(release, version, host) {
    const name = `linux-image-${release}`;
    const shape = parseRelease(release);
    if (!shape) {
        throw new KpatchError("usage", `'${release}' is not a Debian x86-64 kernel release: they look like 6.1.0-57-amd64, ` +
            `6.12.117+deb12-cloud-amd64 (see 'kpatch-build --list-releases')`);
    }
    if (version) {
        const exact = await aptLookup(name, version, host);
        if (!exact)
            throw new HostError(gone(`${name} ${version}`, `building for the running ${release}`));
        return exact;
    }
    const found = await aptLookup(name, undefined, host);
    if (found)
        return found;
    // Only for the message: what the archive has of that series and flavour.
    const known = await debianReleases({ series: shape.series, flavour: shape.flavour }, host);
    const hint = known.length
        ? `; the archive has ${known
            .map((r) => r.release)
            .slice(-3)
            .join(", ")}`
        : "";
    throw new HostError(`no Debian kernel package ${name} (if the release is right, ` +
        `the package lists may be stale: run 'apt-get update')${hint}`);
}
/**
 * The version of Debian's `linux` source package a binary package was built
 * from: its own version when `linux` builds it, else the one it was built
 * using (the signed images come from linux-signed-amd64).
 */
function linuxSourceVersion(p) {
    // Backported series come from their own source package: linux-6.12 on Debian 12.
    const builtUsing = /(?:^|,)\s*linux(?:-\d+\.\d+)? \(= ([^)\s]+)\)/.exec(p.fields.get("Built-Using") ?? "")?.[1];
    if (builtUsing)
        return builtUsing;
    // "Source: linux (6.1.192-3)" when the binary's version differs (a binNMU).
    const [source, sourceVersion] = (p.fields.get("Source") ?? p.name).split(" ");
    if (/^linux(-\d+\.\d+)?$/.test(source))
        return /^\((.+)\)$/.exec(sourceVersion ?? "")?.[1] ?? p.version;
    throw new HostError(`${p.name} ${p.version} is not built from Debian's linux source package`);
}
//# sourceMappingURL=debian.js.map