// Modules by the name the kernel knows them under.
import { basename, join } from "node:path";
import { nodeHost, sha256 } from "../host/host.js";
/**
 * The name the kernel knows a module under (KBUILD_MODNAME), from its file
 * or kbuild path or name: fs/9p/9p, livepatch-meminfo.ko, 9p.ko.xz → 9p,
 * livepatch_meminfo. File names may use hyphens; module names never do.
 */
export function moduleName(path) {
    return basename(path)
        .replace(/\.ko(\.\w+)?$/, "")
        .replaceAll("-", "_");
}
const indexes = new WeakMap();
/**
 * Where module `name` is, relative to `dir` (lib/modules/RELEASE): kernel/fs/9p/9p.ko.xz.
 * The tree is walked once per process and directory: an update asks for
 * dozens of modules, and each walk reads thousands of directories.
 */
export function modulePath(dir, name, host = nodeHost) {
    let byDir = indexes.get(host);
    if (!byDir)
        indexes.set(host, (byDir = new Map()));
    let index = byDir.get(dir);
    if (!index) {
        index = new Map();
        for (const p of host.readDir(dir, { recursive: true })) {
            const m = /\.ko(\.xz)?$/.test(p) ? moduleName(p) : undefined;
            if (m && !index.has(m))
                index.set(m, p);
        }
        byDir.set(dir, index);
    }
    return index.get(moduleName(name));
}
/**
 * The .ko of module `name` under `dir` (a /lib/modules/RELEASE tree or a
 * build directory), as a file the ELF reader can read: an xz-compressed one
 * (Debian compresses its modules since 6.12) is unpacked into the cache
 * once. Module names use underscores where file names may use hyphens.
 */
export function findModule(dir, name, host = nodeHost) {
    const want = moduleName(name);
    const hit = modulePath(dir, name, host);
    if (!hit?.endsWith(".xz"))
        return hit && join(dir, hit);
    const packed = join(dir, hit);
    const st = host.stat(packed);
    const file = join(host.cacheRoot(), "modules", sha256(packed, String(st.size), String(st.mtimeMs)).slice(0, 16), `${want}.ko`);
    if (!host.exists(file))
        host.writeFileAtomic(file, host.runSync("xz", ["-dc", packed]));
    return file;
}
//# sourceMappingURL=modules.js.map