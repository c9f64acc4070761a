// The prepared tree: made once per source, config and compiler, with what
// single-object builds need and no kernel objects.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { cacheRoot, run } from "../../src/host/host.js";
import { preparedTree } from "../../src/build/prepare.js";
import { cacheMounts, testTree } from "./support.js";
import { hostWith, recordingRuns } from "../support/hosts.js";
test("the test kernel's config is prepared once, with objtool and the module linker script, and no objects", async (t) => {
    const t0 = Date.now();
    const { kernel, prepared } = await testTree();
    t.diagnostic(`prepared (or found in the cache) in ${Date.now() - t0} ms: ${prepared.dir}`);
    const host = recordingRuns();
    const again = await preparedTree(prepared.source, kernel.configFile, { build: false }, host);
    assert.equal(again.dir, prepared.dir);
    assert.deepEqual(host.ran.filter((r) => /^(make|sh|unshare) /.test(r)), [], "the second call is a cache hit: nothing is configured or built");
    assert.equal(readFileSync(prepared.configFile, "utf8"), readFileSync(kernel.configFile, "utf8"));
    for (const f of [
        "tools/objtool/objtool",
        "scripts/module.lds",
        "scripts/mod/modpost",
        "include/generated/autoconf.h",
        "include/generated/asm-offsets.h",
    ]) {
        assert.ok(existsSync(join(prepared.dir, f)), `${f} in the prepared tree`);
    }
    assert.ok(!existsSync(join(prepared.dir, "fs/proc/meminfo.o")));
});
test("another config is another tree, and is not built when asked not to", async () => {
    const { kernel, prepared } = await testTree();
    const dir = mkdtempSync(join(tmpdir(), "kpatch-prepare-"));
    try {
        const config = join(dir, "config");
        writeFileSync(config, `${readFileSync(kernel.configFile, "utf8")}# another config\n`);
        await assert.rejects(preparedTree(prepared.source, config, { build: false }), new RegExp(`kernel tree for ${config} not prepared`));
    }
    finally {
        rmSync(dir, { recursive: true });
    }
});
test("a fresh cache is prepared in a scratch directory, renamed into place, leaving no mount and no scratch", async (t) => {
    const { kernel, prepared } = await testTree();
    const cache = mkdtempSync(join(cacheRoot(), "test-prepare-"));
    try {
        const t0 = Date.now();
        const fresh = await preparedTree(prepared.source, kernel.configFile, {}, hostWith({ cache }));
        t.diagnostic(`prepared in ${Date.now() - t0} ms`);
        assert.equal(fresh.dir, join(cache, "prepared", basename(prepared.dir)));
        assert.ok(existsSync(join(fresh.dir, ".kpatch-prepared")));
        assert.deepEqual(readdirSync(join(cache, "prepared")), [basename(prepared.dir)]);
        assert.deepEqual(readdirSync(join(cache, "tmp")), []);
        assert.deepEqual(cacheMounts(), []);
        // kbuild records the build path (objtool's .cmd files): it saw the final one, never the scratch one.
        const grep = (text) => run("grep", ["-rlF", text, fresh.dir], { allowFailure: true }).then((r) => r.stdout);
        assert.match(await grep(fresh.dir), /tools\/objtool\/.*\.cmd/);
        assert.equal(await grep(join(cache, "tmp")), "");
    }
    finally {
        rmSync(cache, { recursive: true, force: true });
    }
});
//# sourceMappingURL=prepare.test.js.map