// The install store: patch modules copied to KPATCH_DIR/RELEASE/, one
// directory per kernel release, which `load --all` loads at boot.
import { basename, join } from "node:path";
import { nodeHost } from "../host/host.js";
import { KpatchError } from "../errors.js";
import { moduleName } from "../kernel/modules.js";
import { readTrusted } from "../host/trusted.js";
import { checkRelease, escaped } from "../names.js";
import { moduleInfo, readModule, runningRelease } from "./module.js";
/** Where `install` puts patch modules, one directory per kernel release. */
export function installRoot(host = nodeHost) {
    return host.env("KPATCH_DIR") ?? "/var/lib/kpatch";
}
/**
 * Copies a patch module to KPATCH_DIR/RELEASE/, for `load --all` at boot:
 * 0644 and root's, written whole or not at all. What boot would load as
 * root is checked first: a .ko file that only root could have written (see
 * readTrusted), a livepatch module, a release that is one directory name,
 * one module of each name; the bytes checked are the bytes installed.
 */
export function install(file, host = nodeHost) {
    const base = basename(file);
    if (!/^[A-Za-z0-9_+-][A-Za-z0-9_.+-]*\.ko$/.test(base)) {
        throw new KpatchError("input", `${escaped(file)}: only a .ko file with a plain name (letters, digits, . _ + -) ` +
            "can be installed");
    }
    const bytes = readTrusted(file);
    const m = moduleInfo(file, bytes);
    const dir = join(installRoot(host), checkRelease(m.release, `${escaped(file)}: its vermagic`));
    const dest = join(dir, base);
    const same = installed(m.release, host).modules.find((i) => i.name === m.name && i.file !== dest);
    if (same)
        throw new KpatchError("usage", `${m.name} is installed already as ${same.file}: uninstall it first`);
    host.writeFileAtomic(dest, bytes, 0o644);
    if (host.uid() === 0)
        host.chown(dest, 0, 0);
    return dest;
}
export function uninstall(name, kernel, host = nodeHost) {
    const release = kernel ?? runningRelease(host);
    const m = installed(release, host).modules.find((i) => i.name === moduleName(name));
    if (!m)
        throw new KpatchError("usage", `${name} is not installed for ${release}`);
    host.remove(m.file);
    return m.file;
}
/**
 * The patch modules installed for a kernel release. A bad entry (planted, or
 * left half-written by a crash) is skipped with the reason, so that one
 * cannot keep the others from loading at boot.
 */
export function installed(kernel, host = nodeHost) {
    const release = kernel ?? runningRelease(host);
    const dir = join(installRoot(host), checkRelease(release, "kpatch"));
    const result = { modules: [], skipped: [] };
    if (!host.exists(dir))
        return result;
    for (const f of host
        .readDir(dir)
        .filter((n) => n.endsWith(".ko"))
        .sort()) {
        const file = join(dir, f);
        try {
            // Root loads these at boot: only what root wrote and only root can change.
            const m = readModule(file);
            const first = result.modules.find((o) => o.name === m.name);
            if (first)
                result.skipped.push(`${file}: a second ${m.name} (${first.file} is loaded instead)`);
            else
                result.modules.push(m);
        }
        catch (e) {
            result.skipped.push(e instanceof Error ? e.message : String(e));
        }
    }
    return result;
}
//# sourceMappingURL=store.js.map