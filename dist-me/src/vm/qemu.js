// Runs a shell script inside a QEMU guest (software emulation: KVM does not
// work here) and returns its output and exit status.
//
// The guest sees the host root read-only over virtio-9p and runs the script
// chrooted into it, so it has the host's node and tools. Each run has a run
// directory on the host, shared read-write and mounted in the guest at the
// same path: it carries the script in and stdout, stderr and the exit status
// out, as files, so that kernel messages on the console can never mix with
// them. The run directory is removed after a run that completed, and kept,
// with the console log in it, after one that did not.
//
// A run without the host root uses no 9p while its script runs, so that the
// script may unload and reload 9p itself: the script and its files travel in
// the initramfs, it runs in a tmpfs, and init mounts the run directory only
// afterwards (loading 9p again if need be) to carry the results out.
//
// Every run fails if the guest's kernel log shows an oops, a BUG, a WARNING
// or a relocation complaint (src/kernel/klog.ts): checked here, once, so that
// no test can forget it.
import { join } from "node:path";
import { lastLines, nodeHost } from "../host/host.js";
import { HostError } from "../errors.js";
import { initramfs } from "./initramfs.js";
import { kernelComplaints } from "../kernel/klog.js";
import { OVMF_CODE } from "./firmware.js";
// PID 1. The run directory and whether to chroot come from the kernel command
// line (the kernel passes unknown name=value parameters to init as variables).
// Any failure powers off without writing `status`, which the host reports.
const init = `
export PATH=/bin
/bin/busybox --install -s /bin
# If poweroff itself fails, init exiting panics the kernel, which also ends QEMU.
fail() { echo "kpatch-vm: $*"; poweroff -f; exit 1; }
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in /modules/*.ko; do
  [ -e "$m" ] || continue
  insmod "$m" || fail "insmod $m failed"
done
vmio() { mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 vmio "$1" || \\
  fail "cannot mount the run directory"; }
root=/
if [ "$kpatch_share" = 1 ]; then
  root=/host
  mkdir -p /host
  mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=loose,ro hostroot /host || \\
    fail "cannot mount the host root"
  mount -t proc proc /host/proc && mount -t sysfs sysfs /host/sys && \\
    mount -t devtmpfs devtmpfs /host/dev || fail "cannot mount proc, sys, dev"
fi
mount -t tmpfs tmpfs "$root/tmp" || fail "cannot mount /tmp"
io="$root$kpatch_dir"
mkdir -p "$io"
if [ "$kpatch_share" = 1 ]; then vmio "$io"; else cp /files/script.sh "$io/"; fi
echo "kpatch-vm: script starts at uptime $(cut -d' ' -f1 /proc/uptime)"
: >"$io/started"
env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \\
  KPATCH_VM_DIR="$kpatch_dir" \\
  chroot "$root" /bin/sh -c 'cd "$KPATCH_VM_DIR" && exec /bin/sh ./script.sh' \\
  </dev/null >"$io/stdout" 2>"$io/stderr"
echo $? >"$io/status"
if [ "$kpatch_share" != 1 ]; then
  # 9p again, if the script unloaded it; the modules still loaded refuse quietly.
  for m in /modules/*.ko; do [ -e "$m" ] && insmod "$m" 2>/dev/null; done
  mkdir -p /out && vmio /out
  dmesg >"$io/dmesg"
  # The exit status last: the host takes a run without it as unfinished.
  cp -p "$io/started" "$io/stdout" "$io/stderr" "$io/dmesg" /out/ && cp "$io/status" /out/ || \\
    fail "cannot write the results"
else
  dmesg >"$io/dmesg"
fi
echo "kpatch-vm: script ends at uptime $(cut -d' ' -f1 /proc/uptime)"
poweroff -f
`;
export async function runInGuest(opts, host = nodeHost) {
    const share = opts.shareRoot ?? true;
    // Scripts name modules and files in the cache, which a guest could not see there.
    if (share && /^\/tmp(\/|$)/.test(host.cacheRoot()))
        throw new HostError(`the cache ${host.cacheRoot()} is under /tmp, which a guest sees as its own tmpfs: ` +
            "set KPATCH_CACHE to a directory elsewhere");
    if (opts.uefiVars && /[,\s]/.test(opts.uefiVars))
        throw new HostError(`variable store ${opts.uefiVars} cannot go to QEMU's -drive`);
    const dir = host.makeTempDir(join(host.cacheRoot(), "vm"), "run-");
    if (/[\s"'\\]/.test(dir)) {
        throw new HostError(`run directory ${dir} cannot go on a kernel command line`);
    }
    const script = join(dir, "script.sh");
    host.writeFileAtomic(script, opts.script);
    if (share && opts.files?.length) {
        throw new HostError("files travel in the initramfs only for runs without the host root");
    }
    const files = [...(opts.files ?? []), ...(share ? [] : [script])];
    const cmdline = [
        "console=ttyS0",
        // A panic reboots, and -no-reboot turns that into QEMU exiting.
        "panic=-1",
        `kpatch_dir=${dir}`,
        `kpatch_share=${share ? 1 : 0}`,
        opts.appendCmdline ?? "",
    ].join(" ");
    const args = [
        ...machineArgs(opts),
        ...(opts.uefiVars
            ? [
                "-drive",
                `if=pflash,format=raw,unit=0,readonly=on,file=${OVMF_CODE}`,
                "-drive",
                `if=pflash,format=raw,unit=1,file=${opts.uefiVars}`,
            ]
            : []),
        "-kernel",
        opts.kernel,
        "-initrd",
        files.length
            ? await initramfs({ init, modules: opts.modules, files }, join(dir, "initrd.cpio.gz"), host)
            : await initramfs({ init, modules: opts.modules }, undefined, host),
        "-append",
        cmdline.trim(),
        ...runDirArgs(dir),
    ];
    if (share) {
        args.push("-fsdev", "local,id=r,path=/,security_model=none,readonly=on,multidevs=remap", "-device", "virtio-9p-pci,fsdev=r,mount_tag=hostroot");
    }
    const result = await runQemu(args, dir, opts.timeoutMs, host);
    host.remove(dir);
    return result;
}
/** QEMU's options for a machine: its CPUs, memory, no network, the console on stdio. */
export function machineArgs(opts) {
    return [
        // One host thread runs every vCPU in turn. With a thread each (MTTCG), a
        // vCPU can run code another just rewrote through text_poke_bp, after the
        // serializing IPI real CPUs honour: ftrace's int3 then oopses the guest
        // (seen at cycle 66 of 100 in bench/stress.ts), an emulator artifact.
        "-accel",
        "tcg,thread=single",
        "-nographic",
        "-no-reboot",
        "-nic",
        "none",
        "-m",
        String(opts.memory ?? 2048),
        "-smp",
        String(opts.cpus ?? 1),
    ];
}
/** The run directory, shared read-write over virtio-9p with the tag the guest mounts: vmio. */
export function runDirArgs(dir) {
    return [
        "-fsdev",
        `local,id=io,path=${dir},security_model=none`,
        "-device",
        "virtio-9p-pci,fsdev=io,mount_tag=vmio",
    ];
}
/**
 * Runs QEMU until the guest powers off and reads what its script left in run
 * directory `dir` (stdout, stderr, status, dmesg, started). A guest whose
 * kernel log or console shows harm fails, whatever the script said.
 */
export async function runQemu(args, dir, timeoutMs, host = nodeHost) {
    const consoleLog = join(dir, "console.log");
    const t0 = Date.now();
    const r = await host.run("qemu-system-x86_64", args, {
        logFile: consoleLog,
        timeoutMs,
        allowFailure: true,
    });
    const log = host.readText(consoleLog);
    const failed = (why) => new HostError(`guest ${why}; console:\n${lastLines(log, 10)}\n`, consoleLog);
    if (r.timedOut)
        throw failed(`timed out after ${timeoutMs} ms`);
    if (r.code !== 0)
        throw failed(`QEMU exited with status ${r.code}`);
    const status = join(dir, "status");
    // The guest's dmesg, and what reached the console (all of it, if the guest
    // died first; what came after dmesg was taken, as a shutdown's messages).
    const dmesg = host.readIfExists(join(dir, "dmesg")) ?? "";
    const hurt = [...new Set([...kernelComplaints(dmesg), ...kernelComplaints(log)])];
    if (hurt.length) {
        throw new HostError(`guest kernel complained:\n${hurt.join("\n---\n")}\n`, consoleLog);
    }
    if (!host.exists(status))
        throw failed("stopped before the script finished");
    return {
        output: host.readText(join(dir, "stdout")),
        stderr: host.readText(join(dir, "stderr")),
        exitCode: Number(host.readText(status).trim()),
        // The host's clock stamped `started` as the guest created it (without the
        // host root, the guest's clock did, copied out: right to about a second).
        bootMs: Math.round(host.stat(join(dir, "started")).mtimeMs - t0),
        consoleLog: log,
    };
}
//# sourceMappingURL=qemu.js.map