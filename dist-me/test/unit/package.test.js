// Pins the Debian packages: names and versions in Debian's shapes, the
// runtime package holding every file `kpatch` imports and running from where
// it is installed, and a patch package's dependencies, paths and maintainer
// scripts, including what a hostile module cannot make them do. Their
// behaviour under apt, on a booted Debian system, is test/vm/packages.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../../src/host/host.js";
import { checkPackageName, checkPackageVersion, writeDeb } from "../../src/package/deb.js";
import { importClosure, runtimeDeb, runtimeVersion } from "../../src/package/runtime.js";
import { defaultPackageName, patchDeb } from "../../src/package/patch.js";
import { scratchDir } from "../support/cc.js";
import { modinfoModule } from "../support/modinfo.js";
const module = (name, replace, release = "6.1.0-56-amd64") => ({
    livepatch: "Y",
    name,
    vermagic: `${release} SMP preempt mod_unload modversions `,
    description: "live patch: meminfo",
    kpatch_cve: "CVE-2026-12345",
    ...(replace ? { kpatch_replace: replace } : {}),
});
const control = async (deb, field) => (await run("dpkg-deb", ["-f", deb, field])).stdout.trim();
test("package names and versions: Debian's shapes, nothing a shell or apt would read otherwise", () => {
    for (const ok of ["kpatch-patch-6.1.0-56-amd64", "kpatch-patch-6.12.117+deb12-amd64"])
        assert.equal(checkPackageName(ok), ok);
    for (const bad of ["Kpatch", "-x", "a", "kpatch_patch", "x;rm -rf /", "a b", "x\ny"])
        assert.throws(() => checkPackageName(bad), /package name .* is refused/);
    for (const ok of ["1", "2.0-1", "1:2.3~rc1-4", "20261130.1"])
        assert.equal(checkPackageVersion(ok), ok);
    for (const bad of ["", "v1", "1 2", "1;reboot", "1-", "1:", "1\n", "9999999999:1"])
        assert.throws(() => checkPackageVersion(bad), /package version .* is refused/);
    assert.equal(defaultPackageName("6.12.117+deb12-Cloud-amd64"), "kpatch-patch-6.12.117+deb12-cloud-amd64");
    assert.equal(defaultPackageName("6.1.0-56-amd64", "livepatch_x"), "kpatch-patch-livepatch-x-6.1.0-56-amd64");
});
test("the runtime's files are what kpatch imports, with no npm module; an npm import is refused", () => {
    const dist = new URL("../../", import.meta.url).pathname;
    const files = importClosure(join(dist, "src/cli/kpatch.js"));
    assert.ok(files.includes("src/runtime/transition.js") && files.includes("src/elf/reader.js"));
    assert.ok(!files.some((f) => f.startsWith("src/diff/")), "the differ stays on the build side");
    const dir = scratchDir("closure");
    writeFileSync(join(dir, "a.js"), 'import { x } from "./b.js";\nexport const y = x;\n');
    writeFileSync(join(dir, "b.js"), 'import { Decoder } from "iced-x86";\nexport const x = 1;\n');
    assert.throws(() => importClosure(join(dir, "a.js")), /imports iced-x86: the runtime package ships no npm modules/);
});
test("the runtime package: its control fields, boot unit and man page, and kpatch runs from where it installs", async () => {
    const dir = scratchDir("runtime-deb");
    const deb = await runtimeDeb(dir);
    const version = runtimeVersion();
    assert.equal(deb, join(dir, `kpatch-ts_${version}_all.deb`));
    assert.equal(await control(deb, "Architecture"), "all");
    assert.match(await control(deb, "Depends"), /^nodejs \(>= 18\.19\), kmod/);
    const listing = (await run("dpkg-deb", ["-c", deb])).stdout;
    for (const line of listing.trim().split("\n"))
        assert.match(line, / root\/root /);
    const root = join(dir, "root");
    await run("dpkg-deb", ["-x", deb, root]);
    const unit = readFileSync(join(root, "lib/systemd/system/kpatch.service"), "utf8");
    assert.match(unit, /^ExecStart="\/usr\/sbin\/kpatch" load --all$/m);
    assert.match(unit, /^ConditionKernelCommandLine=!kpatch\.enable=0$/m);
    const page = await run("zcat", [join(root, "usr/share/man/man1/kpatch.1.gz")]);
    assert.match(page.stdout, /^\.TH KPATCH 1 /);
    // Only the shipped files: a missing import would fail here, not on a host.
    const cli = join(root, "usr/lib/kpatch-ts/dist/src/cli/kpatch.js");
    assert.equal((await run("node", [cli, "version"])).stdout, `kpatch ${version}\n`);
    assert.match((await run("node", [cli, "--help"])).stdout, /^usage: kpatch COMMAND/);
    const wrapper = readFileSync(join(root, "usr/sbin/kpatch"), "utf8");
    assert.match(wrapper, /^exec \/usr\/bin\/node \/usr\/lib\/kpatch-ts\/dist\/src\/cli\/kpatch\.js "\$@"$/m);
});
test("a cumulative patch's package: one name per release, its dependencies, where it installs, what its scripts do", async () => {
    const dir = scratchDir("patch-deb");
    const ko = modinfoModule(dir, "livepatch-fix-v2.ko", module("livepatch_fix_v2", "Y"));
    const p = await patchDeb(ko, { version: "2" }, join(dir, "out"));
    assert.equal(p.name, "kpatch-patch-6.1.0-56-amd64");
    assert.equal(p.deb, join(dir, "out", "kpatch-patch-6.1.0-56-amd64_2_amd64.deb"));
    assert.equal(p.installedAs, "/var/lib/kpatch/6.1.0-56-amd64/livepatch-fix-v2.ko");
    assert.equal(await control(p.deb, "Depends"), `kpatch-ts (>= ${runtimeVersion()}), linux-image-6.1.0-56-amd64`);
    assert.equal(await control(p.deb, "Description"), "live patch for Linux 6.1.0-56-amd64: CVE-2026-12345: live patch: meminfo");
    const listing = (await run("dpkg-deb", ["-c", p.deb])).stdout;
    assert.match(listing, /^-rw-r--r-- root\/root .* \.\/var\/lib\/kpatch\/6\.1\.0-56-amd64\/livepatch-fix-v2\.ko$/m);
    const scripts = join(dir, "control");
    await run("dpkg-deb", ["-e", p.deb, scripts]);
    const postinst = readFileSync(join(scripts, "postinst"), "utf8");
    assert.match(postinst, /\/usr\/sbin\/kpatch load '\/var\/lib\/kpatch\/6\.1\.0-56-amd64\/livepatch-fix-v2\.ko'/);
    assert.match(postinst, /\[ "\$\(uname -r\)" = '6\.1\.0-56-amd64' \]/, "only on its own kernel");
    const prerm = readFileSync(join(scripts, "prerm"), "utf8");
    // An upgrade leaves the old patch live for the new one to replace atomically.
    assert.match(prerm, /^ {2}remove\|deconfigure\)$/m);
    assert.match(prerm, /\/usr\/sbin\/kpatch unload 'livepatch_fix_v2'/);
    assert.match(prerm, /^ {2}failed-upgrade\)\n.*\n {4}exit 1$/m, "a failed old prerm stops it");
    // The old version's patch stays live through an upgrade; a failed one loads it again.
    assert.match(postinst, /^ {2}configure\|abort-upgrade\|abort-remove\|abort-deconfigure\) ;;$/m);
    assert.match(postinst, /is live from version \$2: build this one with its own -n" >&2\n {6}exit 1/);
    assert.match(postinst, /! ischroot && /, "never the host an image is built on");
    for (const s of [postinst, prerm])
        await run("sh", ["-n", join(scripts, s === postinst ? "postinst" : "prerm")]);
});
test("a non-replace patch's package has a name of its own and unloads its old version on upgrade", async () => {
    const dir = scratchDir("patch-deb-stack");
    const ko = modinfoModule(dir, "livepatch-extra.ko", module("livepatch_extra", "N"));
    const p = await patchDeb(ko, { version: "1.0-1" }, dir);
    assert.equal(p.name, "kpatch-patch-livepatch-extra-6.1.0-56-amd64");
    await run("dpkg-deb", ["-e", p.deb, join(dir, "control")]);
    assert.match(readFileSync(join(dir, "control", "prerm"), "utf8"), /^ {2}remove\|deconfigure\|upgrade\)$/m);
});
test("an update's module is packaged at the update's version; another module needs one", async () => {
    const dir = scratchDir("patch-deb-update");
    const ko = modinfoModule(dir, "livepatch-update-6_1_192_3.ko", {
        ...module("livepatch_update_6_1_192_3", "Y"),
        kpatch_update: "6.1.192-3",
        kpatch_update_from: "6.1.192-2",
        kpatch_update_live: "1",
        kpatch_update_changes: "1",
    });
    const p = await patchDeb(ko, {}, dir);
    assert.deepEqual([p.name, p.version], ["kpatch-patch-6.1.0-56-amd64", "6.1.192-3"]);
    assert.equal(await control(p.deb, "Version"), "6.1.192-3");
    const plain = modinfoModule(dir, "livepatch-plain.ko", module("livepatch_plain", "Y"));
    await assert.rejects(patchDeb(plain, {}, join(dir, "out")), /needs --version/);
});
test("packaging refuses a module it cannot vouch for, and writes nothing", async () => {
    const dir = scratchDir("patch-deb-refused");
    const out = join(dir, "out");
    mkdirSync(out);
    const cases = [
        ["old.ko", module("livepatch_old", undefined), /no kpatch_replace in its modinfo/],
        ["quote.ko", module("livepatch_q", "Y", "6.1'$(reboot)"), /kernel release .* is refused/],
        ["name.ko", module("x;reboot", "Y"), /module name .* is refused/],
        ["plain.ko", { name: "plain", vermagic: "6.1.0-56-amd64 " }, /not a livepatch module/],
    ];
    for (const [file, info, why] of cases) {
        const ko = modinfoModule(dir, file, info);
        await assert.rejects(patchDeb(ko, { version: "1" }, out), why);
    }
    const ko = modinfoModule(dir, "bad name.ko", module("livepatch_b", "Y"));
    await assert.rejects(patchDeb(ko, { version: "1" }, out), /plain name/);
    await assert.rejects(patchDeb(modinfoModule(dir, "v.ko", module("livepatch_v", "Y")), { version: "1;reboot" }, out), /package version/);
    await assert.rejects(patchDeb(modinfoModule(dir, "n.ko", module("livepatch_n", "Y")), { version: "1", name: "X" }, out), /package name/);
    await assert.rejects(patchDeb(modinfoModule(dir, "u.ko", module("livepatch_u", "Y", "6.1.0-56-AMD64")), { version: "1" }, out), /kernel release 6\.1\.0-56-AMD64 names no Debian package/);
    // dpkg-deb itself refusing: the staging directory goes too.
    await assert.rejects(writeDeb({
        control: { Package: "kpatch-x", Version: "1", Architecture: "all", Depends: "a (>>" },
        files: [{ path: "/x", data: "x" }],
    }, out), /dpkg-deb/);
    assert.deepEqual((await run("ls", ["-A", out])).stdout, "", "no package, no staging left");
});
test("a package built into a directory of the user's leaves everything there but a dead build's own staging", async () => {
    const dir = scratchDir("patch-deb-beside");
    // Above PID_MAX_LIMIT: never a live process.
    const dead = 4_194_305;
    const outside = scratchDir("patch-deb-outside");
    mkdirSync(join(dir, "2024-taxes"));
    writeFileSync(join(dir, "2024-taxes", "return.pdf"), "keep\n");
    writeFileSync(join(dir, "31337-notes.txt"), "keep\n");
    mkdirSync(join(dir, `${dead}-photos`));
    mkdirSync(join(dir, `.kpatch-${dead}-other-abcdef`));
    mkdirSync(join(dir, `.kpatch-${process.pid}-deb-stage-live00`));
    writeFileSync(join(dir, `.kpatch-${dead}-deb-stage-file00`), "keep\n");
    symlinkSync(outside, join(dir, `.kpatch-${dead}-deb-stage-link00`));
    writeFileSync(join(outside, "kept"), "keep\n");
    mkdirSync(join(dir, `.kpatch-${dead}-deb-stage-abcdef`));
    const deb = await writeDeb({ control: { Package: "kpatch-x", Version: "1", Architecture: "all" }, files: [] }, dir);
    assert.deepEqual(readdirSync(dir).sort(), [
        `.kpatch-${process.pid}-deb-stage-live00`,
        `.kpatch-${dead}-deb-stage-file00`,
        `.kpatch-${dead}-deb-stage-link00`,
        `.kpatch-${dead}-other-abcdef`,
        "2024-taxes",
        "31337-notes.txt",
        `${dead}-photos`,
        "kpatch-x_1_all.deb",
    ].sort());
    assert.equal(deb, join(dir, "kpatch-x_1_all.deb"));
    assert.deepEqual(readdirSync(join(dir, "2024-taxes")), ["return.pdf"]);
    assert.deepEqual(readdirSync(outside), ["kept"]);
});
//# sourceMappingURL=package.test.js.map