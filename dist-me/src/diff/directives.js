import { KpatchError } from "../errors.js";
import { parentOf } from "./units.js";
const IGNORE_SECTIONS = ".kpatch.ignore.sections";
const IGNORE_FUNCTIONS = ".kpatch.ignore.functions";
const FORCE = ".kpatch.force";
export function isDirective(sec) {
    return sec.name === IGNORE_SECTIONS || sec.name === IGNORE_FUNCTIONS || sec.name === FORCE;
}
/**
 * Applies the directives of the patched object to `statuses`. Returns what
 * the author should read, and the units they leave alone, which later
 * passes must not mark changed again (a reader of a copied constant).
 */
export function applyDirectives(ctx) {
    const { patched: p, statuses, patchedTargets: targets } = ctx;
    const notes = [];
    const ignored = new Set();
    const file = p.elf.file;
    const leaveAlone = (u) => {
        statuses.set(u, "same");
        ignored.add(u);
        // A function's .cold and .part pieces go with it.
        for (const c of p.units)
            if (parentOf(p, c) === u)
                leaveAlone(c);
    };
    for (const record of p.units.filter((u) => isDirective(u.section))) {
        statuses.set(record, "same");
        targets.of(record).forEach((t) => {
            const kind = record.section.name;
            if (kind === IGNORE_SECTIONS) {
                if (t.kind !== "string") {
                    throw new KpatchError("input", `${record.name} in ${kind} does not name a section`, {
                        file,
                    });
                }
                const sec = p.elf.section(t.text.replace(/^\.rela(?=\.)/, ""));
                if (!sec) {
                    throw new KpatchError("input", `KPATCH_IGNORE_SECTION("${t.text}"): the object has no such section`, { file });
                }
                for (const u of p.bySection.get(sec) ?? [])
                    leaveAlone(u);
                notes.push(`KPATCH_IGNORE_SECTION: ${sec.name} is taken as unchanged`);
                return;
            }
            if (t.kind !== "unit" || t.unit.kind !== "func") {
                throw new KpatchError("input", `${record.name} in ${kind} does not name a function of this object`, { file });
            }
            const fn = t.unit;
            if (kind === FORCE) {
                notes.push(`KPATCH_FORCE_UNSAFE(${fn.name}) changes nothing: the kernel's livepatch ` +
                    "switches every task by its consistency model, with no way around it for one function");
                return;
            }
            const was = statuses.get(fn);
            leaveAlone(fn);
            notes.push(was === "changed" || was === "new"
                ? `${fn.name} ${was}, and left out as KPATCH_IGNORE_FUNCTION asks`
                : `KPATCH_IGNORE_FUNCTION(${fn.name}): it did not change`);
        });
    }
    return { notes, ignored };
}
//# sourceMappingURL=directives.js.map