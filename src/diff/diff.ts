// The object differ's driver: the passes in order, as create-diff-object's
// main() reads. Each pass lives in its own file.
import type { ElfFile } from "../elf/model.js";
import { parentOf, type Unit } from "./units.js";
import { checkCompatible } from "./compatible.js";
import { diffContext, type DiffContext, type DiffOptions, type UnitStatus } from "./context.js";
import { correlate } from "./correlate.js";
import { Comparer } from "./compare.js";
import { KpatchError } from "../errors.js";
import { applyDirectives } from "./directives.js";
import { copyConstants } from "./copies.js";
import { verify } from "./verify.js";
import { verifyBtfIds } from "./btfids.js";
import { carryUntraced } from "./carry.js";
import { leaveOutBootCode } from "./boot.js";
import { exportsOf, include } from "./include.js";
import { buildOutput, type External } from "./output.js";

export interface UnitChange {
  name: string;
  /** The name of its twin in the original object, when gcc numbered it differently. */
  original?: string;
  kind: Unit["kind"];
  section: string;
  status: UnitStatus;
  /** A local's source file (its STT_FILE), in the original object when it has one. */
  source?: string;
  /**
   * Set for a changed function without an ftrace entry: it is not redirected
   * itself but comes as the patch's own copy, which these callers, redirected
   * in its stead, call (carry.ts).
   */
  callers?: string[];
}

export interface DiffResult {
  /** Functions whose code changed, and functions the patch adds. */
  changed: UnitChange[];
  added: UnitChange[];
  /** Functions that differ only in __LINE__ arguments: not patched. */
  lineOnly: UnitChange[];
  /** Data objects the patch adds. */
  addedData: UnitChange[];
  /** What the output refers to and does not define. */
  externals: External[];
  /** What the patch changes that the module leaves out, and why. */
  warnings: string[];
  /** The output object, to be written with writeElf. */
  output: ElfFile;
}

export function diffObjects(orig: ElfFile, patched: ElfFile, opts: DiffOptions = {}): DiffResult {
  checkCompatible(orig, patched);
  const ctx = diffContext(orig, patched, opts);
  correlate(ctx);
  const comparer = new Comparer(ctx);
  for (const u of ctx.patched.units) ctx.statuses.set(u, comparer.status(u));
  const directed = applyDirectives(ctx);
  const copies = copyConstants(ctx, directed.ignored);
  patchThroughParents(ctx, directed.ignored);
  const carried = carryUntraced(ctx, directed.ignored);
  verify(ctx, copies, carried, directed.ignored);
  const boot = leaveOutBootCode(ctx);

  const changed = entryPoints(ctx, "func", "changed", carried.callers);
  const added = entryPoints(ctx, "func", "new");
  const lineOnly = entryPoints(ctx, "func", "line-only");
  if (changed.length === 0 && added.length === 0) {
    throw new KpatchError("no-change", nothingToPatch(boot, lineOnly), {
      file: patched.file,
      ...(boot.length ? { code: "boot-only" as const } : {}),
    });
  }
  const inclusion = include(ctx);
  verifyBtfIds(ctx, inclusion.units);
  const out = buildOutput(ctx, inclusion);
  return {
    warnings: [
      ...newExports(orig, patched),
      ...directed.notes,
      ...copies.notes,
      ...[...carried.callers].map(
        ([u, callers]) =>
          `function ${u.name} has no ftrace entry: it comes as the patch's own copy, ` +
          `and its callers (${callers.map((c) => c.name).join(", ")}) are patched to call it`,
      ),
      ...inclusion.notes,
      ...boot
        .filter((u) => u.kind !== "func")
        .map(
          (u) =>
            `${u.name} (${u.section.name}) added: __init data served the boot and is gone, ` +
            "so the patch leaves it out",
        ),
    ],
    changed,
    added,
    lineOnly,
    addedData: entryPoints(ctx, "object", "new").filter((d) =>
      [...inclusion.units].some((u) => u.name === d.name && u.kind === "object"),
    ),
    externals: out.externals,
    output: out.elf,
  };
}

/** A changed .cold/.part child is patched through its parent, the entry point. */
function patchThroughParents(
  { patched: p, statuses }: DiffContext,
  ignored: ReadonlySet<Unit>,
): void {
  for (const u of p.units) {
    for (let c: Unit | undefined = u; c && statuses.get(c) === "changed"; ) {
      const parent: Unit | undefined = parentOf(p, c);
      const open = parent && !ignored.has(parent);
      if (open && statuses.get(parent) !== "changed" && statuses.get(parent) !== "new") {
        statuses.set(parent, "changed");
      }
      c = parent;
    }
  }
}

/**
 * The units of a kind with one of the statuses, reported by name. Children
 * are reported through their parents: only entry points are patched. A child
 * whose parent was inlined everywhere (foo.part.0 with no foo left) is an
 * entry point itself.
 */
function entryPoints(
  { patched: p, statuses }: DiffContext,
  kind: Unit["kind"],
  status: UnitStatus,
  carried?: ReadonlyMap<Unit, Unit[]>,
): UnitChange[] {
  return [...statuses]
    .filter(([u, s]) => u.kind === kind && s === status && !parentOf(p, u))
    .map(([u, s]) => {
      const source = (u.twin ?? u).source?.name;
      const callers = carried?.get(u);
      return {
        name: u.name,
        ...(u.twin && u.twin.name !== u.name ? { original: u.twin.name } : {}),
        kind: u.kind,
        section: u.section.name,
        status: s,
        ...(source ? { source } : {}),
        ...(callers ? { callers: callers.map((c) => c.name).sort() } : {}),
      };
    });
}

/** Why nothing is patched: boot code only, __LINE__ numbers only, or nothing at all. */
function nothingToPatch(boot: Unit[], lineOnly: UnitChange[]): string {
  if (boot.length) {
    return (
      "only __init code or data changed " +
      `(${boot.map((u) => u.name).join(", ")}): ` +
      "it served the boot and is gone, so there is nothing to patch at run time; " +
      "the change takes effect when a fixed kernel boots"
    );
  }
  if (lineOnly.length) {
    const names = lineOnly.map((u) => u.name).join(", ");
    return `only __LINE__ numbers changed (${names}): nothing to patch`;
  }
  return "no function changed";
}

/** EXPORT_SYMBOL records the patch adds: a patch module cannot add to the kernel's export table. */
function newExports(orig: ElfFile, patched: ElfFile): string[] {
  const before = exportsOf(orig);
  return [...exportsOf(patched)]
    .filter((name) => !before.has(name))
    .map(
      (name) =>
        `new export ${name} left out: a live patch cannot export symbols, ` +
        "so modules cannot link against it until the next boot",
    );
}
