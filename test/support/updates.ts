// Changes Debian's own updates made, as patches: what a user would want live
// on the release before the update. Chosen from the package lists on the
// day, never named by release.
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { debianKernel, debianUpdates, type DebianUpdate } from "../../src/kernel/debian.js";
import { kernelSource } from "../../src/kernel/source.js";
import { moduleName } from "../../src/kernel/modules.js";
import { updateChanges } from "../../src/update/changes.js";
import { cacheRoot, run } from "../../src/host/host.js";

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
 * without its hardware), and changes only inside functions (each hunk's
 * heading, from diff -p, is a function's); fewest changed lines first.
 * Whether one compiles without the rest of the update, only a build says.
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
  const cache = join(cacheRoot(), "updates", `${series}_${update.from}_${update.to}`);
  const modules = join((await debianKernel(update.release)).modulesDir, "kernel");
  const fixes: DriverFix[] = [];
  for (const f of updateChanges(a, b, cache)) {
    if (f.change !== "modified" || !/^drivers\/[\w/+-]+\.c$/.test(f.file)) continue;
    const ko = join(modules, dirname(f.file), basename(f.file).replace(/\.c$/, ".ko"));
    if (!existsSync(ko) && !existsSync(`${ko}.xz`)) continue;
    const text = readFileSync(join(b.dir, f.file), "utf8");
    if (!/^module_(i2c|spi|usb|pci|platform|hid)_driver\(/m.test(text)) continue;
    const diff = await run(
      "diff",
      ["-u", "-p", "--label", `a/${f.file}`, "--label", `b/${f.file}`].concat([
        join(a.dir, f.file),
        join(b.dir, f.file),
      ]),
      { allowFailure: true },
    );
    const headings = diff.stdout.match(/^@@ [^@]* @@.*$/gm) ?? [];
    const inFunctions = headings.every((h) => /^@@ [^@]* @@ [^=]*\(/.test(h));
    if (diff.code !== 1 || !headings.length || !inFunctions) continue;
    const lines = diff.stdout.split("\n").filter((l) => /^[+-](?![+-]{2} )/.test(l)).length;
    fixes.push({ file: f.file, module: moduleName(ko), patch: diff.stdout, lines });
  }
  return { update, fixes: fixes.sort((x, y) => x.lines - y.lines) };
}
