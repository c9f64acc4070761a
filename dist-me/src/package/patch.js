// A patch module as a Debian package: one per patch and kernel release, so
// that apt rolls patches out. It installs the module where `kpatch load
// --all` finds it at boot, loads it when its kernel is running, and unloads
// it on removal. A cumulative patch (the default, built with replace) keeps
// one package name per kernel release: its next version is an upgrade, whose
// load replaces the old patch atomically, and a downgrade rolls back the
// same way. A patch built with --non-replace stacks on the others, so each
// has its own package name, and its upgrade unloads the old one first.
import { basename } from "node:path";
import { nodeHost } from "../host/host.js";
import { KpatchError } from "../errors.js";
import { moduleInfo } from "../runtime/module.js";
import { checkRelease } from "../names.js";
import { checkPackageName, checkPackageVersion, isPackageName, writeDeb } from "./deb.js";
import { RUNTIME_COMMAND, RUNTIME_PACKAGE, runtimeVersion } from "./runtime.js";
/** kpatch-patch-RELEASE (lowercase, as Debian names packages). */
export function defaultPackageName(release, module) {
    const words = ["kpatch-patch", ...(module ? [module] : []), release];
    return words
        .join("-")
        .toLowerCase()
        .replace(/[^a-z0-9+.-]/g, "-");
}
// Single-quoted shell words: the release and file name are checked to hold
// no quote, but the scripts run as root, so they are quoted all the same.
const q = (s) => `'${s.replace(/'/g, "'\\''")}'`;
/** Builds the package for patch module `ko` into `outDir`. */
export async function patchDeb(ko, opts, outDir, host = nodeHost) {
    // Read once: the bytes checked are the bytes packaged.
    const bytes = host.readFile(ko);
    const m = moduleInfo(ko, bytes);
    const release = checkRelease(m.release, `${ko}: its vermagic`);
    const file = basename(ko);
    if (!/^[A-Za-z0-9_+-][A-Za-z0-9_.+-]*\.ko$/.test(file)) {
        throw new KpatchError("input", `${ko}: only a .ko file with a plain name (letters, digits, . _ + -) can be packaged`);
    }
    const replace = m.modinfo.find(([k]) => k === "kpatch_replace")?.[1];
    if (replace !== "Y" && replace !== "N") {
        throw new KpatchError("input", `${ko} does not say whether it replaces the patches before it (no kpatch_replace in ` +
            "its modinfo): build it again with this kpatch-build");
    }
    const cumulative = replace === "Y";
    const name = checkPackageName(opts.name ?? defaultPackageName(release, cumulative ? undefined : m.name));
    const given = opts.version ?? m.update?.version;
    if (!given) {
        throw new KpatchError("usage", `${ko} needs --version: only an update's module (kpatch-build --update) has its own`);
    }
    const version = checkPackageVersion(given);
    const image = `linux-image-${release}`;
    if (!isPackageName(image)) {
        throw new KpatchError("input", `${ko}: kernel release ${release} names no Debian package (${image}): ` +
            "only Debian's kernels can be packaged for");
    }
    const installedAs = `/var/lib/kpatch/${release}/${file}`;
    const sysfs = q(`/sys/kernel/livepatch/${m.name}`);
    // Its own kernel only, and not while a chroot or container is being built:
    // an image made on a host that runs the same release must not patch the host.
    const live = `[ "$(uname -r)" = ${q(release)} ] && [ -d /sys/kernel/livepatch ] && ! ischroot && ` +
        "! { command -v systemd-detect-virt >/dev/null && systemd-detect-virt -q --container; }";
    const postinst = `#!/bin/sh
# Loads the patch when its kernel runs; a cumulative one replaces the patch
# loaded before it (an older or newer version of this package) atomically.
# After a failed upgrade or removal (abort-*), the patch is loaded again.
set -e
case "$1" in
  configure|abort-upgrade|abort-remove|abort-deconfigure) ;;
  *) exit 0 ;;
esac
if ${live}; then
  if [ -d ${sysfs} ]; then
    # An upgrade whose module has the live one's name would leave the old code live.
    if [ "$1" = configure ] && [ -n "$2" ] && [ "$2" != ${q(version)} ]; then
      echo "${name}: ${m.name} is live from version $2: build this one with its own -n" >&2
      exit 1
    fi
    echo "${name}: ${m.name} is loaded already"
  elif case " $(cat /proc/cmdline) " in *" kpatch.enable=0 "*) true ;; *) false ;; esac; then
    echo "${name}: not loaded now: kpatch.enable=0 is on the kernel command line"
  else
    ${RUNTIME_COMMAND} load ${q(installedAs)}
  fi
fi
`;
    // On an upgrade or downgrade, a cumulative patch stays live until the new
    // version's postinst replaces it: the kernel is never left without it. A
    // failed unload fails the removal, and the package stays.
    const prerm = `#!/bin/sh
set -e
case "$1" in
  remove|deconfigure${cumulative ? "" : "|upgrade"})
    if ${live} && [ -d ${sysfs} ]; then
      ${RUNTIME_COMMAND} unload ${q(m.name)}
    fi
    ;;
  failed-upgrade)
    echo "${name}: the old version's prerm failed; not upgrading over it" >&2
    exit 1
    ;;
esac
`;
    // From the module, which may come from anywhere: printable and short.
    const description = [
        `live patch for Linux ${release}`,
        ...(m.cves.length ? [m.cves.join(", ")] : []),
        ...(m.description ? [m.description.replace(/[^\x20-\x7e]/g, "?")] : []),
    ]
        .join(": ")
        .slice(0, 200);
    const deb = await writeDeb({
        control: {
            Package: name,
            Version: version,
            Architecture: "amd64",
            Maintainer: "kpatch-ts <root@localhost>",
            Depends: `${RUNTIME_PACKAGE} (>= ${runtimeVersion(host)}), ${image}`,
            Section: "kernel",
            Priority: "optional",
            Description: description,
        },
        files: [{ path: installedAs, data: bytes }],
        scripts: { postinst, prerm },
    }, outDir, host);
    return { deb, name, version, release, installedAs };
}
//# sourceMappingURL=patch.js.map