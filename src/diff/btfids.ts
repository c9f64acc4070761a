// BTF ID lists and sets (.BTF_ids, include/linux/btf_ids.h). Each BTF_ID()
// is a 4-byte slot named after its type, which resolve_btfids fills with the
// type's id when vmlinux links; a set adds its count, a kfunc set each
// kfunc's flags. The running kernel filled and registered its own at boot, so
// a live patch can neither carry its own nor change the kernel's.
import { STT } from "../elf/constants.js";
import type { ElfFile, ElfSymbol } from "../elf/model.js";
import { KpatchError } from "../errors.js";
import type { DiffContext } from "./context.js";
import type { Unit } from "./units.js";

const SECTION = ".BTF_ids";
const SLOT = /^(__BTF_ID__\w+__)\d+$/;

/**
 * A slot's type, or undefined if `name` is no slot: BTF_ID() names it
 * __BTF_ID__<kind>__<name>__ and then __COUNTER__ and __LINE__, which any
 * header that counts once more renumbers.
 */
export function btfSlotType(name: string): string | undefined {
  return SLOT.exec(name)?.[1];
}

/**
 * What each list or set of .BTF_ids says, by the label that heads it: the
 * type of each slot, in order, and the bytes between slots (a set's count, a
 * kfunc's flags), up to the next label.
 */
function btfLists(elf: ElfFile): Map<string, string> {
  const lists = new Map<string, string>();
  const sec = elf.section(SECTION);
  if (!sec) return lists;
  const byOffset = (a: ElfSymbol, b: ElfSymbol) => Number(a.value - b.value);
  // Local labels repeat across the files an `ld -r` object is linked from.
  const file = new Map<ElfSymbol, number>();
  let files = 0;
  for (const s of elf.symbols) {
    if (s.type === STT.FILE) files++;
    else file.set(s, files);
  }
  const syms = elf.symbols.filter((s) => s.section === sec && s.name);
  const slots = syms.filter((s) => s.type === STT.OBJECT).sort(byOffset);
  // BTF_SET_START also names the set __BTF_ID__set__<name>, beside its label.
  const labels = syms.filter((s) => s.type === STT.NOTYPE).sort(byOffset);
  const hex = (from: number, to: number) =>
    Buffer.from(sec.data.subarray(from, to)).toString("hex");
  for (const label of labels) {
    if (label.name.startsWith("__BTF_ID__")) continue;
    const start = Number(label.value);
    const next = labels.find((l) => Number(l.value) > start);
    const end = next ? Number(next.value) : sec.data.length;
    const words: string[] = [];
    let at = start;
    for (const s of slots) {
      const from = Number(s.value);
      if (from < start || from >= end) continue;
      if (from > at) words.push(hex(at, from));
      words.push(btfSlotType(s.name) ?? s.name);
      at = from + Number(s.size);
    }
    if (end > at) words.push(hex(at, end));
    lists.set(`${file.get(label)}\0${label.name}`, words.join(" "));
  }
  return lists;
}

/**
 * Lists and sets that read differently in the patched object. A changed
 * function indexes a list from its head in the running kernel, so a list of
 * other types or order would give it the wrong ids; a set's members and a
 * kfunc's flags were registered at boot, so a change to them would not take.
 */
export function changedBtfLists({ orig, patched }: DiffContext): string[] {
  const before = btfLists(orig.elf);
  const problems: string[] = [];
  for (const [key, after] of btfLists(patched.elf)) {
    const was = before.get(key);
    if (was === undefined || was === after) continue;
    const name = key.slice(key.indexOf("\0") + 1);
    problems.push(
      `BTF IDs ${name} (${SECTION}) changed: the running kernel keeps the list it filled ` +
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
export function verifyBtfIds({ patched: p }: DiffContext, included: Set<Unit>): void {
  const copied = [...included].filter((u) => u.section.name === SECTION);
  if (!copied.length) return;
  throw new KpatchError("unsafe", "the patch changes what cannot be live-patched", {
    details: copied.map(
      (u) =>
        `BTF IDs ${u.symbols[0]?.name ?? u.name} (${SECTION}) would be the module's own: ` +
        "resolve_btfids fills them when vmlinux links, and the module's copy would " +
        "read 0; use ids the running kernel already lists, or look the type up at run " +
        "time (btf_find_by_name_kind)",
    ),
    file: p.elf.file,
  });
}
