// Pins publishDir, the one way a cache entry is made: it appears whole or
// not at all, whatever happens to the process filling it, and processes
// publishing the same directory at once all end with one complete copy; and
// the cache root, which holds what runs as root: this user's alone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync, } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { checkCacheRoot, nodeHost } from "../../src/host/host.js";
import { scratchDir } from "../support/cc.js";
const host = fileURLToPath(new URL("../../src/host/host.js", import.meta.url));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/**
 * Starts a process that publishes `dir` with marker .done, writing `who`
 * into it; its fill waits until every file of `waitFor` exists. It prints
 * whose copy it finds published.
 */
function publisher(dir, who, waitFor) {
    const script = `
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { nodeHost } from ${JSON.stringify(host)};
const waitFor = ${JSON.stringify(waitFor)};
await nodeHost.publishDir(${JSON.stringify(dir)}, async (tmp) => {
  writeFileSync(join(tmp, "who"), ${JSON.stringify(who)});
  writeFileSync(join(tmp, "started"), "");
  while (!waitFor.every((f) => existsSync(f))) await new Promise((r) => setTimeout(r, 10));
}, { marker: ".done" });
process.stdout.write(readFileSync(join(${JSON.stringify(dir)}, "who"), "utf8"));`;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
        stdio: ["ignore", "pipe", "pipe"],
    });
    let [stdout, stderr] = ["", ""];
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve(signal ?? code)));
    return { child, exited, stdout: () => stdout, stderr: () => stderr };
}
/** Waits until a file named `name` exists somewhere below `parent`. */
async function started(parent, name) {
    const deadline = Date.now() + 20_000;
    while (!readdirSync(parent, { recursive: true }).some((p) => String(p).endsWith(name))) {
        assert.ok(Date.now() < deadline, `no ${name} under ${parent}`);
        await sleep(10);
    }
}
test("a published directory appears only when its fill is done, marker included", async () => {
    const parent = scratchDir("kpatch-publish-");
    const dir = join(parent, "entry");
    await nodeHost.publishDir(dir, async (tmp) => {
        writeFileSync(join(tmp, "a"), "1");
        await sleep(10);
        assert.ok(!existsSync(dir), "nothing at the final path while the fill runs");
        writeFileSync(join(tmp, "b"), "2");
    }, { marker: ".done" });
    assert.deepEqual(readdirSync(dir).sort(), [".done", "a", "b"]);
    assert.deepEqual(readdirSync(parent), ["entry"], "no scratch left beside it");
});
test("a fill that throws leaves nothing behind, and its error comes out", async () => {
    const parent = scratchDir("kpatch-publish-");
    const failure = new Error("the fill failed");
    await assert.rejects(nodeHost.publishDir(join(parent, "entry"), async (tmp) => {
        writeFileSync(join(tmp, "a"), "1");
        throw failure;
    }, { marker: ".done" }), (e) => e === failure);
    assert.deepEqual(readdirSync(parent), []);
});
test("a process killed while it fills leaves no entry, and its scratch goes with the next publish", async () => {
    const parent = scratchDir("kpatch-publish-");
    const dir = join(parent, "entry");
    const killed = publisher(dir, "killed", [join(parent, "never")]);
    await started(parent, "started");
    killed.child.kill("SIGKILL");
    assert.equal(await killed.exited, "SIGKILL");
    assert.ok(!existsSync(dir), "no entry at all, let alone one that looks complete");
    await nodeHost.publishDir(dir, async () => { }, { marker: ".done" });
    assert.deepEqual(readdirSync(parent), ["entry"]);
});
test("two processes publishing one directory at once both end with the same complete one", async () => {
    const parent = scratchDir("kpatch-publish-");
    const dir = join(parent, "entry");
    const go = join(scratchDir("kpatch-publish-go-"), "go");
    const [a, b] = [publisher(dir, "a", [go]), publisher(dir, "b", [go])];
    // Both are filling before either may finish.
    while (readdirSync(parent).length < 2)
        await sleep(10);
    for (const p of readdirSync(parent))
        await started(join(parent, p), "started");
    writeFileSync(go, "");
    for (const p of [a, b])
        assert.equal(await p.exited, 0, p.stderr());
    assert.deepEqual(readdirSync(parent), ["entry"], "the loser's copy is gone");
    assert.ok(existsSync(join(dir, ".done")));
    const winner = readFileSync(join(dir, "who"), "utf8");
    assert.match(winner, /^[ab]$/);
    assert.deepEqual([a.stdout(), b.stdout()], [winner, winner], "both use the winner's copy");
});
test("a missing cache root is made 0700; one another user owns or could write, or a symlink, is refused with the remedy", () => {
    const parent = scratchDir("kpatch-cache-");
    const fresh = join(parent, "new", "cache");
    checkCacheRoot(fresh);
    assert.equal(statSync(fresh).mode & 0o777, 0o700);
    const shared = join(parent, "shared");
    mkdirSync(shared, 0o755);
    checkCacheRoot(shared);
    const theirs = join(parent, "theirs");
    mkdirSync(theirs);
    chownSync(theirs, 65534, 65534);
    assert.throws(() => checkCacheRoot(theirs), new RegExp(`^HostError: the cache ${theirs} is owned by uid 65534, not 0 who runs this, and what it ` +
        `holds runs as root: chown 0 ${theirs}, or set KPATCH_CACHE to a directory of your own$`));
    const open = join(parent, "open");
    mkdirSync(open);
    chmodSync(open, 0o777);
    assert.throws(() => checkCacheRoot(open), new RegExp(`^HostError: the cache ${open} is writable by group or others \\(mode 0777\\), ` +
        `.*: chmod go-w ${open}, or set KPATCH_CACHE`));
    const link = join(parent, "link");
    symlinkSync(fresh, link);
    assert.throws(() => checkCacheRoot(link), /the cache .*\/link is a symlink, .*KPATCH_CACHE/);
    assert.ok(lstatSync(link).isSymbolicLink(), "left as it was");
    const saved = process.env.KPATCH_CACHE;
    try {
        process.env.KPATCH_CACHE = open;
        assert.throws(() => nodeHost.cacheRoot(), /writable by group or others/);
        process.env.KPATCH_CACHE = `${fresh}/`;
        assert.equal(nodeHost.cacheRoot(), fresh);
    }
    finally {
        if (saved === undefined)
            delete process.env.KPATCH_CACHE;
        else
            process.env.KPATCH_CACHE = saved;
    }
});
/**
 * What in `text` (one source file) goes around the Host it could be given:
 * Node's fs, os or child_process modules, the process's environment, user
 * id and signals, the cache root's free function, or nodeHost itself. A
 * `host: Host = nodeHost` default is how the CLI's choice reaches a
 * function, and an import of nodeHost serves it; any other use is not.
 */
function hostBypasses(text) {
    const bypass = new RegExp([
        'from "node:(fs|os|child_process)(/promises)?"',
        "\\bprocess\\.(env|getuid|geteuid|on|once|kill)\\b",
        "(?<![.\\w])cacheRoot\\(",
        "\\bnodeHost\\b",
    ].join("|"), "g");
    return text.split("\n").flatMap((line, i) => {
        const code = line
            .replace(/^\s*(\/\/|\*|\/\*\*).*/, "")
            .replace(/^import .*/, (l) => l.replaceAll("nodeHost", ""))
            .replace(/\bhost: Host = nodeHost\b/g, "");
        return [...code.matchAll(bypass)].map((m) => `${i + 1}: ${m[0]}`);
    });
}
test("the host-boundary check flags each way around the host, and not a defaulted host", () => {
    const sample = [
        'import { nodeHost, type Host } from "../host/host.js";',
        'import { readFileSync } from "node:fs";',
        "// process.env in a comment says why, and is not code",
        "export function f(dir: string, host: Host = nodeHost): string {",
        '  const d = process.env.KPATCH_DIR ?? host.env("KPATCH_DIR");',
        '  if (process.getuid?.() === 0) process.on("SIGINT", () => process.kill(1));',
        "  return join(cacheRoot(), host.cacheRoot(), nodeHost.realPath(dir));",
        "}",
        "g(nodeHost);",
    ].join("\n");
    assert.deepEqual(hostBypasses(sample), [
        '2: from "node:fs"',
        "5: process.env",
        "6: process.getuid",
        "6: process.on",
        "6: process.kill",
        "7: cacheRoot(",
        "7: nodeHost",
        "9: nodeHost",
    ]);
});
test("only src/host/ and src/cli/ reach the OS: no other source goes around the host", () => {
    const src = fileURLToPath(new URL("../../../src/", import.meta.url));
    const offenders = readdirSync(src, { recursive: true })
        .filter((f) => f.endsWith(".ts") && !/^(host|cli)\//.test(f))
        .flatMap((f) => hostBypasses(readFileSync(`${src}${f}`, "utf8")).map((b) => `src/${f}:${b}`));
    assert.deepEqual(offenders, []);
});
test("a package loaded with its compiled code kept works as require's, and the next process uses the code", () => {
    const cache = join(scratchDir("kpatch-compiled-"), "cache");
    // Exits non-zero unless the package is whole: iced-x86 decodes `ret`.
    const script = `
import { nodeHost } from ${JSON.stringify(host)};
const iced = nodeHost.requireCompiled("iced-x86");
const d = new iced.Decoder(64, new Uint8Array([0xc3]), iced.DecoderOptions.None);
process.exitCode = d.decode().mnemonic === iced.Mnemonic.Ret ? 0 : 1;`;
    const load = () => spawnSync(process.execPath, ["--input-type=module", "-e", script], {
        env: { ...process.env, KPATCH_CACHE: cache },
        encoding: "utf8",
    });
    const first = load();
    assert.equal(first.status, 0, first.stderr);
    const kept = readdirSync(join(cache, "compiled"));
    assert.equal(kept.length, 1);
    const written = statSync(join(cache, "compiled", kept[0])).mtimeMs;
    const second = load();
    assert.equal(second.status, 0, second.stderr);
    // Code V8 took is not written again.
    assert.equal(statSync(join(cache, "compiled", kept[0])).mtimeMs, written);
});
//# sourceMappingURL=host.test.js.map