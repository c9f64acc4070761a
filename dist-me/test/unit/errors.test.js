// Pins the one mapping from what went wrong to what the user reads and the
// exit status scripts test: kpatch's 2 for unsafe, 3 for nothing to patch,
// and no stack trace for anything but our own bug.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseArgs } from "node:util";
import { EXIT_STATUS, explain, HostError, KpatchError } from "../../src/errors.js";
import { ElfError } from "../../src/elf/model.js";
test("each kind of error has its heading and exit status", () => {
    const cases = [
        [new KpatchError("usage", "-k and -s name two targets"), "kb: error: -k and -s", 1],
        [new KpatchError("input", "x.patch is not a patch"), "kb: error: x.patch", 1],
        [new KpatchError("unsafe", "layout", { details: ["struct a"] }), "kb: unsafe change: ", 2],
        [new KpatchError("no-change", "nothing"), "kb: no changed functions: nothing", 3],
        [new HostError("make failed", "/l/og"), "kb: error: make failed (log: /l/og)", 1],
        [new KpatchError("kernel", "p is in transition"), "kb: error: p is in transition", 1],
        [new KpatchError("internal", "bad module"), "kb: internal error: bad module", 1],
        [new ElfError("a.o", "truncated"), "kb: error: a.o: truncated", 1],
    ];
    for (const [e, heading, status] of cases) {
        const said = explain("kb", e);
        assert.ok(said.message.startsWith(heading), `${e.kind}: ${said.message}`);
        assert.equal(said.status, status, e.kind);
        assert.equal(EXIT_STATUS[e.kind], status);
    }
});
test("details are listed under the message, one per line", () => {
    const e = new KpatchError("unsafe", "cannot patch", { details: ["a changed", "b changed"] });
    assert.equal(explain("kb", e).message, "kb: unsafe change: cannot patch\n  a changed\n  b changed");
    assert.deepEqual(e.details, ["a changed", "b changed"]);
});
test("an error about a file opens with it; its reason and code stand apart from the words", () => {
    const e = new KpatchError("input", "symbols cannot be found unambiguously in vmlinux", {
        details: ["helper: 2 candidates"],
        code: "ambiguous-symbols",
        file: "/s/fs/a.o",
    });
    assert.equal(e.message, "/s/fs/a.o: symbols cannot be found unambiguously in vmlinux\n  helper: 2 candidates");
    assert.equal(e.reason, "symbols cannot be found unambiguously in vmlinux\n  helper: 2 candidates");
    assert.equal(e.code, "ambiguous-symbols");
    const elf = new ElfError("a.o", "truncated");
    assert.deepEqual([elf.file, elf.reason, elf.message], ["a.o", "truncated", "a.o: truncated"]);
});
test("a refused command line points at --help; a system refusal names call, path and code", () => {
    let parseError;
    try {
        parseArgs({ args: ["--bogus"], options: {} });
    }
    catch (e) {
        parseError = e;
    }
    const usage = explain("kb", parseError);
    assert.deepEqual([usage.message, usage.status, usage.kind], ["kb: Unknown option '--bogus' (see kb --help)", 1, "usage"]);
    const enospc = Object.assign(new Error("no space"), {
        code: "ENOSPC",
        syscall: "write",
        path: "/x/y",
    });
    const full = explain("kb", enospc);
    assert.deepEqual([full.message, full.status, full.kind, full.text], ["kb: error: write /x/y: ENOSPC", 1, "host", "write /x/y: ENOSPC"]);
});
test("only a bug of ours shows a stack trace", () => {
    const said = explain("kb", new TypeError("x is undefined"));
    assert.match(said.message, /^kb: internal error: TypeError: x is undefined\n\s+at /);
    assert.equal(explain("kb", "thrown string").message, "kb: internal error: thrown string");
});
//# sourceMappingURL=errors.test.js.map