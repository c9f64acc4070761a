// ORIG beside PATCHED, instruction by instruction: the longest common
// subsequence aligns the listings, unchanged runs are folded to a count with
// a few lines of context, and the first change is marked.
const CONTEXT = 3;
// Beyond this many cells the alignment is not worth its memory: the middle is shown unaligned.
const MAX_CELLS = 4_000_000;
/** Aligns two instruction listings (their texts) into rows. */
export function sideBySide(orig, patched) {
    let head = 0;
    while (head < orig.length && head < patched.length && orig[head] === patched[head])
        head++;
    let tail = 0;
    while (tail < orig.length - head &&
        tail < patched.length - head &&
        orig[orig.length - 1 - tail] === patched[patched.length - 1 - tail])
        tail++;
    const a = orig.slice(head, orig.length - tail);
    const b = patched.slice(head, patched.length - tail);
    const rows = [
        ...orig.slice(0, head).map((t) => ({ kind: "same", orig: t, patched: t })),
        ...align(a, b),
        ...orig.slice(orig.length - tail).map((t) => ({ kind: "same", orig: t, patched: t })),
    ];
    const first = rows.find((r) => r.kind === "changed");
    if (first)
        first.first = true;
    return fold(rows);
}
function align(a, b) {
    if (a.length * b.length > MAX_CELLS)
        return pairUp(a, b);
    // lcs[i][j]: the common subsequence length of a[i..] and b[j..].
    const w = b.length + 1;
    const lcs = new Uint32Array((a.length + 1) * w);
    for (let i = a.length - 1; i >= 0; i--) {
        for (let j = b.length - 1; j >= 0; j--) {
            lcs[i * w + j] =
                a[i] === b[j]
                    ? lcs[(i + 1) * w + j + 1] + 1
                    : Math.max(lcs[(i + 1) * w + j], lcs[i * w + j + 1]);
        }
    }
    const rows = [];
    let [i, j] = [0, 0];
    let del = [];
    let add = [];
    const flush = () => {
        rows.push(...pairUp(del, add));
        [del, add] = [[], []];
    };
    while (i < a.length || j < b.length) {
        if (i < a.length && j < b.length && a[i] === b[j]) {
            flush();
            rows.push({ kind: "same", orig: a[i++], patched: b[j++] });
        }
        else if (j >= b.length || (i < a.length && lcs[(i + 1) * w + j] >= lcs[i * w + j + 1])) {
            del.push(a[i++]);
        }
        else {
            add.push(b[j++]);
        }
    }
    flush();
    return rows;
}
/** Removed and added lines side by side, as many rows as the longer side has. */
function pairUp(del, add) {
    return Array.from({ length: Math.max(del.length, add.length) }, (_, k) => ({
        kind: "changed",
        ...(k < del.length ? { orig: del[k] } : {}),
        ...(k < add.length ? { patched: add[k] } : {}),
    }));
}
function fold(rows) {
    const near = rows.map(() => false);
    rows.forEach((r, k) => {
        if (r.kind !== "changed")
            return;
        for (let d = -CONTEXT; d <= CONTEXT; d++)
            if (rows[k + d])
                near[k + d] = true;
    });
    const out = [];
    for (let k = 0; k < rows.length;) {
        if (near[k]) {
            out.push(rows[k++]);
            continue;
        }
        let n = 0;
        while (k < rows.length && !near[k])
            [k, n] = [k + 1, n + 1];
        out.push({ kind: "folded", count: n });
    }
    return out;
}
//# sourceMappingURL=sidebyside.js.map