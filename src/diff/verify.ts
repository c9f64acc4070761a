// Refuses what a live patch cannot carry, naming each symbol and the remedy:
// changed data, a function livepatch cannot redirect, __exit code, and
// __init code or data beside runtime changes.
import { isCallSiteMetadata, parentOf, type Unit } from "./units.js";
import type { DiffContext } from "./context.js";
import { KpatchError } from "../errors.js";
import { isBootOnly, isExitCode } from "./boot.js";
import { isTraced, tracesFunctions, type Carried } from "./carry.js";
import { changedBtfLists } from "./btfids.js";

/**
 * Refuses what a live patch cannot carry, naming each symbol and what to do
 * instead. A change to __init code or data alone is left to leaveOutBootCode
 * (nothing to patch); beside runtime changes it is refused, as kpatch does:
 * the boot-time half of the fix never runs, and no reading of the code can
 * tell that the runtime half does not rely on it.
 */
export function verify(
  ctx: DiffContext,
  copies: { copied: Map<Unit, string>; readerOf: Map<Unit, string> },
  carried: Carried,
  ignored: ReadonlySet<Unit>,
): void {
  const { patched: p, statuses } = ctx;
  const file = p.elf.file;
  const { copied, readerOf } = copies;
  const problems = [...copied.values()].filter(Boolean);
  problems.push(...changedBtfLists(ctx, ignored));
  const why = (u: Unit) =>
    readerOf.has(u)
      ? ` (it is patched only because it reads the changed constant ${readerOf.get(u)})`
      : "";
  const usesFentry = tracesFunctions(ctx);
  const changedCode = [...statuses]
    .filter(([u, s]) => (s === "changed" || s === "new") && u.kind === "func")
    .map(([u]) => u);
  const runtime = changedCode.filter((u) => !isBootOnly(u) && !isExitCode(u) && !parentOf(p, u));
  for (const [u, s] of statuses) {
    if (s !== "changed" && s !== "new") continue;
    if (isBootOnly(u)) {
      // New __init data is left out with a warning (see diffObjects): a renumbered
      // __UNIQUE_ID___addressable_init_module entry must not refuse a runtime fix.
      if ((u.kind === "func" || s === "changed") && runtime.length && !parentOf(p, u)) {
        const what = u.kind === "func" ? "function" : "data object";
        const mark = u.kind === "func" ? ` or mark it KPATCH_IGNORE_FUNCTION(${u.name})` : "";
        problems.push(
          `${what} ${u.name} (${u.section.name}) ${s === "new" ? "added" : "changed"} ` +
            `beside runtime changes (${runtime.map((r) => r.name).join(", ")}): ` +
            "__init code and data served the boot and cannot be live-patched, so the " +
            "patched kernel would have half the fix; if the runtime fix stands alone, " +
            `take the __init change out of the patch${mark}`,
        );
      }
      continue;
    }
    if (s !== "changed") continue;
    if (
      u.kind === "func" &&
      usesFentry &&
      u.twin &&
      !parentOf(p, u) &&
      !carried.callers.has(u) &&
      !isTraced(ctx, u.twin) &&
      !isExitCode(u)
    ) {
      const uncarried = carried.why.get(u);
      problems.push(
        `function ${u.name} changed${why(u)} but has no ftrace entry ` +
          "(notrace, or not compiled with -mfentry): livepatch cannot redirect it" +
          (uncarried ? `, nor carry it in its callers' stead: ${uncarried}` : "") +
          "; patch its callers instead",
      );
    }
    // Constants are copied or refused by copyConstants.
    if (u.kind === "object" && !isCallSiteMetadata(u.section) && !copied.has(u)) {
      problems.push(
        `data object ${u.name} (${u.section.name}) changed: ` +
          "its value in the running kernel would not change; " +
          "use a shadow variable or a callback to change live state",
      );
    } else if (u.kind === "func" && isExitCode(u)) {
      problems.push(
        `function ${u.name} (${u.section.name}) changed: ` +
          "__exit code cannot be live-patched; " +
          "leave it out of the patch or move the fix into runtime code",
      );
    }
  }
  if (problems.length) {
    throw new KpatchError("unsafe", "the patch changes what cannot be live-patched", {
      details: problems,
      file,
    });
  }
}
