// A changed function without an ftrace entry cannot be redirected itself.
// gcc makes many of them: the kernel's `inline` is notrace, so a static
// inline function gcc did not inline (folio_wait_bit_common,
// static_protections, SYSCALL_DEFINE's __do_sys_*) has no __fentry__ call.
// Its callers can be redirected instead, with the changed function as the
// patch's own copy that only they call. That is as safe as patching it where
// the running kernel enters the old copy only by direct calls from functions
// livepatch redirects: such a caller's frame sits on the stack of every task
// inside the old copy, so the transition waits for that task as it would for
// the function itself. A tail call leaves no frame, a taken address lets the
// kernel keep calling the old copy, and boot or exit code is not redirected:
// each of those keeps the refusal (verify.ts), which names it.
import { isBootOnly, isExitCode } from "./boot.js";
import { isPrefix, isText, parentOf } from "./units.js";
import { branchStart, CODE_ADDRESS_TABLES } from "../arch/x86/references.js";
import { STB } from "../elf/constants.js";
const FENTRY = "__fentry__";
/** Whether an original function starts with the __fentry__ call ftrace redirects it through. */
export function isTraced(ctx, u) {
    return ctx.origTargets
        .of(u)
        .some((t, i) => t.kind === "extern" && t.name === FENTRY && Number(u.relocs[i].offset) - u.start <= 5);
}
/** Whether the target traces its functions (see DiffOptions.traced), or this object shows it. */
export function tracesFunctions(ctx) {
    return (ctx.options.traced || [...ctx.statuses.keys()].some((u) => u.twin && isTraced(ctx, u.twin)));
}
/**
 * Carries each changed function without an ftrace entry that can be carried:
 * it stays changed (the output holds it) and its callers, marked changed, are
 * patched in its stead. Carrying is all or nothing per function: an untraced
 * caller is carried in turn, and one place that cannot be redirected leaves
 * the function to verify's refusal. Both objects are read: the original, for
 * the tasks in the old copy as the patch goes on, and the patched one, for
 * those in the patch's copy as it goes off (and the module unloads).
 */
export function carryUntraced(ctx, ignored) {
    const { orig: o, patched: p, statuses } = ctx;
    const carried = { callers: new Map(), why: new Map() };
    const untraced = [...statuses]
        .filter(([u, s]) => s === "changed" &&
        u.kind === "func" &&
        u.twin &&
        !parentOf(p, u) &&
        !isBootOnly(u) &&
        !isExitCode(u) &&
        !isTraced(ctx, u.twin))
        .map(([u]) => u);
    if (!untraced.length || !tracesFunctions(ctx))
        return carried;
    const [before, after] = [entriesOf(o, ctx.origTargets), entriesOf(p, ctx.patchedTargets)];
    const local = (u) => u.symbols.every((s) => s.bind === STB.LOCAL);
    for (const start of untraced) {
        const copies = new Set([start]);
        const callers = new Set();
        const work = [start];
        let why;
        const refuse = (reason) => (why ??= reason);
        while (work.length && !why) {
            const u = work.pop();
            const old = u.twin;
            if (!local(u) || !local(old))
                refuse(`${u.name} is global, so other objects may call it`);
            // A call within one section needs no relocation: only a section of its
            // own shows every place that enters it (a Makefile may drop
            // -ffunction-sections, as for early boot code).
            if (o.bySection.get(old.section).some((x) => x !== old && x.kind === "func" && !isPrefix(x)))
                refuse(`${u.name} shares its section with other functions, which may call it unseen`);
            const calls = (before.get(old) ?? []).map((e) => enters(o, old, e));
            for (const c of calls) {
                if (typeof c === "string")
                    refuse(c);
                if (typeof c !== "object" || why)
                    continue;
                const caller = c.call.twin;
                if (!caller)
                    refuse(`${c.call.name} calls it, and the patch removes ${c.call.name}`);
                else if (ignored.has(caller))
                    refuse(`${c.call.name} calls it, and the patch ignores it`);
                else if (isTraced(ctx, c.call))
                    callers.add(caller);
                else if (!copies.has(caller)) {
                    copies.add(caller);
                    work.push(caller);
                }
            }
            if (!calls.some((c) => typeof c === "object"))
                refuse(`no function of the object calls ${u.name} directly`);
        }
        // The patch's copies: entered only by calls from redirected functions or other copies.
        const direct = new Map();
        for (const u of why ? [] : copies) {
            for (const e of after.get(u) ?? []) {
                if (isBootOnly(e.from) || ignored.has(e.from))
                    continue;
                const c = enters(p, u, e);
                if (typeof c === "string")
                    refuse(`the patched ${c}`);
                if (typeof c !== "object")
                    continue;
                const g = c.call;
                if (!copies.has(g) && !callers.has(g)) {
                    if (!g.twin)
                        refuse(`${g.name}, new in the patch, calls it`);
                    else if (!isTraced(ctx, g.twin))
                        refuse(`the patched ${g.name} calls it unredirected`);
                    else
                        callers.add(g);
                }
                direct.set(u, [...new Set([...(direct.get(u) ?? []), g])]);
            }
        }
        if (why) {
            carried.why.set(start, why);
            continue;
        }
        for (const u of [...copies, ...callers]) {
            if (statuses.get(u) !== "changed" && statuses.get(u) !== "new")
                statuses.set(u, "changed");
        }
        for (const u of copies)
            carried.callers.set(u, direct.get(u) ?? []);
    }
    return carried;
}
/** Where each function of an object is entered: from which unit, by which relocation. */
function entriesOf(obj, targets) {
    const entries = new Map();
    for (const from of obj.units) {
        targets.of(from).forEach((t, at) => {
            if (t.kind !== "unit" || t.unit.kind !== "func")
                return;
            entries.set(t.unit, [...(entries.get(t.unit) ?? []), { from, at, offset: t.offset }]);
        });
    }
    return entries;
}
/**
 * How `e` enters `f`: by a direct call from a function livepatch sees on the
 * stack while `f` runs (`call`), as part of `f` itself (undefined: its body,
 * its .cold children, its alternatives, tables of code addresses), or why it
 * keeps `f` from being carried.
 */
function enters(obj, f, e) {
    const { from, at, offset } = e;
    if (CODE_ADDRESS_TABLES.has(from.section.name))
        return undefined;
    const r = from.relocs[at];
    const branch = isText(from.section) ? branchStart(from.section, r) : undefined;
    const own = from === f || parentOf(obj, from) === f;
    // An alternative's replacement jumps back into the function whose site it is.
    if ((own || (from.kind === "section" && offset > 0)) && branch !== undefined)
        return undefined;
    if (own)
        return `${f.name} takes its own address`;
    if (from.kind !== "func" || branch === undefined)
        return `${from.name} takes its address`;
    const data = from.section.data;
    const op = data[branch] === 0x2e ? data[branch + 1] : data[branch];
    if (op !== 0xe8 || offset !== 0) {
        return `${from.name} jumps to it (a tail call), leaving no frame of its own on the stack`;
    }
    // livepatch looks for return addresses within a function: one past its end is not.
    if (Number(r.offset) + 4 >= from.end) {
        return `${from.name} calls it last (it does not return), past the range livepatch checks`;
    }
    if (parentOf(obj, from))
        return `${from.name}, a part gcc moved out of line, calls it`;
    if (isBootOnly(from) || isExitCode(from)) {
        return `${from.name} calls it, and boot and exit code is not patched`;
    }
    return { call: from };
}
//# sourceMappingURL=carry.js.map