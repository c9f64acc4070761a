// Pins what kpatch takes from places others may reach: a patch module is
// read once, through one descriptor, only if root alone could have written
// it, and what is checked and loaded is a private copy of those bytes, so a
// module swapped after the check changes nothing; and what a task or a file
// calls itself reaches a terminal with its control characters escaped.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, symlinkSync, writeFileSync, } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "../../src/host/host.js";
import { privateCopy, readTrusted } from "../../src/host/trusted.js";
import { describe, load } from "../../src/runtime/transition.js";
import { displayed, printable } from "../../src/names.js";
import { scratchDir } from "../support/cc.js";
import { modinfoModule } from "../support/modinfo.js";
const BYTES = "the module as root wrote it\n";
test("a symlink, a group-writable file, another user's file, a directory and a FIFO are refused, each named with what is wrong and the remedy", async () => {
    const dir = scratchDir("kpatch-trusted-");
    const good = join(dir, "good.ko");
    writeFileSync(good, BYTES, { mode: 0o644 });
    assert.equal(readTrusted(good).toString(), BYTES);
    const link = join(dir, "link.ko");
    symlinkSync(good, link);
    const group = join(dir, "group.ko");
    writeFileSync(group, BYTES);
    chmodSync(group, 0o664);
    const theirs = join(dir, "theirs.ko");
    writeFileSync(theirs, BYTES, { mode: 0o644 });
    chownSync(theirs, 65534, 65534);
    const fifo = join(dir, "fifo.ko");
    await run("mkfifo", [fifo]);
    const cases = [
        [link, `${link}: not a regular file (a symlink): name the file it points to`],
        [
            group,
            `${group} is writable by group or others (mode 0664): they could have changed it; ` +
                `if it is what you mean to load, chmod go-w ${group}`,
        ],
        [
            theirs,
            `${theirs} is owned by uid 65534, not root: its owner could have changed it; ` +
                `if it is what you mean to load, chown root ${theirs}`,
        ],
        [dir, `${dir}: not a regular file (a directory)`],
        // Opened without waiting for a writer, then refused.
        [fifo, `${fifo}: not a regular file (a device, FIFO or socket)`],
        [join(dir, "missing.ko"), `${join(dir, "missing.ko")} does not exist`],
    ];
    for (const [file, message] of cases) {
        assert.throws(() => readTrusted(file), { name: "KpatchError", kind: "input", message }, file);
        assert.throws(() => privateCopy(file, dir), { message }, file);
    }
    // A name with terminal controls is named escaped.
    const odd = join(dir, "odd\u001b]0;owned\u0007.ko");
    writeFileSync(odd, BYTES);
    chmodSync(odd, 0o666);
    assert.throws(() => readTrusted(odd), /odd\\u001b\]0;owned\\u0007\.ko is writable/);
});
test("a root-only file is copied into a 0700 directory of its own as a 0600 file of the same bytes, removed with it; a parent others could rename it in is refused", () => {
    const dir = scratchDir("kpatch-trusted-");
    const original = join(dir, "livepatch-good.ko");
    writeFileSync(original, BYTES, { mode: 0o644 });
    const copy = privateCopy(original, dir);
    assert.notEqual(copy.path, original);
    assert.equal(dirname(dirname(copy.path)), dir);
    assert.equal(statSync(dirname(copy.path)).mode & 0o7777, 0o700);
    const st = statSync(copy.path);
    assert.equal(st.mode & 0o7777, 0o600);
    assert.equal(st.uid, process.getuid());
    assert.equal(readFileSync(copy.path, "utf8"), BYTES);
    assert.equal(copy.bytes.toString(), BYTES);
    copy.remove();
    assert.ok(!existsSync(dirname(copy.path)));
    // The default, the temporary directory, is sticky: no one else renames what is ours there.
    const inTmp = privateCopy(original);
    assert.equal(readFileSync(inTmp.path, "utf8"), BYTES);
    inTmp.remove();
    const open = join(dir, "open");
    mkdirSync(open);
    chmodSync(open, 0o777);
    assert.throws(() => privateCopy(original, open), /open is no place for a private copy/);
    chmodSync(open, 0o1777);
    privateCopy(original, open).remove();
});
test("a module swapped between check and load: what is checked and loaded is the copy, whose bytes stay the original's", async () => {
    const dir = scratchDir("kpatch-swap-");
    const release = readFileSync("/proc/sys/kernel/osrelease", "utf8").trim();
    const original = modinfoModule(dir, "livepatch-swap.ko", {
        livepatch: "Y",
        name: "livepatch_swap_test",
        vermagic: `${release} SMP preempt mod_unload modversions `,
    });
    const bytes = readFileSync(original);
    // The host level: once the copy is taken, the original path may hold anything.
    const copy = privateCopy(original, dir);
    const other = join(dir, "other.ko");
    writeFileSync(other, "other bytes\n");
    renameSync(other, original);
    assert.deepEqual(readFileSync(copy.path), bytes);
    assert.deepEqual(copy.bytes, bytes);
    copy.remove();
    // kpatch load: an insmod of ours that swaps the original at the last moment,
    // as one who can write its directory would, and keeps what it was given.
    writeFileSync(original, bytes);
    const bin = join(dir, "bin");
    mkdirSync(bin);
    const log = join(dir, "insmod");
    writeFileSync(join(bin, "insmod"), `#!/bin/sh
printf 'other bytes\\n' >"$KPATCH_SWAP.new" && mv "$KPATCH_SWAP.new" "$KPATCH_SWAP"
printf %s "$1" >${log}.path; stat -c %a "$(dirname "$1")" >${log}.mode; cat "$1" >${log}.bytes
echo "insmod: ERROR: could not insert module $1: Operation not permitted" >&2
exit 1
`, { mode: 0o755 });
    const saved = { PATH: process.env.PATH, KPATCH_SWAP: process.env.KPATCH_SWAP };
    process.env.PATH = `${bin}:${process.env.PATH}`;
    process.env.KPATCH_SWAP = original;
    try {
        await assert.rejects(load(original), {
            message: `insmod ${original} failed: insmod: ERROR: could not insert module ${original}: ` +
                "Operation not permitted",
        });
    }
    finally {
        process.env.PATH = saved.PATH;
        if (saved.KPATCH_SWAP === undefined)
            delete process.env.KPATCH_SWAP;
        else
            process.env.KPATCH_SWAP = saved.KPATCH_SWAP;
    }
    const given = readFileSync(`${log}.path`, "utf8");
    assert.notEqual(given, original, "insmod is given the copy");
    assert.equal(readFileSync(`${log}.mode`, "utf8"), "700\n");
    assert.deepEqual(readFileSync(`${log}.bytes`), bytes, "what insmod read is what was checked");
    assert.equal(readFileSync(original, "utf8"), "other bytes\n", "the swap happened");
    assert.ok(!existsSync(dirname(given)), "the copy is removed");
});
test("what a task, a file or a tool calls itself is shown with its control characters escaped", async () => {
    const comm = "cat\u001b]0;pwned\u0007\n";
    assert.equal(describe([{ pid: 42, comm, stack: ["[<0>] pipe_read+0x3bd/0x450\u009b2J"] }]), "42 (cat\\u001b]0;pwned\\u0007\\n) at pipe_read+0x3bd/0x450\\u009b2J");
    assert.equal(printable("a\u007fb\u0085c"), "a\\u007fb\\u0085c");
    // Quoted tool output keeps its lines and tabs, nothing else.
    assert.equal(displayed("line 1\n\tline 2\r\u001b[2J"), "line 1\n\tline 2\\u000d\\u001b[2J");
    // Error messages are escaped whole as they end the command, whoever made them.
    const dir = scratchDir("kpatch-shown-");
    const odd = join(dir, "odd\u001b[2J.ko");
    writeFileSync(odd, "not an ELF file, and long enough to be read as one\n");
    const cli = fileURLToPath(new URL("../../src/cli/kpatch.js", import.meta.url));
    const r = await run("node", [cli, "info", odd], { allowFailure: true });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^kpatch: error: .*\/odd\\u001b\[2J\.ko: .*\n$/);
    assert.doesNotMatch(r.stderr, /\u001b/);
});
//# sourceMappingURL=trusted.test.js.map