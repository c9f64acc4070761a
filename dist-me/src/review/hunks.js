// The hunks of a source patch, each with the lines it removes (in ORIG's
// numbering) and adds (in PATCHED's): what the review maps to functions
// through the compiler's line tables.
import { basename } from "node:path";
/** The hunks of a patch, from its sections as patch -p1 is given them, named by its base name. */
export function sourceHunks(input) {
    const patch = basename(input.file);
    const filed = input.sections.flatMap(({ file, hunks }) => file === undefined ? [] : hunks.map((hunk) => ({ file, hunk })));
    return filed.map(({ file, hunk }, i) => {
        const body = hunk.lines.filter((l) => !l.startsWith("\\"));
        const removed = [];
        const added = [];
        let [oldLine, newLine] = [hunk.oldStart, hunk.newStart];
        for (const l of body) {
            if (l.startsWith("-"))
                removed.push(oldLine++);
            else if (l.startsWith("+"))
                added.push(newLine++);
            else {
                oldLine++;
                newLine++;
            }
        }
        return { patch, index: i + 1, file, header: hunk.header, body, removed, added };
    });
}
/** Whether the hunk changes only comments and blank lines (C comments, as far as a line shows). */
export function commentsOnly(hunk) {
    const changed = hunk.body.filter((l) => l[0] === "+" || l[0] === "-").map((l) => l.slice(1));
    return changed.every((l) => {
        // What is left once whole comments are gone: nothing, an opening /*, or a * line inside one.
        const rest = l
            .replace(/\/\*.*?\*\//g, "")
            .replace(/\/\/.*$/, "")
            .trim();
        return (rest === "" || (rest.startsWith("/*") && !rest.includes("*/")) || /^\*(\s|\/|$)/.test(rest));
    });
}
//# sourceMappingURL=hunks.js.map