// `kpatch status`: what is patched on this machine and what should be, for
// people, scripts and scanners.
import { nodeHost, type Host, type RunningKernel } from "../host/host.js";
import { loadedPatches, type LoadedPatch } from "./livepatch.js";
import { installed } from "./store.js";
import { bootLoadingOff, failuresFile } from "./boot.js";
import { loadedLivepatchModules } from "./transition.js";

export interface Status {
  kernel: RunningKernel;
  /** The patches the kernel has loaded, with what they fix when their file is installed. */
  loaded: (LoadedPatch & { cves: string[] })[];
  installed: { name: string; file: string; cves: string[]; loaded: boolean; why?: string }[];
  /** Files in the install directory that are not loaded at boot, and why. */
  skipped: string[];
  /** The CVEs the enabled patches fix. */
  cves: string[];
  /** ok; not-loaded: an installed patch is not loaded; stuck: a transition is under way. */
  state: "ok" | "not-loaded" | "stuck";
}

/** Exit statuses of `kpatch status`, for monitoring. */
export const STATUS_EXIT: Record<Status["state"], number> = { ok: 0, "not-loaded": 3, stuck: 4 };

/** What is patched on this machine and what should be: for people, scripts and scanners. */
export function status(host: Host = nodeHost): Status {
  const kernel = host.runningKernel();
  const inst = installed(kernel.release, host);
  const loaded = loadedPatches(undefined, host);
  const byName = new Map(inst.modules.map((m) => [m.name, m]));
  let failures: Record<string, string> = {};
  try {
    const kept = JSON.parse(host.readText(failuresFile(host))) as {
      release?: string;
      why?: unknown;
    };
    if (kept.release === kernel.release && kept.why && typeof kept.why === "object") {
      failures = kept.why as Record<string, string>;
    }
  } catch {
    // no boot load recorded
  }
  const off = bootLoadingOff(host);
  // A patch a cumulative one replaced leaves sysfs, but its module stays until unloaded.
  const modules = new Set(loadedLivepatchModules(host));
  const replaced = (n: string) =>
    !!loaded.find((p) => p.name === n && !p.enabled) ||
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
  return {
    kernel,
    loaded: withCves,
    installed: installedOnes,
    skipped: inst.skipped,
    cves: [...new Set(enabled.flatMap((p) => p.cves))].sort(),
    state: loaded.some((p) => p.transition)
      ? "stuck"
      : installedOnes.some((i) => !i.loaded && !replaced(i.name)) || inst.skipped.length
        ? "not-loaded"
        : "ok",
  };
}
