// Loading at boot: a systemd unit runs `kpatch load --all` early, which
// loads what is installed for the running kernel; what fails is kept for
// `kpatch status` until the next boot.
import { join } from "node:path";
import { nodeHost, notRootsAlone, octalMode } from "../host/host.js";
import { warn } from "../host/progress.js";
import { HostError } from "../errors.js";
import { loadedPatches } from "./livepatch.js";
import { runningRelease } from "./module.js";
import { installed } from "./store.js";
import { load } from "./transition.js";
/** Whether the kernel command line turns boot loading off (kpatch.enable=0). */
export function bootLoadingOff(host = nodeHost) {
    const cmdline = host.readIfExists("/proc/cmdline") ?? "";
    return cmdline.split(/\s+/).includes("kpatch.enable=0");
}
/**
 * Loads the modules installed for the running kernel that are not loaded
 * yet, one failure not stopping the others; what failed, and why, is kept
 * for `kpatch status` until the next boot. Nothing is loaded when the kernel
 * command line says kpatch.enable=0.
 */
export async function loadInstalled(opts = {}, host = nodeHost) {
    if (bootLoadingOff(host))
        return { loaded: [], failed: [], off: true };
    const loaded = new Set(loadedPatches(undefined, host).map((p) => p.name));
    const { modules, skipped } = installed(undefined, host);
    const done = [];
    const failed = [...skipped];
    const why = {};
    for (const m of modules) {
        if (loaded.has(m.name))
            continue;
        try {
            await load(m.file, opts, host);
            done.push(m.name);
        }
        catch (e) {
            failed.push(e instanceof Error ? e.message : String(e));
            why[m.name] = failed.at(-1);
        }
    }
    try {
        const kept = JSON.stringify({ release: runningRelease(host), why });
        host.writeFileAtomic(failuresFile(host), kept);
    }
    catch (e) {
        // Boot loading stands; only status loses the reasons.
        warn("kpatch", `cannot keep the reasons for status: ${e.message}`);
    }
    return { loaded: done, failed, off: false };
}
// Per boot: /run is empty after a reboot, as these reasons should be.
export const failuresFile = (host = nodeHost) => join(host.env("KPATCH_RUNDIR") ?? "/run/kpatch", "load-failures.json");
/** A systemd unit that runs `kpatch load --all` early in boot, before services start. */
export const BOOT_UNIT_DESCRIPTION = "Apply the kpatch livepatch modules installed for the running kernel";
export function bootUnit(command) {
    return `[Unit]
Description=${BOOT_UNIT_DESCRIPTION}
# The kill switch: boot with kpatch.enable=0 to start without any patch.
ConditionKernelCommandLine=!kpatch.enable=0
DefaultDependencies=no
After=local-fs.target
Before=sysinit.target shutdown.target
Conflicts=shutdown.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=${command.map(systemdQuoted).join(" ")} load --all

[Install]
WantedBy=sysinit.target
`;
}
/** An ExecStart word, quoted as systemd reads it: whatever the path holds, one argument. */
function systemdQuoted(word) {
    const escaped = word
        .replace(/\\/g, "\\\\")
        .replace(/"/g, '\\"')
        .replace(/%/g, "%%")
        .replace(/\$/g, "$$$$");
    return `"${escaped}"`;
}
/**
 * `command` with symlinks resolved, refused unless only root can change each
 * file and every directory above it: the boot unit runs it as root at every
 * boot, and a checkout its user can write would let them run anything there.
 */
export function bootCommand(command, host = nodeHost) {
    return command.map((word) => {
        const fault = notRootsAlone(word);
        if (fault)
            throw new HostError(`the boot unit would run ${word} as root at every boot, but ${fault.path} ` +
                `(owner uid ${fault.uid}, mode ${octalMode(fault.mode)}) can be changed by others ` +
                "than root: install the kpatch-ts runtime package (kpatch-build package --runtime), " +
                `or make ${fault.path} and every directory above it root's and not writable by ` +
                "group or others");
        return host.realPath(word);
    });
}
/**
 * Decides how installed modules will load at boot: the runtime package's
 * unit if it is installed, else one of ours running `command load --all`,
 * whose words bootCommand checks (it throws here, before a module is
 * installed). Undefined where systemd does not run (then the boot scripts
 * must run `kpatch load --all`).
 */
export function bootPlan(command, host = nodeHost) {
    if (!host.exists("/run/systemd/system"))
        return undefined;
    return host.exists(PACKAGED_UNIT)
        ? { unit: PACKAGED_UNIT }
        : { unit: OWN_UNIT, text: bootUnit(bootCommand(command, host)) };
}
// The runtime package's own unit, if installed, runs its own kpatch: no copy
// in /etc shadows it.
const PACKAGED_UNIT = "/lib/systemd/system/kpatch.service";
const OWN_UNIT = "/etc/systemd/system/kpatch.service";
/** Carries out a boot plan: the unit written if it is ours, and enabled. Returns what was done. */
export async function enableBootLoading(plan, host = nodeHost) {
    if (plan.text !== undefined)
        host.writeFileAtomic(plan.unit, plan.text);
    else if (host.readIfExists(OWN_UNIT)?.includes(`Description=${BOOT_UNIT_DESCRIPTION}\n`))
        host.remove(OWN_UNIT);
    await host.run("systemctl", ["daemon-reload"]);
    await host.run("systemctl", ["enable", "kpatch.service"]);
    return `${plan.unit} enabled`;
}
//# sourceMappingURL=boot.js.map