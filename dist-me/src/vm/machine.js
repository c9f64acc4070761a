// A Debian machine that keeps its disk across boots: a copy-on-write overlay
// of the cached system image (src/vm/rootfs.ts), booted with systemd as
// PID 1, as many times as a test needs (install, reboot, boot with other
// kernel parameters). Each boot runs one host script through the image's
// kpatch-vm.service and powers off; the run directory it shares (at /vmio in
// the guest) holds that script, its results, and whatever files the host
// puts there for the guest, such as an apt repository.
import { join } from "node:path";
import { nodeHost } from "../host/host.js";
import { HostError } from "../errors.js";
import { machineArgs, runDirArgs, runQemu } from "./qemu.js";
export class Machine {
    system;
    dir;
    host;
    constructor(system, 
    /** The machine's directory: its disk overlay and the shared run directory. */
    dir, host) {
        this.system = system;
        this.dir = dir;
        this.host = host;
    }
    /** A new machine whose disk starts as the system image. */
    static async create(system, host = nodeHost) {
        const dir = host.makeTempDir(join(host.cacheRoot(), "vm"), "machine-");
        if (/[\s",\\]/.test(dir))
            throw new HostError(`machine directory ${dir} cannot go to QEMU`);
        host.makeDirs(join(dir, "io"));
        await host.run("qemu-img", [
            "create",
            "-q",
            "-f",
            "qcow2",
            "-b",
            system.image,
            "-F",
            "raw",
            join(dir, "disk.qcow2"),
        ]);
        return new Machine(system, dir, host);
    }
    /** The directory the guest sees as /vmio. */
    get io() {
        return join(this.dir, "io");
    }
    /** Boots the machine, runs `script` in it and waits until it has powered off. */
    async boot(opts) {
        for (const f of ["script.sh", "started", "stdout", "stderr", "status", "dmesg", "console.log"])
            this.host.remove(join(this.io, f));
        this.host.writeFileAtomic(join(this.io, "script.sh"), opts.script);
        const cmdline = [
            "root=/dev/vda rw console=ttyS0",
            // A panic reboots, and -no-reboot turns that into QEMU exiting.
            "panic=-1",
            "kpatch_vm=1",
            opts.appendCmdline ?? "",
        ].join(" ");
        return runQemu([
            ...machineArgs(opts),
            "-kernel",
            this.system.vmlinuz,
            "-initrd",
            this.system.initrd,
            "-append",
            cmdline.trim(),
            "-drive",
            `file=${join(this.dir, "disk.qcow2")},if=virtio,format=qcow2`,
            ...runDirArgs(this.io),
        ], this.io, opts.timeoutMs, this.host);
    }
    /** Removes the machine's disk and directory. */
    dispose() {
        this.host.remove(this.dir);
    }
}
//# sourceMappingURL=machine.js.map