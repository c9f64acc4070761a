// Changed constants that only this object's code reads travel as new
// copies, with every reader patched to read the copy; the others are refused
// with the reason.
import { SHF, STB } from "../elf/constants.js";
import { isCallSiteMetadata } from "./units.js";
import { isBootOnly, isExitCode } from "./boot.js";
/**
 * A changed constant that only this object's code reads (a quirk or ID table
 * that grew, a table of strings) is carried as a new copy, and every function
 * that reads it is patched to read the copy; a constant table that only such
 * a constant points to is copied the same way. `copied` maps each changed
 * constant to "" when it is copied, or to why it cannot be: it is global
 * (other objects may read it, and the patch cannot find them); data other
 * than such a constant points to it (that data keeps pointing to the old
 * one); boot or exit code reads it (it may have handed the old one's address
 * to the kernel, and cannot be patched); or it points to code or to symbols
 * outside the object (an operations table, whose address the kernel keeps
 * and compares: f_op == &my_fops). `readerOf` names, for each function
 * patched only because it reads one, the constant.
 */
export function copyConstants(ctx, ignored) {
    const { patched: p, statuses, patchedTargets: targets } = ctx;
    const isConstant = (u) => u.kind === "object" &&
        (u.section.flags & SHF.WRITE) === 0n &&
        !isBootOnly(u) &&
        !isCallSiteMetadata(u.section);
    const isLocalConstant = (u) => isConstant(u) && u.symbols.every((s) => s.bind === STB.LOCAL);
    const readersOf = new Map();
    for (const v of p.units) {
        if ((v.section.flags & SHF.ALLOC) === 0n)
            continue;
        for (const t of targets.of(v)) {
            if (t.kind !== "unit" || t.unit === v)
                continue;
            const list = readersOf.get(t.unit) ?? [];
            if (!list.includes(v))
                readersOf.set(t.unit, [...list, v]);
        }
    }
    const copied = new Map();
    const readerOf = new Map();
    const notes = [];
    const work = [...statuses].filter(([u, s]) => s === "changed" && isConstant(u)).map(([u]) => u);
    for (let u = work.shift(); u; u = work.shift()) {
        if (copied.has(u))
            continue;
        const readers = readersOf.get(u) ?? [];
        const pointees = targets
            .of(u)
            .filter((t) => t.kind === "extern" || (t.kind === "unit" && !isLocalConstant(t.unit)));
        const data = readers.filter((r) => r.kind !== "func" && !isLocalConstant(r));
        const unpatchable = readers.filter((r) => r.kind === "func" && (isBootOnly(r) || isExitCode(r)));
        const what = `constant ${u.name} (${u.section.name}) changed`;
        const instead = "change the code that reads it instead";
        if (u.symbols.some((s) => s.bind !== STB.LOCAL)) {
            copied.set(u, `${what}: it is global, so other objects may read it, ` +
                `and a live patch cannot find them; ${instead}`);
        }
        else if (data.length) {
            copied.set(u, `${what}: ${data.map((d) => d.name).join(", ")} ` +
                `point${data.length > 1 ? "" : "s"} to it and would keep using the old one; ${instead}`);
        }
        else if (unpatchable.length) {
            copied.set(u, `${what}: boot or exit code (${unpatchable.map((r) => r.name).join(", ")}) ` +
                `reads it, may have handed the old one to the kernel, and cannot be patched; ${instead}`);
        }
        else if (pointees.length) {
            const pointed = [
                ...new Set(pointees.map((t) => t.kind === "unit" ? t.unit.name : t.kind === "extern" ? t.name : "")),
            ]
                .slice(0, 3)
                .join(", ");
            copied.set(u, `${what}: it points to code or to other objects (${pointed}), ` +
                "like an operations table whose address the kernel keeps and compares, " +
                `so a copy would not replace it; ${instead}`);
        }
        else {
            copied.set(u, "");
            statuses.set(u, "changed");
            const code = readers.filter((r) => r.kind === "func");
            // A function the author asked to leave alone keeps reading the old copy.
            for (const r of readers.filter((x) => !ignored.has(x))) {
                if (r.kind === "func" && statuses.get(r) === "same")
                    readerOf.set(r, u.name);
                if (r.kind === "func" && statuses.get(r) !== "new")
                    statuses.set(r, "changed");
                else if (r.kind !== "func")
                    work.push(r);
            }
            const readCopy = code.length
                ? ", and patches the functions that read it " +
                    `(${code
                        .map((c) => c.name)
                        .sort()
                        .join(", ")}) to read the copy`
                : "";
            notes.push(`${what}: the patch carries a new copy${readCopy}`);
        }
    }
    return { copied, readerOf, notes };
}
//# sourceMappingURL=copies.js.map