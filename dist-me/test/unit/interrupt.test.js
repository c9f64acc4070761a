// Pins that SIGINT and SIGTERM end every program kpatch-build started, not
// only those of a build session: a program started anywhere under the
// commands' interruptible scope is ended, cleanup runs, and the process dies
// of the signal.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
const interrupt = fileURLToPath(new URL("../../src/host/interrupt.js", import.meta.url));
const host = fileURLToPath(new URL("../../src/host/host.js", import.meta.url));
for (const signal of ["SIGINT", "SIGTERM"]) {
    test(`${signal} ends a program started outside any build session, runs cleanup, and ends the process`, async () => {
        const dir = mkdtempSync(join(tmpdir(), "kpatch-interrupt-"));
        const script = `
import { interruptible } from ${JSON.stringify(interrupt)};
import { run } from ${JSON.stringify(host)};
import { writeFileSync } from "node:fs";
await interruptible(async () => {
  try {
    await run("sh", ["-c", "echo $$ > ${dir}/pid; exec sleep 300"]);
  } finally {
    writeFileSync("${dir}/cleaned", "yes");
  }
});`;
        const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
            stdio: "ignore",
        });
        const exited = new Promise((resolve) => child.on("exit", (code, sig) => resolve(sig ?? code)));
        const deadline = Date.now() + 20_000;
        while (!existsSync(join(dir, "pid"))) {
            assert.ok(Date.now() < deadline, "the program never started");
            await new Promise((r) => setTimeout(r, 50));
        }
        const pid = Number(readFileSync(join(dir, "pid"), "utf8"));
        child.kill(signal);
        assert.equal(await exited, signal);
        assert.ok(existsSync(join(dir, "cleaned")), "cleanup ran");
        assert.throws(() => process.kill(pid, 0), /ESRCH/, `sleep ${pid} was ended`);
    });
}
//# sourceMappingURL=interrupt.test.js.map