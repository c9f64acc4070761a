// `kpatch status`: what is patched on this machine and what should be, for
// people, scripts and scanners.
import { nodeHost } from "../host/host.js";
import { loadedPatches } from "./livepatch.js";
import { installed } from "./store.js";
import { bootLoadingOff, failuresFile } from "./boot.js";
import { loadedLivepatchModules } from "./transition.js";
/**
 * "running 6.12.117+deb12-amd64, live-patched to 6.12.118-1~deb12u1 (212 of
 * 240 changes; 28 need a reboot)": what an update's module makes of a kernel.
 */
export function effective(release, u) {
    const reboot = u.changes - u.live;
    return (`running ${release}, live-patched to ${u.version} (${u.live} of ${u.changes} changes` +
        `${reboot ? `; ${reboot} need a reboot` : ""})`);
}
/** Exit statuses of `kpatch status`, for monitoring. */
export const STATUS_EXIT = { ok: 0, "not-loaded": 3, stuck: 4 };
/** What is patched on this machine and what should be: for people, scripts and scanners. */
export function status(host = nodeHost) {
    const kernel = host.runningKernel();
    const inst = installed(kernel.release, host);
    const loaded = loadedPatches(undefined, host);
    const byName = new Map(inst.modules.map((m) => [m.name, m]));
    let failures = {};
    try {
        const kept = JSON.parse(host.readText(failuresFile(host)));
        if (kept.release === kernel.release && kept.why && typeof kept.why === "object") {
            failures = kept.why;
        }
    }
    catch {
        // no boot load recorded
    }
    const off = bootLoadingOff(host);
    // A patch a cumulative one replaced leaves sysfs, but its module stays until unloaded.
    const modules = new Set(loadedLivepatchModules(host));
    const replaced = (n) => !!loaded.find((p) => p.name === n && !p.enabled) ||
        (modules.has(n) && !loaded.some((p) => p.name === n));
    const installedOnes = inst.modules.map((m) => {
        const l = loaded.find((p) => p.name === m.name);
        const why = l?.enabled
            ? undefined
            : replaced(m.name)
                ? "replaced by a later cumulative patch (kpatch unload removes its module)"
                : typeof failures[m.name] === "string"
                    ? `refused at boot: ${failures[m.name]}`
                    : off
                        ? "boot loading is off (kpatch.enable=0 on the kernel command line)"
                        : "not loaded (kpatch load --all loads it)";
        return {
            name: m.name,
            file: m.file,
            cves: m.cves,
            loaded: !!l?.enabled,
            ...(why ? { why } : {}),
        };
    });
    const withCves = loaded.map((p) => ({ ...p, cves: byName.get(p.name)?.cves ?? [] }));
    const enabled = withCves.filter((p) => p.enabled);
    // A cumulative update replaces the one before it: the enabled one is the last loaded.
    const update = enabled.flatMap((p) => byName.get(p.name)?.update ?? []).at(-1);
    return {
        kernel,
        loaded: withCves,
        installed: installedOnes,
        skipped: inst.skipped,
        cves: [...new Set(enabled.flatMap((p) => p.cves))].sort(),
        ...(update ? { update: { ...update, reboot: update.changes - update.live } } : {}),
        state: loaded.some((p) => p.transition)
            ? "stuck"
            : installedOnes.some((i) => !i.loaded && !replaced(i.name)) || inst.skipped.length
                ? "not-loaded"
                : "ok",
    };
}
//# sourceMappingURL=status.js.map