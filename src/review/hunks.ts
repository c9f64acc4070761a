// The hunks of a source patch, each with the lines it removes (in ORIG's
// numbering) and adds (in PATCHED's): what the review maps to functions
// through the compiler's line tables.

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

/** Parses the hunks of a unified diff (as patch -p1 reads it). */
export function sourceHunks(patch: string, text: string): SourceHunk[] {
  const hunks: SourceHunk[] = [];
  const lines = text.split("\n");
  let file: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith("--- ") && lines[i + 1]?.startsWith("+++ ")) {
      const path = lines[i + 1]!.slice(4).split("\t")[0]!.trim();
      const old = line.slice(4).split("\t")[0]!.trim();
      const named = path === "/dev/null" ? old : path;
      file = named.slice(named.indexOf("/") + 1);
      i++;
      continue;
    }
    const m = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(line);
    if (!m || !file) continue;
    let [oldLine, newLine] = [Number(m[1]), Number(m[3])];
    let [oldLeft, newLeft] = [Number(m[2] ?? 1), Number(m[4] ?? 1)];
    const hunk: SourceHunk = {
      patch,
      index: hunks.filter((h) => h.patch === patch).length + 1,
      file,
      header: line,
      body: [],
      removed: [],
      added: [],
    };
    while ((oldLeft > 0 || newLeft > 0) && i + 1 < lines.length) {
      const body = lines[++i]!;
      if (body.startsWith("\\")) continue;
      hunk.body.push(body);
      if (body.startsWith("-")) {
        hunk.removed.push(oldLine++);
        oldLeft--;
      } else if (body.startsWith("+")) {
        hunk.added.push(newLine++);
        newLeft--;
      } else {
        oldLine++;
        newLine++;
        oldLeft--;
        newLeft--;
      }
    }
    hunks.push(hunk);
  }
  return hunks;
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
