// Pins what `kpatch install` and the boot-time listing trust: only a source
// that root alone could have written is installed, 0644 and root's; a
// release from a module's vermagic cannot leave KPATCH_DIR; no planted file
// is followed; a bad entry in KPATCH_DIR/RELEASE is skipped, saying why,
// without keeping the good ones from being listed (and so loaded at boot);
// and the boot unit runs only files that root alone can change.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { notRootsAlone, run } from "../../src/host/host.js";
import { bootCommand, bootUnit } from "../../src/runtime/boot.js";
import { install, installed } from "../../src/runtime/store.js";
import { runtimeDeb } from "../../src/package/runtime.js";
import { checkCve, checkDescription } from "../../src/kpatch-build/inputs.js";
import { scratchDir } from "../support/cc.js";
import { modinfoModule } from "../support/modinfo.js";
import { hostWith } from "../support/hosts.js";
const RELEASE = "6.1.0-57-amd64";
const good = (dir, name, file = `${name.replaceAll("_", "-")}.ko`, vermagic = `${RELEASE} SMP preempt mod_unload modversions `) => modinfoModule(dir, file, { livepatch: "Y", name, vermagic });
/** Runs `body` with a scratch KPATCH_DIR (`root`), a scratch `src` and a host whose KPATCH_DIR it is. */
function withKpatchDir(body) {
    const root = scratchDir("kpatch-dir-");
    return body(root, scratchDir("kpatch-src-"), hostWith({ env: { KPATCH_DIR: root } }));
}
test("an installed module is 0644 and root's, whatever the mode of the root-only file it came from; one others could write is refused; a planted temporary name is not followed", () => {
    withKpatchDir((root, src, host) => {
        const dir = join(root, RELEASE);
        mkdirSync(dir, { recursive: true });
        const victim = join(src, "victim");
        writeFileSync(victim, "keep me\n");
        symlinkSync(victim, join(dir, "livepatch-a.ko.tmp"));
        const dest = install(good(src, "livepatch_a", "livepatch-a.ko", undefined), host);
        const st = statSync(dest);
        assert.equal(st.mode & 0o777, 0o644);
        if (process.getuid?.() === 0)
            assert.equal(st.uid, 0);
        assert.equal(statSync(victim).size, "keep me\n".length);
        assert.deepEqual(readdirSync(dir).sort(), ["livepatch-a.ko", "livepatch-a.ko.tmp"]);
        const rootOnly = good(src, "livepatch_b");
        chmodSync(rootOnly, 0o600);
        assert.equal(statSync(install(rootOnly, host)).mode & 0o777, 0o644);
        const worldWritable = good(src, "livepatch_w");
        chmodSync(worldWritable, 0o666);
        assert.throws(() => install(worldWritable, host), /is writable by group or others \(mode 0666\)/);
        assert.ok(!existsSync(join(dir, "livepatch-w.ko")));
    });
});
test("install refuses a release that leaves KPATCH_DIR, an empty vermagic, a file that is not a .ko, a second module of one name", () => {
    withKpatchDir((root, src, host) => {
        assert.throws(() => install(good(src, "livepatch_x", "x.ko", "../../../x SMP"), host), /its vermagic: kernel release '\.\.\/\.\.\/\.\.\/x' is refused/);
        assert.throws(() => install(good(src, "livepatch_y", "y.ko", ""), host), /kernel release '' is refused/);
        assert.throws(() => install(good(src, "livepatch_z", "z.txt"), host), /only a \.ko file with a plain name/);
        install(good(src, "livepatch_c", "c.ko"), host);
        assert.throws(() => install(good(src, "livepatch_c", "c-again.ko"), host), /livepatch_c is installed already as .*\/c\.ko: uninstall it first/);
        assert.deepEqual(readdirSync(root), [RELEASE]);
        assert.ok(!existsSync(join(root, "..", "x")));
    });
});
test("bad entries in KPATCH_DIR/RELEASE are skipped with the reason; the good ones are still listed, and kpatch list exits 1", async () => {
    await withKpatchDir(async (root, src, host) => {
        install(good(src, "livepatch_ok", "50-ok.ko"), host);
        const dir = join(root, RELEASE);
        writeFileSync(join(dir, "10-garbage.ko"), "not an ELF file at all, just bytes that are long enough\n");
        symlinkSync(join(src, "gone.ko"), join(dir, "20-dangling.ko"));
        mkdirSync(join(dir, "30-directory.ko"));
        modinfoModule(dir, "40-plain.ko", { name: "plain", vermagic: RELEASE });
        const list = installed(RELEASE, host);
        assert.deepEqual(list.modules.map((m) => m.name), ["livepatch_ok"]);
        assert.equal(list.skipped.length, 4);
        assert.match(list.skipped[0], /10-garbage\.ko/);
        assert.match(list.skipped[1], /20-dangling\.ko: not a regular file \(a symlink\)/);
        assert.match(list.skipped[2], /30-directory\.ko: not a regular file \(a directory\)/);
        assert.match(list.skipped[3], /40-plain\.ko is not a livepatch module/);
        const cli = fileURLToPath(new URL("../../src/cli/kpatch.js", import.meta.url));
        const r = await run("node", [cli, "list", "-k", RELEASE], {
            allowFailure: true,
            env: { KPATCH_DIR: root },
        });
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stdout, /\nlivepatch_ok\n$/);
        assert.equal(r.stderr.split("\n").filter((l) => l.startsWith("kpatch: skipped: ")).length, 4);
        assert.doesNotMatch(r.stderr, /\n\s+at /);
    });
});
test("a full disk under KPATCH_DIR: kpatch install says so in one line, exit 1, and leaves no temporary file", async () => {
    const mnt = scratchDir("kpatch-full-");
    await run("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", mnt]);
    try {
        const src = scratchDir("kpatch-src-");
        const module = good(src, "livepatch_big");
        writeFileSync(module, Buffer.concat([readFileSync(module), Buffer.alloc(256 * 1024)]));
        const cli = fileURLToPath(new URL("../../src/cli/kpatch.js", import.meta.url));
        const r = await run("node", [cli, "install", module], {
            allowFailure: true,
            env: { KPATCH_DIR: mnt },
        });
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, /^kpatch: error: write.*: ENOSPC\n$/);
        assert.deepEqual(readdirSync(join(mnt, RELEASE)), []);
    }
    finally {
        await run("umount", [mnt]);
    }
});
test("the boot unit runs load --all with each word quoted, and not with kpatch.enable=0", () => {
    const unit = bootUnit(["/usr/bin/node", '/opt/kpatch ts/100%/$HOME/"x"\\y.js']);
    assert.match(unit, /^ConditionKernelCommandLine=!kpatch\.enable=0$/m);
    assert.match(unit, /^ExecStart="\/usr\/bin\/node" "\/opt\/kpatch ts\/100%%\/\$\$HOME\/\\"x\\"\\\\y\.js" load --all$/m);
});
test("the boot unit runs only what root alone can change: a group- or other-writable directory, or another's, is refused by name; a root-only path and the runtime package pass", async () => {
    // /tmp is 1777, so these need a parent only root can write.
    assert.equal(notRootsAlone("/run"), undefined);
    const dir = mkdtempSync("/run/kpatch-boot-");
    try {
        chmodSync(dir, 0o755);
        const script = (sub) => {
            mkdirSync(join(dir, sub));
            writeFileSync(join(dir, sub, "kpatch.js"), "");
            return join(dir, sub, "kpatch.js");
        };
        const ok = script("ok");
        symlinkSync(ok, join(dir, "link.js"));
        assert.deepEqual(bootCommand([ok, join(dir, "link.js")]), [ok, ok]);
        const refused = (path, component, owner) => assert.throws(() => bootCommand([ok, path]), new RegExp(`^HostError: the boot unit would run ${path} as root at every boot, but ` +
            `${component} \\(${owner}\\) can be changed by others than root: install the ` +
            `kpatch-ts runtime package .*, or make ${component} and every directory above it`));
        const open = script("open");
        chmodSync(join(dir, "open"), 0o777);
        refused(open, join(dir, "open"), "owner uid 0, mode 0777");
        const group = script("group");
        chmodSync(join(dir, "group"), 0o775);
        refused(group, join(dir, "group"), "owner uid 0, mode 0775");
        const theirs = script("theirs");
        chownSync(join(dir, "theirs"), 65534, 65534);
        refused(theirs, join(dir, "theirs"), "owner uid 65534, mode 0755");
        const writable = script("file");
        chmodSync(writable, 0o666);
        refused(writable, writable, "owner uid 0, mode 0666");
        // A root-only link into an open directory is judged by where it leads.
        symlinkSync(open, join(dir, "into-open.js"));
        refused(join(dir, "into-open.js"), join(dir, "open"), "owner uid 0, mode 0777");
        const root = join(dir, "installed");
        await run("dpkg-deb", ["-x", await runtimeDeb(join(dir, "ok")), root]);
        const installedCli = join(root, "usr/lib/kpatch-ts/dist/src/cli/kpatch.js");
        const sbin = join(root, "usr/sbin/kpatch");
        assert.deepEqual(bootCommand([sbin, installedCli]), [sbin, installedCli]);
    }
    finally {
        rmSync(dir, { recursive: true, force: true });
    }
});
test("--cve and --description are refused unless they are what they say", () => {
    assert.equal(checkCve("CVE-2024-26925"), "CVE-2024-26925");
    for (const bad of ["cve-2024-1", "CVE-2024-12", "CVE-2024-1234\n", "CVE-2024-1234;rm", ""]) {
        assert.throws(() => checkCve(bad), /--cve '.*' is refused: a CVE identifier looks like/);
    }
    assert.equal(checkDescription("Fix a use-after-free in nf_tables"), "Fix a use-after-free in nf_tables");
    for (const bad of ["", "x".repeat(201), "two\nlines", "esc\u001b[31m", "naïve"]) {
        assert.throws(() => checkDescription(bad), /--description '.*' is refused/);
    }
});
//# sourceMappingURL=install.test.js.map