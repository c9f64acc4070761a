// A patch loaded and unloaded while every guest CPU calls the function it
// replaces, in a loop: no transition stalls, every result read is the old
// one or the new one, and the runner fails the run on any oops or WARN.
// The benchmark (npm run bench:stress) runs a hundred cycles.
import { test } from "node:test";
import assert from "node:assert/strict";
import { stress } from "../../bench/support/stress.js";
test("5 load/unload cycles of the cmdline patch while 2 CPUs read /proc/cmdline: no wrong read", async (t) => {
    const r = await stress(5, 2);
    t.diagnostic(`transitions (ms): load ${r.load.join(" ")}; unload ${r.unload.join(" ")}; reads ${r.reads}`);
    assert.equal(r.cpus, 2);
    assert.equal(r.load.length, 5);
    assert.ok(r.reads > 100, `the readers ran: ${r.reads} reads`);
    assert.equal(r.wrong, 0, r.wrongLines.join("\n"));
});
//# sourceMappingURL=stress.test.js.map