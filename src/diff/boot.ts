// Code that runs only as the kernel boots or a module loads or unloads:
// a live patch cannot redirect it. A changed __init function is left out with
// a warning; the change takes effect when a fixed kernel boots.
import { parentOf, type ObjectUnits, type Unit } from "./units.js";
import type { UnitStatus } from "./compare.js";

/**
 * Code and data that only boot (or a module's init) uses, freed once it ran:
 * `__init`, `__initdata`, `__initconst`.
 */
export function isBootOnly(u: Unit): boolean {
  return /^\.init\./.test(u.section.name);
}

/** A module's `__exit` code, run only as it unloads: livepatch cannot redirect it. */
export function isExitCode(u: Unit): boolean {
  return /^\.exit\./.test(u.section.name);
}

/**
 * Marks changed and new boot-only code and data (and the children of
 * boot-only functions) as unchanged, and says so for each.
 */
export function leaveOutBootCode(
  p: ObjectUnits,
  statuses: Map<Unit, UnitStatus>,
): { left: Unit[]; warnings: string[] } {
  const entryOf = (u: Unit): Unit => {
    const parent = parentOf(p, u);
    return parent ? entryOf(parent) : u;
  };
  const left = [...statuses].filter(
    ([u, s]) => (s === "changed" || s === "new") && isBootOnly(u) && !parentOf(p, u),
  );
  for (const [u, s] of statuses) {
    if ((s === "changed" || s === "new") && isBootOnly(entryOf(u))) statuses.set(u, "same");
  }
  const warnings = left.map(
    ([u, s]) =>
      `${u.name} (${u.section.name}) ${s === "new" ? "added" : "changed"}: ` +
      "__init code and data served the boot and are gone, so the patch leaves it out; " +
      "it takes effect when a fixed kernel boots",
  );
  return { left: left.map(([u]) => u), warnings };
}
