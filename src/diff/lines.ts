// Where the patches moved each source line: the map that tells a `__LINE__`
// immediate that only moved (line 9897 before the patch, 9904 after, as 7
// lines were added above it) from a constant that changed.

/** One hunk of `diff -U0`: ORIG lines [from, from + count) became `newCount` lines. */
interface Hunk {
  from: number;
  count: number;
  newCount: number;
}

/** The line moves of one file, from `diff -U0 ORIG PATCHED` output and ORIG's length. */
export class LineMap {
  private constructor(
    private readonly hunks: Hunk[],
    private readonly lines: number,
  ) {}

  static fromDiff(unifiedZero: string, origLines: number): LineMap {
    const hunks: Hunk[] = [];
    for (const m of unifiedZero.matchAll(/^@@ -(\d+)(?:,(\d+))? \+\d+(?:,(\d+))? @@/gm)) {
      hunks.push({ from: Number(m[1]), count: Number(m[2] ?? 1), newCount: Number(m[3] ?? 1) });
    }
    return new LineMap(hunks, origLines);
  }

  /** Line `line` of ORIG in PATCHED, or undefined when the patch rewrote it. */
  map(line: number): number | undefined {
    // No line of the file: a constant, whatever it became.
    if (!Number.isInteger(line) || line < 1 || line > this.lines) return undefined;
    let shift = 0;
    for (const h of this.hunks) {
      // A pure insertion (count 0) goes after ORIG line `from`; else it replaces lines from `from`.
      const end = h.count === 0 ? h.from + 1 : h.from + h.count;
      if (h.count > 0 && line >= h.from && line < end) return undefined;
      if (line >= end) shift += h.newCount - h.count;
    }
    return line + shift;
  }
}

/**
 * Whether line `orig` of some patched file is line `patched` after the
 * patches: a `__LINE__` that moved, not one that changed.
 */
export function lineMoved(maps: readonly LineMap[], orig: number, patched: number): boolean {
  return orig !== patched && maps.some((m) => m.map(orig) === patched);
}
