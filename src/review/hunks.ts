// The hunks of a source patch, each with the lines it removes (in ORIG's
// numbering) and adds (in PATCHED's): what the review maps to functions
// through the compiler's line tables.
import { basename } from "node:path";
import type { PatchInput } from "../patch/read.js";

export interface SourceHunk {
  /** The patch file, and the hunk's number in it (from 1). */
  patch: string;
  index: number;
  /** Source-relative path (-p1). */
  file: string;
  /** The @@ line, with the function name diff put after it. */
  header: string;
  /** The hunk's lines, each starting with ' ', '-' or '+'. */
  body: string[];
  /** ORIG line numbers of the removed lines. */
  removed: number[];
  /** PATCHED line numbers of the added lines. */
  added: number[];
}

/** The hunks of a patch, from its sections as patch -p1 is given them, named by its base name. */
export function sourceHunks(input: PatchInput): SourceHunk[] {
  const patch = basename(input.file);
  const filed = input.sections.flatMap(({ file, hunks }) =>
    file === undefined ? [] : hunks.map((hunk) => ({ file, hunk })),
  );
  return filed.map(({ file, hunk }, i) => {
    const body = hunk.lines.filter((l) => !l.startsWith("\\"));
    const removed: number[] = [];
    const added: number[] = [];
    let [oldLine, newLine] = [hunk.oldStart, hunk.newStart];
    for (const l of body) {
      if (l.startsWith("-")) removed.push(oldLine++);
      else if (l.startsWith("+")) added.push(newLine++);
      else {
        oldLine++;
        newLine++;
      }
    }
    return { patch, index: i + 1, file, header: hunk.header, body, removed, added };
  });
}

/** Whether the hunk changes only comments and blank lines (C comments, as far as a line shows). */
export function commentsOnly(hunk: SourceHunk): boolean {
  const changed = hunk.body.filter((l) => l[0] === "+" || l[0] === "-").map((l) => l.slice(1));
  return changed.every((l) => {
    // What is left once whole comments are gone: nothing, an opening /*, or a * line inside one.
    const rest = l
      .replace(/\/\*.*?\*\//g, "")
      .replace(/\/\/.*$/, "")
      .trim();
    return (
      rest === "" || (rest.startsWith("/*") && !rest.includes("*/")) || /^\*(\s|\/|$)/.test(rest)
    );
  });
}
