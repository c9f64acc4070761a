// Changes Debian's own updates made, as patches: what a user would want live
// on the release before the update. Chosen from the package lists on the
// day, never named by release.
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { debianKernel, debianUpdates, type DebianUpdate } from "../../src/kernel/debian.js";
import { kernelSource } from "../../src/kernel/source.js";
import { moduleName } from "../../src/kernel/modules.js";
import { fileDiff, updateCacheDir, updateChanges } from "../../src/update/changes.js";

export interface DriverFix {
  /** The changed file, e.g. drivers/iio/adc/ad7192.c. */
  file: string;
  /** Its module, as the kernel names it. */
  module: string;
  /** The update's change to it, as a -p1 patch. */
  patch: string;
  /** Lines the change adds or removes. */
  lines: number;
}

/**
 * The newest update of `series` that the archive still has whole, and its
 * fixes to drivers that a user could cut one file at a time: a .c file
 * under drivers/ that is a module of its own (DIR/NAME.c and DIR/NAME.ko in
 * the older release's package), registers a bus driver (so it loads
 * without its hardware), and changes only function bodies; fewest changed
 * lines first. Whether one compiles without the rest of the update, only a
 * build says.
 */
export async function driverFixes(
  series: string,
): Promise<{ update: DebianUpdate; fixes: DriverFix[] } | undefined> {
  const update = (await debianUpdates(series))[0];
  if (!update) return undefined;
  const [a, b] = await Promise.all([
    kernelSource(series, update.from),
    kernelSource(series, update.to),
  ]);
  const modules = join((await debianKernel(update.release)).modulesDir, "kernel");
  const fixes: DriverFix[] = [];
  for (const f of updateChanges(a, b, updateCacheDir(series, update.from, update.to))) {
    if (f.change !== "modified" || !/^drivers\/[\w/+-]+\.c$/.test(f.file)) continue;
    const ko = join(modules, dirname(f.file), basename(f.file).replace(/\.c$/, ".ko"));
    if (!existsSync(ko) && !existsSync(`${ko}.xz`)) continue;
    const [before, after] = [a, b].map((t) => readFileSync(join(t.dir, f.file), "utf8"));
    if (!/^module_(i2c|spi|usb|pci|platform|hid)_driver\(/m.test(after!)) continue;
    const patch = await fileDiff(a, b, f);
    const lines = changedLines(patch);
    const inBodies =
      lines.old.every((n) => inFunctionBody(before!, n)) &&
      lines.new.every((n) => inFunctionBody(after!, n));
    const count = lines.old.length + lines.new.length;
    if (inBodies && count)
      fixes.push({ file: f.file, module: moduleName(ko), patch, lines: count });
  }
  return { update, fixes: fixes.sort((x, y) => x.lines - y.lines) };
}

/** The line numbers (from 1) a unified diff removes from the old file and adds to the new. */
function changedLines(patch: string): { old: number[]; new: number[] } {
  const lines = { old: [] as number[], new: [] as number[] };
  let [o, n] = [0, 0];
  for (const l of patch.split("\n")) {
    const hunk = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(l);
    if (hunk) [o, n] = [Number(hunk[1]), Number(hunk[2])];
    else if (l.startsWith("---") || l.startsWith("+++") || !o) continue;
    else if (l.startsWith("-")) lines.old.push(o++);
    else if (l.startsWith("+")) lines.new.push(n++);
    else if (l.startsWith(" ")) [o, n] = [o + 1, n + 1];
  }
  return lines;
}

/**
 * Whether line `n` of a kernel C file is inside a function's body: the
 * nearest line above it that starts in column 0 (labels aside) opens a
 * function (`static int f(...)`: a parenthesis, no `=`, no `;`), with no
 * column-0 `}` between that closes it.
 */
function inFunctionBody(text: string, n: number): boolean {
  const lines = text.split("\n");
  const label = /^[A-Za-z_]\w*:/;
  // A body's lines are indented, but for labels (comments and blank lines are no change).
  const own = lines[n - 1] ?? "";
  if (/^\S/.test(own) && !label.test(own)) return false;
  for (let k = n - 2; k >= 0; k--) {
    const l = lines[k]!;
    if (!/^[A-Za-z_}]/.test(l) || label.test(l)) continue;
    return !l.startsWith("}") && l.includes("(") && !/[=;]/.test(l);
  }
  return false;
}
