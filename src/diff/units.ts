// Splits an object into the units the differ compares: each function and data
// object (a symbol with its byte range and the relocations inside it), and
// each allocated section without such symbols as one anonymous unit. Working
// on symbol ranges rather than sections handles -ffunction-sections objects
// and shared sections (.init.text, .noinstr.text) alike.
import { relocWidth, SHF, SHT, STB, STT } from "../elf/constants.js";
import { ElfFile, type ElfSection, type ElfSymbol, type Relocation } from "../elf/model.js";
import { decode, insnAt, type Insn } from "../arch/x86/decode.js";
import { baseName } from "../symbols/names.js";

export type UnitKind = "func" | "object" | "section";

export interface Unit {
  kind: UnitKind;
  /** Symbol name, or section name for an anonymous unit. */
  name: string;
  /** The defining symbol and its aliases; empty for an anonymous unit. */
  symbols: ElfSymbol[];
  section: ElfSection;
  start: number;
  end: number;
  /** Relocations applying inside [start, end), by offset. */
  relocs: Relocation[];
  /** The same unit in the other object, once correlated. */
  twin: Unit | undefined;
  /**
   * A local's source file: the STT_FILE its symbol follows, by position among
   * them and name. An object kbuild links from several files (`ld -r`) holds
   * one group of locals per file, and two files may each have a `helper`.
   */
  source: Source | undefined;
}

export interface Source {
  group: number;
  name: string;
}

export interface ObjectUnits {
  elf: ElfFile;
  units: Unit[];
  bySymbol: Map<ElfSymbol, Unit>;
  /** Units of each section sorted by start, for lookups by offset. */
  bySection: Map<ElfSection, Unit[]>;
  /** Decoded instructions of executable sections, computed on demand. */
  insns(sec: ElfSection): Insn[];
}

/** Sections whose contents are part of the running image, and so of a patch. */
function isAllocated(sec: ElfSection): boolean {
  return (sec.flags & SHF.ALLOC) !== 0n && sec.type !== SHT.GROUP;
}

/** C's `__func__`: a string constant the compiler makes, copied like any literal. */
export function isFunctionName(u: Unit): boolean {
  return (
    u.kind === "object" &&
    baseName(u.name) === "__func__" &&
    u.symbols.every((s) => s.bind === STB.LOCAL)
  );
}

export function isText(sec: ElfSection): boolean {
  return (sec.flags & SHF.EXECINSTR) !== 0n;
}

/**
 * The file each symbol after an STT_FILE symbol was compiled from: the files
 * an `ld -r` object is linked from each have their own locals.
 */
export function sourceGroups(elf: ElfFile): Map<ElfSymbol, Source> {
  const sourceOf = new Map<ElfSymbol, Source>();
  let file: Source | undefined;
  for (const sym of elf.symbols) {
    if (sym.type === STT.FILE) file = { group: (file?.group ?? -1) + 1, name: sym.name };
    else if (file) sourceOf.set(sym, file);
  }
  return sourceOf;
}

export function buildUnits(elf: ElfFile): ObjectUnits {
  const units: Unit[] = [];
  const bySymbol = new Map<ElfSymbol, Unit>();
  const bySection = new Map<ElfSection, Unit[]>();
  const symbolsIn = new Map<ElfSection, ElfSymbol[]>();
  const sourceOf = sourceGroups(elf);
  // Labels (an asm `name:`, a BTF list's head), by section and offset: the last one at
  // a gap's start names it.
  const labelsIn = new Map<ElfSection, Map<number, ElfSymbol>>();
  for (const sym of elf.symbols) {
    if (sym.section && sym.type === STT.NOTYPE && sym.name) {
      const at = labelsIn.get(sym.section) ?? new Map<number, ElfSymbol>();
      labelsIn.set(sym.section, at.set(Number(sym.value), sym));
    }
    if (!sym.section || (sym.type !== STT.FUNC && sym.type !== STT.OBJECT)) continue;
    const list = symbolsIn.get(sym.section);
    if (list) list.push(sym);
    else symbolsIn.set(sym.section, [sym]);
  }
  for (const sec of elf.sections) {
    if (!isAllocated(sec)) continue;
    const size = Number(ElfFile.size(sec));
    const syms = (symbolsIn.get(sec) ?? []).sort(
      (a, b) => Number(a.value - b.value) || Number(b.size - a.size),
    );
    const list: Unit[] = [];
    if (syms.length === 0) {
      list.push({
        kind: "section",
        name: sec.name,
        symbols: [],
        section: sec,
        start: 0,
        end: size,
        relocs: [],
        twin: undefined,
        source: undefined,
      });
    }
    let covered = 0;
    let prevName = "";
    // Bytes between symbols (switch tables, unnamed cold code, literals) are
    // anonymous units too, so that they correlate across builds, named by
    // the label they start at, or else the symbol they follow. BTF lists are
    // cut at each label too (a set's head after a kfunc's flags): never
    // copied, they need no bytes beside them. Code or data cut there could
    // be copied in part, and a jump or an index would leave the copy.
    const labels = labelsIn.get(sec);
    const cuts = sec.name === ".BTF_ids" ? [...(labels?.keys() ?? [])].sort((a, b) => a - b) : [];
    const gap = (end: number) => {
      const inside = cuts.filter((c) => c > covered && c < end);
      for (const to of [...inside, end]) {
        if (to <= covered) continue;
        const label = labels?.get(covered);
        list.push({
          kind: "section",
          name: `${sec.name}<${label ? `at ${label.name}` : `after ${prevName || "start"}`}>`,
          symbols: [],
          section: sec,
          start: covered,
          end: to,
          relocs: [],
          twin: undefined,
          // A local label is one file's, of the files an `ld -r` object links.
          source: label?.bind === STB.LOCAL ? sourceOf.get(label) : undefined,
        });
        covered = to;
      }
    };
    for (const sym of syms) {
      const start = Number(sym.value);
      const end = start + Number(sym.size);
      const prev = list[list.length - 1];
      if (start > covered) gap(start);
      covered = Math.max(covered, end);
      prevName = sym.name;
      // Aliases (same range) share one unit.
      if (prev && prev.start === start && prev.end === end) {
        prev.symbols.push(sym);
        bySymbol.set(sym, prev);
        continue;
      }
      const unit: Unit = {
        kind: sym.type === STT.FUNC ? "func" : "object",
        name: sym.name,
        symbols: [sym],
        section: sec,
        start,
        end,
        relocs: [],
        twin: undefined,
        source: sym.bind === STB.LOCAL ? sourceOf.get(sym) : undefined,
      };
      list.push(unit);
      bySymbol.set(sym, unit);
    }
    if (syms.length) gap(size);
    const rela = elf.relocationsFor(sec);
    if (rela) {
      for (const r of rela.relocations) {
        const u = unitAt(list, Number(r.offset));
        if (u) u.relocs.push(r);
      }
      for (const u of list) u.relocs.sort((a, b) => Number(a.offset - b.offset));
    }
    for (const u of list) units.push(u);
    bySection.set(sec, list);
  }
  const decoded = new Map<ElfSection, Insn[]>();
  const insns = (sec: ElfSection): Insn[] => {
    let list = decoded.get(sec);
    if (!list) decoded.set(sec, (list = decode(sec.data)));
    return list;
  };
  return { elf, units, bySymbol, bySection, insns };
}

/**
 * The function gcc split `name` out of: `foo` for `foo.cold` (and renumbered
 * `foo.cold.1`). Such children are not entry points: they run only as part
 * of their parent, and are patched with it. A `foo.part.N` is not one:
 * callers that inlined foo's head call it directly, so it is patched itself.
 */
/** Whose part a function is: foo.cold's, or the padding objtool names __pfx_foo (__cfi_foo). */
function parentName(name: string): string | undefined {
  return (/^(.+?)\.cold(\.\d+)?$/.exec(name) ?? /^__(?:pfx|cfi)_(.+)$/.exec(name))?.[1];
}

/** objtool's name for the padding before a function (CONFIG_CALL_PADDING). */
export const isPrefix = (u: Unit) => u.kind === "func" && /^__(pfx|cfi)_/.test(u.name);

export function parentOf(obj: ObjectUnits, u: Unit): Unit | undefined {
  const name = u.kind === "func" ? parentName(u.name) : undefined;
  const sym =
    name === undefined
      ? undefined
      : obj.elf.symbolsNamed(name).find((s) => obj.bySymbol.get(s)?.kind === "func");
  return sym && obj.bySymbol.get(sym);
}

/**
 * Data the compiler makes for one call site, that only that site's code
 * uses: clang's anonymous UBSAN source locations (.data..L__unnamed_N, whose
 * "reported" flag the handler sets) and type descriptors (.rodata..). Their
 * numbers follow the order of the sites in the file, so they are told apart
 * by content, and the patched code gets a copy of its own, as kpatch gives it.
 */
export function isCompilerData(sec: ElfSection): boolean {
  return /^\.(ro)?data\.\.L__unnamed_\d+$/.test(sec.name);
}

/** The unit whose range holds `offset`: the innermost one starting at or before it. */
function unitAt(list: readonly Unit[], offset: number): Unit | undefined {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.start <= offset) lo = mid + 1;
    else hi = mid - 1;
  }
  // Nested ranges are rare and shallow; a gap between functions must not cost a scan.
  for (let i = hi; i >= 0 && i > hi - 8; i--) {
    const u = list[i]!;
    if (offset < u.end || (u.start === u.end && offset === u.start)) return u;
  }
  return undefined;
}

/** What a relocation points at, in terms that can be compared across objects. */
export type Target =
  | { kind: "unit"; unit: Unit; offset: number }
  /**
   * A merged constant, compared by content: a string, or an entry of a
   * `.rodata.cstN` pool (`\0cstN:` and its bytes in hex), whose labels and
   * offsets the compiler renumbers as the pool's order changes.
   */
  | { kind: "string"; text: string; section: Unit | undefined }
  | { kind: "extern"; name: string }
  | { kind: "none" };

/**
 * Resolves a relocation to its target. PC-relative relocations in code count
 * from the end of their instruction, so the addend is corrected by the
 * distance from the field to that end (a `cmpb $0, x(%rip)` has addend -5,
 * not -4); without that, string and data offsets would not line up.
 */
export function resolveTarget(obj: ObjectUnits, sec: ElfSection, r: Relocation): Target {
  const sym = r.symbol;
  if (!sym) return { kind: "none" };
  let offset = Number(r.addend);
  const width = relocWidth(r.type);
  // A named function or object is found by its symbol whatever the addend;
  // only section-relative targets need the decoder to find where they point.
  const named = sym.type !== STT.SECTION && obj.bySymbol.has(sym);
  if (width?.pcRelative && isText(sec) && !named) {
    const insn = insnAt(obj.insns(sec), Number(r.offset));
    if (insn) offset += insn.offset + insn.length - Number(r.offset);
  }
  if (!sym.section) return { kind: "extern", name: sym.name };
  const target = sym.section;
  if (sym.type !== STT.SECTION) {
    const u = obj.bySymbol.get(sym);
    if (u) return { kind: "unit", unit: u, offset: Number(sym.value) - u.start + offset };
    // A global label (an assembler entry point) is reached by its name.
    if (sym.bind !== STB.LOCAL) return { kind: "extern", name: sym.name };
    offset += Number(sym.value);
  }
  const units = obj.bySection.get(target) ?? [];
  if ((target.flags & SHF.STRINGS) !== 0n) {
    return { kind: "string", text: cStringAt(target.data, offset), section: units[0] };
  }
  const size = Number(target.entsize);
  if (
    (target.flags & SHF.MERGE) !== 0n &&
    size > 0 &&
    offset >= 0 &&
    offset + size <= target.data.length
  ) {
    const bytes = Buffer.from(target.data.subarray(offset, offset + size)).toString("hex");
    return { kind: "string", text: `\0cst${size}:${bytes}`, section: units[0] };
  }
  // The end of a section (ORC's terminating entry) belongs to the unit that ends there.
  const u =
    unitAt(units, offset) ??
    (offset === Number(ElfFile.size(target)) ? units.find((x) => x.end === offset) : undefined);
  if (u) return { kind: "unit", unit: u, offset: offset - u.start };
  // A section of one object (-fdata-sections) is that object: code reaches
  // before or past it by arithmetic on it (an array indexed from 1, a loop
  // that ends at a member of the element past the last).
  const only = units.length === 1 ? units[0]! : undefined;
  if (only?.kind === "object" && only.start === 0) {
    return { kind: "unit", unit: only, offset };
  }
  // Into a section with symbols but outside every one: compare by section name and offset.
  return { kind: "extern", name: `${target.name}+${offset}` };
}

/**
 * Reads, in code, the address where one object ends and the next begins as
 * the first one's end when the code uses that object too and only takes the
 * address (a lea, an immediate): `for (p = arr; p != arr + N; p++)`. Objects
 * of a shared section (__read_mostly, __ro_after_init) are reached through
 * the section symbol, so arr + N is also the next object's start, and a
 * variable the patch adds there would change every such loop and, copied,
 * end the patched one at the copy.
 */
export function preferObjectEnds(obj: ObjectUnits, u: Unit, targets: Target[]): Target[] {
  if (!isText(u.section)) return targets;
  return targets.map((t, i) => {
    if (t.kind !== "unit" || t.offset !== 0 || isText(t.unit.section)) return t;
    const next = t.unit;
    const ended = targets.find(
      (x): x is Extract<Target, { kind: "unit" }> =>
        x.kind === "unit" &&
        x.unit.kind === "object" &&
        x.unit.section === next.section &&
        x.unit.end === next.start &&
        x.unit !== next,
    )?.unit;
    if (!ended) return t;
    const at = Number(u.relocs[i]!.offset);
    const insn = insnAt(obj.insns(u.section), at);
    const field = insn ? at - insn.offset : -1;
    const addressOnly =
      insn &&
      (insn.mnemonic === "lea" ||
        (field >= insn.immOffset && field < insn.immOffset + insn.immSize));
    return addressOnly ? { kind: "unit", unit: ended, offset: ended.end - ended.start } : t;
  });
}

function cStringAt(data: Uint8Array, offset: number): string {
  if (offset < 0 || offset >= data.length) return `<offset ${offset}>`;
  let end = offset;
  while (end < data.length && data[end] !== 0) end++;
  return new TextDecoder().decode(data.subarray(offset, end));
}

/**
 * Per-call-site descriptors (dynamic debug's `__dyndbg`, `__verbose` before
 * 5.12) that code passes to the kernel and that the patch module registers as
 * its own when it loads: a changed one travels as a copy with the code that
 * uses it.
 */
export function isCallSiteMetadata(sec: ElfSection): boolean {
  return sec.name === "__dyndbg" || sec.name === "__verbose";
}
