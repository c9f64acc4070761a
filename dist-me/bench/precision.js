// Precision of a patch against its source change: which functions the
// source patch touched (their lines, in kernel coding style), so that the
// coverage benchmark can count functions patched that did not change and
// changed functions that were not patched.
/**
 * Function definitions of kernel-style C: the body opens with `{` alone at
 * column 0 and closes with `}` at column 0; the name is the identifier before
 * the first `(` of the signature lines above it.
 */
export function functionExtents(text) {
    const lines = text.split("\n");
    const out = [];
    for (let i = 0; i < lines.length; i++) {
        if (lines[i] !== "{")
            continue;
        let sig = "";
        let top = i - 1;
        while (top > 0 && !/\S/.test(lines[top]))
            top--; // a blank line before the brace
        for (let j = top; j >= 0 && j >= top - 20 && /\S/.test(lines[j]); j--) {
            sig = `${lines[j]} ${sig}`;
            if (!/^\s/.test(lines[j]))
                break;
        }
        const m = /(\w+)\s*\(([^()]*(?:\([^()]*\)[^()]*)*)\)\s*(?:__\w+\s*)*$/.exec(sig.trim());
        // A definition macro (BPF_CALL_3(name, ...), SYSCALL_DEFINE2(name, ...)) names it first.
        const name = m && /^[A-Z][A-Z0-9_]*$/.test(m[1]) ? /^\s*(\w+)/.exec(m[2])?.[1] : m?.[1];
        let end = i + 1;
        while (end < lines.length && !lines[end].startsWith("}"))
            end++;
        if (name && !/^(if|for|while|switch|return|sizeof)$/.test(name)) {
            out.push({ name, from: i, to: end + 1, init: /\b__(init|exit)\b/.test(sig) });
        }
        i = end;
    }
    return out;
}
/** Line ranges (1-based, inclusive) that `diff -U0` marks on each side. */
export function changedLines(unifiedZero) {
    const orig = [];
    const patched = [];
    for (const m of unifiedZero.matchAll(/^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/gm)) {
        const [a, b, c, d] = [m[1], m[2] ?? "1", m[3], m[4] ?? "1"].map(Number);
        for (let k = 0; k < b; k++)
            orig.push(a + k);
        for (let k = 0; k < d; k++)
            patched.push(c + k);
    }
    return { orig, patched };
}
/** Whether a line carries code: not blank, not only a comment. */
function isCode(line) {
    const t = line
        .replace(/\/\*.*?\*\//g, "")
        .replace(/\/\/.*$/, "")
        .trim();
    return t !== "" && !/^(\*|\/\*|\*\/)/.test(t);
}
export function sourceChange(orig, patched, unifiedZero) {
    const lines = changedLines(unifiedZero);
    const change = {
        functions: new Set(),
        init: new Set(),
        outside: new Set(),
        bodies: new Map(),
    };
    const side = (text, changed) => {
        const src = text.split("\n");
        const extents = functionExtents(text);
        for (const l of changed) {
            const line = src[l - 1] ?? "";
            if (!isCode(line))
                continue;
            // Extents are 0-based line indexes; diff's numbers are 1-based.
            const f = extents.find((e) => l - 1 >= e.from - 1 && l - 1 < e.to);
            if (f) {
                change.functions.add(f.name);
                if (f.init)
                    change.init.add(f.name);
            }
            else {
                for (const id of line.match(/\b[A-Za-z_]\w*\b/g) ?? [])
                    change.outside.add(id);
            }
        }
        return { src, extents };
    };
    side(orig, lines.orig);
    const p = side(patched, lines.patched);
    // One name may have several definitions (#ifdef variants): all count.
    for (const e of p.extents) {
        const body = p.src.slice(Math.max(0, e.from - 1), e.to).join("\n");
        change.bodies.set(e.name, `${change.bodies.get(e.name) ?? ""}${body}\n`);
    }
    return change;
}
/** A compiler clone's source function: foo.isra.0, foo.constprop.1.cold -> foo. */
export const sourceName = (symbol) => symbol.replace(/\.(isra|constprop|part|cold|llvm)\b.*$/, "");
const KEYWORDS = new Set([
    "static",
    "const",
    "struct",
    "union",
    "enum",
    "int",
    "long",
    "short",
    "char",
    "void",
    "unsigned",
    "signed",
    "bool",
    "return",
    "if",
    "else",
    "for",
    "while",
    "do",
    "switch",
    "case",
    "break",
    "continue",
    "goto",
    "sizeof",
    "inline",
    "extern",
    "volatile",
    "typedef",
    "default",
    "define",
    "include",
    "ifdef",
    "ifndef",
    "endif",
    "true",
    "false",
    "NULL",
    "u8",
    "u16",
    "u32",
    "u64",
    "__le16",
    "__le32",
    "__le64",
    "__be16",
    "__be32",
    "size_t",
]);
/**
 * Patched functions no source change explains: neither changed themselves nor
 * using, directly or through other functions of the file, a changed function,
 * macro, table or declaration (which the compiler may have inlined or read).
 */
export function unexplained(change, patched) {
    const explained = new Set(change.functions);
    let used = [...change.functions, ...change.outside].filter((id) => !KEYWORDS.has(id));
    // Grow to a fixed point: a function using an explained one may have inlined it.
    for (let grew = true; grew;) {
        grew = false;
        const pattern = new RegExp(`\\b(${used.join("|")})\\b`);
        for (const [name, body] of change.bodies) {
            if (!explained.has(name) && used.length && pattern.test(body)) {
                explained.add(name);
                grew = true;
            }
        }
        used = [...explained];
    }
    return patched.filter((sym) => !explained.has(sourceName(sym)));
}
/**
 * Functions the source change touched that the running kernel has as
 * functions of their own, but the patch left alone: neither patched, nor
 * line-only, nor `__init`/`__exit`.
 */
export function missed(change, patched, lineOnly, inTarget) {
    const done = new Set([...patched, ...lineOnly].map(sourceName));
    return [...change.functions].filter((f) => !done.has(f) && !change.init.has(f) && inTarget(f));
}
//# sourceMappingURL=precision.js.map