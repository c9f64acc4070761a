// Kernel source patches in unified diff format, applied with -p1 as git
// format-patch and `diff -ru a/ b/` write them: the files they touch, and what
// `patch` says about the hunks that do not apply or apply elsewhere.

/** Source-relative paths that a patch creates, changes, renames or deletes, sorted. */
export function patchedFiles(patch: string): string[] {
  const files = new Set<string>();
  const lines = patch.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const hunk = /^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@/.exec(line);
    if (hunk) {
      // Skip the hunk body by its counts: a removed "-- x" line reads like a file header.
      let [old, added] = [Number(hunk[1] ?? 1), Number(hunk[2] ?? 1)];
      while ((old > 0 || added > 0) && i + 1 < lines.length) {
        const body = lines[++i]!;
        if (body.startsWith("-")) old--;
        else if (body.startsWith("+")) added--;
        else if (!body.startsWith("\\")) {
          old--;
          added--;
        }
      }
      continue;
    }
    const rename = /^rename (?:from|to) (.+)$/.exec(line);
    if (rename) files.add(rename[1]!);
    const next = lines[i + 1];
    if (line.startsWith("--- ") && next?.startsWith("+++ ")) {
      // Both names: GNU patch may act on either, so both are checked and compiled.
      for (const path of [stripped(line.slice(4)), stripped(next.slice(4))])
        if (path) files.add(path);
      i++;
    }
  }
  return [...files].sort();
}

/** The path of a ---/+++ header without its first component (-p1) and diff's timestamp. */
function stripped(field: string): string | undefined {
  const path = field.split("\t")[0]!.trim();
  return path === "/dev/null" ? undefined : path.slice(path.indexOf("/") + 1);
}

export interface PatchReport {
  /** One line per file or hunk that does not apply: "fs/proc/meminfo.c: hunk #1 FAILED at 58". */
  failures: string[];
  /** Hunks that apply at an offset or with fuzz: worth a look, as the context moved. */
  inexact: string[];
}

/** Reads the output of GNU `patch` (with or without --dry-run). */
export function patchReport(output: string): PatchReport {
  const report: PatchReport = { failures: [], inexact: [] };
  const lines = output.split("\n");
  let file = "(unknown file)";
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    let m: RegExpExecArray | null;
    if ((m = /^(?:checking|patching) file (.+)$/.exec(line)))
      file = m[1]!.replace(/^'(.*)'$/, "$1");
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
      report.failures.push(
        `${header ? stripped(header.slice(5)) : "(unknown file)"}: no such file in the source tree`,
      );
    } else if ((m = /^patch: \*\*\*\* (.+)$/.exec(line))) report.failures.push(m[1]!);
  }
  return report;
}
