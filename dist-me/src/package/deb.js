// Debian binary packages, built with dpkg-deb from a staging tree. Every
// field is checked against Debian policy's shapes before anything is
// written, since names and versions reach shell scripts and apt; the package
// appears in the output directory whole or not at all.
import { join } from "node:path";
import { nodeHost } from "../host/host.js";
import { KpatchError } from "../errors.js";
import { printable } from "../names.js";
/** Whether `name` is shaped as Debian policy allows a package name (5.6.1). */
export const isPackageName = (name) => /^[a-z0-9][a-z0-9+.-]+$/.test(name);
/** A package name as Debian policy allows it, or a usage error. */
export function checkPackageName(name) {
    if (!isPackageName(name)) {
        throw new KpatchError("usage", `package name '${printable(name)}' is refused: Debian allows lowercase letters, ` +
            "digits, + - and ., starting with a letter or digit, at least two characters");
    }
    return name;
}
/** A version as Debian policy allows it (5.6.12): [epoch:]upstream[-revision]. */
export function checkPackageVersion(version) {
    // The revision is what follows the last hyphen, so a hyphen cannot end it.
    if (!/^(?:\d{1,9}:)?[0-9][A-Za-z0-9.+~-]*$/.test(version) ||
        version.endsWith("-") ||
        version.length > 100) {
        throw new KpatchError("usage", `package version '${printable(version)}' is refused: Debian takes [EPOCH:]UPSTREAM` +
            "[-REVISION], UPSTREAM starting with a digit and holding letters, digits and . + ~ -");
    }
    return version;
}
/** The file name dpkg-deb and apt expect: NAME_VERSION_ARCH.deb, without the epoch. */
export function debFileName(control) {
    return `${control.Package}_${control.Version.replace(/^\d+:/, "")}_${control.Architecture}.deb`;
}
/** Builds the package into `outDir` and returns its path. */
export async function writeDeb(spec, outDir, host = nodeHost) {
    checkPackageName(spec.control.Package);
    checkPackageVersion(spec.control.Version);
    for (const [k, v] of Object.entries(spec.control)) {
        // One line each: a newline would start a field of the caller's choosing.
        if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(k) || !/^[\x20-\x7e]+$/.test(v))
            throw new KpatchError("internal", `control field ${k}: '${printable(v)}' is not one line`);
    }
    const out = join(outDir, debFileName(spec.control));
    // Beside the output, for the rename; reclaimed if its process died, and
    // holding no *.deb that a repository's indexer could pick up.
    const stage = host.scratchDir(outDir, "deb-stage");
    try {
        const root = join(stage, "root");
        for (const d of spec.dirs ?? [])
            host.makeDirs(join(root, d));
        for (const f of spec.files)
            host.writeFileAtomic(join(root, f.path), f.data, f.mode ?? 0o644);
        const control = Object.entries(spec.control)
            .map(([k, v]) => `${k}: ${v}\n`)
            .join("");
        host.writeFileAtomic(join(root, "DEBIAN", "control"), control);
        for (const [name, text] of Object.entries(spec.scripts ?? {}))
            host.writeFileAtomic(join(root, "DEBIAN", name), text, 0o755);
        const built = join(stage, "package.tmp");
        // Owned by root whoever builds it: root loads what these install.
        await host.run("dpkg-deb", ["--root-owner-group", "-Zxz", "--build", root, built]);
        host.rename(built, out);
    }
    finally {
        host.remove(stage);
    }
    return out;
}
//# sourceMappingURL=deb.js.map