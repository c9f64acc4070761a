// Loading and unloading patch modules. Each waits for the livepatch
// transition to finish and, if it cannot, reverses it and unloads the
// module, so the kernel is never left half-patched.
import { nodeHost, UNINTERRUPTED } from "../host/host.js";
import { progress, warn } from "../host/progress.js";
import { KpatchError } from "../errors.js";
import { kernelComplaints } from "../kernel/klog.js";
import { blockingTasks, hasControl, loadedPatch, loadedPatches, tasksInside, writeControl, } from "./livepatch.js";
import { moduleName } from "../kernel/modules.js";
import { privateCopy, readTrusted } from "../host/trusted.js";
import { displayed, escaped, printable } from "../names.js";
import { moduleInfo, runningRelease } from "./module.js";
/**
 * What to do when the kernel refused a module for its signature: it
 * enforces them (Secure Boot, module.sig_enforce=1), and only a module
 * signed with a key it trusts loads.
 */
function signatureHelp(said) {
    if (!/Key was rejected by service|Required key not available/.test(said))
        return "";
    return (". This kernel enforces module signatures (Secure Boot or module.sig_enforce=1): " +
        "sign the module with a key it trusts (the kernel tree's scripts/sign-file sha256 " +
        "KEY.pem CERT.der MODULE.ko) and enroll that key in the machine owner keys with " +
        "mokutil --import CERT.der, then reboot to confirm it");
}
/** What module `bytes` (named `file`) is, if this kernel could load it now; else why not. */
function loadable(file, bytes, host) {
    const m = moduleInfo(file, bytes);
    if (m.release !== runningRelease(host))
        throw new KpatchError("input", `${escaped(file)} was built for ${printable(m.release) || "an unknown kernel"}, ` +
            `this kernel is ${runningRelease(host)}: build the patch against the running kernel`);
    const known = loadedPatch(m.name, undefined, host);
    if (known?.enabled)
        throw new KpatchError("kernel", `${m.name} is loaded already`);
    if (known)
        throw new KpatchError("kernel", `${m.name} is loaded but disabled (a later patch replaced it): unload it first`);
    return m;
}
/**
 * What loading `file` would meet, without loading it: the checks `load`
 * makes, and the tasks whose stacks now hold a function it replaces. A task
 * asleep in one holds the transition until it leaves the function.
 */
export function dryRunLoad(file, host = nodeHost) {
    const m = loadable(file, readTrusted(file), host);
    // kpatch_func is OBJECT:FUNCTION,POS.
    const functions = [...new Set(m.functions.map((f) => f.replace(/^[^:]*:/, "").split(",")[0]))];
    const { tasks, read } = tasksInside(functions, host);
    return { name: m.name, functions, tasks, wouldStall: read ? tasks.length > 0 : undefined };
}
/**
 * Loads a patch module and waits until every task runs the patched code. A
 * transition that does not finish in time is reversed and the module
 * unloaded; the error names the tasks that held it up. What is checked and
 * loaded is a private copy, taken once (see privateCopy).
 */
export async function load(file, opts = {}, host = nodeHost) {
    const copy = privateCopy(file);
    try {
        const m = loadable(file, copy.bytes, host);
        return await watched(m.name, host, async () => {
            // A rollback: a later patch replaced this one and left its module loaded, which
            // holds the name. It runs no code any more, so it goes first.
            if (loadedLivepatchModules(host).includes(m.name)) {
                progress("kpatch", `removing ${m.name}'s old module, left when a later patch replaced it`);
                await rmmod(m.name, host);
            }
            // A signal must not kill insmod half-way: the module would be loaded, and reported not.
            const r = await host.run("insmod", [copy.path], {
                allowFailure: true,
                signal: UNINTERRUPTED,
            });
            if (r.code !== 0) {
                // insmod names the copy, which goes: the user knows the module by its own name.
                const said = displayed((r.stderr.trim() || r.stdout.trim()).replaceAll(copy.path, escaped(file)));
                throw new KpatchError("kernel", `insmod ${escaped(file)} failed: ${said}${signatureHelp(said)}`);
            }
            progress("kpatch", `loaded ${m.name}, waiting for every task to switch to it`);
            return settle(m.name, opts, host);
        });
    }
    finally {
        copy.remove();
    }
}
/**
 * Waits for a loaded patch's transition; one that does not finish is reversed
 * and the module unloaded.
 */
async function settle(name, opts, host) {
    const stuck = await waitForTransition(name, 1, opts, host);
    if (stuck) {
        progress("kpatch", `${name}: the transition did not finish; reversing it`);
        writeControl(name, "enabled", 0, undefined, host);
        const still = await waitForTransition(name, 0, opts, host);
        if (still)
            throw new KpatchError("kernel", `${name}: the transition did not finish, nor did its reversal: ${describe(still)}; ` +
                `try kpatch signal, or kpatch force ${name} (unsafe)`);
        await rmmod(name, host);
        throw new KpatchError("kernel", `${name}: the transition did not finish in ${opts.timeout ?? 60} s, ` +
            `so it was reversed and the module unloaded: ${describe(stuck)}`);
    }
    return loadedPatch(name, undefined, host);
}
/**
 * Runs `op` on patch module `name` and reads the kernel log it caused: an
 * oops, BUG, WARNING or relocation complaint fails it, and a failure quotes
 * what the kernel said about the module and livepatch.
 */
async function watched(name, host, op) {
    let mark;
    let readable = true;
    try {
        mark = host.kernelLog().at(-1)?.seq;
    }
    catch (e) {
        // A container may hide /dev/kmsg: go on, but say what is not checked.
        readable = false;
        warn("kpatch", `cannot read the kernel log (${e.message}): ${name} is not checked for harm`);
    }
    const outcome = await op().then((value) => ({ value }), (error) => ({ error }));
    const said = readable ? host.kernelLog(mark) : [];
    const hurt = kernelComplaints(said.map((r) => r.text).join("\n"));
    // What the kernel warned of about this module or livepatch; not its routine
    // progress, nor the taint every out-of-tree, unsigned livepatch module brings.
    const routine = /taints kernel|tainting kernel|module verification failed/;
    const about = said
        .filter((r) => 
    // A refused signature is only a notice, and names no module.
    /^Loading of .* is rejected$/.test(r.text) ||
        (r.level <= 4 &&
            !routine.test(r.text) &&
            (/^(livepatch|x86\/modules|module):/.test(r.text) || r.text.startsWith(`${name}: `))))
        .map((r) => r.text);
    const quote = (lines) => lines.map((l) => `\n  ${l.replaceAll("\n", "\n  ")}`).join("");
    if (hurt.length) {
        const state = "error" in outcome ? "failed" : "ran (it was left as it is now: see kpatch list)";
        throw new KpatchError("kernel", `${name}: the kernel log shows harm while it ${state}:${quote(hurt)}`);
    }
    if (!("error" in outcome))
        return outcome.value;
    if (outcome.error instanceof KpatchError && about.length) {
        const e = outcome.error;
        throw new KpatchError(e.kind, `${e.message}; the kernel said:${quote(about)}`);
    }
    throw outcome.error;
}
/** Disables a patch (waiting for the transition back) and removes its module. */
export async function unload(name, opts = {}, host = nodeHost) {
    return watched(moduleName(name), host, () => disable(name, opts, host));
}
async function disable(name, opts, host) {
    const p = loadedPatch(moduleName(name), undefined, host);
    if (!p) {
        // A patch replaced by a later one leaves its livepatch directory, not its module.
        if (!loadedLivepatchModules(host).includes(moduleName(name)))
            throw new KpatchError("kernel", `${name} is not a loaded patch module`);
        return rmmod(moduleName(name), host);
    }
    if (p.transition)
        throw new KpatchError("kernel", `${p.name} is in transition: wait, or run kpatch signal`);
    if (p.enabled) {
        progress("kpatch", `disabling ${p.name}`);
        writeControl(p.name, "enabled", 0, undefined, host);
        const stuck = await waitForTransition(p.name, 0, opts, host);
        if (stuck)
            throw new KpatchError("kernel", `${p.name}: the transition back did not finish: ${describe(stuck)}; ` +
                `try kpatch signal, or kpatch force ${p.name} (unsafe)`);
    }
    await rmmod(p.name, host);
}
/**
 * Sends a fake signal to the tasks that keep transitions from finishing,
 * where the kernel has the control for it.
 */
export function signal(host = nodeHost) {
    return loadedPatches(undefined, host)
        .filter((p) => p.transition)
        .map((p) => {
        const blocking = blockingTasks(p.enabled ? 1 : 0, host);
        const sent = hasControl(p.name, "signal", undefined, host);
        if (sent)
            writeControl(p.name, "signal", 1, undefined, host);
        return { patch: p.name, blocking, sent };
    });
}
/** Ends a patch's transition by marking every task switched: unsafe, and it taints the kernel. */
export function force(name, host = nodeHost) {
    const p = loadedPatch(moduleName(name), undefined, host);
    if (!p?.transition)
        throw new KpatchError("kernel", `${name} is not in transition`);
    writeControl(p.name, "force", 1, undefined, host);
}
/**
 * Waits until a transition reaches `target`; returns the tasks that still
 * block it at the timeout.
 */
async function waitForTransition(name, target, opts, host) {
    const deadline = Date.now() + (opts.timeout ?? 60) * 1000;
    let report = Date.now() + 5000;
    for (;;) {
        const p = loadedPatch(name, undefined, host);
        if (!p || !p.transition)
            return undefined;
        if (Date.now() > deadline)
            return blockingTasks(target, host);
        const tasks = Date.now() > report ? blockingTasks(target, host) : [];
        if (tasks.length) {
            progress("kpatch", `${name}: ${tasks.length} task${tasks.length === 1 ? "" : "s"} not switched yet (${tasks
                .slice(0, 5)
                .map((t) => `${t.pid} ${printable(t.comm)}`)
                .join(", ")})`);
            report = Date.now() + 5000;
        }
        await new Promise((r) => setTimeout(r, 100));
    }
}
/** The tasks, as a terminal may show them: a task names itself (its comm) as it likes. */
export function describe(tasks) {
    if (!tasks.length)
        return "no task is blocking it now";
    return tasks
        .slice(0, 5)
        .map((t) => `${t.pid} (${printable(t.comm)})` +
        `${t.stack.length ? ` at ${escaped(t.stack[0].replace(/^\[<0>\] /, ""))}` : ""}`)
        .join("; ");
}
/**
 * Loaded modules that carry the livepatch taint (K in /proc/modules); none
 * where the kernel has no module support, and so no /proc/modules.
 */
export function loadedLivepatchModules(host = nodeHost) {
    return (host.readIfExists("/proc/modules") ?? "")
        .split("\n")
        .filter((l) => /\([A-Z]*K[A-Z]*\)\s*$/.test(l))
        .map((l) => l.split(" ")[0]);
}
async function rmmod(name, host) {
    const r = await host.run("rmmod", [name], { allowFailure: true, signal: UNINTERRUPTED });
    if (r.code !== 0)
        throw new KpatchError("kernel", `rmmod ${name} failed: ${displayed(r.stderr.trim() || r.stdout.trim())}`);
}
//# sourceMappingURL=transition.js.map