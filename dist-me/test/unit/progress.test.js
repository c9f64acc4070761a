// Pins progress as an interface: the engine's events reach the reporter its
// caller installed, marked with the target of a build that runs beside
// others, and the text form is the phase line people have always read.
import { test } from "node:test";
import assert from "node:assert/strict";
import { forTarget, progress, reportingTo, warn, } from "../../src/host/progress.js";
test("events go to the installed reporter, with their phase, level and target", async () => {
    const seen = [];
    await reportingTo((e) => seen.push(e), async () => {
        progress("build", "compiling ORIG fs/proc/meminfo.o");
        await Promise.all(["6.1.0-57-amd64", "6.12.117+deb12-amd64"].map((t) => forTarget(t, async () => {
            await new Promise((r) => setTimeout(r, 5));
            warn("kpatch-build", `built for ${t}`);
        })));
    });
    assert.deepEqual(seen, [
        { phase: "build", level: "info", message: "compiling ORIG fs/proc/meminfo.o" },
        {
            phase: "kpatch-build",
            level: "warning",
            message: "built for 6.1.0-57-amd64",
            target: "6.1.0-57-amd64",
        },
        {
            phase: "kpatch-build",
            level: "warning",
            message: "built for 6.12.117+deb12-amd64",
            target: "6.12.117+deb12-amd64",
        },
    ]);
});
test("without a reporter, events are phase lines on stderr", async () => {
    const lines = [];
    const write = process.stderr.write;
    process.stderr.write = ((s) => lines.push(s) > 0);
    try {
        progress("prepare", "done in 3 s");
        await forTarget("6.1.0-57-amd64", async () => warn("build", "ORIG objects not cached"));
    }
    finally {
        process.stderr.write = write;
    }
    assert.deepEqual(lines, [
        "prepare: done in 3 s\n",
        "[6.1.0-57-amd64] build: warning: ORIG objects not cached\n",
    ]);
});
//# sourceMappingURL=progress.test.js.map