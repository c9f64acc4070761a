// Which translation units may include a file, read from the #include lines of
// the tree without running the preprocessor: a superset of the preprocessor's
// answer, cheap enough to ask of every object a config builds, so that only
// the candidates need the preprocessor (dependencies.ts).
//
// Superset, because it ignores #if and include paths: <linux/x.h> stands for
// every file of the tree whose path ends in /linux/x.h, and "x.h" for the
// file beside the includer when there is one (gcc looks there first), else
// for every file ending in /x.h. Other architectures' directories are left
// out: no kernel object of this architecture includes them. An
// #include of a macro counts as an #include of every <...> or "..." a
// #define of that macro names anywhere in the files read (drbd's
// GENL_MAGIC_INCLUDE_FILE). TRACE_INCLUDE() re-includes a trace header its
// includer has included by name already, so it needs nothing.
import { basename, dirname, join, normalize } from "node:path";
import { nodeHost } from "../host/host.js";
/**
 * The units that may include any of `targets` (absolute paths), directly or
 * through other files; each unit with the targets it may reach.
 */
export function possibleIncluders(tree, units, targets, host = nodeHost) {
    const scan = new IncludeScan(tree, host);
    const graph = scan.graph(units.flatMap((u) => [u.source, ...u.forced]));
    // Backwards from each target: every file that reaches it.
    const reachedFrom = new Map();
    const includers = invert(graph);
    for (const target of targets) {
        const seen = new Set([target]);
        const work = [target];
        for (let f = work.pop(); f !== undefined; f = work.pop()) {
            for (const i of includers.get(f) ?? [])
                if (!seen.has(i))
                    seen.add(i), work.push(i);
        }
        reachedFrom.set(target, seen);
    }
    const result = new Map();
    for (const u of units) {
        const reached = targets.filter((t) => [u.source, ...u.forced].some((f) => reachedFrom.get(t).has(f)));
        if (reached.length)
            result.set(u, reached);
    }
    return result;
}
function invert(graph) {
    const out = new Map();
    for (const [from, tos] of graph) {
        for (const to of tos) {
            const list = out.get(to);
            if (list)
                list.push(from);
            else
                out.set(to, [from]);
        }
    }
    return out;
}
const includeLine = /^[ \t]*#[ \t]*include(?:_next)?[ \t]*(?:([<"])([^>"\n]+)[>"]|([A-Za-z_]\w*)\b)/gm;
const defineInclude = /^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)[ \t]+([<"])([^>"\n]+)[>"]/gm;
class IncludeScan {
    host;
    /** Base name → the indexed files of that name. */
    byName = new Map();
    /** Macro → the <...>/"..." names #defines give it, and who #includes it. */
    macroValues = new Map();
    macroUsers = new Map();
    constructor(tree, host) {
        this.host = host;
        // tools/ stays: the kernel compiles a few of its files (tools/lib/bpf/relo_core.c).
        const skip = new Set(["Documentation", "LICENSES", ".git"]);
        this.index(tree.source, (rel) => {
            const [top, second] = rel.split("/");
            return skip.has(top) || (top === "arch" && second !== undefined && second !== tree.arch);
        });
        for (const dir of ["include", `arch/${tree.arch}/include`]) {
            if (tree.build && host.exists(join(tree.build, dir)))
                this.index(join(tree.build, dir), (rel) => rel === "config" || rel.startsWith("config/"));
        }
    }
    index(root, skip) {
        const walk = (rel) => {
            for (const e of this.host.readDirEntries(join(root, rel))) {
                const r = rel ? `${rel}/${e.name}` : e.name;
                if (skip(r))
                    continue;
                if (e.isDirectory())
                    walk(r);
                else if (e.isFile() || e.isSymbolicLink()) {
                    const list = this.byName.get(e.name);
                    if (list)
                        list.push(join(root, r));
                    else
                        this.byName.set(e.name, [join(root, r)]);
                }
            }
        };
        walk("");
    }
    /** Every file reachable from `roots` by #include, with the files each includes. */
    graph(roots) {
        const graph = new Map();
        const work = [...new Set(roots)];
        const visit = (file, to) => {
            const edges = graph.get(file);
            for (const t of to) {
                edges.add(t);
                if (!graph.has(t))
                    work.push(t);
            }
        };
        for (;;) {
            for (let file = work.pop(); file !== undefined; file = work.pop()) {
                if (graph.has(file))
                    continue;
                graph.set(file, new Set());
                visit(file, this.read(file));
            }
            // Macros #defined in files read since: their users gain edges, and may reach new files.
            for (const [macro, users] of this.macroUsers) {
                const names = [...(this.macroValues.get(macro) ?? [])];
                for (const user of users)
                    visit(user, names.flatMap((n) => this.resolve(user, n.slice(1), n[0] === '"')));
            }
            if (!work.length)
                return graph;
        }
    }
    read(file) {
        let text;
        try {
            text = this.host.readText(file, "latin1");
        }
        catch {
            return []; // a dangling symlink, or a directory named like a header
        }
        const out = [];
        for (const m of text.matchAll(includeLine)) {
            if (m[3]) {
                if (m[3] === "TRACE_INCLUDE")
                    continue;
                const users = this.macroUsers.get(m[3]);
                if (users)
                    users.add(file);
                else
                    this.macroUsers.set(m[3], new Set([file]));
            }
            else
                out.push(...this.resolve(file, m[2].trim(), m[1] === '"'));
        }
        if (text.includes("define")) {
            for (const m of text.matchAll(defineInclude)) {
                const values = this.macroValues.get(m[1]);
                if (values)
                    values.add(`${m[2]}${m[3]}`);
                else
                    this.macroValues.set(m[1], new Set([`${m[2]}${m[3]}`]));
            }
        }
        return out;
    }
    resolve(from, name, quoted) {
        if (quoted) {
            const beside = normalize(join(dirname(from), name));
            if (this.host.exists(beside))
                return [beside];
        }
        // "../x.h" relative to an -I directory: whatever ends in x.h.
        const suffix = normalize(name).replace(/^(\.\.\/)+/, "");
        return (this.byName.get(basename(suffix)) ?? []).filter((f) => f.endsWith(`/${suffix}`));
    }
}
//# sourceMappingURL=includes.js.map