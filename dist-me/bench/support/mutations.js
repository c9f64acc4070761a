/** mulberry32: small and seeded, so that a seed replays a run on the same tree. */
export function seeded(seed) {
    let state = seed >>> 0;
    return () => {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}
export function shapeOf(s) {
    if (s.startsWith("#"))
        return "pragma";
    if (s.endsWith("}")) {
        const head = s.slice(0, s.indexOf("{"));
        return /\bstatic\b/.test(head) && /\binline\b|__inline/.test(head) ? "inline" : "fn";
    }
    if (/^typedef\b/.test(s))
        return "typedef";
    if (/^enum\b/.test(s))
        return "enum";
    if (/^(struct|union)\b/.test(s))
        return "agg";
    return s.includes("(") && !s.includes("=") ? "proto" : "other";
}
/**
 * How often each role is picked: the dropped and sorted items most, as the
 * reading's claims are about them; the kept ones too, as a control that
 * their changes reach the digest.
 */
const ROLE_ODDS = [
    ["dropped", 0.36],
    ["sorted", 0.36],
    ["ordered", 0.08],
    ["kept", 0.2],
];
/** Attributes that change how calls to a function compile, or whether they do. */
const PROTO_ATTRS = [
    "cold",
    "hot",
    "noreturn",
    "pure",
    "const",
    "leaf",
    "nonnull",
    "returns_nonnull",
    "malloc",
    "warn_unused_result",
    "noinline",
    "assume_aligned(64)",
    "alloc_size(1)",
    "ms_abi",
    "no_instrument_function",
    'visibility("hidden")',
    "nothrow",
    "noipa",
    'error("bench")',
    'warning("bench")',
];
/** Attributes that change a definition's code, or keep it out of line. */
const INLINE_ATTRS = [
    "cold",
    "hot",
    "noinline",
    "always_inline",
    "flatten",
    "noclone",
    "noipa",
    'optimize("O1")',
    "no_instrument_function",
    "pure",
    "const",
    "warn_unused_result",
    "used",
    'section(".text.bench")',
    "ms_abi",
    "no_stack_protector",
    "aligned(64)",
];
const TYPE_SWAPS = [
    ["unsigned int", "unsigned long"],
    ["int", "long"],
    ["long", "int"],
    ["char", "int"],
    ["u8", "u32"],
    ["u16", "u64"],
    ["u32", "u64"],
    ["u64", "u32"],
    ["bool", "int"],
    ["short", "int"],
    ["__u32", "__u64"],
    ["size_t", "int"],
];
/**
 * One seeded change of one item of `items` whose role is drawn by
 * ROLE_ODDS; undefined when the draw fits nothing (the caller draws again).
 */
export function mutate(items, roles, shapes, random) {
    const pick = (list) => list[Math.floor(random() * list.length)];
    let roll = random();
    const role = ROLE_ODDS.find(([, p]) => (roll -= p) < 0)?.[0] ?? "kept";
    const pool = roles.flatMap((r, k) => (r === role && shapes[k] !== "pragma" ? [k] : []));
    if (!pool.length)
        return undefined;
    const i = pick(pool);
    const shape = shapes[i];
    const before = items[i];
    const out = items.slice();
    const done = (kind, after) => ({
        role,
        shape,
        kind,
        before,
        after,
        items: out,
    });
    const how = random();
    if (how < 0.5) {
        const r = edit(before, shape, random);
        if (!r)
            return undefined;
        out[i] = r.text;
        return done(r.kind, r.text);
    }
    if (how < 0.56 && shape === "proto") {
        // A later declaration's attributes reach only the calls after it.
        const j = i + 1 + Math.floor(random() * Math.min(2000, items.length - i));
        const again = `${before.slice(0, -1)} __attribute__((${pick(PROTO_ATTRS)}));`;
        out.splice(j, 0, again);
        return done("redeclare", again);
    }
    if (how < 0.62) {
        out.splice(i, 1);
        return done("delete");
    }
    if (how < 0.74) {
        if (i + 1 >= items.length)
            return undefined;
        [out[i], out[i + 1]] = [out[i + 1], out[i]];
        return done("swap-next");
    }
    if (how < 0.88) {
        // Sorted with sorted: what the stretches' sort claims means nothing.
        const near = pool.filter((k) => k !== i && Math.abs(k - i) < 60);
        if (!near.length)
            return undefined;
        const j = pick(near);
        [out[i], out[j]] = [out[j], out[i]];
        return done("swap-same-role");
    }
    const far = random() < 0.3;
    const j = far
        ? Math.floor(random() * items.length)
        : Math.max(0, Math.min(items.length - 1, i + Math.floor(random() * 401) - 200));
    if (j === i)
        return undefined;
    out.splice(i, 1);
    out.splice(j, 0, before);
    return done(far ? "move-far" : "move-near");
}
/** An edit of the item's text that fits its shape. */
function edit(s, shape, random) {
    const pick = (list) => list[Math.floor(random() * list.length)];
    const body = s.includes("{") ? s.indexOf("{") : s.length;
    const ops = [];
    if (shape === "inline" || shape === "fn") {
        const literal = ["literal", () => bump(s, body, random)];
        ops.push(literal, literal);
        ops.push(["attr", () => `__attribute__((${pick(INLINE_ATTRS)})) ${s}`]);
    }
    else if (shape === "proto") {
        const attr = [
            "attr",
            () => `${s.slice(0, -1)} __attribute__((${pick(PROTO_ATTRS)}));`,
        ];
        ops.push(attr, attr);
    }
    else {
        ops.push(["literal", () => bump(s, 0, random)]);
    }
    ops.push(["type", () => swapType(s, random)]);
    const ms = shape === "agg" || shape === "typedef" ? members(s) : [];
    if (ms.length) {
        ops.push([
            "member-del",
            () => {
                if (ms.length < 2)
                    return null;
                const [a, b] = pick(ms);
                return s.slice(0, a) + s.slice(b);
            },
        ], [
            "member-add",
            () => {
                const [a] = pick(ms);
                return `${s.slice(0, a)} int __bench_pad;${s.slice(a)}`;
            },
        ], [
            "member-swap",
            () => {
                if (ms.length < 2)
                    return null;
                const k = Math.floor(random() * (ms.length - 1));
                const [[a, b], [c, d]] = [ms[k], ms[k + 1]];
                return s.slice(0, a) + s.slice(c, d) + s.slice(b, c) + s.slice(a, b) + s.slice(d);
            },
        ], ["attr", () => `${s.slice(0, -1)} __attribute__((${pick(["packed", "aligned(64)"])}));`]);
    }
    if (shape === "enum")
        ops.push(["enum-add", () => s.replace("{", "{ __BENCH_E0,")]);
    // A few draws, as an op may not apply (no literal, a single member).
    for (let tries = 0; tries < 6; tries++) {
        const [kind, f] = pick(ops);
        const text = f();
        if (text && text !== s)
            return { kind, text };
    }
    return null;
}
/** One integer literal of `s` at or after `from` bumped up, doubled or down. */
function bump(s, from, random) {
    const lits = literals(s, from);
    if (!lits.length)
        return null;
    const l = lits[Math.floor(random() * lits.length)];
    const v = BigInt(l.text);
    const next = [v + 1n, v === 0n ? 1n : v * 2n, v === 0n ? 3n : v - 1n];
    const nv = next[Math.floor(random() * next.length)];
    const text = /^0x/i.test(l.text) ? `0x${nv.toString(16)}` : nv.toString();
    return s.slice(0, l.at) + text + s.slice(l.at + l.text.length);
}
/** Integer literals outside strings, character constants and pragma lines. */
function literals(s, from) {
    const out = [];
    for (let i = 0; i < s.length;) {
        const c = s[i];
        if (c === '"' || c === "'") {
            for (i++; i < s.length && s[i] !== c; i++)
                if (s[i] === "\\")
                    i++;
            i++;
        }
        else if (c === "#" && (i === 0 || s[i - 1] === "\n")) {
            while (i < s.length && s[i] !== "\n")
                i++;
        }
        else if (/[A-Za-z_$]/.test(c)) {
            while (i < s.length && /[\w$]/.test(s[i]))
                i++;
        }
        else if (/\d/.test(c)) {
            // Not a float's digits, nor those after a `.` (a member's number).
            const m = /^(0[xX][0-9a-fA-F]+|\d+)([uUlL]*)(?![\w.])/.exec(s.slice(i, i + 40));
            if (m && s[i - 1] !== ".") {
                if (i >= from)
                    out.push({ at: i, text: m[1] });
                i += m[0].length;
            }
            else
                while (i < s.length && /[\w.]/.test(s[i]))
                    i++;
        }
        else
            i++;
    }
    return out;
}
/** One of TYPE_SWAPS's words in `s` replaced by its partner. */
function swapType(s, random) {
    const found = [];
    for (const [a, b] of TYPE_SWAPS) {
        const re = new RegExp(`(?<![\\w$])${a}(?![\\w$])`, "g");
        for (let m = re.exec(s); m; m = re.exec(s))
            found.push([m.index, a, b]);
    }
    if (!found.length)
        return null;
    const [at, a, b] = found[Math.floor(random() * found.length)];
    return s.slice(0, at) + b + s.slice(at + a.length);
}
/** The member declarations of an aggregate's body: [start, end) at depth 1. */
function members(s) {
    const open = s.indexOf("{");
    if (open < 0)
        return [];
    const out = [];
    let depth = 0;
    let start = open + 1;
    for (let i = open; i < s.length; i++) {
        const c = s[i];
        if (c === "{" || c === "(" || c === "[")
            depth++;
        else if (c === "}" || c === ")" || c === "]") {
            if (--depth === 0)
                break;
        }
        else if (c === ";" && depth === 1) {
            out.push([start, i + 1]);
            start = i + 1;
        }
    }
    return out;
}
//# sourceMappingURL=mutations.js.map