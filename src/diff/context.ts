// What the differ's passes share for one pair of objects, made once by the
// driver (diff.ts): each pass takes this one context, so a pass that needs
// one more thing reads it here instead of growing its own list of arguments.
import type { ElfFile } from "../elf/model.js";
import type { LineMap } from "../patch/lines.js";
import {
  buildUnits,
  preferObjectEnds,
  resolveTarget,
  type ObjectUnits,
  type Target,
  type Unit,
} from "./units.js";

export type UnitStatus = "same" | "changed" | "new" | "line-only";

/** Special-section entry sizes from the target kernel, by section name. */
export type EntrySizes = Record<string, number>;

export interface DiffOptions {
  /** Special-section entry sizes of the target kernel, by section name. */
  entrySizes?: EntrySizes;
  /** Name the output object carries in messages. */
  outFile?: string;
  /** Where the patches moved the lines of each file they touch (for `__LINE__`). */
  lineMaps?: readonly LineMap[];
  /**
   * The target kernel traces what it can patch (-mfentry): a changed function
   * with no __fentry__ call is refused even where no function of its object
   * has one (a Makefile's CFLAGS_REMOVE_x.o = -pg, as for early boot code).
   */
  traced?: boolean;
}

/** Targets of a unit's relocations, resolved once per unit. */
export class TargetCache {
  private readonly cache = new Map<Unit, Target[]>();
  constructor(readonly obj: ObjectUnits) {}
  of(u: Unit): Target[] {
    let t = this.cache.get(u);
    if (!t) {
      const resolved = u.relocs.map((r) => resolveTarget(this.obj, u.section, r));
      this.cache.set(u, (t = preferObjectEnds(this.obj, u, resolved)));
    }
    return t;
  }
}

export interface DiffContext {
  readonly orig: ObjectUnits;
  readonly patched: ObjectUnits;
  readonly origTargets: TargetCache;
  readonly patchedTargets: TargetCache;
  /** Each patched unit's status: the comparison's, as the later passes revise it. */
  readonly statuses: Map<Unit, UnitStatus>;
  readonly options: DiffOptions;
}

/** The context of a diff of `orig` and `patched`, before any pass ran. */
export function diffContext(orig: ElfFile, patched: ElfFile, options: DiffOptions): DiffContext {
  const o = buildUnits(orig);
  const p = buildUnits(patched);
  return {
    orig: o,
    patched: p,
    origTargets: new TargetCache(o),
    patchedTargets: new TargetCache(p),
    statuses: new Map(),
    options,
  };
}
