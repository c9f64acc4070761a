// The house, read from the sources' imports (type imports too: they tie
// the design as much): no circle, no import from a layer above, and kpatch,
// the runtime, carries no builder code. A wrong import is easy to write
// and hard to undo once others build on it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
const root = fileURLToPath(new URL("../../../", import.meta.url));
/**
 * The layers, bottom up (docs/design.md): each imports only those before it.
 * src/names.ts is with src/errors.ts (words from outside, checked and
 * escaped), src/arch/x86/ is arch; the benchmarks come above the CLI, as
 * they run the tools, and the tests above all.
 */
const LAYERS = [
    "errors",
    "host",
    "elf",
    "arch",
    "patch",
    "kernel",
    "symbols",
    "build",
    "diff",
    "module",
    "review",
    "kpatch-build",
    "update",
    "runtime",
    "package",
    "vm",
    "cli",
    "bench",
    "test",
];
/** Where kpatch-build builds: none of it may reach a host through the runtime. */
const BUILDER = ["src/build/", "src/diff/", "src/kpatch-build/", "src/module/", "src/update/"];
function layer(file) {
    if (file === "src/errors.ts" || file === "src/names.ts")
        return "errors";
    const [top, dir] = file.split("/");
    return top === "src" ? dir : top;
}
/** Every source file (from the checkout's root) and the source files it imports. */
function importGraph() {
    const files = ["src", "bench", "test"].flatMap((d) => readdirSync(join(root, d), { recursive: true })
        .filter((f) => f.endsWith(".ts"))
        .map((f) => `${d}/${f}`));
    return new Map(files.map((file) => {
        const { importedFiles } = ts.preProcessFile(readFileSync(join(root, file), "utf8"));
        const local = importedFiles.map((i) => i.fileName).filter((s) => s.startsWith("."));
        const targets = local.map((s) => {
            const target = normalize(join(dirname(file), s)).replace(/\.js$/, ".ts");
            assert.ok(existsSync(join(root, target)), `${file} imports ${s}: no such source`);
            return target;
        });
        return [file, [...new Set(targets)]];
    }));
}
/** The graph's circles: its strongly connected components of more than one file (Tarjan). */
function circles(graph) {
    const index = new Map();
    const low = new Map();
    const stack = [];
    const found = [];
    const visit = (v) => {
        index.set(v, index.size);
        low.set(v, index.get(v));
        stack.push(v);
        for (const w of graph.get(v)) {
            if (!index.has(w)) {
                visit(w);
                low.set(v, Math.min(low.get(v), low.get(w)));
            }
            else if (stack.includes(w))
                low.set(v, Math.min(low.get(v), index.get(w)));
        }
        if (low.get(v) !== index.get(v))
            return;
        const component = [];
        let w;
        do {
            w = stack.pop();
            component.push(w);
        } while (w !== v);
        if (component.length > 1 || graph.get(v).includes(v))
            found.push(component.sort());
    };
    for (const v of graph.keys())
        if (!index.has(v))
            visit(v);
    return found;
}
test("no import circle anywhere", () => {
    assert.deepEqual(circles(importGraph()), []);
});
test("every source imports only from its own layer or those below it", () => {
    const graph = importGraph();
    const rank = (file) => {
        const r = LAYERS.indexOf(layer(file));
        assert.ok(r >= 0, `${file}: ${layer(file)} is in no layer: place it in LAYERS`);
        return r;
    };
    const upward = [...graph].flatMap(([file, targets]) => targets.filter((t) => rank(t) > rank(file)).map((t) => `${file} imports ${t}`));
    assert.deepEqual(upward, []);
});
test("kpatch, the runtime and its packages import no builder file, however indirectly", () => {
    const graph = importGraph();
    const roots = [...graph.keys()].filter((f) => f === "src/cli/kpatch.ts" || /^src\/(runtime|package)\//.test(f));
    assert.ok(roots.includes("src/cli/kpatch.ts") && roots.length > 1);
    // Each file of the closure with the file that first brought it in.
    const via = new Map(roots.map((r) => [r, r]));
    for (const file of via.keys())
        for (const t of graph.get(file))
            if (!via.has(t))
                via.set(t, file);
    const builder = [...via]
        .filter(([f]) => BUILDER.some((b) => f.startsWith(b)))
        .map(([f, by]) => `${f} (imported by ${by})`);
    assert.deepEqual(builder, []);
});
//# sourceMappingURL=imports.test.js.map