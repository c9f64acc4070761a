// Kernel source patches in unified diff format, applied with -p1 as git
// format-patch and `diff -ru a/ b/` write them: the files they touch, the
// sections that touch each and their hunks, and what `patch` says about the
// hunks that do not apply or apply elsewhere.
//
// What patch(1) is given is never the user's file but the sections read
// here, written out again: text between sections (a commit message, a
// signature) is dropped, so patch cannot act on anything this parser did
// not see.
/**
 * How patch(1) is run on a section's text: as a unified diff whatever it
 * looks like (never an ed script, which patch would pipe to ed), every hunk
 * or none.
 */
export const PATCH_OPTIONS = [
    "-p1",
    "--unified",
    "--forward",
    "--batch",
    "--no-backup-if-mismatch",
];
// Git's lines between "diff --git" and "---": patch(1) acts on the modes and
// renames among them, so they are kept with the section and checked.
const GIT_HEADER = /^(old mode|new mode|deleted file mode|new file mode|copy from|copy to|rename from|rename to|similarity index|dissimilarity index|index|Binary files|GIT binary patch)( |$)/;
const HUNK = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;
/** The sections of a patch, in order. */
export function patchSections(patch) {
    const sections = [];
    const lines = patch.split("\n");
    let git;
    const flushGit = () => {
        // A git section without ---/+++ (a pure rename or mode change) stands alone.
        if (git)
            sections.push(section([git.line, ...git.headers], git.headers, gitNames(git.line)));
        git = undefined;
    };
    for (let i = 0; i < lines.length; i++) {
        const line = lines[i];
        if (line.startsWith("diff --git ")) {
            flushGit();
            git = { line, headers: [] };
            continue;
        }
        if (git && GIT_HEADER.test(line)) {
            git.headers.push(line);
            continue;
        }
        const next = lines[i + 1];
        if (!(line.startsWith("--- ") && next?.startsWith("+++ "))) {
            flushGit();
            continue;
        }
        const body = [line, next];
        const names = [stripped(line.slice(4)), stripped(next.slice(4))];
        i++;
        const hunks = [];
        for (let h = HUNK.exec(lines[i + 1] ?? ""); h; h = HUNK.exec(lines[i + 1] ?? "")) {
            const hunk = {
                header: lines[++i],
                oldStart: Number(h[1]),
                newStart: Number(h[3]),
                lines: [],
            };
            // Read the hunk body by its counts: a removed "-- x" line reads like a file header.
            let [old, added] = [Number(h[2] ?? 1), Number(h[4] ?? 1)];
            while ((old > 0 || added > 0) && i + 1 < lines.length) {
                const b = lines[++i];
                hunk.lines.push(b);
                if (b.startsWith("-"))
                    old--;
                else if (b.startsWith("+"))
                    added--;
                else if (!b.startsWith("\\")) {
                    old--;
                    added--;
                }
            }
            if (lines[i + 1]?.startsWith("\\"))
                hunk.lines.push(lines[++i]);
            body.push(hunk.header, ...hunk.lines);
            hunks.push(hunk);
        }
        const headers = git?.headers ?? [];
        const all = git ? [...names, ...gitNames(git.line)] : names;
        sections.push(section([...(git ? [git.line, ...headers] : []), ...body], headers, all, hunks));
        git = undefined;
    }
    flushGit();
    return sections;
}
/**
 * The names on a "diff --git a/X b/Y" line, which patch(1) uses where no
 * ---/+++ lines follow; a line of another shape is kept whole, for the path
 * check to refuse.
 */
function gitNames(line) {
    const m = /^diff --git a\/(\S+) b\/(\S+)$/.exec(line);
    return m ? [m[1], m[2]] : [line.slice("diff --git ".length)];
}
function section(lines, gitHeaders, names, hunks = []) {
    const renamed = gitHeaders.flatMap((h) => /^rename (?:from|to) (.+)$/.exec(h)?.[1] ?? []);
    const paths = [...new Set([...names, ...renamed].filter((p) => !!p))].sort();
    const text = lines.map((l) => `${l}\n`).join("");
    const created = names[0] === undefined && names.length > 1;
    return { paths, file: names[1] ?? names[0], hunks, text, gitHeaders, created };
}
/** Source-relative paths that a patch creates, changes, renames or deletes, sorted. */
export function patchedFiles(patch) {
    // Both names of a header: GNU patch may act on either, so both are checked and compiled.
    return [...new Set(patchSections(patch).flatMap((s) => s.paths))].sort();
}
/** The path of a ---/+++ header without its first component (-p1) and diff's timestamp. */
function stripped(field) {
    const path = field.split("\t")[0].trim();
    return path === "/dev/null" ? undefined : path.slice(path.indexOf("/") + 1);
}
/** Reads the output of GNU `patch` (with or without --dry-run). */
export function patchReport(output) {
    const report = { failures: [], inexact: [] };
    const lines = output.split("\n");
    let file = "(unknown file)";
    for (let i = 0; i < lines.length; i++) {
        const line = lines[i];
        let m;
        if ((m = /^(?:checking|patching) file (.+)$/.exec(line)))
            file = m[1].replace(/^'(.*)'$/, "$1");
        else if ((m = /^Hunk #(\d+) FAILED at (\d+)/.exec(line)))
            report.failures.push(`${file}: hunk #${m[1]} FAILED at ${m[2]}`);
        else if ((m = /^Hunk #(\d+) succeeded at (\d+) (\(.*\))/.exec(line)))
            report.inexact.push(`${file}: hunk #${m[1]} applies at ${m[2]} ${m[3]}`);
        else if (/^Reversed \(or previously applied\) patch detected/.test(line))
            report.failures.push(`${file}: already applied (or reversed)`);
        else if (/^can't find file to patch/.test(line)) {
            // patch then quotes the header it could not use, lines prefixed with "|".
            const header = lines
                .slice(i + 1, i + 12)
                .find((l) => /^\|(\+\+\+|---) /.test(l) && !l.includes("/dev/null"));
            report.failures.push(`${header ? stripped(header.slice(5)) : "(unknown file)"}: no such file in the source tree`);
        }
        else if ((m = /^patch: \*\*\*\* (.+)$/.exec(line)))
            report.failures.push(m[1]);
    }
    return report;
}
/**
 * How far from its header's line GNU `patch` applied each hunk: for each
 * "patching file" it printed, in order, the file and the offset of each
 * hunk moved ("Hunk #2 succeeded at 19 (offset 2 lines)."), by hunk number.
 */
export function hunkOffsets(output) {
    const files = [];
    for (const line of output.split("\n")) {
        let m;
        if ((m = /^patching file '?([^' ]+)/.exec(line)))
            files.push({ file: m[1], offsets: new Map() });
        else if ((m = /^Hunk #(\d+) succeeded at \d+ .*\(offset (-?\d+) lines?\)/.exec(line)))
            files.at(-1)?.offsets.set(Number(m[1]), Number(m[2]));
    }
    return files;
}
//# sourceMappingURL=patch.js.map