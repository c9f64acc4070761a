// Refuses what a live patch cannot carry, naming each symbol and the remedy:
// changed data, a function livepatch cannot redirect, __exit code, and
// __init code beside runtime code that uses the same data.
import { R_X86_64 } from "../elf/constants.js";
import { insnAt } from "../arch/x86/decode.js";
import { parentOf, type ObjectUnits, type Unit } from "./units.js";
import type { TargetCache } from "./correlate.js";
import type { UnitStatus } from "./compare.js";
import { KpatchError } from "../errors.js";
import { isCallSiteMetadata } from "./include.js";
import { isBootOnly, isExitCode } from "./boot.js";

const FENTRY = "__fentry__";

/**
 * Refuses what a live patch cannot carry, naming each symbol and what to do
 * instead. A changed __init function is left out (see diffObjects), unless
 * runtime code the patch changes uses the same data: then the runtime fix may
 * rely on what the boot-time change would have set up.
 */
export function verify(
  p: ObjectUnits,
  statuses: Map<Unit, UnitStatus>,
  origTargets: TargetCache,
  targets: TargetCache,
  copies: { copied: Map<Unit, string>; readerOf: Map<Unit, string> },
): void {
  const file = p.elf.file;
  const { copied, readerOf } = copies;
  const problems = [...copied.values()].filter(Boolean);
  const why = (u: Unit) =>
    readerOf.has(u)
      ? ` (it is patched only because it reads the changed constant ${readerOf.get(u)})`
      : "";
  // ftrace redirects a function through the __fentry__ call at its entry:
  // without one it cannot be patched.
  const traced = (u: Unit) =>
    origTargets
      .of(u)
      .some(
        (t, i) =>
          t.kind === "extern" && t.name === FENTRY && Number(u.relocs[i]!.offset) - u.start <= 5,
      );
  const usesFentry = [...statuses.keys()].some((u) => u.twin && traced(u.twin));
  const changedCode = [...statuses]
    .filter(([u, s]) => (s === "changed" || s === "new") && u.kind === "func")
    .map(([u]) => u);
  const runtime = changedCode.filter((u) => !isBootOnly(u) && !isExitCode(u));
  for (const [u, s] of statuses) {
    if (s !== "changed") continue;
    if (isBootOnly(u)) {
      const shared = u.kind === "func" ? sharedData(p, u, runtime, targets) : [];
      if (shared.length) {
        problems.push(
          `function ${u.name} (${u.section.name}) changed, and so did runtime code ` +
            `that uses the same data (${shared.join(", ")}): __init code ran at boot and cannot ` +
            "be live-patched, and the runtime fix may rely on what it would set up; " +
            "if the runtime fix stands alone, leave the __init change out of the patch",
        );
      }
      continue;
    }
    if (
      u.kind === "func" &&
      usesFentry &&
      u.twin &&
      !parentOf(p, u) &&
      !traced(u.twin) &&
      !isExitCode(u)
    ) {
      problems.push(
        `function ${u.name} changed${why(u)} but has no ftrace entry ` +
          "(notrace, or not compiled with -mfentry): livepatch cannot redirect it; " +
          "patch its callers instead",
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
    throw new KpatchError("unsafe", `${file}: the patch changes what cannot be live-patched`, {
      details: problems,
    });
  }
}

/**
 * The data both `boot` and any of `runtime` refer to (by name; calls do not
 * count): state one sets up and the other reads.
 */
function sharedData(p: ObjectUnits, boot: Unit, runtime: Unit[], targets: TargetCache): string[] {
  // An external symbol is data unless code calls or jumps to it (printk, a thunk).
  const branch = (u: Unit, i: number) => {
    const r = u.relocs[i]!;
    if (r.type === R_X86_64.PLT32) return true;
    const flow = insnAt(p.insns(u.section), Number(r.offset))?.flow;
    return flow === "call" || flow === "jump" || flow === "cond-jump";
  };
  const data = (u: Unit) =>
    new Set(
      targets.of(u).flatMap((t, i) => {
        if (t.kind === "unit") {
          return t.unit.kind === "object" && !isBootOnly(t.unit) ? [t.unit.name] : [];
        }
        return t.kind === "extern" && t.name !== FENTRY && !branch(u, i) ? [t.name] : [];
      }),
    );
  const mine = data(boot);
  return [...new Set(runtime.flatMap((r) => [...data(r)].filter((d) => mine.has(d))))].sort();
}
