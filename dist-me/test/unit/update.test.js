// Pins how a kernel update becomes a live patch before anything compiles:
// the change set two source trees make (kinds of change, classes, names a
// patch may not carry, the cache), Debian's changelog between two versions,
// and the grouping that keeps any change from going in half-applied.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { KpatchError } from "../../src/errors.js";
import { fileDiff, updateChanges } from "../../src/update/changes.js";
import { entriesBetween, parseChangelog } from "../../src/update/changelog.js";
import { coverage, groupUpdate } from "../../src/update/groups.js";
import { scratchDir } from "../support/cc.js";
const tree = (root, files) => {
    for (const [f, text] of Object.entries(files)) {
        mkdirSync(dirname(join(root, f)), { recursive: true });
        writeFileSync(join(root, f), text);
    }
    return { pkg: "linux-source-6.1", version: root.split("/").at(-1), dir: root };
};
test("an update's change set: modified, added and removed files, classed, and kept", async () => {
    const dir = scratchDir("kpatch-update-");
    const a = tree(join(dir, "a"), {
        ".extracted": "1",
        "fs/x.c": "int x;\n",
        "fs/same.c": "int s;\n",
        "fs/gone.h": "\n",
        "fs/Makefile": "obj-y += x.o\n",
        Makefile: "VERSION = 6\nSUBLEVEL = 117\nEXTRAVERSION =\nall:\n",
        "Documentation/x.rst": "a\n",
    });
    const b = tree(join(dir, "b"), {
        ".extracted": "2",
        "fs/x.c": "int x = 1;\n",
        "fs/same.c": "int s;\n",
        "fs/new.h": "\n",
        "fs/Makefile": "obj-y += x.o y.o\n",
        Makefile: "VERSION = 6\nSUBLEVEL = 118\nEXTRAVERSION =\nall:\n",
        "Documentation/x.rst": "b\n",
        "fs/$(shell id).c": "\n",
    });
    symlinkSync("x.c", join(b.dir, "fs/link.c"));
    const changes = updateChanges(a, b, join(dir, "cache"));
    assert.deepEqual(changes, [
        { file: "Documentation/x.rst", change: "modified", class: "text" },
        // Only the version: SUBLEVEL, as every stable update changes it.
        { file: "Makefile", change: "modified", class: "build", versionOnly: true },
        { file: "fs/$(shell id).c", change: "added", class: "other" },
        // A change that only lists objects in or out names them.
        { file: "fs/Makefile", change: "modified", class: "build", listed: ["y.o"] },
        { file: "fs/gone.h", change: "removed", class: "code" },
        { file: "fs/link.c", change: "added", class: "code" },
        { file: "fs/new.h", change: "added", class: "code" },
        { file: "fs/x.c", change: "modified", class: "code" },
    ]);
    // A top Makefile with more than its version changed is a build change.
    const [c, d] = ["c", "d"].map((n, i) => tree(join(dir, n), {
        ".extracted": n,
        Makefile: `SUBLEVEL = ${117 + i}\nKBUILD_CFLAGS += ${i ? "-O3" : "-O2"}\n`,
    }));
    assert.deepEqual(updateChanges(c, d, join(dir, "cache")), [
        { file: "Makefile", change: "modified", class: "build" },
    ]);
    // Lists: an object moved to a module (and a composite with its parts), one renamed, a
    // continuation, a comment. Flags, their order, conditions and `:=` are more than lists.
    const base = "obj-y += a.o b.o\nobj-$(CONFIG_C) += \\\n\tc.o d/\nb-y += b1.o b2.o\n";
    const ifs = "ifdef CONFIG_E\nccflags-y += -DA\nelse\nccflags-y += -DB\nendif\n";
    const lists = [
        base + ifs,
        "obj-y += a.o\nobj-m += b.o\n# renamed\nobj-$(CONFIG_C) += \\\n\tc2.o d/\nb-y += b1.o b2.o\n" +
            ifs,
        base + ifs.replace("-DA", "-DX"),
        base + ifs.replace("-DA", "-DC").replace("-DB", "-DA").replace("-DC", "-DB"),
        base.replace("b-y +=", "b-y :=") + ifs,
        base + ifs.replace("ccflags-y += -DB\n", "obj-y += e.o\nccflags-y += -DB\n"),
    ];
    const trees = lists.map((text, i) => tree(join(dir, `l${i}`), { ".extracted": `l${i}`, "drivers/Kbuild": text }));
    const build = (i) => updateChanges(trees[0], trees[i], join(dir, "cache"))[0];
    const kbuild = { file: "drivers/Kbuild", change: "modified", class: "build" };
    assert.deepEqual(build(1), { ...kbuild, listed: ["b.o", "b1.o", "b2.o", "c.o", "c2.o"] });
    for (const i of [2, 3, 4])
        assert.deepEqual(build(i), kbuild, lists[i]);
    // A word under a condition counts where it stands.
    assert.deepEqual(build(5), { ...kbuild, listed: ["e.o"] });
    // The second look reads the cache: the trees are never written after extraction.
    writeFileSync(join(b.dir, "fs/same.c"), "changed behind the cache's back\n");
    assert.deepEqual(updateChanges(a, b, join(dir, "cache")), changes);
    const diff = await fileDiff(a, b, changes.at(-2));
    assert.match(diff, /^--- \/dev\/null\n\+\+\+ b\/fs\/new\.h\n/);
    assert.match(await fileDiff(a, b, changes.at(-1)), /^--- a\/fs\/x\.c\n\+\+\+ b\/fs\/x\.c\n/);
});
const CHANGELOG = `linux (6.1.192-3) bookworm-security; urgency=high

  * nfsd: preflight SEQUENCE replies before accepting a slot (CVE-2026-99362)
  * apparmor: fix out-of-bounds write when null terminating a label vec
    (CVE-2026-89761)

 -- Salvatore Bonaccorso <carnil@debian.org>  Thu, 26 Nov 2026 18:12:56 +0100

linux (6.1.192-2) bookworm-security; urgency=high

  * ext4: fix NULL folio dereference in mballoc (Closes: #1154101)

 -- Salvatore Bonaccorso <carnil@debian.org>  Mon, 16 Nov 2026 11:17:40 +0100

linux (6.1.192-1) bookworm-security; urgency=high

  * New upstream stable update:
    - io_uring/io-wq: don't lose the signal that ends work (CVE-2026-99228)

 -- Salvatore Bonaccorso <carnil@debian.org>  Sun, 15 Nov 2026 10:00:00 +0100
`;
test("Debian's changelog between two versions, with the CVEs its entries name", () => {
    const entries = parseChangelog(CHANGELOG);
    assert.deepEqual(entries.map((e) => e.version), ["6.1.192-3", "6.1.192-2", "6.1.192-1"]);
    const between = entriesBetween(entries, "6.1.192-1", "6.1.192-3");
    assert.deepEqual(between.map((e) => [e.version, e.date, e.cves]), [
        ["6.1.192-3", "Thu, 26 Nov 2026 18:12:56 +0100", ["CVE-2026-89761", "CVE-2026-99362"]],
        ["6.1.192-2", "Mon, 16 Nov 2026 11:17:40 +0100", []],
    ]);
    assert.equal(between[0].changes[1], "* apparmor: fix out-of-bounds write when null terminating a label vec (CVE-2026-89761)");
    // Backwards, or a version this changelog does not descend from: refused.
    for (const [from, to] of [
        ["6.1.192-3", "6.1.192-1"],
        ["6.12.117-1", "6.1.192-3"],
    ]) {
        assert.throws(() => entriesBetween(entries, from, to), (e) => e instanceof KpatchError && /does not descend from/.test(e.message));
    }
});
const object = (o) => ({
    target: "vmlinux",
    outcome: "changed",
    provides: [],
    needs: [],
    ...o,
});
const code = (file, change = "modified") => ({
    file,
    change,
    class: /\.(c|h|S)$/.test(file) ? "code" : "build",
});
test("an update's groups: a header with every object it reaches, callers with callees", () => {
    const g = groupUpdate({
        files: [
            code("include/linux/a.h"),
            code("fs/a.c"),
            code("fs/b.c"),
            code("net/c.c"),
            code("net/d.c"),
            code("mm/e.c"),
            code("drivers/off.c"),
            code("tools/perf/x.c"),
        ],
        objects: [
            object({ object: "fs/a.o", files: ["fs/a.c", "include/linux/a.h"] }),
            object({ object: "fs/b.o", files: ["fs/b.c", "include/linux/a.h"], outcome: "unchanged" }),
            object({ object: "net/c.o", files: ["net/c.c"], needs: ["d_helper", "printk"] }),
            object({ object: "net/d.o", target: "d", files: ["net/d.c"], provides: ["d_helper"] }),
            object({ object: "mm/e.o", files: ["mm/e.c"], outcome: "unchanged" }),
        ],
        notBuilt: new Map([["drivers/off.c", "not built with this config"]]),
        unresolved: new Map(),
        layout: new Map(),
    });
    // Objects whose code stays the same join nothing: a.h's group is the one it changes.
    assert.deepEqual(g.groups.map((x) => [x.objects, x.live]), [
        [["fs/a.o"], true],
        [["net/c.o", "net/d.o"], true],
    ]);
    assert.deepEqual(g.live, ["fs/a.o", "net/c.o", "net/d.o"]);
    assert.deepEqual(g.files.map((f) => [f.file, f.outcome]), [
        ["include/linux/a.h", "live"],
        ["fs/a.c", "live"],
        ["fs/b.c", "no binary change"],
        ["net/c.c", "live"],
        ["net/d.c", "live"],
        ["mm/e.c", "no binary change"],
        ["drivers/off.c", "not built"],
        ["tools/perf/x.c", "not built"],
    ]);
    assert.deepEqual(coverage(g.files), { live: 4, reboot: 0 });
});
test("an update's group stays out whole, with every reason it has", () => {
    const g = groupUpdate({
        files: [
            code("include/linux/t.h"),
            code("fs/a.c"),
            code("fs/b.c"),
            code("net/Makefile"),
            code("net/c.c"),
            code("arch/x86/entry.S"),
            code("arch/x86/thunk.S"),
            code("net/u.c"),
            code("kernel/d.c"),
            code("kernel/e.c"),
            code("init/f.c"),
            code("Kconfig"),
            // A change that lists an object in or out keeps only that object out.
            { ...code("drivers/ata/Makefile"), listed: ["sata_old.o"] },
            code("drivers/ata/libata-core.c"),
            code("drivers/ata/sata_old.c"),
            // Named from a directory above, as a Kbuild another includes names it; not by suffix.
            { ...code("drivers/gpu/nvkm/pci/Kbuild"), listed: ["nvkm/pci/mcp.o"] },
            code("drivers/gpu/nvkm/pci/mcp.c"),
            code("fs/sata_old.c"),
            // The top Makefile's version alone keeps nothing out.
            { ...code("Makefile"), versionOnly: true },
        ],
        objects: [
            object({ object: "fs/a.o", files: ["fs/a.c", "include/linux/t.h"] }),
            object({ object: "fs/b.o", files: ["fs/b.c"], needs: ["a_fn"] }),
            object({ object: "fs/z.o", files: ["include/linux/t.h"], outcome: "refused", why: "data" }),
            object({ object: "net/c.o", files: ["net/c.c"] }),
            object({ object: "arch/x86/entry.o", files: ["arch/x86/entry.S"] }),
            object({ object: "kernel/d.o", files: ["kernel/d.c"], provides: ["a_fn"] }),
            object({ object: "kernel/e.o", files: ["kernel/e.c"] }),
            object({ object: "init/f.o", files: ["init/f.c"], outcome: "boot-only" }),
            // The differ sees no change where assembly or the old Makefile may hide one.
            object({ object: "arch/x86/thunk.o", files: ["arch/x86/thunk.S"], outcome: "unchanged" }),
            object({ object: "net/u.o", files: ["net/u.c"], outcome: "unchanged" }),
            object({ object: "drivers/ata/libata-core.o", files: ["drivers/ata/libata-core.c"] }),
            object({ object: "drivers/ata/sata_old.o", files: ["drivers/ata/sata_old.c"] }),
            object({ object: "drivers/gpu/nvkm/pci/mcp.o", files: ["drivers/gpu/nvkm/pci/mcp.c"] }),
            object({ object: "fs/sata_old.o", files: ["fs/sata_old.c"] }),
        ],
        notBuilt: new Map(),
        unresolved: new Map(),
        layout: new Map([["kernel/d.c", ["struct d_state"]]]),
    });
    const out = g.groups.filter((x) => !x.live);
    assert.deepEqual(out.map((x) => [x.objects, x.reasons]), [
        [["fs/a.o", "fs/z.o"], ["fs/z.o: data"]],
        [["fs/b.o", "kernel/d.o"], ["kernel/d.c changes the layout of struct d_state"]],
        [["net/c.o"], ["net/Makefile changed: net/c.o may be built differently"]],
        [["arch/x86/entry.o"], ["arch/x86/entry.S is assembly, which is not compared"]],
        [["init/f.o"], ["init/f.o: only __init code or data changed, which takes effect at boot"]],
        [["arch/x86/thunk.o"], ["arch/x86/thunk.S is assembly, which is not compared"]],
        [["net/u.o"], ["net/Makefile changed: net/u.o may be built differently"]],
        [
            ["drivers/ata/sata_old.o"],
            ["drivers/ata/Makefile lists drivers/ata/sata_old.o in or out of the build differently"],
        ],
        [
            ["drivers/gpu/nvkm/pci/mcp.o"],
            [
                "drivers/gpu/nvkm/pci/Kbuild lists drivers/gpu/nvkm/pci/mcp.o in or out of the " +
                    "build differently",
            ],
        ],
    ]);
    assert.deepEqual(g.live, ["kernel/e.o", "drivers/ata/libata-core.o", "fs/sata_old.o"]);
    assert.match(g.files.find((f) => f.file === "drivers/ata/Makefile").why, /it lists sata_old.o in or out of the build/);
    const kconfig = g.files.find((f) => f.file === "Kconfig");
    assert.equal(kconfig.outcome, "reboot");
    assert.equal(g.files.find((f) => f.file === "Makefile").outcome, "not code");
    // Every file of an out group needs a reboot; the Makefile and Kconfig too.
    assert.deepEqual(coverage(g.files), { live: 3, reboot: 15 });
});
test("an update's header joins only the objects it reaches; where the differ may not see, all", () => {
    const g = groupUpdate({
        files: [
            code("include/linux/mm.h"),
            code("include/linux/q.h"),
            code("fs/a.c"),
            code("fs/b.c"),
            code("drivers/Makefile"),
            code("drivers/c.c"),
        ],
        objects: [
            // Both include mm.h, whose change reaches neither: a and b stay apart.
            object({ object: "fs/a.o", files: ["fs/a.c"], unreached: ["include/linux/mm.h"] }),
            object({
                object: "fs/b.o",
                files: ["fs/b.c", "include/linux/q.h"],
                unreached: ["include/linux/mm.h"],
                outcome: "refused",
                why: "data",
            }),
            // Built by a changed Makefile: what it includes holds together.
            object({
                object: "drivers/c.o",
                files: ["drivers/c.c"],
                unreached: ["include/linux/q.h"],
                outcome: "unchanged",
            }),
        ],
        notBuilt: new Map(),
        unresolved: new Map(),
        layout: new Map(),
    });
    assert.deepEqual(g.groups.map((x) => [x.objects, x.files, x.live]), [
        [["fs/a.o"], ["fs/a.c"], true],
        [["drivers/c.o", "fs/b.o"], ["drivers/c.c", "fs/b.c", "include/linux/q.h"], false],
    ]);
    assert.deepEqual(g.files.map((f) => [f.file, f.outcome]), [
        ["include/linux/mm.h", "no binary change"],
        ["include/linux/q.h", "reboot"],
        ["fs/a.c", "live"],
        ["fs/b.c", "reboot"],
        ["drivers/Makefile", "reboot"],
        ["drivers/c.c", "reboot"],
    ]);
});
test("a file some of whose objects could not be found keeps its group out, and has no 'no binary change'", () => {
    const g = groupUpdate({
        files: [code("include/linux/a.h"), code("include/linux/b.h"), code("fs/a.c")],
        objects: [
            object({ object: "fs/a.o", files: ["fs/a.c", "include/linux/a.h"] }),
            object({ object: "fs/b.o", files: ["include/linux/b.h"], outcome: "unchanged" }),
        ],
        notBuilt: new Map(),
        unresolved: new Map([
            ["include/linux/a.h", "drivers/x.o: no recipe"],
            ["include/linux/b.h", "drivers/y.o: no recipe"],
        ]),
        layout: new Map(),
    });
    assert.deepEqual(g.groups.map((x) => [x.objects, x.live, x.reasons]), [[["fs/a.o"], false, ["include/linux/a.h: drivers/x.o: no recipe"]]]);
    assert.deepEqual(g.files.map((f) => [f.file, f.outcome]), [
        ["include/linux/a.h", "reboot"],
        ["include/linux/b.h", "reboot"],
        ["fs/a.c", "reboot"],
    ]);
});
test("an update's new function is reached from its own target only; alone and unused, it is left out", () => {
    const g = groupUpdate({
        files: [
            code("drivers/mt76/mac80211.c"),
            code("drivers/mt76/mt7921/main.c"),
            code("fs/x.c"),
            code("fs/y.c"),
        ],
        objects: [
            object({
                object: "drivers/mt76/mac80211.o",
                target: "mt76",
                files: ["drivers/mt76/mac80211.c"],
                provides: ["mt76_phy_chandef_set"],
                adds: ["mt76_phy_chandef_set"],
                onlyAdds: true,
            }),
            object({
                object: "drivers/mt76/mt7921/main.o",
                target: "mt7921_common",
                files: ["drivers/mt76/mt7921/main.c"],
                needs: ["mt76_phy_chandef_set"],
            }),
            object({
                object: "fs/x.o",
                files: ["fs/x.c"],
                provides: ["x_new"],
                adds: ["x_new"],
                onlyAdds: true,
            }),
            // It changes y_ioctl and adds y_check, which only its own code calls: it goes in.
            object({
                object: "fs/y.o",
                files: ["fs/y.c"],
                provides: ["y_ioctl", "y_check"],
                adds: ["y_check"],
            }),
        ],
        notBuilt: new Map(),
        unresolved: new Map(),
        layout: new Map(),
    });
    assert.deepEqual(g.groups.map((x) => [x.objects, x.reasons]), [
        [
            ["drivers/mt76/mac80211.o", "drivers/mt76/mt7921/main.o"],
            [
                "drivers/mt76/mt7921/main.o (mt7921_common) refers to mt76_phy_chandef_set, which " +
                    "drivers/mt76/mac80211.o adds to mt76: a live patch cannot link one object to " +
                    "another's new function",
            ],
        ],
        [["fs/x.o"], []],
        [["fs/y.o"], []],
    ]);
    // x_new is called by nothing of vmlinux: nothing of fs/x.o would run.
    assert.deepEqual(g.live, ["fs/y.o"]);
});
//# sourceMappingURL=update.test.js.map