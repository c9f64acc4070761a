// Refuses patches that change the layout of a struct or union. Data already
// in the running kernel keeps the old layout, and code compiled for the new
// one would misread it; the differ cannot see this in the objects, which
// only show the code that changed. Compared at the source, definition by
// definition, ignoring comments and white space.
/** What to do instead of changing a type's layout. */
export const LAYOUT_REMEDY = "keep the type and add state with shadow variables (klp_shadow_*)";
/** `struct foo { ... }` and `union bar { ... }` definitions of a C file, by name, normalised. */
export function typeDefinitions(text) {
    const code = text.replace(/\/\*[^]*?\*\//g, " ").replace(/\/\/[^\n]*/g, " ");
    const defs = new Map();
    const keyword = /\b(struct|union)\b/g;
    for (let m = keyword.exec(code); m; m = keyword.exec(code)) {
        const head = definitionHead(code, keyword.lastIndex);
        if (!head)
            continue;
        let depth = 1;
        let i = head.body;
        while (i < code.length && depth > 0) {
            if (code[i] === "{")
                depth++;
            else if (code[i] === "}")
                depth--;
            i++;
        }
        defs.set(`${m[1]} ${head.name}`, code
            .slice(head.body, i - 1)
            .replace(/\s+/g, " ")
            .trim());
        keyword.lastIndex = i;
    }
    return defs;
}
/**
 * After `struct`/`union` at `from`: the tag and where the body starts, if a
 * body follows. Attributes may stand before or after the tag (struct
 * __packed foo {, struct foo __aligned(8) {): words starting with `__` and
 * their parenthesised arguments. One bounded pass, so hostile input cannot
 * make it backtrack or rescan the file.
 */
function definitionHead(code, from) {
    let name;
    let i = from;
    // No real head (attributes and tag) is this long: a bound keeps hostile input linear.
    const end = Math.min(code.length, from + 512);
    while (i < end) {
        const c = code[i];
        if (/\s/.test(c))
            i++;
        else if (c === "{")
            return name ? { name, body: i + 1 } : undefined;
        else if (c === "(") {
            // Attribute arguments hold no braces or semicolons.
            let depth = 0;
            do {
                if (code[i] === "(")
                    depth++;
                else if (code[i] === ")")
                    depth--;
                else if (/[;{}]/.test(code[i]))
                    return undefined;
                i++;
            } while (i < end && depth > 0);
        }
        else if (/\w/.test(c)) {
            const start = i;
            while (i < end && /\w/.test(code[i]))
                i++;
            const word = code.slice(start, i);
            if (!word.startsWith("__")) {
                if (name)
                    return undefined;
                name = word;
            }
        }
        else
            return undefined;
    }
    return undefined;
}
/** The structs and unions whose definition differs between two versions of a file. */
export function layoutChanges(file, before, after) {
    const a = typeDefinitions(before);
    const b = typeDefinitions(after);
    return [...a]
        .filter(([type, body]) => b.has(type) && b.get(type) !== body)
        .map(([type, body]) => {
        const [was, now] = [members(body), members(b.get(type))];
        const added = now.filter((m) => !was.includes(m));
        const removed = was.filter((m) => !now.includes(m));
        const changed = removed.flatMap((r) => {
            const to = added.find((a) => memberName(a) && memberName(a) === memberName(r));
            return to ? [[r, to]] : [];
        });
        const kept = now.filter((m) => was.includes(m));
        const order = was.filter((m) => now.includes(m));
        return {
            file,
            type,
            added: added.filter((a) => !changed.some(([, to]) => to === a)),
            removed: removed.filter((r) => !changed.some(([from]) => from === r)),
            changed,
            moved: kept.filter((m, i) => order[i] !== m),
        };
    });
}
/** The name a member declaration declares: its last identifier, before any array or bit width. */
function memberName(decl) {
    return /(\w+)\s*(\[[^\]]*\]\s*)*(:\s*\w+)?$/.exec(decl)?.[1];
}
/** A definition's member declarations: split at `;` outside nested braces. */
function members(body) {
    const out = [];
    let depth = 0;
    let start = 0;
    for (let i = 0; i < body.length; i++) {
        if (body[i] === "{")
            depth++;
        else if (body[i] === "}")
            depth--;
        else if (body[i] === ";" && depth === 0) {
            out.push(body.slice(start, i).trim());
            start = i + 1;
        }
    }
    return out.filter(Boolean);
}
//# sourceMappingURL=layout.js.map