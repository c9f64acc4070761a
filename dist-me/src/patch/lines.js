/** The line moves of one file, through each patch that changes it in turn. */
export class LineMap {
    steps;
    constructor(steps) {
        this.steps = steps;
    }
    /**
     * The map of a file of `origLines` lines that each patch's hunks change in
     * turn, each hunk numbered where patch(1) applied it.
     */
    static fromHunks(patches, origLines) {
        const steps = [];
        let lines = origLines;
        for (const hunks of patches) {
            const changes = hunks.flatMap(changesOf);
            steps.push({ changes, lines });
            lines += changes.reduce((n, c) => n + c.newCount - c.count, 0);
        }
        return new LineMap(steps);
    }
    /** Line `line` of ORIG in PATCHED, or undefined when the patch rewrote it. */
    map(line) {
        let at = line;
        for (const step of this.steps)
            if (at !== undefined)
                at = mapped(step, at);
        return at;
    }
}
function mapped({ changes, lines }, line) {
    // No line of the file: a constant, whatever it became.
    if (!Number.isInteger(line) || line < 1 || line > lines)
        return undefined;
    let shift = 0;
    for (const c of changes) {
        // A pure insertion (count 0) goes after line `from`; else it replaces lines from `from`.
        const end = c.count === 0 ? c.from + 1 : c.from + c.count;
        if (c.count > 0 && line >= c.from && line < end)
            return undefined;
        if (line >= end)
            shift += c.newCount - c.count;
    }
    return line + shift;
}
/**
 * The runs of removed and added lines in a hunk's body: its header counts
 * the context lines too, which moved nowhere.
 */
function changesOf(hunk) {
    const body = hunk.lines.filter((l) => !l.startsWith("\\"));
    // A hunk that keeps no old line is numbered by the line it follows.
    let old = body.some((l) => !l.startsWith("+")) ? hunk.oldStart : hunk.oldStart + 1;
    const changes = [];
    let run;
    for (const l of body) {
        if (l.startsWith("-") || l.startsWith("+")) {
            run ??= { from: old, count: 0, newCount: 0 };
            if (l.startsWith("-")) {
                run.count++;
                old++;
            }
            else
                run.newCount++;
            continue;
        }
        if (run)
            changes.push(run);
        run = undefined;
        old++;
    }
    if (run)
        changes.push(run);
    // diff -U0 numbers a pure insertion by the line it follows, too.
    return changes.map((c) => (c.count ? c : { ...c, from: c.from - 1 }));
}
/**
 * Whether line `orig` of some patched file is line `patched` after the
 * patches: a `__LINE__` that moved, not one that changed.
 */
export function lineMoved(maps, orig, patched) {
    return orig !== patched && maps.some((m) => m.map(orig) === patched);
}
//# sourceMappingURL=lines.js.map