// Boots both guest kernels under QEMU TCG and runs the host's node inside them.
// Needs the test kernel built (`kpatch-dev prepare`) and, for the Debian
// kernel, the apt package lists (it is downloaded on first use).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { guestKernel } from "../../src/vm/kernels.js";
import { runInGuest } from "../../src/vm/qemu.js";
import { cacheRoot, run, nodeHost } from "../../src/host/host.js";
import { HostError } from "../../src/errors.js";
import { testKernel } from "../../src/kernel/testkernel.js";
for (const name of ["test", "debian"]) {
    test(`${name} kernel boots and runs the host's node`, async (t) => {
        const k = await guestKernel(name);
        const t0 = Date.now();
        // Timing goes to stderr, so that stdout is exactly what is asserted.
        const r = await runInGuest({
            kernel: k.image,
            modules: k.modules,
            timeoutMs: 180_000,
            script: `
cat /proc/version
ls -d /sys/kernel/livepatch
start=$(date +%s%N)
node --version
echo "node --version took $(( ($(date +%s%N) - start) / 1000000 )) ms" >&2
`,
        });
        t.diagnostic(`${name} ${k.release}: script started ${r.bootMs} ms after boot, whole run ${Date.now() - t0} ms; ${r.stderr.trim()}`);
        assert.equal(r.exitCode, 0, r.stderr);
        const [version, livepatch, node, ...rest] = r.output.split("\n");
        assert.match(version, new RegExp(`^Linux version ${k.release.replaceAll(".", "\\.")} `));
        assert.equal(livepatch, "/sys/kernel/livepatch");
        assert.equal(node, process.version);
        assert.deepEqual(rest, [""]);
    });
}
test("a script's exit status and stderr come back", async () => {
    const k = await guestKernel("test");
    const r = await runInGuest({
        kernel: k.image,
        modules: k.modules,
        timeoutMs: 120_000,
        script: "echo out; echo err >&2; exit 7\n",
    });
    assert.deepEqual([r.exitCode, r.output, r.stderr], [7, "out\n", "err\n"]);
});
test("a timeout kills the guest and names the console log", async () => {
    const k = await guestKernel("test");
    const err = await runInGuest({
        kernel: k.image,
        modules: k.modules,
        timeoutMs: 10_000,
        script: "sleep 1000\n",
    }).then(() => assert.fail("a script sleeping 1000 s returned"), (e) => e);
    assert.ok(err instanceof HostError);
    assert.match(err.message, /guest timed out after 10000 ms/);
    assert.ok(err.logFile && existsSync(err.logFile), `console log ${err.logFile} kept`);
    assert.match(err.message, new RegExp(`\\(log: ${err.logFile}\\)$`));
    assert.match(readFileSync(err.logFile, "utf8"), /Linux version/);
    rmSync(dirname(err.logFile), { recursive: true });
});
test("a WARNING in the guest's kernel log fails the run, quoting it, whatever the script's status", async () => {
    // A module whose init warns (and then declines to stay), built against the test kernel.
    const kernel = await testKernel({ build: false });
    const dir = join(cacheRoot(), "test-modules", "warn");
    rmSync(dir, { recursive: true, force: true });
    nodeHost.writeFileAtomic(join(dir, "warn.c"), `#include <linux/module.h>
static int __init warn_init(void) { WARN(1, "kpatch-vm-check"); return -ENODEV; }
module_init(warn_init);
MODULE_LICENSE("GPL");
`);
    nodeHost.writeFileAtomic(join(dir, "Kbuild"), "obj-m := warn.o\n");
    await run("make", ["-C", kernel.source.dir, `O=${kernel.buildDir}`, `M=${dir}`, "modules"]);
    const k = await guestKernel("test");
    const err = await runInGuest({
        kernel: k.image,
        modules: k.modules,
        timeoutMs: 120_000,
        script: `insmod ${dir}/warn.ko || true\n`,
    }).then(() => assert.fail("the run passed"), (e) => e);
    assert.ok(err instanceof HostError);
    assert.match(err.message, /^guest kernel complained:\n.*WARNING: CPU: \d+ PID: \d+ at .*warn\.c:2 warn_init/s);
    assert.ok(err.logFile && existsSync(err.logFile));
    rmSync(dirname(err.logFile), { recursive: true });
    rmSync(dir, { recursive: true, force: true });
});
//# sourceMappingURL=boot.test.js.map