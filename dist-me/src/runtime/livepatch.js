// The kernel's livepatch state and controls in sysfs
// (Documentation/ABI/testing/sysfs-kernel-livepatch): one directory per
// loaded patch, with `enabled`, `transition`, `signal` and `force`, and one
// directory per patched object holding one per function (NAME,SYMPOS).
import { join } from "node:path";
import { nodeHost } from "../host/host.js";
import { KpatchError } from "../errors.js";
export const LIVEPATCH_SYSFS = "/sys/kernel/livepatch";
const readFlag = (file, host) => host.readText(file).trim() === "1";
export function loadedPatches(root = LIVEPATCH_SYSFS, host = nodeHost) {
    if (!host.exists(root))
        return [];
    return host
        .readDir(root)
        .sort()
        .map((name) => loadedPatch(name, root, host))
        .filter(Boolean);
}
export function loadedPatch(name, root = LIVEPATCH_SYSFS, host = nodeHost) {
    const dir = join(root, name);
    try {
        const objects = host
            .readDirEntries(dir)
            .filter((e) => e.isDirectory())
            .map((e) => ({
            name: e.name,
            patched: readFlag(join(dir, e.name, "patched"), host),
            functions: host
                .readDirEntries(join(dir, e.name))
                .filter((f) => f.isDirectory())
                .map((f) => f.name)
                .sort(),
        }));
        return {
            name,
            enabled: readFlag(join(dir, "enabled"), host),
            transition: readFlag(join(dir, "transition"), host),
            objects,
        };
    }
    catch (e) {
        // A disabled patch's directory goes away when its transition ends.
        if (e.code === "ENOENT")
            return undefined;
        throw e;
    }
}
/**
 * Whether the kernel has this control for a patch (signal went away in 5.x,
 * when the kernel began signalling by itself).
 */
export function hasControl(name, control, root = LIVEPATCH_SYSFS, host = nodeHost) {
    return host.exists(join(root, name, control));
}
/** Writes 1 or 0 to one of a patch's control files: enabled, signal, force. */
export function writeControl(name, control, value, root = LIVEPATCH_SYSFS, host = nodeHost) {
    try {
        host.writeFile(join(root, name, control), `${value}\n`);
    }
    catch (e) {
        throw new KpatchError("kernel", `cannot write ${value} to ${join(root, name, control)}: ${e.message}`);
    }
}
/**
 * The tasks not yet moved to the transition's target state (1 patched, 0
 * unpatched): each keeps a function the transition changes on its stack, or
 * has not passed a point where the kernel can switch it.
 */
export function blockingTasks(target, host = nodeHost) {
    return everyThread(host).flatMap(({ tid, read }) => {
        const state = Number((read("patch_state") ?? "").trim());
        if (Number.isNaN(state) || state === -1 || state === target)
            return [];
        return [
            {
                pid: tid,
                comm: (read("comm") ?? "").trim(),
                stack: (read("stack") ?? "").split("\n").filter(Boolean).slice(0, 4),
            },
        ];
    });
}
/**
 * Every thread of every process, with a reader of its /proc/PID/task/TID
 * files that gives undefined for one that exited or is not ours to read.
 */
function everyThread(host) {
    return host
        .readDir("/proc")
        .filter((p) => /^\d+$/.test(p))
        .flatMap((pid) => {
        let tids;
        try {
            tids = host.readDir(`/proc/${pid}/task`);
        }
        catch {
            return []; // exited
        }
        return tids.map((tid) => ({
            tid: Number(tid),
            read: (file) => {
                try {
                    return host.readText(join(`/proc/${pid}/task/${tid}`, file));
                }
                catch {
                    return undefined;
                }
            },
        }));
    });
}
/**
 * The tasks whose kernel stacks now hold one of `functions`: they would keep
 * a transition that replaces them from finishing until they leave. `read`
 * says whether any stack could be read at all: the kernel shows them to
 * root only, and only with CONFIG_STACKTRACE.
 */
export function tasksInside(functions, host = nodeHost) {
    const wanted = new Set(functions);
    const tasks = [];
    let read = false;
    for (const thread of everyThread(host)) {
        const stack = thread.read("stack");
        if (stack === undefined)
            continue;
        read = true;
        const frame = stack
            .split("\n")
            .map((l) => l.replace(/^\[<\w+>\] /, ""))
            .find((f) => wanted.has(f.split("+")[0]));
        if (frame)
            tasks.push({ pid: thread.tid, comm: (thread.read("comm") ?? "").trim(), frame });
    }
    return { tasks, read };
}
//# sourceMappingURL=livepatch.js.map