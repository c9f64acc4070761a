// Pins the differ's cache across builds: a second diff of the same pair of
// objects reads the first one's result (report, output and refusal alike),
// and anything that determines the result makes a new one.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { nodeHost } from "../../src/host/host.js";
import { diffFiles } from "../../src/diff/run.js";
import { KpatchError } from "../../src/errors.js";
import { cachedDiff } from "../../src/kpatch-build/diffs.js";
import { compileC, scratchDir } from "../support/cc.js";
const dir = scratchDir("kpatch-diffs-");
const host = { ...nodeHost, cacheRoot: () => join(dir, "cache") };
test("a diff runs once per pair of objects and options; its refusal is kept too", async () => {
    const src = "extern int other(int);\nint f(int x) { return other(x) + 1; }\nint d = 1;\n";
    const orig = await compileC(dir, src);
    const patched = await compileC(dir, src.replace("+ 1", "+ 2"));
    let runs = 0;
    const inputs = (output, options = { object: "vmlinux" }) => ({
        orig,
        patched,
        output,
        tables: [orig],
        options,
    });
    const diff = (i) => cachedDiff(i, async () => {
        runs++;
        return diffFiles({ orig: i.orig, patched: i.patched, output: i.output, object: "vmlinux" }, host);
    }, host);
    const first = await diff(inputs(join(dir, "a.o")));
    const again = await diff(inputs(join(dir, "b.o")));
    assert.equal(runs, 1);
    assert.deepEqual(again, { ...first, output: join(dir, "b.o") });
    assert.deepEqual(readFileSync(join(dir, "b.o")), readFileSync(join(dir, "a.o")));
    await diff(inputs(join(dir, "c.o"), { object: "nfsd" }));
    assert.equal(runs, 2, "other options make another diff");
    // A refusal is kept, and told again of this build's files.
    const data = await compileC(dir, src.replace("d = 1", "d = 2"));
    const refused = { ...inputs(join(dir, "d.o")), patched: data };
    const refusal = async () => {
        try {
            await diff(refused);
        }
        catch (e) {
            return e;
        }
        assert.fail("the differ accepted changed data");
    };
    const [e1, e2] = [await refusal(), await refusal()];
    assert.equal(runs, 3);
    assert.equal(e2.kind, "unsafe");
    assert.equal(e2.message, e1.message);
    assert.deepEqual(e2.details, e1.details);
    // A failure of this machine (a -dbg package that could not be fetched) is not kept.
    let failed = 0;
    const fails = () => cachedDiff(inputs(join(dir, "f.o"), { object: "mod" }), async () => {
        failed++;
        throw new KpatchError("host", "no space left on device");
    }, host).catch((e) => e.kind);
    assert.deepEqual([await fails(), await fails()], ["host", "host"]);
    assert.equal(failed, 2);
    // A torn record is read as none.
    const records = (d) => nodeHost
        .readDirEntries(d)
        .flatMap((x) => (x.isDirectory() ? records(join(d, x.name)) : [join(d, x.name)]));
    for (const r of records(join(dir, "cache", "diffs")).filter((f) => f.endsWith(".json"))) {
        writeFileSync(r, '{"rep');
    }
    await diff(inputs(join(dir, "e.o")));
    assert.equal(runs, 4);
});
//# sourceMappingURL=diff-cache.test.js.map