// Code that runs only as the kernel boots or a module loads or unloads:
// a live patch cannot redirect it. A change to __init code alone leaves
// nothing to patch (verify refuses one beside runtime changes); it takes
// effect when a fixed kernel boots.
import { parentOf } from "./units.js";
/**
 * Code and data that only boot (or a module's init) uses, freed once it ran:
 * `__init`, `__initdata`, `__initconst`.
 */
export function isBootOnly(u) {
    return /^\.init\./.test(u.section.name);
}
/** A module's `__exit` code, run only as it unloads: livepatch cannot redirect it. */
export function isExitCode(u) {
    return /^\.exit\./.test(u.section.name);
}
/**
 * Marks changed and new boot-only code and data (and the children of
 * boot-only functions) as unchanged, and returns the entry points it left
 * out, for the message that says there is nothing to patch.
 */
export function leaveOutBootCode({ patched: p, statuses }) {
    const entryOf = (u) => {
        const parent = parentOf(p, u);
        return parent ? entryOf(parent) : u;
    };
    const left = [...statuses]
        .filter(([u, s]) => (s === "changed" || s === "new") && isBootOnly(u) && !parentOf(p, u))
        .map(([u]) => u);
    for (const [u, s] of statuses) {
        if ((s === "changed" || s === "new") && isBootOnly(entryOf(u)))
            statuses.set(u, "same");
    }
    return left;
}
//# sourceMappingURL=boot.js.map