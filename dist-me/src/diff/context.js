import { buildUnits, preferObjectEnds, resolveTarget, } from "./units.js";
/** Targets of a unit's relocations, resolved once per unit. */
export class TargetCache {
    obj;
    cache = new Map();
    constructor(obj) {
        this.obj = obj;
    }
    of(u) {
        let t = this.cache.get(u);
        if (!t) {
            const resolved = u.relocs.map((r) => resolveTarget(this.obj, u.section, r));
            this.cache.set(u, (t = preferObjectEnds(this.obj, u, resolved)));
        }
        return t;
    }
}
/** The context of a diff of `orig` and `patched`, before any pass ran. */
export function diffContext(orig, patched, options) {
    const o = buildUnits(orig);
    const p = buildUnits(patched);
    return {
        orig: o,
        patched: p,
        origTargets: new TargetCache(o),
        patchedTargets: new TargetCache(p),
        statuses: new Map(),
        options,
    };
}
//# sourceMappingURL=context.js.map