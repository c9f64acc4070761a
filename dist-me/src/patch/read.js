// Patch files read and checked up front, before anything is downloaded,
// prepared or run. A patch is hostile input: a path like
// `--eval=$(shell id)/x.c` would be a make goal, and `../x.h` a file outside
// the tree; a Makefile would run as root. Each refusal names the rule that
// was broken.
import { basename, isAbsolute, normalize, resolve } from "node:path";
import { nodeHost } from "../host/host.js";
import { KpatchError } from "../errors.js";
import { printable } from "../names.js";
import { patchSections } from "./patch.js";
const BUILD_FILE = /^(Makefile|Kbuild|Kconfig)|\.(mk|sh|pl|pm|py|awk|sed|bc|tbl|lds|lds\.S|config|y|l|asn1|cocci)$|_shipped$/;
export function fileClass(path) {
    if (/^(scripts|tools)\//.test(path) || BUILD_FILE.test(basename(path)))
        return "build";
    if (/^(Documentation|LICENSES)\/|^(MAINTAINERS|CREDITS|README|COPYING)$|(^|\/)\.gitignore$/.test(path))
        return "text";
    if (/\.(c|h|S|inc)$/.test(path))
        return "code";
    return "other";
}
const REFUSED_CLASS = {
    build: "it is part of the kernel's build (a Makefile, Kbuild or Kconfig file, a build script, " +
        "or a file under scripts/ or tools/), which runs as root while kpatch-build builds",
    other: "it is not C, a header or assembly, and what the build makes of it is not analysed",
};
// patch(1) makes symlinks and sets modes from git's headers, and a binary
// patch is no source: none of them is a change to code.
// Not anchored at the end: patch(1) reads "new file mode 120000\r" as a symlink too.
const REFUSED_GIT_HEADER = /^(old mode|new mode|GIT binary patch|Binary files)|\b1[26]0000\b/;
/** Reads and checks patch files: each must be a unified diff whose paths stay inside the tree. */
export function readPatches(files, host = nodeHost) {
    if (!files.length)
        throw new KpatchError("usage", "no patch given");
    return files.map((f) => {
        const file = resolve(f);
        let text;
        try {
            if (!host.stat(file).isFile())
                throw new KpatchError("input", `patch ${file} is not a regular file`);
            text = host.readText(file);
        }
        catch (e) {
            if (e instanceof KpatchError)
                throw e;
            throw new KpatchError("input", `cannot read patch ${file}: ${e.code ?? e.message}`);
        }
        return parsePatch(file, text);
    });
}
/** Parses and checks the text of patch `file`, once: the model the build and its review read. */
export function parsePatch(file, text) {
    // GNU patch also reads context diffs and git's copy headers: paths this parser would not see.
    const unread = /^(\*{15}$|copy (from|to) )/m.exec(text);
    if (unread)
        throw new KpatchError("input", `${file}: '${unread[0]}...' lines are refused: ` +
            "give a unified diff (diff -u, git diff) without copies");
    const sections = patchSections(text);
    const paths = [...new Set(sections.flatMap((s) => s.paths))].sort();
    if (!paths.length)
        throw new KpatchError("input", `${file} is not a patch: it has no '--- a/FILE' / '+++ b/FILE' headers`);
    for (const p of paths)
        checkSourcePath(p, file);
    checkSections(file, sections);
    return { file, text, paths, sections };
}
/**
 * Refuses, before anything runs, a patch with a hunk that is not code or
 * text: nothing a patch brings may run before its review, and a build file
 * would run at once. Each file is named, with the rule it breaks.
 */
function checkSections(patch, sections) {
    const refused = sections.flatMap((s) => [
        // Both names /dev/null: patch(1) would guess at what it means.
        ...(s.paths.length
            ? []
            : [`'${printable(s.text.split("\n")[0])}': a section that names no file`]),
        ...s.gitHeaders
            .filter((h) => REFUSED_GIT_HEADER.test(h))
            .map((h) => `${s.paths.join(", ")}: '${printable(h)}': a live patch changes file contents only ` +
            "(no symlink, submodule, binary file or mode change)"),
        ...s.paths.flatMap((p) => {
            const c = fileClass(p);
            return c === "build" || c === "other" ? [`${p}: ${REFUSED_CLASS[c]}`] : [];
        }),
    ]);
    if (refused.length)
        throw new KpatchError("input", `${patch} is refused before anything ran: a live patch may change C sources, headers ` +
            "and assembly only (documentation is left out); remove these hunks and build the " +
            "rest, or change the build in the kernel package itself", { details: [...new Set(refused)] });
}
/** The sections of `input` for which `keep` holds, as patch(1) is to read them. */
export function patchText(input, keep) {
    return input.sections
        .filter(keep)
        .map((s) => s.text)
        .join("");
}
const PATH_RULES = [
    [(p) => p.length > 0 && p.length <= 1024, "must be 1 to 1024 characters long"],
    [(p) => /^[A-Za-z0-9_.,+@/-]+$/.test(p), "may hold only letters, digits and _ . , + @ / -"],
    [
        (p) => !isAbsolute(p) && normalize(p) === p && !p.split("/").includes(".."),
        "must be a normalized path inside the tree (no leading /, no .., ./ or //)",
    ],
    [
        (p) => !p.split("/").some((c) => c.startsWith("-")),
        "must have no part starting with '-', which a command reads as an option",
    ],
];
/** Refuses a path a patch names unless it keeps every rule; returns it. */
export function checkSourcePath(path, patch) {
    const broken = PATH_RULES.find(([ok]) => !ok(path));
    if (broken)
        throw new KpatchError("input", `${patch}: the path '${printable(path)}' is refused: a patched path ${broken[1]}`);
    return path;
}
//# sourceMappingURL=read.js.map