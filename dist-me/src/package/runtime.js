// The runtime package, kpatch-ts_VERSION_all.deb: the `kpatch` command, its
// boot unit and man page, for hosts that load patches and never build them.
// It runs on Debian 12's own nodejs (18.x): the compiled JavaScript that
// `kpatch` imports, and only that, is shipped; a module outside it (an npm
// dependency, say) is refused here rather than found missing on a host.
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { nodeHost } from "../host/host.js";
import { KpatchError } from "../errors.js";
import { BOOT_UNIT_DESCRIPTION, bootUnit } from "../runtime/boot.js";
import { writeDeb } from "./deb.js";
export const RUNTIME_PACKAGE = "kpatch-ts";
/** Where the runtime lives on a host, and the command the boot unit runs. */
export const RUNTIME_LIB = "/usr/lib/kpatch-ts";
export const RUNTIME_COMMAND = "/usr/sbin/kpatch";
const UNIT = "/lib/systemd/system/kpatch.service";
// The package ships the build it is made from, and the checkout's version and man page.
const dist = fileURLToPath(new URL("../../", import.meta.url));
const checkout = join(dist, "..");
/** The runtime's version: the project's. */
export function runtimeVersion(host = nodeHost) {
    return JSON.parse(host.readText(join(checkout, "package.json"))).version;
}
/**
 * The compiled files `entry` imports, itself included, as paths relative to
 * dist/. Relative imports are followed; node: built-ins are Node's own.
 */
export function importClosure(entry, host = nodeHost) {
    const seen = new Set();
    const todo = [entry];
    while (todo.length) {
        const file = todo.pop();
        if (seen.has(file))
            continue;
        seen.add(file);
        const text = host.readText(file);
        const specifiers = [
            ...text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s*"([^"]+)"/gms),
            ...text.matchAll(/^import\s*"([^"]+)"/gm),
            ...text.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g),
        ].map((m) => m[1]);
        for (const s of specifiers) {
            if (s.startsWith("node:"))
                continue;
            if (!s.startsWith(".")) {
                throw new KpatchError("internal", `${relative(dist, file)} imports ${s}: the runtime package ships no npm modules`);
            }
            todo.push(join(dirname(file), s));
        }
    }
    return [...seen].map((f) => relative(dist, f)).sort();
}
const wrapper = `#!/bin/sh
# kpatch, run by Debian's nodejs.
exec /usr/bin/node ${RUNTIME_LIB}/dist/src/cli/kpatch.js "$@"
`;
// The boot unit is the package's: enabled on install, and kept as the admin
// left it (enabled or not) across upgrades, as debhelper's scripts do.
const postinst = `#!/bin/sh
set -e
case "$1" in
  configure|abort-upgrade|abort-remove|abort-deconfigure) ;;
  *) exit 0 ;;
esac
# A unit \`kpatch install\` wrote from a checkout would shadow the package's.
if grep -qs '^Description=${BOOT_UNIT_DESCRIPTION}$' /etc/systemd/system/kpatch.service; then
  rm -f /etc/systemd/system/kpatch.service
fi
deb-systemd-helper unmask kpatch.service >/dev/null || true
if [ -z "$2" ] || deb-systemd-helper --quiet was-enabled kpatch.service; then
  deb-systemd-helper enable kpatch.service >/dev/null || true
else
  deb-systemd-helper update-state kpatch.service >/dev/null || true
fi
if [ -d /run/systemd/system ]; then systemctl --system daemon-reload >/dev/null || true; fi
`;
const postrm = `#!/bin/sh
set -e
if [ -d /run/systemd/system ]; then systemctl --system daemon-reload >/dev/null || true; fi
if [ "$1" = remove ]; then deb-systemd-helper mask kpatch.service >/dev/null || true; fi
if [ "$1" = purge ]; then
  deb-systemd-helper purge kpatch.service >/dev/null || true
  deb-systemd-helper unmask kpatch.service >/dev/null || true
fi
`;
/** Builds kpatch-ts_VERSION_all.deb from this checkout's build into `outDir`. */
export async function runtimeDeb(outDir, host = nodeHost) {
    const entry = join(dist, "src", "cli", "kpatch.js");
    if (!host.exists(entry)) {
        throw new KpatchError("host", `${entry} is missing: run npm run build first`);
    }
    const version = runtimeVersion(host);
    const files = importClosure(entry, host).map((f) => ({
        path: join(RUNTIME_LIB, "dist", f),
        data: host.readFile(join(dist, f)),
    }));
    const manifest = { name: RUNTIME_PACKAGE, version, type: "module", license: "GPL-2.0-or-later" };
    return writeDeb({
        control: {
            Package: RUNTIME_PACKAGE,
            Version: version,
            Architecture: "all",
            Maintainer: "kpatch-ts <root@localhost>",
            // 18.19 is the oldest Node the runtime is run on (Debian 12's is 18.20).
            Depends: "nodejs (>= 18.19), kmod, init-system-helpers",
            Section: "admin",
            Priority: "optional",
            Description: "live patching for the Linux kernel: the kpatch command and boot service",
        },
        files: [
            ...files,
            { path: join(RUNTIME_LIB, "package.json"), data: `${JSON.stringify(manifest)}\n` },
            { path: RUNTIME_COMMAND, data: wrapper, mode: 0o755 },
            { path: UNIT, data: bootUnit([RUNTIME_COMMAND]) },
            {
                path: "/usr/share/man/man1/kpatch.1.gz",
                // No name or time in the header, so that the same page packs to the same bytes.
                data: gzipSync(host.readFile(join(checkout, "man", "kpatch.1")), { level: 9 }),
            },
        ],
        dirs: ["/var/lib/kpatch"],
        scripts: { postinst, postrm },
    }, outDir, host);
}
//# sourceMappingURL=runtime.js.map