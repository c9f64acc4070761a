// kpatch: patch modules on the running kernel. Loading waits for the
// livepatch transition to finish and, if it cannot, reverses it and unloads
// the module, so the kernel is never left half-patched. Installed modules
// live in KPATCH_DIR/RELEASE/ and `load --all` (run at boot) loads those for
// the running kernel.
import { basename, join } from "node:path";
import { readElf } from "../elf/reader.js";
import { modinfo } from "../elf/model.js";
import {
  nodeHost,
  notRootsAlone,
  octalMode,
  UNINTERRUPTED,
  type RunningKernel,
} from "../host/host.js";
import { progress, warn } from "../host/progress.js";
import { HostError, KpatchError } from "../errors.js";
import { kernelComplaints } from "../kernel/klog.js";
import {
  blockingTasks,
  hasControl,
  loadedPatch,
  loadedPatches,
  tasksInside,
  writeControl,
  type BlockingTask,
  type LoadedPatch,
  type TaskInside,
} from "./livepatch.js";
import { moduleName } from "../kernel/modules.js";
import { privateCopy, readTrusted } from "../host/trusted.js";
import { checkModuleName, checkRelease, displayed, escaped, printable } from "../names.js";

/** uname -r */
const runningRelease = () => nodeHost.runningKernel().release;

/** Where `install` puts patch modules, one directory per kernel release. */
export function installRoot(): string {
  return process.env.KPATCH_DIR ?? "/var/lib/kpatch";
}

export interface PatchModuleInfo {
  file: string;
  /** The module name as the kernel knows it: modinfo's name. */
  name: string;
  /** The kernel release it was built for: the first word of its vermagic. */
  release: string;
  /** Everything in .modinfo, in order. */
  modinfo: [string, string][];
  /** OBJECT:FUNCTION,POS for each function it replaces (kpatch-build records them). */
  functions: string[];
  /** What it is for (MODULE_DESCRIPTION), and the CVEs it fixes (kpatch-build --cve). */
  description: string;
  cves: string[];
}

/** A patch module named by path, read once (see readTrusted). */
export function readModule(file: string): PatchModuleInfo {
  return moduleInfo(file, readTrusted(file));
}

/** What patch module `bytes` says of itself; `file` names it. */
export function moduleInfo(file: string, bytes: Uint8Array): PatchModuleInfo {
  // Sections only: a hostile module's symbol table is never parsed.
  const info = modinfo(readElf(bytes, file, { symbols: false }));
  const get = (k: string) => info.find(([key]) => key === k)?.[1];
  if (get("livepatch") !== "Y")
    throw new KpatchError(
      "input",
      `${escaped(file)} is not a livepatch module (no livepatch=Y in its modinfo)`,
    );
  // The name reaches sysfs paths, rmmod and the terminal.
  const name = checkModuleName(get("name") ?? moduleName(file), "input");
  return {
    file,
    name,
    release: (get("vermagic") ?? "").split(" ")[0]!,
    modinfo: info,
    functions: info.filter(([k]) => k === "kpatch_func").map(([, v]) => v),
    description: get("description") ?? "",
    // Only what is shaped like one: the values reach terminals and scanners.
    cves: info
      .filter(([k, v]) => k === "kpatch_cve" && /^CVE-\d{4}-\d{4,7}$/.test(v))
      .map(([, v]) => v)
      .sort(),
  };
}

export interface WaitOptions {
  /** Seconds to wait for a transition before giving up (default 60). */
  timeout?: number;
}

/**
 * What to do when the kernel refused a module for its signature: it
 * enforces them (Secure Boot, module.sig_enforce=1), and only a module
 * signed with a key it trusts loads.
 */
function signatureHelp(said: string): string {
  if (!/Key was rejected by service|Required key not available/.test(said)) return "";
  return (
    ". This kernel enforces module signatures (Secure Boot or module.sig_enforce=1): " +
    "sign the module with a key it trusts (the kernel tree's scripts/sign-file sha256 " +
    "KEY.pem CERT.der MODULE.ko) and enroll that key in the machine owner keys with " +
    "mokutil --import CERT.der, then reboot to confirm it"
  );
}

/** What module `bytes` (named `file`) is, if this kernel could load it now; else why not. */
function loadable(file: string, bytes: Uint8Array): PatchModuleInfo {
  const m = moduleInfo(file, bytes);
  if (m.release !== runningRelease())
    throw new KpatchError(
      "input",
      `${escaped(file)} was built for ${printable(m.release) || "an unknown kernel"}, ` +
        `this kernel is ${runningRelease()}: build the patch against the running kernel`,
    );
  const known = loadedPatch(m.name);
  if (known?.enabled) throw new KpatchError("kernel", `${m.name} is loaded already`);
  if (known)
    throw new KpatchError(
      "kernel",
      `${m.name} is loaded but disabled (a later patch replaced it): unload it first`,
    );
  return m;
}

export interface DryRun {
  name: string;
  /** The functions the module replaces. */
  functions: string[];
  /** Tasks whose stacks hold one of them now. */
  tasks: TaskInside[];
  /** Whether the transition would likely wait on those tasks; undefined: no stack was readable. */
  wouldStall: boolean | undefined;
}

/**
 * What loading `file` would meet, without loading it: the checks `load`
 * makes, and the tasks whose stacks now hold a function it replaces. A task
 * asleep in one holds the transition until it leaves the function.
 */
export function dryRunLoad(file: string): DryRun {
  const m = loadable(file, readTrusted(file));
  // kpatch_func is OBJECT:FUNCTION,POS.
  const functions = [...new Set(m.functions.map((f) => f.replace(/^[^:]*:/, "").split(",")[0]!))];
  const { tasks, read } = tasksInside(functions);
  return { name: m.name, functions, tasks, wouldStall: read ? tasks.length > 0 : undefined };
}

/**
 * Loads a patch module and waits until every task runs the patched code. A
 * transition that does not finish in time is reversed and the module
 * unloaded; the error names the tasks that held it up. What is checked and
 * loaded is a private copy, taken once (see privateCopy).
 */
export async function load(file: string, opts: WaitOptions = {}): Promise<LoadedPatch> {
  const copy = privateCopy(file);
  try {
    const m = loadable(file, copy.bytes);
    return await watched(m.name, async () => {
      // A rollback: a later patch replaced this one and left its module loaded, which
      // holds the name. It runs no code any more, so it goes first.
      if (loadedLivepatchModules().includes(m.name)) {
        progress("kpatch", `removing ${m.name}'s old module, left when a later patch replaced it`);
        await rmmod(m.name);
      }
      // A signal must not kill insmod half-way: the module would be loaded, and reported not.
      const r = await nodeHost.run("insmod", [copy.path], {
        allowFailure: true,
        signal: UNINTERRUPTED,
      });
      if (r.code !== 0) {
        // insmod names the copy, which goes: the user knows the module by its own name.
        const said = displayed(
          (r.stderr.trim() || r.stdout.trim()).replaceAll(copy.path, escaped(file)),
        );
        throw new KpatchError(
          "kernel",
          `insmod ${escaped(file)} failed: ${said}${signatureHelp(said)}`,
        );
      }
      progress("kpatch", `loaded ${m.name}, waiting for every task to switch to it`);
      return settle(m.name, opts);
    });
  } finally {
    copy.remove();
  }
}

/**
 * Waits for a loaded patch's transition; one that does not finish is reversed
 * and the module unloaded.
 */
async function settle(name: string, opts: WaitOptions): Promise<LoadedPatch> {
  const stuck = await waitForTransition(name, 1, opts);
  if (stuck) {
    progress("kpatch", `${name}: the transition did not finish; reversing it`);
    writeControl(name, "enabled", 0);
    const still = await waitForTransition(name, 0, opts);
    if (still)
      throw new KpatchError(
        "kernel",
        `${name}: the transition did not finish, nor did its reversal: ${describe(still)}; ` +
          `try kpatch signal, or kpatch force ${name} (unsafe)`,
      );
    await rmmod(name);
    throw new KpatchError(
      "kernel",
      `${name}: the transition did not finish in ${opts.timeout ?? 60} s, ` +
        `so it was reversed and the module unloaded: ${describe(stuck)}`,
    );
  }
  return loadedPatch(name)!;
}

/**
 * Runs `op` on patch module `name` and reads the kernel log it caused: an
 * oops, BUG, WARNING or relocation complaint fails it, and a failure quotes
 * what the kernel said about the module and livepatch.
 */
async function watched<T>(name: string, op: () => Promise<T>): Promise<T> {
  let mark: number | undefined;
  let readable = true;
  try {
    mark = nodeHost.kernelLog().at(-1)?.seq;
  } catch (e) {
    // A container may hide /dev/kmsg: go on, but say what is not checked.
    readable = false;
    warn(
      "kpatch",
      `cannot read the kernel log (${(e as Error).message}): ${name} is not checked for harm`,
    );
  }
  const outcome = await op().then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  const said = readable ? nodeHost.kernelLog(mark) : [];
  const hurt = kernelComplaints(said.map((r) => r.text).join("\n"));
  // What the kernel warned of about this module or livepatch; not its routine
  // progress, nor the taint every out-of-tree, unsigned livepatch module brings.
  const routine = /taints kernel|tainting kernel|module verification failed/;
  const about = said
    .filter(
      (r) =>
        // A refused signature is only a notice, and names no module.
        /^Loading of .* is rejected$/.test(r.text) ||
        (r.level <= 4 &&
          !routine.test(r.text) &&
          (/^(livepatch|x86\/modules|module):/.test(r.text) || r.text.startsWith(`${name}: `))),
    )
    .map((r) => r.text);
  const quote = (lines: string[]) => lines.map((l) => `\n  ${l.replaceAll("\n", "\n  ")}`).join("");
  if (hurt.length) {
    const state = "error" in outcome ? "failed" : "ran (it was left as it is now: see kpatch list)";
    throw new KpatchError(
      "kernel",
      `${name}: the kernel log shows harm while it ${state}:${quote(hurt)}`,
    );
  }
  if (!("error" in outcome)) return outcome.value;
  if (outcome.error instanceof KpatchError && about.length) {
    const e = outcome.error;
    throw new KpatchError(e.kind, `${e.message}; the kernel said:${quote(about)}`);
  }
  throw outcome.error;
}

/** Disables a patch (waiting for the transition back) and removes its module. */
export async function unload(name: string, opts: WaitOptions = {}): Promise<void> {
  return watched(moduleName(name), () => disable(name, opts));
}

async function disable(name: string, opts: WaitOptions): Promise<void> {
  const p = loadedPatch(moduleName(name));
  if (!p) {
    // A patch replaced by a later one leaves its livepatch directory, not its module.
    if (!loadedLivepatchModules().includes(moduleName(name)))
      throw new KpatchError("kernel", `${name} is not a loaded patch module`);
    return rmmod(moduleName(name));
  }
  if (p.transition)
    throw new KpatchError("kernel", `${p.name} is in transition: wait, or run kpatch signal`);
  if (p.enabled) {
    progress("kpatch", `disabling ${p.name}`);
    writeControl(p.name, "enabled", 0);
    const stuck = await waitForTransition(p.name, 0, opts);
    if (stuck)
      throw new KpatchError(
        "kernel",
        `${p.name}: the transition back did not finish: ${describe(stuck)}; ` +
          `try kpatch signal, or kpatch force ${p.name} (unsafe)`,
      );
  }
  await rmmod(p.name);
}

export interface Signalled {
  patch: string;
  /** The tasks that held the transition up. */
  blocking: BlockingTask[];
  /**
   * Whether a fake signal was sent; kernels since 5.x send one themselves
   * every 15 s, and have no control for it.
   */
  sent: boolean;
}

/**
 * Sends a fake signal to the tasks that keep transitions from finishing,
 * where the kernel has the control for it.
 */
export function signal(): Signalled[] {
  return loadedPatches()
    .filter((p) => p.transition)
    .map((p) => {
      const blocking = blockingTasks(p.enabled ? 1 : 0);
      const sent = hasControl(p.name, "signal");
      if (sent) writeControl(p.name, "signal", 1);
      return { patch: p.name, blocking, sent };
    });
}

/** Ends a patch's transition by marking every task switched: unsafe, and it taints the kernel. */
export function force(name: string): void {
  const p = loadedPatch(moduleName(name));
  if (!p?.transition) throw new KpatchError("kernel", `${name} is not in transition`);
  writeControl(p.name, "force", 1);
}

/**
 * Copies a patch module to KPATCH_DIR/RELEASE/, for `load --all` at boot:
 * 0644 and root's, written whole or not at all. What boot would load as
 * root is checked first: a .ko file that only root could have written (see
 * readTrusted), a livepatch module, a release that is one directory name,
 * one module of each name; the bytes checked are the bytes installed.
 */
export function install(file: string): string {
  const base = basename(file);
  if (!/^[A-Za-z0-9_+-][A-Za-z0-9_.+-]*\.ko$/.test(base)) {
    throw new KpatchError(
      "input",
      `${escaped(file)}: only a .ko file with a plain name (letters, digits, . _ + -) ` +
        "can be installed",
    );
  }
  const bytes = readTrusted(file);
  const m = moduleInfo(file, bytes);
  const dir = join(installRoot(), checkRelease(m.release, `${escaped(file)}: its vermagic`));
  const dest = join(dir, base);
  const same = installed(m.release).modules.find((i) => i.name === m.name && i.file !== dest);
  if (same)
    throw new KpatchError(
      "usage",
      `${m.name} is installed already as ${same.file}: uninstall it first`,
    );
  nodeHost.writeFileAtomic(dest, bytes, 0o644);
  if (process.getuid?.() === 0) nodeHost.chown(dest, 0, 0);
  return dest;
}

export function uninstall(name: string, kernel = runningRelease()): string {
  const m = installed(kernel).modules.find((i) => i.name === moduleName(name));
  if (!m) throw new KpatchError("usage", `${name} is not installed for ${kernel}`);
  nodeHost.remove(m.file);
  return m.file;
}

export interface Installed {
  /** The patch modules, in load order (by file name). */
  modules: PatchModuleInfo[];
  /**
   * Entries that are not (a symlink, a directory, a file that is not a patch
   * module), each saying why.
   */
  skipped: string[];
}

/**
 * The patch modules installed for a kernel release. A bad entry (planted, or
 * left half-written by a crash) is skipped with the reason, so that one
 * cannot keep the others from loading at boot.
 */
export function installed(kernel = runningRelease()): Installed {
  const dir = join(installRoot(), checkRelease(kernel, "kpatch"));
  const result: Installed = { modules: [], skipped: [] };
  if (!nodeHost.exists(dir)) return result;
  for (const f of nodeHost
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
      else result.modules.push(m);
    } catch (e) {
      result.skipped.push(e instanceof Error ? e.message : String(e));
    }
  }
  return result;
}

/** Whether the kernel command line turns boot loading off (kpatch.enable=0). */
export function bootLoadingOff(): boolean {
  const cmdline = nodeHost.readIfExists("/proc/cmdline") ?? "";
  return cmdline.split(/\s+/).includes("kpatch.enable=0");
}

/**
 * Loads the modules installed for the running kernel that are not loaded
 * yet, one failure not stopping the others; what failed, and why, is kept
 * for `kpatch status` until the next boot. Nothing is loaded when the kernel
 * command line says kpatch.enable=0.
 */
export async function loadInstalled(
  opts: WaitOptions = {},
): Promise<{ loaded: string[]; failed: string[]; off: boolean }> {
  if (bootLoadingOff()) return { loaded: [], failed: [], off: true };
  const loaded = new Set(loadedPatches().map((p) => p.name));
  const { modules, skipped } = installed();
  const done: string[] = [];
  const failed = [...skipped];
  const why: Record<string, string> = {};
  for (const m of modules) {
    if (loaded.has(m.name)) continue;
    try {
      await load(m.file, opts);
      done.push(m.name);
    } catch (e) {
      failed.push(e instanceof Error ? e.message : String(e));
      why[m.name] = failed.at(-1)!;
    }
  }
  try {
    nodeHost.writeFileAtomic(failuresFile(), JSON.stringify({ release: runningRelease(), why }));
  } catch (e) {
    // Boot loading stands; only status loses the reasons.
    warn("kpatch", `cannot keep the reasons for status: ${(e as Error).message}`);
  }
  return { loaded: done, failed, off: false };
}

// Per boot: /run is empty after a reboot, as these reasons should be.
const failuresFile = () => join(process.env.KPATCH_RUNDIR ?? "/run/kpatch", "load-failures.json");

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
export function status(): Status {
  const kernel = nodeHost.runningKernel();
  const inst = installed(kernel.release);
  const loaded = loadedPatches();
  const byName = new Map(inst.modules.map((m) => [m.name, m]));
  let failures: Record<string, string> = {};
  try {
    const kept = JSON.parse(nodeHost.readText(failuresFile())) as {
      release?: string;
      why?: unknown;
    };
    if (kept.release === kernel.release && kept.why && typeof kept.why === "object") {
      failures = kept.why as Record<string, string>;
    }
  } catch {
    // no boot load recorded
  }
  const off = bootLoadingOff();
  // A patch a cumulative one replaced leaves sysfs, but its module stays until unloaded.
  const modules = new Set(loadedLivepatchModules());
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

/**
 * Waits until a transition reaches `target`; returns the tasks that still
 * block it at the timeout.
 */
async function waitForTransition(
  name: string,
  target: 0 | 1,
  opts: WaitOptions,
): Promise<BlockingTask[] | undefined> {
  const deadline = Date.now() + (opts.timeout ?? 60) * 1000;
  let report = Date.now() + 5000;
  for (;;) {
    const p = loadedPatch(name);
    if (!p || !p.transition) return undefined;
    if (Date.now() > deadline) return blockingTasks(target);
    const tasks = Date.now() > report ? blockingTasks(target) : [];
    if (tasks.length) {
      progress(
        "kpatch",
        `${name}: ${tasks.length} task${tasks.length === 1 ? "" : "s"} not switched yet (${tasks
          .slice(0, 5)
          .map((t) => `${t.pid} ${printable(t.comm)}`)
          .join(", ")})`,
      );
      report = Date.now() + 5000;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The tasks, as a terminal may show them: a task names itself (its comm) as it likes. */
export function describe(tasks: BlockingTask[]): string {
  if (!tasks.length) return "no task is blocking it now";
  return tasks
    .slice(0, 5)
    .map(
      (t) =>
        `${t.pid} (${printable(t.comm)})` +
        `${t.stack.length ? ` at ${escaped(t.stack[0]!.replace(/^\[<0>\] /, ""))}` : ""}`,
    )
    .join("; ");
}

/**
 * Loaded modules that carry the livepatch taint (K in /proc/modules); none
 * where the kernel has no module support, and so no /proc/modules.
 */
export function loadedLivepatchModules(): string[] {
  return (nodeHost.readIfExists("/proc/modules") ?? "")
    .split("\n")
    .filter((l) => /\([A-Z]*K[A-Z]*\)\s*$/.test(l))
    .map((l) => l.split(" ")[0]!);
}

async function rmmod(name: string): Promise<void> {
  const r = await nodeHost.run("rmmod", [name], { allowFailure: true, signal: UNINTERRUPTED });
  if (r.code !== 0)
    throw new KpatchError(
      "kernel",
      `rmmod ${name} failed: ${displayed(r.stderr.trim() || r.stdout.trim())}`,
    );
}

/** A systemd unit that runs `kpatch load --all` early in boot, before services start. */
export const BOOT_UNIT_DESCRIPTION =
  "Apply the kpatch livepatch modules installed for the running kernel";

export function bootUnit(command: string[]): string {
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
function systemdQuoted(word: string): string {
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
export function bootCommand(command: string[]): string[] {
  return command.map((word) => {
    const fault = notRootsAlone(word);
    if (fault)
      throw new HostError(
        `the boot unit would run ${word} as root at every boot, but ${fault.path} ` +
          `(owner uid ${fault.uid}, mode ${octalMode(fault.mode)}) can be changed by others ` +
          "than root: install the kpatch-ts runtime package (kpatch-build package --runtime), " +
          `or make ${fault.path} and every directory above it root's and not writable by ` +
          "group or others",
      );
    return nodeHost.realPath(word);
  });
}

/**
 * Makes installed modules load at boot: a systemd unit running `command load
 * --all`, enabled. Returns what was done, or undefined where systemd does not
 * run (then the boot scripts must run `kpatch load --all`).
 */
export async function enableBootLoading(command: string[]): Promise<string | undefined> {
  if (!nodeHost.exists("/run/systemd/system")) return undefined;
  // The runtime package's own unit, if installed, runs its own kpatch: no copy
  // in /etc shadows it.
  const packaged = "/lib/systemd/system/kpatch.service";
  const ours = "/etc/systemd/system/kpatch.service";
  const unit = nodeHost.exists(packaged) ? packaged : ours;
  if (unit === ours) nodeHost.writeFileAtomic(unit, bootUnit(bootCommand(command)));
  else if (nodeHost.readIfExists(ours)?.includes(`Description=${BOOT_UNIT_DESCRIPTION}\n`))
    nodeHost.remove(ours);
  await nodeHost.run("systemctl", ["daemon-reload"]);
  await nodeHost.run("systemctl", ["enable", "kpatch.service"]);
  return `${unit} enabled`;
}
