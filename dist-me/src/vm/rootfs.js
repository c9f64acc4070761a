// A small Debian 12 system for the guest, booted with systemd as PID 1: what
// a production host runs, where the runtime and patch packages are installed
// with apt and the boot unit runs for real. mmdebstrap builds it from this
// machine's apt sources, with Debian's own nodejs and the kernel release
// under test (linux-image-RELEASE, whose initramfs it generates); the
// system goes into an ext4 image that every machine shares read-only,
// writing to an overlay of its own. Cached, keyed by the package list.
//
// Boots run the host's script through kpatch-vm.service: it mounts the
// machine's shared directory (9p, tag vmio) at /vmio once the system is up
// and the boot unit has run, runs /vmio/script.sh, writes stdout, stderr,
// dmesg and the exit status there, and powers off.
import { join } from "node:path";
import { nodeHost, sha256 } from "../host/host.js";
import { progress } from "../host/progress.js";
import { HostError } from "../errors.js";
import { checkRelease } from "../names.js";
/** What the system holds besides minbase and the kernel. */
const PACKAGES = ["systemd-sysv", "udev", "kmod", "nodejs", "initramfs-tools", "zstd"];
const IMAGE_SIZE = "3G";
const fstab = "/dev/vda / ext4 rw,errors=remount-ro 0 1\n";
const guestRunner = `#!/bin/sh
# Runs the host's script for this boot, then powers the machine off.
mkdir -p /vmio
if ! mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 vmio /vmio; then
  echo "kpatch-vm: cannot mount the run directory" >/dev/console
  systemctl poweroff --no-block
  exit 1
fi
: >/vmio/started
(cd /vmio && exec /bin/sh ./script.sh) </dev/null >/vmio/stdout 2>/vmio/stderr
echo $? >/vmio/status.new
dmesg >/vmio/dmesg
# The exit status last: the host takes a boot without it as unfinished.
mv /vmio/status.new /vmio/status
systemctl poweroff --no-block
`;
const guestUnit = `[Unit]
Description=Run the test host's script for this boot
ConditionKernelCommandLine=kpatch_vm=1
After=basic.target kpatch.service

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/kpatch-vm
StandardOutput=journal+console

[Install]
WantedBy=multi-user.target
`;
/** This machine's apt sources: the system comes from the archive the tests chose from. */
function aptSources(host) {
    for (const f of ["/etc/apt/sources.list.d/debian.sources", "/etc/apt/sources.list"]) {
        if (/^\s*(deb\s|URIs:)/m.test(host.readIfExists(f) ?? ""))
            return f;
    }
    throw new HostError("no Debian apt sources in /etc/apt: the guest system is built from them");
}
/** The system for kernel `release`, built on first use. */
export async function debianSystem(release, host = nodeHost) {
    checkRelease(release, "guest system");
    const sources = aptSources(host);
    const packages = [...PACKAGES, `linux-image-${release}`];
    const options = [
        "--variant=minbase",
        `--include=${packages.join(",")}`,
        '--aptopt=Acquire::Languages "none"',
        "--dpkgopt=path-exclude=/usr/share/doc/*",
        "--dpkgopt=path-exclude=/usr/share/locale/*",
    ];
    const key = sha256(...options, host.readText(sources), fstab, IMAGE_SIZE, guestRunner, guestUnit);
    const dir = join(host.cacheRoot(), "rootfs", `${release}-${key.slice(0, 12)}`);
    const system = {
        release,
        image: join(dir, "root.ext4"),
        vmlinuz: join(dir, "vmlinuz"),
        initrd: join(dir, "initrd.img"),
    };
    if (host.exists(join(dir, ".complete")))
        return system;
    for (const tool of ["mmdebstrap", "mke2fs"]) {
        const found = await host.run("sh", ["-c", 'command -v "$1"', "sh", tool], {
            allowFailure: true,
        });
        if (found.code !== 0)
            throw new HostError(`${tool} is missing: run scripts/setup.sh`);
    }
    const log = join(host.cacheRoot(), "logs", `rootfs-${release}.log`);
    host.makeDirs(join(host.cacheRoot(), "logs"));
    progress("vm", `building a Debian 12 system for ${release} (mmdebstrap; log: ${log})`);
    await host.publishDir(dir, async (tmp) => {
        const root = join(tmp, "root");
        await host.run("mmdebstrap", [...options, "bookworm", root, sources], { logFile: log });
        host.writeFileAtomic(join(root, "etc/fstab"), fstab);
        host.writeFileAtomic(join(root, "etc/hostname"), "kpatch-guest\n");
        host.writeFileAtomic(join(root, "usr/local/sbin/kpatch-vm"), guestRunner, 0o755);
        host.writeFileAtomic(join(root, "etc/systemd/system/kpatch-vm.service"), guestUnit);
        // The system's own systemctl: it enables units offline inside a chroot.
        await host.run("chroot", [root, "systemctl", "enable", "kpatch-vm.service"], {
            logFile: log,
        });
        host.copyFile(join(root, "boot", `vmlinuz-${release}`), join(tmp, "vmlinuz"));
        host.copyFile(join(root, "boot", `initrd.img-${release}`), join(tmp, "initrd.img"));
        progress("vm", `writing the system's ext4 image`);
        await host.run("mke2fs", ["-q", "-t", "ext4", "-L", "root", "-d", root, join(tmp, "root.ext4"), IMAGE_SIZE], { logFile: log });
        host.remove(root);
    }, { marker: ".complete" });
    return system;
}
//# sourceMappingURL=rootfs.js.map