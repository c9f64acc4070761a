// Pairs each unit of the patched object with its twin in the original. Names
// are the first guide, but compilers renumber local names between builds
// (`calls.3` becomes `calls.4` when a static is added before it), so a
// numbered local is paired by its base name when that is unambiguous, and
// otherwise by which already-paired units refer to it. A static local
// variable is never paired by its number alone: pairing the wrong one would
// make the patch use another function's state.
import { SHF, STB } from "../elf/constants.js";
import { baseName, btfSlotType } from "../symbols/names.js";
import { pairSlotsByList } from "./btfids.js";
import { isFunctionName, type ObjectUnits, type Target, type Unit } from "./units.js";
import type { DiffContext, TargetCache } from "./context.js";

const key = (u: Unit, name: string) => `${u.kind}\0${name}`;

export function correlate({ orig, patched, origTargets, patchedTargets }: DiffContext): void {
  pairByName(orig, patched);
  pairSlotsByList(orig, patched, pair);
  pairByReference(patched, origTargets, patchedTargets);
  pairLeftoverFunctions(orig, patched);
  pairGaps(orig, patched);
}

const pair = (p: Unit, o: Unit) => {
  p.twin = o;
  o.twin = p;
};
const isGlobal = (u: Unit) => u.symbols.some((s) => s.bind !== STB.LOCAL);

/** The units not paired yet, by kind and `name`. */
function unpaired(units: Unit[], name: (u: Unit) => string): Map<string, Unit[]> {
  const m = new Map<string, Unit[]>();
  for (const u of units) {
    if (u.twin) continue;
    const k = key(u, name(u));
    const l = m.get(k);
    if (l) l.push(u);
    else m.set(k, [u]);
  }
  return m;
}

/**
 * Steps 1 and 2: exact names that carry no build-specific number, or are
 * global; then base names that are unique on both sides. Numbered static
 * locals are left to their users (step 3): one function dropping `calls`
 * while another adds one would otherwise look like a rename.
 */
function pairByName(orig: ObjectUnits, patched: ObjectUnits): void {
  // Units of one name pair when each side has one, or, if `inOrder`, as many.
  const pairUnique = (name: (u: Unit) => string, filter: (u: Unit) => boolean, inOrder = false) => {
    const os = unpaired(orig.units.filter(filter), name);
    for (const [k, ps] of unpaired(patched.units.filter(filter), name)) {
      const o = os.get(k);
      if (o?.length === ps.length && (inOrder || ps.length === 1)) {
        ps.forEach((p, i) => pair(p, o[i]!));
      }
    }
  };
  // Each rule twice: then with the file of a local as part of its name, for
  // the same-named statics of the files an `ld -r` object is linked from.
  const byName = (name: (u: Unit) => string, filter: (u: Unit) => boolean) => {
    pairUnique(name, filter);
    pairUnique((u) => `${u.source?.group ?? ""}\0${name(u)}`, filter);
  };
  byName(
    (u) => u.name,
    (u) => isGlobal(u) || baseName(u.name) === u.name,
  );
  const staticLocal = (u: Unit) =>
    u.kind === "object" && !isGlobal(u) && baseName(u.name) !== u.name;
  byName(
    (u) => baseName(u.name),
    (u) => !staticLocal(u),
  );
  // A file-scope __UNIQUE_ID() (__ADDRESSABLE(init_module), MODULE_INFO) ends
  // in __COUNTER__ alone, which one more above renumbers: the one of its
  // prefix on each side is the same declaration, as kpatch pairs them. Not
  // run-time state: paired wrongly, zeroed variables would compare the same.
  const counted = /^(__UNIQUE_ID_\w*?)\d+$/;
  const constant = (u: Unit) =>
    (u.section.flags & SHF.WRITE) === 0n || /^\.(init|exit)\./.test(u.section.name);
  byName(
    (u) => u.name.replace(counted, "$1"),
    (u) => counted.test(u.name) && constant(u),
  );
  // BTF_ID() names its slot __BTF_ID__<kind>__<name>__, then __COUNTER__ and
  // __LINE__. resolve_btfids fills every slot of one name with the same id,
  // so slots of a name are interchangeable and pair in order when they are
  // as many on each side: the lists that point at them then compare by offset.
  pairUnique(
    (u) => `${u.section.name}\0${btfSlotType(u.name)}`,
    (u) => btfSlotType(u.name) !== undefined && constant(u),
    true,
  );
  // `__func__` holds its function's name: the text pairs it whatever gcc
  // numbered it (a .cold child that inlines other functions uses several).
  const text = (u: Unit) => Buffer.from(u.section.data.subarray(u.start, u.end)).toString("latin1");
  byName((u) => `__func__=${text(u)}`, isFunctionName);
}

/**
 * Step 3: the rest by reference. A unit referred to by a paired unit pairs
 * with the same-named unit its twin refers to. Repeats while it makes
 * progress.
 */
function pairByReference(
  patched: ObjectUnits,
  origTargets: TargetCache,
  patchedTargets: TargetCache,
): void {
  const patchedRefs = referrers(patched, patchedTargets);
  for (let progress = true; progress; ) {
    progress = false;
    for (const p of patched.units) {
      if (p.twin) continue;
      const base = baseName(p.name);
      const proposed = (referrers: Unit[]) => {
        const found = new Set<Unit>();
        for (const r of referrers) {
          if (!r.twin) continue;
          const mine = usesByBase(patchedTargets.of(r), base, p.kind);
          const theirs = usesByBase(origTargets.of(r.twin), base, p.kind);
          const o =
            mine.length === theirs.length
              ? theirs[mine.indexOf(p)]
              : theirs.length === 1
                ? theirs[0]
                : undefined;
          if (o && !o.twin) found.add(o);
        }
        return found.size === 1 ? [...found][0] : undefined;
      };
      // Named referrers first: an entry table (__jump_table) lists every pr_debug
      // descriptor of the file, so its order says less than the function using one.
      const refs = patchedRefs.get(p) ?? [];
      const o = proposed(refs.filter((r) => r.kind !== "section")) ?? proposed(refs);
      if (o) {
        pair(p, o);
        progress = true;
      }
    }
  }
}

/** Each unit's referrers: the units whose relocations point into it. */
function referrers(obj: ObjectUnits, targets: TargetCache): Map<Unit, Unit[]> {
  const m = new Map<Unit, Unit[]>();
  for (const u of obj.units) {
    for (const t of targets.of(u)) {
      if (t.kind !== "unit" || t.unit === u) continue;
      const l = m.get(t.unit);
      if (!l) m.set(t.unit, [u]);
      else if (!l.includes(u)) l.push(u);
    }
  }
  return m;
}

/**
 * The units of a kind and base name a referrer uses, in the order it first
 * uses them: a referrer may use several same-named locals (two printk_once
 * flags), and they pair in that order.
 */
function usesByBase(targets: Target[], base: string, kind: Unit["kind"]): Unit[] {
  const seen: Unit[] = [];
  for (const t of targets) {
    if (
      t.kind === "unit" &&
      t.unit.kind === kind &&
      baseName(t.unit.name) === base &&
      !seen.includes(t.unit)
    )
      seen.push(t.unit);
  }
  return seen;
}

/**
 * Step 4: functions still unpaired keep their exact name (clones such as
 * foo.constprop.0 and foo.constprop.1 that nothing distinguishes).
 */
function pairLeftoverFunctions(orig: ObjectUnits, patched: ObjectUnits): void {
  const leftover = unpaired(
    orig.units.filter((u) => u.kind === "func"),
    (u) => u.name,
  );
  for (const p of patched.units) {
    if (p.twin || p.kind !== "func") continue;
    const cands = leftover.get(key(p, p.name))?.filter((o) => !o.twin);
    if (cands?.length === 1) pair(p, cands[0]!);
  }
}

/**
 * Step 5: bytes between symbols not at a label are named after the symbol
 * before them, so a renumbered one (`calls.3`, a BTF slot) renames its gap
 * too. A gap still unpaired pairs with the gap that follows its
 * predecessor's twin.
 */
function pairGaps(orig: ObjectUnits, patched: ObjectUnits): void {
  const isGap = (u: Unit | undefined) => u?.kind === "section" && u.symbols.length === 0;
  const place = new Map<Unit, number>();
  for (const list of orig.bySection.values()) list.forEach((u, i) => place.set(u, i));
  for (const list of patched.bySection.values()) {
    list.forEach((p, i) => {
      const before = list[i - 1]?.twin;
      if (!isGap(p) || p.twin || !before) return;
      const o = orig.bySection.get(before.section)![place.get(before)! + 1];
      if (isGap(o) && !o!.twin) pair(p, o!);
    });
  }
}
