// Guest initramfs: busybox-static, an /init script and the kernel modules the
// guest must load before it can mount anything. Written here in the cpio
// "newc" format rather than with cpio(1), so that it needs no staging tree
// and can hold /dev/console without root: the kernel opens that before init
// runs, and without it init has no stdout.
import { basename, join } from "node:path";
import { gzipSync } from "node:zlib";
import { nodeHost, sha256 } from "../host/host.js";
import { HostError } from "../errors.js";
import { moduleName } from "../kernel/modules.js";
const busybox = "/bin/busybox";
/**
 * Returns the path of a gzip'd initramfs: built once per distinct content in
 * the cache, or, with `into`, written there (for one run's files).
 */
export async function initramfs(spec, into, host = nodeHost) {
    if (!host.exists(busybox)) {
        throw new HostError(`${busybox} missing: run scripts/setup.sh (busybox-static)`);
    }
    const bb = host.readFile(busybox);
    const modules = [];
    for (const [i, m] of (spec.modules ?? []).entries()) {
        // Numbered so that the shell glob in init loads them in the given order.
        modules.push({
            name: `${String(i).padStart(3, "0")}-${moduleName(m)}.ko`,
            data: await moduleBytes(m, host),
        });
    }
    const files = [];
    for (const f of spec.files ?? []) {
        const name = /\.ko(\.xz)?$/.test(f) ? `${moduleName(f)}.ko` : basename(f);
        if (files.some((x) => x.name === name)) {
            throw new HostError(`two files named ${name} for one guest`);
        }
        files.push({
            name,
            data: /\.ko(\.xz)?$/.test(f) ? await moduleBytes(f, host) : host.readFile(f),
        });
    }
    const key = sha256(bb, spec.init, ...[...modules, ...files].flatMap((m) => [m.name, m.data])).slice(0, 16);
    const file = into ?? join(host.cacheRoot(), "initramfs", `${key}.cpio.gz`);
    if (!into && host.exists(file))
        return file;
    const cpio = new Newc();
    for (const d of ["bin", "dev", "proc", "sys", "tmp", "modules", "files"])
        cpio.dir(d);
    cpio.node("dev/console", 0o020600, 5, 1);
    cpio.file("bin/busybox", 0o755, bb);
    cpio.symlink("bin/sh", "busybox");
    cpio.file("init", 0o755, Buffer.from(`#!/bin/sh\n${spec.init}`));
    for (const m of modules)
        cpio.file(`modules/${m.name}`, 0o644, m.data);
    for (const f of files)
        cpio.file(`files/${f.name}`, 0o644, f.data);
    host.writeFileAtomic(file, gzipSync(cpio.finish()));
    return file;
}
/** Modules `names` and everything they depend on, in load order, from modules.dep. */
export function moduleClosure(modulesDir, names, host = nodeHost) {
    const deps = new Map();
    const byName = new Map();
    for (const line of host.readText(join(modulesDir, "modules.dep")).split("\n")) {
        const [mod, rest] = line.split(":");
        if (!mod || rest === undefined)
            continue;
        deps.set(mod, rest.split(" ").filter(Boolean));
        byName.set(moduleName(mod), mod);
    }
    // A kernel may build in what another has as modules (6.12's virtio_pci).
    const builtin = new Set((host.readIfExists(join(modulesDir, "modules.builtin")) ?? "")
        .split("\n")
        .filter(Boolean)
        .map(moduleName));
    const order = [];
    const visit = (mod) => {
        if (order.includes(mod))
            return;
        for (const d of deps.get(mod) ?? [])
            visit(d);
        order.push(mod);
    };
    for (const n of names) {
        const mod = byName.get(moduleName(n));
        if (mod)
            visit(mod);
        else if (!builtin.has(moduleName(n))) {
            throw new HostError(`module ${n} not in ${modulesDir}/modules.dep`);
        }
    }
    return order.map((m) => join(modulesDir, m));
}
/** Kernel module name of a path: no directory, no .ko[.xz], '-' as '_'. */
/** A module's ELF bytes; xz-compressed ones are unpacked, as busybox insmod may not. */
async function moduleBytes(path, host) {
    if (path.endsWith(".ko"))
        return host.readFile(path);
    if (!path.endsWith(".ko.xz"))
        throw new HostError(`not a kernel module (.ko or .ko.xz): ${path}`);
    const tmp = host.makeTempDir(host.cacheRoot(), "xz-");
    try {
        const copy = join(tmp, basename(path));
        host.writeFileAtomic(copy, host.readFile(path));
        await host.run("xz", ["-d", copy]);
        return host.readFile(copy.slice(0, -".xz".length));
    }
    finally {
        host.remove(tmp);
    }
}
/** cpio "newc" archive writer: 110-byte ASCII header, name and data each padded to 4 bytes. */
class Newc {
    parts = [];
    ino = 1;
    dir(name) {
        this.entry(name, 0o040755, Buffer.alloc(0));
    }
    file(name, perm, data) {
        this.entry(name, 0o100000 | perm, data);
    }
    symlink(name, target) {
        this.entry(name, 0o120777, Buffer.from(target));
    }
    node(name, mode, major, minor) {
        this.entry(name, mode, Buffer.alloc(0), major, minor);
    }
    finish() {
        this.entry("TRAILER!!!", 0, Buffer.alloc(0));
        return Buffer.concat(this.parts);
    }
    entry(name, mode, data, rdevMajor = 0, rdevMinor = 0) {
        const nameBytes = Buffer.from(`${name}\0`);
        // ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor,
        // rdevminor, namesize, check
        const fields = [
            this.ino++,
            mode,
            0,
            0,
            1,
            0,
            data.length,
            0,
            0,
            rdevMajor,
            rdevMinor,
            nameBytes.length,
            0,
        ];
        const header = Buffer.from(`070701${fields.map((f) => f.toString(16).padStart(8, "0")).join("")}`);
        this.parts.push(header, nameBytes, pad(header.length + nameBytes.length), data, pad(data.length));
    }
}
function pad(n) {
    return Buffer.alloc((4 - (n % 4)) % 4);
}
//# sourceMappingURL=initramfs.js.map