// The #include scan must never miss an includer the compiler saw: checked for
// every file of the test kernel's full build against its dependency files.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { buildDependencies } from "../../src/build/affected.js";
import { possibleIncluders } from "../../src/build/includes.js";
import { cmdFile } from "../../src/build/kbuild.js";
import { testTree } from "./support.js";
const { kernel, prepared } = await testTree();
const src = prepared.source.dir;
test("every object that read a file in the full build is among those whose #include lines reach it", () => {
    const deps = buildDependencies(kernel.buildDir, src);
    const units = [...deps.targets.keys()].map((object) => {
        const cmd = readFileSync(cmdFile(kernel.buildDir, object), "utf8");
        const source = /^source_\S+ := (.+)$/m.exec(cmd)[1];
        const forced = [.../^cmd_\S+ := (.*)$/m.exec(cmd)[1].matchAll(/ -include (\S+)/g)].map((m) => m[1]);
        return { object, source: isAbsolute(source) ? source : join(kernel.buildDir, source), forced };
    });
    const files = [...deps.users.keys()].filter((f) => /\.(h|c|S|inc)$/.test(f));
    const found = possibleIncluders({ source: src, build: kernel.buildDir, arch: "x86" }, units, files.map((f) => join(src, f)));
    const reached = new Map();
    for (const [u, targets] of found)
        for (const t of targets)
            reached.set(t, (reached.get(t) ?? new Set()).add(u.object));
    let compiled = 0;
    let scanned = 0;
    const missed = [];
    for (const f of files) {
        const got = reached.get(join(src, f)) ?? new Set();
        const want = deps.users.get(f);
        for (const o of want)
            if (!got.has(o))
                missed.push(`${f}: ${o}`);
        compiled += want.length;
        scanned += got.size;
    }
    assert.deepEqual(missed.slice(0, 10), []);
    assert.ok(files.length > 3000, `${files.length} files`);
    // A superset, but not the whole tree each time: #if and include paths are all it ignores.
    assert.ok(scanned < compiled * 1.3, `${scanned} (object, file) pairs found for ${compiled} compiled`);
    const single = reached.get(join(src, "fs/proc/internal.h"));
    assert.ok(single.has("fs/proc/meminfo.o") && single.size < 40, [...single].join(" "));
});
//# sourceMappingURL=includes.test.js.map