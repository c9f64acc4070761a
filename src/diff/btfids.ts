// BTF ID lists and sets (.BTF_ids, include/linux/btf_ids.h). Each BTF_ID()
// is a 4-byte slot named after its type, which resolve_btfids fills with the
// type's id when vmlinux links; a set adds its count, a kfunc set each
// kfunc's flags. The running kernel filled and registered its own at boot, so
// a live patch can neither carry its own nor change the kernel's.
import { STB, STT } from "../elf/constants.js";
import type { ElfFile, ElfSymbol } from "../elf/model.js";
import { KpatchError } from "../errors.js";
import type { DiffContext } from "./context.js";
import { btfSlotType } from "../symbols/names.js";
import { sourceGroups, type ObjectUnits, type Unit } from "./units.js";

const SECTION = ".BTF_ids";
interface BtfList {
  /** The type of each slot, in order, and the bytes between slots. */
  reads: string;
  slots: ElfSymbol[];
}

/**
 * What each list or set of .BTF_ids says, by the label that heads it: the
 * type of each slot, in order, and the bytes between slots (a set's count, a
 * kfunc's flags), up to the next label.
 */
function btfLists(elf: ElfFile): Map<string, BtfList> {
  let lists = listsOf.get(elf);
  if (lists) return lists;
  lists = new Map<string, BtfList>();
  listsOf.set(elf, lists);
  const sec = elf.section(SECTION);
  if (!sec) return lists;
  // Local labels repeat across the files an `ld -r` object is linked from.
  const files = sourceGroups(elf);
  const several = elf.symbols.filter((s) => s.type === STT.FILE).length > 1;
  const syms = elf.symbols.filter((s) => s.section === sec && s.name);
  const slots = syms.filter((s) => s.type === STT.OBJECT).sort(byOffset);
  // In definition order where labels share an offset: an empty list ends
  // where the next begins. (Not across an empty global list and a local one:
  // the symbol table puts globals last.) A set's second name
  // (__BTF_ID__set__<name>, __BTF_ID__set8__<name>) stands beside its label
  // and ends nothing.
  const labels = syms
    .filter((s) => s.type === STT.NOTYPE && !s.name.startsWith("__BTF_ID__"))
    .sort((a, b) => byOffset(a, b) || a.inputIndex - b.inputIndex);
  const hex = (from: number, to: number) =>
    Buffer.from(sec.data.subarray(from, to)).toString("hex");
  let next = 0;
  labels.forEach((label, i) => {
    const start = Number(label.value);
    const end = Number(labels[i + 1]?.value ?? sec.data.length);
    const words: string[] = [];
    const mine: ElfSymbol[] = [];
    let at = start;
    // Slots and labels are both in offset order: one sweep reads every list.
    while (next < slots.length && Number(slots[next]!.value) < start) next++;
    for (; next < slots.length && Number(slots[next]!.value) < end; next++) {
      const s = slots[next]!;
      const from = Number(s.value);
      if (from > at) words.push(hex(at, from));
      words.push(btfSlotType(s.name) ?? s.name);
      mine.push(s);
      at = from + Number(s.size);
    }
    if (end > at) words.push(hex(at, end));
    // Named by its file only where several were linked and it is local to one.
    const file = label.bind === STB.LOCAL ? files.get(label) : undefined;
    const named = file && several ? file.name : "";
    lists.set(`${file?.group}\0${named}\0${label.name}`, { reads: words.join(" "), slots: mine });
  });
  return lists;
}

const byOffset = (a: ElfSymbol, b: ElfSymbol) => Number(a.value - b.value);
/** Read once per object: correlation pairs by them, verification compares them. */
const listsOf = new WeakMap<ElfFile, Map<string, BtfList>>();

/**
 * Pairs the slots still unpaired by their place in a list that reads the
 * same on both sides: a list of another type's slots added or removed
 * elsewhere leaves their counts unequal, which pairing by name needs.
 */
export function pairSlotsByList(
  orig: ObjectUnits,
  patched: ObjectUnits,
  pair: (p: Unit, o: Unit) => void,
): void {
  const before = btfLists(orig.elf);
  for (const [key, after] of btfLists(patched.elf)) {
    const was = before.get(key);
    if (was?.reads !== after.reads) continue;
    after.slots.forEach((s, i) => {
      const [p, o] = [patched.bySymbol.get(s), orig.bySymbol.get(was.slots[i]!)];
      if (p && o && !p.twin && !o.twin) pair(p, o);
    });
  }
}

/**
 * Lists and sets that read differently in the patched object. A changed
 * function indexes a list from its head in the running kernel, so a list of
 * other types or order would give it the wrong ids; a set's members and a
 * kfunc's flags were registered at boot, so a change to them would not take.
 */
export function changedBtfLists(
  { orig, patched }: DiffContext,
  ignored: ReadonlySet<Unit>,
): string[] {
  // KPATCH_IGNORE_SECTION(".BTF_ids"): the author vouches for the change.
  const sec = patched.elf.section(SECTION);
  if (sec && patched.bySection.get(sec)?.some((u) => ignored.has(u))) return [];
  const before = btfLists(orig.elf);
  const problems: string[] = [];
  for (const [key, { reads }] of btfLists(patched.elf)) {
    const was = before.get(key)?.reads;
    if (was === undefined || was === reads) continue;
    const [, file, name] = key.split("\0");
    problems.push(
      `BTF IDs ${name}${file ? ` of ${file}` : ""} (${SECTION}) changed: ` +
        "the running kernel keeps the list it filled " +
        "and registered at boot, so code reading it would get other types or flags than " +
        "the patch says; leave the list as it is, or the change needs a reboot",
    );
  }
  return problems;
}

/**
 * The patch module is built without vmlinux, so resolve_btfids never fills
 * it and any of .BTF_ids it carries would read 0: code can use only the ids
 * it refers to in the running kernel by name.
 */
export function verifyBtfIds(
  { patched: p, patchedTargets }: DiffContext,
  included: Set<Unit>,
): void {
  // Copied, or referred to with no twin to name in the running kernel (as
  // KPATCH_IGNORE_SECTION leaves a new slot).
  const copied = new Set([...included].filter((u) => u.section.name === SECTION));
  for (const u of included) {
    for (const t of patchedTargets.of(u)) {
      if (t.kind === "unit" && t.unit.section.name === SECTION && !t.unit.twin) copied.add(t.unit);
    }
  }
  if (!copied.size) return;
  throw new KpatchError("unsafe", "the patch changes what cannot be live-patched", {
    details: [...copied].map(
      (u) =>
        `BTF IDs ${u.symbols[0]?.name ?? u.name} (${SECTION}) would be the module's own: ` +
        "resolve_btfids fills them when vmlinux links, and the module's copy would " +
        "read 0; use ids the running kernel already lists, or look the type up at run " +
        "time (btf_find_by_name_kind)",
    ),
    file: p.elf.file,
  });
}
