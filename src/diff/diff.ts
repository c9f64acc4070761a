// The object differ's driver: the passes in order, as create-diff-object's
// main() reads. Each pass lives in its own file.
import { EM_X86_64, ET_REL, R_X86_64, SHF, STB } from "../elf/constants.js";
import type { ElfFile } from "../elf/model.js";
import { buildUnits, parentOf, type ObjectUnits, type Unit } from "./units.js";
import { insnAt } from "../arch/x86/decode.js";
import { correlate, TargetCache } from "./correlate.js";
import { Comparer, type UnitStatus } from "./compare.js";
import { DiffError } from "./errors.js";
import { applyDirectives } from "./directives.js";
import { exportsOf, include, isCallSiteMetadata, type EntrySizes } from "./include.js";
import { buildOutput, type External } from "./output.js";
import type { LineMap } from "./lines.js";

export interface UnitChange {
  name: string;
  /** The name of its twin in the original object, when gcc numbered it differently. */
  original?: string;
  kind: Unit["kind"];
  section: string;
  status: UnitStatus;
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

export interface DiffOptions {
  /** Special-section entry sizes of the target kernel, by section name. */
  entrySizes?: EntrySizes;
  /** Name the output object carries in messages. */
  outFile?: string;
  /** Where the patches moved the lines of each file they touch (for `__LINE__`). */
  lineMaps?: readonly LineMap[];
}

export function diffObjects(orig: ElfFile, patched: ElfFile, opts: DiffOptions = {}): DiffResult {
  checkCompatible(orig, patched);
  const o = buildUnits(orig);
  const p = buildUnits(patched);
  const ot = new TargetCache(o);
  const pt = new TargetCache(p);
  correlate(o, p, ot, pt);
  const comparer = new Comparer(o, p, ot, pt, opts.lineMaps);
  const statuses = new Map<Unit, UnitStatus>();
  for (const u of p.units) statuses.set(u, comparer.status(u));
  const directed = applyDirectives(p, statuses, pt);
  const copies = copyConstants(p, statuses, pt, directed.ignored);
  // A changed .cold/.part child is patched through its parent, the entry point.
  for (const u of p.units) {
    for (let c: Unit | undefined = u; c && statuses.get(c) === "changed"; ) {
      const parent: Unit | undefined = parentOf(p, c);
      const open = parent && !directed.ignored.has(parent);
      if (open && statuses.get(parent) !== "changed" && statuses.get(parent) !== "new") {
        statuses.set(parent, "changed");
      }
      c = parent;
    }
  }
  verify(p, statuses, ot, pt, copies);
  // Boot-time code and data already ran and were freed: nothing to patch there.
  const entryOf = (u: Unit): Unit => {
    const parent = parentOf(p, u);
    return parent ? entryOf(parent) : u;
  };
  const bootOnly = [...statuses].filter(
    ([u, s]) => (s === "changed" || s === "new") && isBootOnly(u) && !parentOf(p, u),
  );
  for (const [u, s] of statuses) {
    if ((s === "changed" || s === "new") && isBootOnly(entryOf(u))) statuses.set(u, "same");
  }
  const bootWarnings = bootOnly.map(
    ([u, s]) =>
      `${u.name} (${u.section.name}) ${s === "new" ? "added" : "changed"}: ` +
      "__init code and data served the boot and are gone, so the patch leaves it out; " +
      "it takes effect when a fixed kernel boots",
  );

  // Children are reported through their parents: only entry points are
  // patched. A child whose parent was inlined everywhere (foo.part.0 with no
  // foo left) is an entry point itself.
  const pick = (kind: Unit["kind"], ...wanted: UnitStatus[]) =>
    [...statuses]
      .filter(([u, s]) => u.kind === kind && wanted.includes(s) && !parentOf(p, u))
      .map(
        ([u, s]): UnitChange => ({
          name: u.name,
          ...(u.twin && u.twin.name !== u.name ? { original: u.twin.name } : {}),
          kind: u.kind,
          section: u.section.name,
          status: s,
        }),
      );
  const changed = pick("func", "changed");
  const added = pick("func", "new");
  if (changed.length === 0 && added.length === 0) {
    const boot = bootOnly.map(([u]) => u.name);
    const lines = pick("func", "line-only").map((u) => u.name);
    throw new DiffError(
      "no-change",
      boot.length
        ? `${patched.file}: only __init code or data changed (${boot.join(", ")}): ` +
            "it served the boot and is gone, so there is nothing to patch at run time; " +
            "the change takes effect when a fixed kernel boots"
        : lines.length
          ? `${patched.file}: only __LINE__ numbers changed (${lines.join(", ")}): nothing to patch`
          : `${patched.file}: no function changed`,
    );
  }
  const inclusion = include(p, pt, statuses, opts.entrySizes ?? {});
  const out = buildOutput(p, pt, inclusion, statuses, opts.outFile ?? "output.o");
  // EXPORT_SYMBOL records: a patch module cannot add to the kernel's export table.
  const before = exportsOf(orig);
  const warnings = [...exportsOf(patched)]
    .filter((name) => !before.has(name))
    .map(
      (name) =>
        `new export ${name} left out: a live patch cannot export symbols, ` +
        "so modules cannot link against it until the next boot",
    );
  warnings.push(...directed.notes, ...copies.notes, ...bootWarnings);
  return {
    warnings,
    changed,
    added,
    lineOnly: pick("func", "line-only"),
    addedData: pick("object", "new").filter((d) =>
      [...inclusion.units].some((u) => u.name === d.name && u.kind === "object"),
    ),
    externals: out.externals,
    output: out.elf,
  };
}

function checkCompatible(orig: ElfFile, patched: ElfFile): void {
  for (const elf of [orig, patched]) {
    if (elf.header.machine !== EM_X86_64) {
      throw new DiffError("error", `${elf.file}: machine ${elf.header.machine} is not x86-64`);
    }
    if (elf.header.type !== ET_REL) {
      throw new DiffError(
        "error",
        `${elf.file}: not a relocatable object (ELF type ${elf.header.type})`,
      );
    }
  }
  const compiler = (elf: ElfFile) =>
    new TextDecoder()
      .decode(elf.section(".comment")?.data ?? new Uint8Array())
      .replace(/\0+/g, " ")
      .trim();
  const [a, b] = [compiler(orig), compiler(patched)];
  if (a !== b) {
    throw new DiffError(
      "error",
      `ORIG and PATCHED were built by different compilers: '${a}' vs '${b}'`,
    );
  }
  // The debug info records the options each object was compiled with: a
  // different config mostly shows as different options.
  const [fa, fb] = [producer(orig), producer(patched)];
  if (fa && fb && fa !== fb) {
    const [ta, tb] = [new Set(fa.split(" ")), new Set(fb.split(" "))];
    const only = (x: Set<string>, y: Set<string>) =>
      [...x].filter((t) => !y.has(t)).join(" ") || "-";
    throw new DiffError(
      "error",
      "ORIG and PATCHED were compiled with different options " +
        `(another config?): ORIG only ${only(ta, tb)}; PATCHED only ${only(tb, ta)}`,
    );
  }
}

/** DW_AT_producer, as gcc and clang write it to the debug strings: compiler and options. */
function producer(elf: ElfFile): string | undefined {
  const strings = elf.section(".debug_str")?.data;
  if (!strings) return undefined;
  const text = Buffer.from(strings.buffer, strings.byteOffset, strings.length).toString("latin1");
  return /(?:^|\0)((?:GNU C|GNU C\+\+|clang version)[^\0]*)/.exec(text)?.[1];
}

const FENTRY = "__fentry__";

/**
 * Code and data that only boot (or a module's init) uses, freed once it ran:
 * `__init`, `__initdata`, `__initconst`.
 */
function isBootOnly(u: Unit): boolean {
  return /^\.init\./.test(u.section.name);
}

/** A module's `__exit` code, run only as it unloads: livepatch cannot redirect it. */
function isExitCode(u: Unit): boolean {
  return /^\.exit\./.test(u.section.name);
}

/**
 * Refuses what a live patch cannot carry, naming each symbol and what to do
 * instead. A changed __init function is left out (see diffObjects), unless
 * runtime code the patch changes uses the same data: then the runtime fix may
 * rely on what the boot-time change would have set up.
 */
function verify(
  p: ObjectUnits,
  statuses: Map<Unit, UnitStatus>,
  origTargets: TargetCache,
  targets: TargetCache,
  copies: { copied: Map<Unit, string>; readerOf: Map<Unit, string> },
): void {
  const file = p.elf.file;
  const { copied, readerOf } = copies;
  const problems = [...copied.values()].filter(Boolean);
  const why = (u: Unit) =>
    readerOf.has(u)
      ? ` (it is patched only because it reads the changed constant ${readerOf.get(u)})`
      : "";
  // ftrace redirects a function through the __fentry__ call at its entry:
  // without one it cannot be patched.
  const traced = (u: Unit) =>
    origTargets
      .of(u)
      .some(
        (t, i) =>
          t.kind === "extern" && t.name === FENTRY && Number(u.relocs[i]!.offset) - u.start <= 5,
      );
  const usesFentry = [...statuses.keys()].some((u) => u.twin && traced(u.twin));
  const changedCode = [...statuses]
    .filter(([u, s]) => (s === "changed" || s === "new") && u.kind === "func")
    .map(([u]) => u);
  const runtime = changedCode.filter((u) => !isBootOnly(u) && !isExitCode(u));
  for (const [u, s] of statuses) {
    if (s !== "changed") continue;
    if (isBootOnly(u)) {
      const shared = u.kind === "func" ? sharedData(p, u, runtime, targets) : [];
      if (shared.length) {
        problems.push(
          `function ${u.name} (${u.section.name}) changed, and so did runtime code ` +
            `that uses the same data (${shared.join(", ")}): __init code ran at boot and cannot ` +
            "be live-patched, and the runtime fix may rely on what it would set up; " +
            "if the runtime fix stands alone, leave the __init change out of the patch",
        );
      }
      continue;
    }
    if (
      u.kind === "func" &&
      usesFentry &&
      u.twin &&
      !parentOf(p, u) &&
      !traced(u.twin) &&
      !isExitCode(u)
    ) {
      problems.push(
        `function ${u.name} changed${why(u)} but has no ftrace entry ` +
          "(notrace, or not compiled with -mfentry): livepatch cannot redirect it; " +
          "patch its callers instead",
      );
    }
    // Constants are copied or refused by copyConstants.
    if (u.kind === "object" && !isCallSiteMetadata(u.section) && !copied.has(u)) {
      problems.push(
        `data object ${u.name} (${u.section.name}) changed: ` +
          "its value in the running kernel would not change; " +
          "use a shadow variable or a callback to change live state",
      );
    } else if (u.kind === "func" && isExitCode(u)) {
      problems.push(
        `function ${u.name} (${u.section.name}) changed: ` +
          "__exit code cannot be live-patched; " +
          "leave it out of the patch or move the fix into runtime code",
      );
    }
  }
  if (problems.length) {
    throw new DiffError(
      "unsafe",
      `${file}: the patch changes what cannot be live-patched`,
      problems,
    );
  }
}

/**
 * A changed constant that only this object's code reads (a quirk or ID table
 * that grew, a table of strings) is carried as a new copy, and every function
 * that reads it is patched to read the copy; a constant table that only such
 * a constant points to is copied the same way. `copied` maps each changed
 * constant to "" when it is copied, or to why it cannot be: it is global
 * (other objects may read it, and the patch cannot find them); data other
 * than such a constant points to it (that data keeps pointing to the old
 * one); boot or exit code reads it (it may have handed the old one's address
 * to the kernel, and cannot be patched); or it points to code or to symbols
 * outside the object (an operations table, whose address the kernel keeps
 * and compares: f_op == &my_fops). `readerOf` names, for each function
 * patched only because it reads one, the constant.
 */
function copyConstants(
  p: ObjectUnits,
  statuses: Map<Unit, UnitStatus>,
  targets: TargetCache,
  ignored: ReadonlySet<Unit>,
): { copied: Map<Unit, string>; readerOf: Map<Unit, string>; notes: string[] } {
  const isConstant = (u: Unit) =>
    u.kind === "object" &&
    (u.section.flags & SHF.WRITE) === 0n &&
    !isBootOnly(u) &&
    !isCallSiteMetadata(u.section);
  const isLocalConstant = (u: Unit) =>
    isConstant(u) && u.symbols.every((s) => s.bind === STB.LOCAL);
  const readersOf = new Map<Unit, Unit[]>();
  for (const v of p.units) {
    if ((v.section.flags & SHF.ALLOC) === 0n) continue;
    for (const t of targets.of(v)) {
      if (t.kind !== "unit" || t.unit === v) continue;
      const list = readersOf.get(t.unit) ?? [];
      if (!list.includes(v)) readersOf.set(t.unit, [...list, v]);
    }
  }
  const copied = new Map<Unit, string>();
  const readerOf = new Map<Unit, string>();
  const notes: string[] = [];
  const work = [...statuses].filter(([u, s]) => s === "changed" && isConstant(u)).map(([u]) => u);
  for (let u = work.shift(); u; u = work.shift()) {
    if (copied.has(u)) continue;
    const readers = readersOf.get(u) ?? [];
    const pointees = targets
      .of(u)
      .filter((t) => t.kind === "extern" || (t.kind === "unit" && !isLocalConstant(t.unit)));
    const data = readers.filter((r) => r.kind !== "func" && !isLocalConstant(r));
    const unpatchable = readers.filter(
      (r) => r.kind === "func" && (isBootOnly(r) || isExitCode(r)),
    );
    const what = `constant ${u.name} (${u.section.name}) changed`;
    const instead = "change the code that reads it instead";
    if (u.symbols.some((s) => s.bind !== STB.LOCAL)) {
      copied.set(
        u,
        `${what}: it is global, so other objects may read it, ` +
          `and a live patch cannot find them; ${instead}`,
      );
    } else if (data.length) {
      copied.set(
        u,
        `${what}: ${data.map((d) => d.name).join(", ")} ` +
          `point${data.length > 1 ? "" : "s"} to it and would keep using the old one; ${instead}`,
      );
    } else if (unpatchable.length) {
      copied.set(
        u,
        `${what}: boot or exit code (${unpatchable.map((r) => r.name).join(", ")}) ` +
          `reads it, may have handed the old one to the kernel, and cannot be patched; ${instead}`,
      );
    } else if (pointees.length) {
      const pointed = [
        ...new Set(
          pointees.map((t) =>
            t.kind === "unit" ? t.unit.name : t.kind === "extern" ? t.name : "",
          ),
        ),
      ]
        .slice(0, 3)
        .join(", ");
      copied.set(
        u,
        `${what}: it points to code or to other objects (${pointed}), ` +
          "like an operations table whose address the kernel keeps and compares, " +
          `so a copy would not replace it; ${instead}`,
      );
    } else {
      copied.set(u, "");
      statuses.set(u, "changed");
      const code = readers.filter((r) => r.kind === "func");
      // A function the author asked to leave alone keeps reading the old copy.
      for (const r of readers.filter((x) => !ignored.has(x))) {
        if (r.kind === "func" && statuses.get(r) === "same") readerOf.set(r, u.name);
        if (r.kind === "func" && statuses.get(r) !== "new") statuses.set(r, "changed");
        else if (r.kind !== "func") work.push(r);
      }
      const readCopy = code.length
        ? ", and patches the functions that read it " +
          `(${code
            .map((c) => c.name)
            .sort()
            .join(", ")}) to read the copy`
        : "";
      notes.push(`${what}: the patch carries a new copy${readCopy}`);
    }
  }
  return { copied, readerOf, notes };
}

/**
 * The data both `boot` and any of `runtime` refer to (by name; calls do not
 * count): state one sets up and the other reads.
 */
function sharedData(p: ObjectUnits, boot: Unit, runtime: Unit[], targets: TargetCache): string[] {
  // An external symbol is data unless code calls or jumps to it (printk, a thunk).
  const branch = (u: Unit, i: number) => {
    const r = u.relocs[i]!;
    if (r.type === R_X86_64.PLT32) return true;
    const flow = insnAt(p.insns(u.section), Number(r.offset))?.flow;
    return flow === "call" || flow === "jump" || flow === "cond-jump";
  };
  const data = (u: Unit) =>
    new Set(
      targets.of(u).flatMap((t, i) => {
        if (t.kind === "unit") {
          return t.unit.kind === "object" && !isBootOnly(t.unit) ? [t.unit.name] : [];
        }
        return t.kind === "extern" && t.name !== FENTRY && !branch(u, i) ? [t.name] : [];
      }),
    );
  const mine = data(boot);
  return [...new Set(runtime.flatMap((r) => [...data(r)].filter((d) => mine.has(d))))].sort();
}
