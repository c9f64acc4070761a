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
import type { DiffContext } from "./context.js";
import { isPrefix, isText, parentOf, type Unit } from "./units.js";
import { branchStart, CODE_ADDRESS_TABLES } from "../arch/x86/references.js";
import { STB } from "../elf/constants.js";

const FENTRY = "__fentry__";

/** Whether an original function starts with the __fentry__ call ftrace redirects it through. */
export function isTraced(ctx: DiffContext, u: Unit): boolean {
  return ctx.origTargets
    .of(u)
    .some(
      (t, i) =>
        t.kind === "extern" && t.name === FENTRY && Number(u.relocs[i]!.offset) - u.start <= 5,
    );
}

/** Whether the target traces its functions (see DiffOptions.traced), or this object shows it. */
export function tracesFunctions(ctx: DiffContext): boolean {
  return (
    ctx.options.traced || [...ctx.statuses.keys()].some((u) => u.twin && isTraced(ctx, u.twin))
  );
}

/** The changed functions livepatch cannot redirect itself, each as the patch's copy. */
export interface Carried {
  /** Each carried function, with the patched functions that call it in its stead. */
  callers: Map<Unit, Unit[]>;
  /** For each untraced changed function that cannot be carried, why not. */
  why: Map<Unit, string>;
}

/**
 * Carries each changed function without an ftrace entry that can be carried:
 * it stays changed (the output holds it) and its callers, marked changed, are
 * patched in its stead. Carrying is all or nothing per function: an untraced
 * caller is carried in turn, and one place that cannot be redirected leaves
 * the function to verify's refusal.
 */
export function carryUntraced(ctx: DiffContext, ignored: ReadonlySet<Unit>): Carried {
  const { orig: o, patched: p, statuses } = ctx;
  const carried: Carried = { callers: new Map(), why: new Map() };
  const untraced = [...statuses]
    .filter(
      ([u, s]) =>
        s === "changed" &&
        u.kind === "func" &&
        u.twin &&
        !parentOf(p, u) &&
        !isBootOnly(u) &&
        !isExitCode(u) &&
        !isTraced(ctx, u.twin),
    )
    .map(([u]) => u);
  if (!untraced.length || !tracesFunctions(ctx)) return carried;

  // Where the original object enters each function: from which unit, by which relocation.
  const entries = new Map<Unit, { from: Unit; at: number; offset: number }[]>();
  for (const from of o.units) {
    ctx.origTargets.of(from).forEach((t, at) => {
      if (t.kind !== "unit" || t.unit.kind !== "func" || t.unit === from) return;
      entries.set(t.unit, [...(entries.get(t.unit) ?? []), { from, at, offset: t.offset }]);
    });
  }
  const local = (u: Unit) => u.symbols.every((s) => s.bind === STB.LOCAL);

  for (const start of untraced) {
    const copies = new Set<Unit>([start]);
    const callers = new Set<Unit>();
    const work = [start];
    let why: string | undefined;
    while (work.length && !why) {
      const u = work.pop()!;
      const old = u.twin!;
      if (!local(u) || !local(old)) {
        why = `${u.name} is global, so other objects may call it`;
        break;
      }
      // A call within one section needs no relocation: only a section of its
      // own shows every place that enters it (a Makefile may drop
      // -ffunction-sections, as for early boot code).
      if (
        o.bySection.get(old.section)!.some((x) => x !== old && x.kind === "func" && !isPrefix(x))
      ) {
        why = `${u.name} shares its section with other functions, which may call it unseen`;
        break;
      }
      for (const { from, at, offset } of entries.get(old) ?? []) {
        if (CODE_ADDRESS_TABLES.has(from.section.name)) continue;
        // An alternative's replacement jumps back into the function whose site it is.
        if (from.kind === "section" && isText(from.section) && offset > 0) continue;
        why = whyNot(ctx, from, at, offset, ignored);
        if (why) break;
        const caller = from.twin!;
        if (isTraced(ctx, from)) callers.add(caller);
        else if (!copies.has(caller)) {
          copies.add(caller);
          work.push(caller);
        }
      }
    }
    if (why) {
      carried.why.set(start, why);
      continue;
    }
    for (const u of [...copies, ...callers]) {
      if (statuses.get(u) !== "changed" && statuses.get(u) !== "new") statuses.set(u, "changed");
    }
    for (const u of copies) carried.callers.set(u, [...callers]);
  }
  return carried;
}

/** Why the original `from` entering a function (its relocation `at`) keeps it from being carried. */
function whyNot(
  ctx: DiffContext,
  from: Unit,
  at: number,
  offset: number,
  ignored: ReadonlySet<Unit>,
): string | undefined {
  const r = from.relocs[at]!;
  const branch = from.kind === "func" ? branchStart(from.section, r) : undefined;
  if (branch === undefined) return `${from.name} takes its address`;
  const op =
    from.section.data[branch] === 0x2e ? from.section.data[branch + 1] : from.section.data[branch];
  if (op !== 0xe8 || offset !== 0) {
    return `${from.name} jumps to it (a tail call), leaving no frame of its own on the stack`;
  }
  if (parentOf(ctx.orig, from)) return `${from.name}, a part gcc moved out of line, calls it`;
  if (isBootOnly(from) || isExitCode(from)) {
    return `${from.name} calls it, and boot and exit code is not patched`;
  }
  if (!from.twin) return `${from.name} calls it, and the patch removes ${from.name}`;
  if (ignored.has(from.twin)) return `${from.name} calls it, and the patch ignores ${from.name}`;
  return undefined;
}
