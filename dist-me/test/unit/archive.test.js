// Pins how the package lists decide a target, on an archive held in memory:
// which releases exist and in what order, the source version a signed image,
// a binNMU or a backport was built from, and the refusal, before anything is
// downloaded, of a release whose -dbg package or exact source Debian dropped.
import { test } from "node:test";
import assert from "node:assert/strict";
import { availableTarget, debianReleases, newestRelease } from "../../src/kernel/debian.js";
import { aptLookup } from "../../src/kernel/apt.js";
import { KpatchError } from "../../src/errors.js";
import { memoryHost } from "../support/memory-host.js";
/** Package name → its versions in the lists, the candidate first: control fields each. */
const archive = {
    // Signed images come from linux-signed-amd64 and name their build in Built-Using.
    "linux-image-6.1.0-57-amd64": [
        {
            Version: "6.1.192-3",
            Source: "linux-signed-amd64 (6.1.192+3)",
            "Built-Using": "linux (= 6.1.192-3)",
        },
    ],
    "linux-image-6.1.0-57-amd64-dbg": [{ Version: "6.1.192-3", Source: "linux" }],
    // A binNMU: the binary's version is not the source's.
    "linux-headers-6.1.0-57-amd64": [{ Version: "6.1.192-3+b1", Source: "linux (6.1.192-3)" }],
    // Debian dropped this release's -dbg package.
    "linux-image-6.1.0-56-amd64": [
        {
            Version: "6.1.190-1",
            Source: "linux-signed-amd64 (6.1.190+1)",
            "Built-Using": "linux (= 6.1.190-1)",
        },
    ],
    "linux-headers-6.1.0-56-amd64": [{ Version: "6.1.190-1", Source: "linux" }],
    // Its -dbg package is there, but its exact source version is gone.
    "linux-image-6.1.0-10-amd64": [
        {
            Version: "6.1.38-4",
            Source: "linux-signed-amd64 (6.1.38+4)",
            "Built-Using": "linux (= 6.1.38-4)",
        },
    ],
    "linux-image-6.1.0-10-amd64-dbg": [{ Version: "6.1.38-4", Source: "linux" }],
    "linux-headers-6.1.0-10-amd64": [{ Version: "6.1.38-4", Source: "linux" }],
    // Its -dbg candidate is a later build than its image.
    "linux-image-6.1.0-9-amd64": [{ Version: "6.1.27-1", Source: "linux" }],
    "linux-image-6.1.0-9-amd64-dbg": [{ Version: "6.1.28-1", Source: "linux" }],
    "linux-headers-6.1.0-9-amd64": [{ Version: "6.1.27-1", Source: "linux" }],
    "linux-image-6.1.0-57-cloud-amd64": [{ Version: "6.1.192-3", Source: "linux" }],
    "linux-image-6.1.0-57-amd64-unsigned": [{ Version: "6.1.192-3", Source: "linux" }],
    "linux-image-amd64": [{ Version: "6.1.192-3", Source: "linux-signed-amd64 (6.1.192+3)" }],
    // The 6.12 backport is built from its own source package.
    "linux-image-6.12.117+deb12-amd64": [
        {
            Version: "6.12.117-1~deb12u1",
            Source: "linux-signed-6.12-amd64 (6.12.117+1~deb12u1)",
            "Built-Using": "linux-6.12 (= 6.12.117-1~deb12u1)",
        },
    ],
    "linux-image-6.12.117+deb12-amd64-dbg": [{ Version: "6.12.117-1~deb12u1", Source: "linux-6.12" }],
    "linux-headers-6.12.117+deb12-amd64": [{ Version: "6.12.117-1~deb12u1", Source: "linux-6.12" }],
    "linux-source-6.1": [{ Version: "6.1.192-3" }, { Version: "6.1.190-1" }],
    "linux-source-6.12": [{ Version: "6.12.117-1~deb12u1" }],
};
function archiveHost() {
    const stanza = (name, fields) => `Package: ${name}\n${Object.entries(fields)
        .map(([k, v]) => `${k}: ${v}`)
        .join("\n")}\n\n`;
    return memoryHost({
        "apt-cache": (args) => {
            if (args[0] === "pkgnames") {
                return {
                    stdout: Object.keys(archive)
                        .filter((n) => n.startsWith(args[1]))
                        .join("\n"),
                };
            }
            const [name, version] = args.at(-1).split("=");
            const found = archive[name]?.find((f) => !version || f.Version === version);
            return found ? { stdout: stanza(name, found) } : { code: 100, stderr: "E: not found" };
        },
        "dpkg-query": () => ({ code: 1 }),
    });
}
test("releases: Debian's kernels only, oldest first by number, filtered by series and flavour", async () => {
    const host = archiveHost();
    assert.deepEqual((await debianReleases({}, host)).map((r) => r.release), [
        "6.1.0-9-amd64",
        "6.1.0-10-amd64",
        "6.1.0-56-amd64",
        "6.1.0-57-amd64",
        "6.1.0-57-cloud-amd64",
        "6.12.117+deb12-amd64",
    ]);
    assert.deepEqual((await debianReleases({ series: "6.1", flavour: "amd64" }, host)).map((r) => r.release), ["6.1.0-9-amd64", "6.1.0-10-amd64", "6.1.0-56-amd64", "6.1.0-57-amd64"]);
    assert.equal(await newestRelease("6.1", "amd64", host), "6.1.0-57-amd64");
    assert.equal(await newestRelease("6.12", "amd64", host), "6.12.117+deb12-amd64");
    await assert.rejects(newestRelease("6.6", "amd64", host), /no amd64 kernel of the 6\.6 series/);
});
test("a target's packages come from the build its image names, whatever their own versions", async () => {
    const host = archiveHost();
    const signed = await availableTarget("6.1.0-57-amd64", undefined, host);
    assert.equal(signed.builtFrom, "6.1.192-3");
    assert.equal(signed.series, "6.1");
    assert.equal(signed.headers.version, "6.1.192-3+b1");
    const backport = await availableTarget("6.12.117+deb12-amd64", undefined, host);
    assert.equal(backport.builtFrom, "6.12.117-1~deb12u1");
    assert.equal(backport.series, "6.12");
    assert.ok(!host.ran.some((c) => c.startsWith("apt-get")), "nothing is downloaded to check");
});
test("a release Debian has dropped a part of is refused, naming the part and the remedy", async () => {
    const host = archiveHost();
    const refused = async (release, message) => {
        const e = await availableTarget(release, undefined, host).then(() => assert.fail(`${release} accepted`), (e) => e);
        assert.ok(e instanceof KpatchError && e.kind === "host", String(e));
        assert.match(e.message, message);
    };
    await refused("6.1.0-56-amd64", /^linux-image-6\.1\.0-56-amd64-dbg \(the kernel's full symbol table\) is not in Debian's archive any more .* build with -s SRCDIR -c CONFIG -v VMLINUX/);
    await refused("6.1.0-10-amd64", /^linux-source-6\.1 6\.1\.38-4 \(the exact source\) is not in Debian's archive any more/);
    await refused("6.1.0-9-amd64", /^linux-image-6\.1\.0-9-amd64-dbg 6\.1\.28-1 is not from the build of linux-image-6\.1\.0-9-amd64 6\.1\.27-1/);
    await refused("6.1.0-99-amd64", /^no Debian kernel package linux-image-6\.1\.0-99-amd64 .*; the archive has 6\.1\.0-10-amd64, 6\.1\.0-56-amd64, 6\.1\.0-57-amd64$/);
    const e = await availableTarget("6.1.0-57-bogus", undefined, host).catch((e) => e);
    assert.ok(e instanceof KpatchError && e.kind === "usage", String(e));
});
test("look-ups are remembered while the package lists stay the same", async () => {
    const host = archiveHost();
    host.files.set("/var/lib/apt/lists/deb.debian.org_Packages", "one");
    const shows = () => host.ran.filter((c) => c.startsWith("apt-cache show")).length;
    assert.equal((await aptLookup("linux-source-6.1", undefined, host))?.version, "6.1.192-3");
    assert.equal((await aptLookup("linux-source-6.1", undefined, host))?.version, "6.1.192-3");
    assert.equal(shows(), 1);
    host.files.set("/var/lib/apt/lists/deb.debian.org_Packages", "one, updated");
    await aptLookup("linux-source-6.1", undefined, host);
    assert.equal(shows(), 2, "apt-get update makes it ask again");
});
//# sourceMappingURL=archive.test.js.map