// The differ's results, kept across builds. A whole update diffs hundreds of
// objects (on 6.12.118, 778 in about two minutes), and a second build of the
// same pair finds the same ORIG and PATCHED objects in the object caches: its
// diffs are read back instead. A result, refusals included, is keyed by all
// that determines it: both objects' bytes, the options, the target's symbol
// tables (by path, size and time: they are read, never written, by the
// tools) and the code of the tools themselves.
import { dirname, join, resolve } from "node:path";
import { sha256, toolsDigest } from "../host/host.js";
import { warn } from "../host/progress.js";
import { EXIT_STATUS, KpatchError } from "../errors.js";
const digests = new WeakMap();
/** A digest of `value`'s JSON, made once per value: a whole update's line maps are large. */
export function digestOnce(value) {
    let d = digests.get(value);
    if (!d)
        digests.set(value, (d = sha256(JSON.stringify(value))));
    return d;
}
// The tools' code as this module loads: what runs, not what a rebuild may
// leave on disk later. A new differ makes new results.
const TOOLS = toolsDigest();
/**
 * The diff of `inputs`, from the cache when this very diff ran before, else
 * by `run`, kept. A refusal is kept and thrown again; errors of this machine
 * or of ours are not kept, and a cache that cannot be written only warns.
 * The output object is copied to `inputs.output` either way.
 */
export async function cachedDiff(inputs, run, host) {
    const identity = (f) => {
        if (!f)
            return "-";
        const st = host.stat(f);
        return `${resolve(f)}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
    };
    const key = sha256(TOOLS, sha256(host.readFile(inputs.orig)), sha256(host.readFile(inputs.patched)), ...inputs.tables.map(identity), JSON.stringify(inputs.options));
    const dir = join(host.cacheRoot(), "diffs", key.slice(0, 2));
    const [record, object] = [join(dir, `${key}.json`), join(dir, `${key}.o`)];
    const kept = readKept(host.readIfExists(record));
    if (kept && "error" in kept)
        throw remade(kept.error, inputs);
    if (kept && host.exists(object)) {
        host.makeDirs(dirname(inputs.output));
        host.copyFile(object, inputs.output);
        return { ...kept.report, output: inputs.output };
    }
    const keep = (what, data, file) => {
        try {
            host.writeFileAtomic(file, data);
            return true;
        }
        catch (e) {
            warn("kpatch-build", `${what} not cached: ${e.message}`);
            return false;
        }
    };
    const sides = { orig: inputs.orig, patched: inputs.patched, output: inputs.output };
    try {
        const report = await run();
        // The object before the record: a record names a whole object.
        if (keep("a diff's output", host.readFile(report.output), object)) {
            keep("a diff", JSON.stringify({ report }), record);
        }
        return report;
    }
    catch (e) {
        if (e instanceof KpatchError && e.kind !== "internal" && e.kind !== "host") {
            const side = Object.keys(sides).find((k) => sides[k] === e.file);
            const file = side ? { side } : e.file === undefined ? undefined : { path: e.file };
            const error = { kind: e.kind, text: e.text, details: e.details, code: e.code, file };
            keep("a refusal", JSON.stringify({ error }), record);
        }
        throw e;
    }
}
/** A kept record, or undefined for one that does not parse as one (a torn or foreign file). */
function readKept(text) {
    if (!text)
        return undefined;
    const lists = (r) => ["changed", "added", "lineOnly", "addedData", "klp", "warnings", "functions"].every((k) => Array.isArray(r[k]));
    try {
        const k = JSON.parse(text);
        if ("report" in k && k.report && lists(k.report))
            return k;
        if ("error" in k &&
            typeof k.error?.text === "string" &&
            Object.hasOwn(EXIT_STATUS, k.error.kind) &&
            Array.isArray(k.error.details))
            return k;
    }
    catch {
        // Recomputed.
    }
    return undefined;
}
function remade(e, inputs) {
    const f = e.file;
    const file = f && ("side" in f ? inputs[f.side] : f.path);
    return new KpatchError(e.kind, e.text, {
        details: e.details,
        ...(e.code ? { code: e.code } : {}),
        ...(typeof file === "string" ? { file } : {}),
    });
}
//# sourceMappingURL=diffs.js.map