// Pins that the man pages and --help document every option the commands
// take, short and long form, and that groff reads the pages without a
// warning: kpatch's users type --sourcedir, --vmlinux and --non-replace.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { run } from "../../src/host/host.js";
import { buildOptions, diffOptions, kpatchOptions, packageOptions, reviewOptions, verifyOptions, } from "../../src/cli/options.js";
const root = (p) => fileURLToPath(new URL(`../../../${p}`, import.meta.url));
const cli = (name) => fileURLToPath(new URL(`../../src/cli/${name}.js`, import.meta.url));
const pages = [
    [
        "kpatch-build",
        "kpatch-build",
        [buildOptions, verifyOptions, reviewOptions, packageOptions, diffOptions],
    ],
    ["kpatch", "kpatch", [kpatchOptions]],
];
for (const [command, script, tables] of pages) {
    test(`${command}(1) and ${command} --help name every option, short and long`, async () => {
        const page = readFileSync(root(`man/${command}.1`), "utf8");
        const help = (await run("node", [cli(script), "--help"])).stdout;
        const roff = (s) => s.replaceAll("-", "\\-");
        for (const table of tables) {
            for (const [long, o] of Object.entries(table)) {
                assert.ok(page.includes(roff(`--${long}`)), `${command}(1) lacks --${long}`);
                assert.ok(help.includes(`--${long}`), `${command} --help lacks --${long}`);
                if (o.short) {
                    assert.match(page, new RegExp(`\\\\-${o.short}\\b`), `${command}(1) lacks -${o.short}`);
                    assert.ok(help.includes(`-${o.short}, --${long}`), `--help lacks -${o.short}, --${long}`);
                }
            }
        }
        for (const status of ["0", "1", "3"])
            assert.match(page, new RegExp(`^\\.B ${status}$`, "m"));
        const groff = await run("groff", ["-man", "-ww", "-z", root(`man/${command}.1`)]);
        assert.equal(groff.stderr, "", "groff reads it without a warning");
    });
}
//# sourceMappingURL=manpages.test.js.map