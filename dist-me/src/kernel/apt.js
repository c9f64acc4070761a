// Debian's archive through apt: what the package lists say of a package, and
// packages downloaded and extracted into the cache. Nothing is ever installed
// on the host (an image would run initramfs and bootloader hooks, and the user's
// own packages must stay as they are): each package version is downloaded once
// and extracted, whole or only the files needed.
import { join } from "node:path";
import { nodeHost, sha256 } from "../host/host.js";
import { progress } from "../host/progress.js";
import { HostError } from "../errors.js";
const aptLists = "/var/lib/apt/lists";
/**
 * A fingerprint of apt's package lists and dpkg's status: look-ups are
 * remembered while it holds.
 */
function aptState(host) {
    const files = host.exists(aptLists) ? host.readDir(aptLists).map((f) => join(aptLists, f)) : [];
    return sha256(...[...files, "/var/lib/dpkg/status"]
        .filter((f) => host.exists(f))
        .map((f) => {
        const st = host.stat(f);
        return `${f} ${st.size} ${st.mtimeMs}`;
    }));
}
/** Remembers `compute` per key for as long as the package lists stay the same. */
async function memo(host, key, compute) {
    const state = aptState(host);
    const file = join(host.cacheRoot(), "debian", "apt", `${sha256(key).slice(0, 24)}.json`);
    try {
        const known = JSON.parse(host.readText(file));
        if (known.state === state && known.key === key)
            return known.value;
    }
    catch {
        // not looked up yet
    }
    const value = await compute();
    host.writeFileAtomic(file, JSON.stringify({ state, key, value }));
    return value;
}
/**
 * `apt-cache show` of `name` at `version`, or of apt's candidate when no version
 * is given; undefined if the lists do not have it. Remembered, as apt-cache
 * takes over a second here and a warm call must cost no more than a few stats.
 */
export async function aptLookup(name, version, host = nodeHost) {
    const spec = version ? `${name}=${version}` : name;
    const paragraph = await memo(host, `show ${spec}`, async () => {
        const r = await host.run("apt-cache", ["show", "--no-all-versions", spec], {
            allowFailure: true,
        });
        return r.code === 0 && /^Version: /m.test(r.stdout) ? r.stdout : "";
    });
    if (!paragraph)
        return undefined;
    // Continuation lines (leading space) belong to the field before them.
    const fields = new Map([...paragraph.matchAll(/^([\w-]+): ?(.*(?:\n[ \t].*)*)$/gm)].map((m) => [m[1], m[2]]));
    return { name, version: fields.get("Version"), fields };
}
/** Like aptLookup, but a package the lists do not have is an error saying `unknown`. */
export async function aptPackage(name, unknown = `${name} is not in the apt package lists: run 'apt-get update'`, host = nodeHost) {
    const p = await aptLookup(name, undefined, host);
    if (!p)
        throw new HostError(unknown);
    return p;
}
/** Names of the packages in the lists that start with `prefix`. */
export function aptNames(prefix, host = nodeHost) {
    return memo(host, `pkgnames ${prefix}`, async () => (await host.run("apt-cache", ["pkgnames", prefix])).stdout.split("\n").filter(Boolean).sort());
}
/** The message for a package the archive no longer carries (or never did). */
export function gone(what, forWhat) {
    return (`${what} is not in Debian's archive any more (or the package lists are stale: ` +
        `run 'apt-get update'), and ${forWhat} needs it. With your own copies of the kernel's ` +
        "source, config and vmlinux, build with -s SRCDIR -c CONFIG -v VMLINUX instead of -k");
}
/** The installed version of `pkg`, if dpkg has it installed. */
export async function installedVersion(pkg, host = nodeHost) {
    const r = await host.run("dpkg-query", ["-W", "-f=${Status}\t${Version}", pkg], {
        allowFailure: true,
    });
    const [status, version] = r.stdout.split("\t");
    return r.code === 0 && status?.endsWith("installed") ? version : undefined;
}
const mib = (bytes) => `${Math.round(bytes / 2 ** 20)} MiB`;
/**
 * Downloads `p` and extracts it under debian/PKG_VERSION/root, once: whole, or
 * only `members` (paths inside the package; the cache entry is keyed by them
 * too), then runs `finish` on the root. Returns the root.
 */
export async function extracted(p, opts = {}, host = nodeHost) {
    const part = opts.members ? `-${sha256(...opts.members).slice(0, 8)}` : "";
    const dir = join(host.cacheRoot(), "debian", `${p.name}_${p.version}${part}`);
    const root = join(dir, "root");
    if (host.exists(join(dir, ".extracted")))
        return root;
    const what = opts.members ? opts.members.join(" ") : "everything";
    progress("debian", `downloading ${p.name} ${p.version} ` +
        `(${mib(Number(p.fields.get("Size") ?? 0))}) to extract ${what}`);
    await host.publishDir(dir, (tmp) => download(p, tmp, opts, host), { marker: ".extracted" });
    return root;
}
/** Downloads `p` into `dir` and extracts it, or its `members`, into dir/root. */
async function download(p, dir, opts, host) {
    const root = join(dir, "root");
    host.makeDirs(root);
    const t0 = Date.now();
    await host.run("apt-get", ["download", `${p.name}=${p.version}`], { cwd: dir });
    const deb = host.readDir(dir).find((f) => f.endsWith(".deb"));
    if (!deb)
        throw new HostError(`apt-get download ${p.name}=${p.version} left no .deb in ${dir}`);
    const t1 = Date.now();
    if (opts.members) {
        // tar stops reading once it has every member (--occurrence), which spares
        // decompressing the rest (4 GB of module debug info in the -dbg package);
        // dpkg-deb then dies of SIGPIPE, so only tar's status counts. apt-get has
        // checked the package's hash, and tar fails on a member it did not find.
        await host.run("sh", [
            "-c",
            "deb=$1 dest=$2; shift 2; " +
                'dpkg-deb --fsys-tarfile "$deb" | tar -x --occurrence=1 -C "$dest" "$@"',
            "sh",
            join(dir, deb),
            root,
            ...opts.members.map((m) => `./${m}`),
        ]);
    }
    else {
        await host.run("dpkg-deb", ["-x", join(dir, deb), root]);
    }
    host.remove(join(dir, deb));
    const size = opts.members
        ? opts.members.reduce((n, m) => n + host.stat(join(root, m)).size, 0)
        : Number(p.fields.get("Installed-Size") ?? 0) * 1024;
    progress("debian", `${p.name}: downloaded in ${((t1 - t0) / 1000).toFixed(1)} s, ` +
        `extracted ${mib(size)} in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
    await opts.finish?.(root);
}
//# sourceMappingURL=apt.js.map