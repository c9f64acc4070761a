// Pins what kpatch-build makes of real 6.1 patches against the test kernel:
// for each patch in test/fixtures/patches, the exact functions it replaces
// and adds, what must travel with them (special-section entries, copies of
// descriptors, livepatch symbols for statics), or the exact refusal. Each
// module is built for real (kbuild, livepatch ELF conversion); the VM tests
// load one of them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { kpatchBuild, } from "../../src/kpatch-build/pipeline.js";
import { readPatches } from "../../src/patch/read.js";
import { testKernel } from "../../src/kernel/testkernel.js";
import { resolveTarget } from "../../src/kpatch-build/targets.js";
import { cacheRoot, run } from "../../src/host/host.js";
import { HostError, KpatchError } from "../../src/errors.js";
import { readElf } from "../../src/elf/reader.js";
import { modinfo } from "../../src/elf/model.js";
import { SHF, SHN } from "../../src/elf/constants.js";
import { fixture } from "../../bench/support/patches.js";
const outDir = join(cacheRoot(), "test-modules");
mkdirSync(outDir, { recursive: true });
async function build(patch, extra = {}) {
    const target = await resolveTarget({ kernel: "test" });
    return kpatchBuild({
        patches: readPatches([extra.file ?? fixture(patch), ...(extra.more ?? []).map(fixture)]),
        name: `livepatch-${patch.replace(/\.patch$/, "")}`,
        outputDir: outDir,
        replace: true,
        skipCompilerCheck: false,
        target: {
            ...target,
            config: extra.config ?? target.config,
            fullBuild: extra.noFullBuild ? undefined : target.fullBuild,
        },
        ...(extra.select ? { select: extra.select } : {}),
    });
}
async function refusal(patch, extra = {}) {
    try {
        await build(patch, extra);
    }
    catch (e) {
        return e;
    }
    assert.fail(`${patch} was accepted`);
}
const changed = (r) => r.objects.flatMap((o) => o.changed.map((c) => c.name)).sort();
const added = (r) => r.objects.flatMap((o) => o.added.map((c) => c.name)).sort();
const klpNames = (r) => r.objects.flatMap((o) => o.klp.map((k) => k.name));
/** The review report written beside the module. */
const reviewOf = (r) => {
    assert.ok(r.review, "a review report is written beside the module");
    for (const f of [r.review.markdown, r.review.html])
        assert.ok(existsSync(f), f);
    return JSON.parse(readFileSync(r.review.json, "utf8"));
};
const sections = (r) => readElf(readFileSync(r.module), r.module).sections.map((s) => s.name);
const cases = [
    ["meminfo-string.patch", { changed: ["meminfo_proc_show"] }],
    [
        "cmdline.patch",
        {
            changed: ["cmdline_proc_show"],
            check: (r) => assert.ok(klpNames(r).includes("saved_command_line")),
        },
    ],
    ["new-function.patch", { changed: ["version_proc_show"], added: ["kpatch_mark"] }],
    [
        "new-global.patch",
        {
            changed: ["uptime_proc_show"],
            check: (r) => assert.deepEqual(r.objects[0].addedData.map((d) => d.name), ["kpatch_uptime_reads"]),
        },
    ],
    [
        "static-local.patch",
        {
            // print_dropped_signal() is inlined; its ratelimit state stays the kernel's, never a fresh copy.
            changed: ["__sigqueue_alloc"],
            check: (r) => {
                assert.ok(klpNames(r).some((n) => /^ratelimit_state\.\d+$/.test(n)), klpNames(r).join(" "));
                // The review shows the static correlated, not reset, and the string that changed.
                const review = reviewOf(r);
                assert.deepEqual(review.objects[0].statics.map((st) => ({ ...st, name: st.name.replace(/\d+$/, "N") })), [{ name: "ratelimit_state.N", kept: true }]);
                const f = review.objects[0].functions[0];
                assert.deepEqual(f.reasons, [
                    "inlined callee print_dropped_signal changed (static-local.patch#1)",
                ]);
                assert.ok(f.rows.some((row) => row.kind === "changed" && /RLIMIT_SIGPENDING \(patched\)/.test(row.patched ?? "")), "the new string's text in the diff");
            },
        },
    ],
    [
        "jump-label.patch",
        {
            // pr_debug: a static branch on its dynamic-debug descriptor, which travels as a copy.
            changed: ["parse_args"],
            check: (r) => assert.ok(sections(r).includes("__jump_table") && sections(r).includes("__dyndbg")),
        },
    ],
    [
        "uaccess.patch",
        {
            changed: ["copy_from_kernel_nofault"],
            check: (r) => assert.ok(sections(r).includes("__ex_table")),
        },
    ],
    [
        "alternatives.patch",
        {
            changed: ["kpagecount_read"],
            check: (r) => assert.ok(sections(r).includes(".altinstructions")),
        },
    ],
    [
        "cold.patch",
        {
            // The message is in ns_capable_common(), inlined into each caller's .cold part: the callers are patched.
            changed: [
                "capable",
                "capable_wrt_inode_uidgid",
                "ns_capable",
                "ns_capable_noaudit",
                "ns_capable_setid",
            ],
            check: (r) => {
                const ko = readElf(readFileSync(r.module), r.module);
                assert.ok(ko.symbols.some((s) => s.name === "ns_capable.cold" && s.section), "the .cold child travels with its parent");
            },
        },
    ],
    [
        "constprop-caller.patch",
        {
            changed: ["anon_inode_getfile"],
            check: (r) => assert.ok(klpNames(r).some((n) => n.startsWith("__anon_inode_getfile.")), "the clone stays the kernel's"),
        },
    ],
    [
        "header-inline.patch",
        {
            changed: [
                "proc_reg_get_unmapped_area",
                "proc_reg_llseek",
                "proc_reg_mmap",
                "proc_reg_open",
                "proc_reg_poll",
                "proc_reg_read",
                "proc_reg_read_iter",
                "proc_reg_release",
                "proc_reg_unlocked_ioctl",
                "proc_reg_write",
                "remove_proc_entry",
                "remove_proc_subtree",
            ],
            check: (r) => {
                // The header's one hunk is traced through inlining into every function it changed.
                const review = reviewOf(r);
                assert.equal(review.hunks.length, 1);
                assert.deepEqual(review.hunks[0].functions.map((f) => f.replace(/^.*: /, "")).sort(), changed(r));
                for (const f of review.objects.flatMap((o) => o.functions)) {
                    assert.deepEqual(f.reasons, [
                        "inlined callee pde_is_permanent changed (header-inline.patch#1)",
                    ]);
                    assert.ok(f.rows.some((row) => row.kind === "changed" && row.first), f.name);
                }
            },
        },
    ],
    ["module-9p.patch", { changed: ["v9fs_show_options"] }],
    // Written for upstream's klp-build: its helpers header, a callback, and a syscall whose body is new.
    [
        "klp-helpers.patch",
        { changed: ["__x64_sys_newuname"], added: ["__klp_do_sys_newuname", "uname_post_patch"] },
    ],
    [
        "constant-table.patch",
        {
            // task_state_array's new copy travels in the module; the functions that read it are patched to read the copy.
            changed: ["do_task_stat", "proc_pid_status"],
            check: (r) => {
                assert.ok(r.objects[0].warnings.some((w) => /^constant task_state_array .* new copy/.test(w)), r.objects[0].warnings.join("\n"));
                // The review lists the copy, says why its readers changed, and what the hunk changed.
                const review = reviewOf(r);
                assert.ok(review.objects[0].notes.some((n) => /task_state_array.*new copy/.test(n)));
                for (const f of review.objects[0].functions) {
                    assert.ok(f.reasons.includes("it reads constant task_state_array, which the patch copies"), `${f.name}: ${f.reasons.join("; ")}`);
                }
                assert.match(review.hunks[0].why ?? "", /constant task_state_array/);
            },
        },
    ],
    [
        "shadow-callbacks.patch",
        {
            // The callbacks are the patch's own functions; the glue names them in the klp_object.
            changed: ["proc_pid_status"],
            added: ["kpatch_post_patch", "kpatch_post_unpatch", "kpatch_pre_patch", "kpatch_pre_unpatch"],
            check: (r) => assert.ok(!sections(r).some((s) => s.startsWith(".kpatch.callbacks")), sections(r).join(" ")),
        },
    ],
];
for (const [patch, expect] of cases) {
    test(`${patch}: replaces exactly ${expect.changed.join(", ")}`, async () => {
        const r = await build(patch);
        assert.deepEqual(changed(r), expect.changed);
        assert.deepEqual(added(r), expect.added ?? []);
        expect.check?.(r);
        const ko = readElf(readFileSync(r.module), r.module);
        assert.ok(modinfo(ko).some(([k, v]) => k === "livepatch" && v === "Y"));
        // Every livepatch relocation section is marked for the livepatch core, and its symbols are SHN_LIVEPATCH.
        for (const s of ko.sections.filter((x) => x.name.startsWith(".klp.rela."))) {
            assert.ok((s.flags & SHF.RELA_LIVEPATCH) !== 0n && (s.flags & SHF.ALLOC) !== 0n, s.name);
            assert.ok(s.relocations.every((x) => x.symbol?.shndx === SHN.LIVEPATCH), s.name);
        }
    });
}
test("shared-header.patch: without a full build, the objects that include a header under include/ are found and patched", async () => {
    const [planned, exact] = [
        await build("shared-header.patch", { noFullBuild: true }),
        await build("shared-header.patch"),
    ];
    assert.deepEqual(changed(planned), changed(exact));
    // signalfd_notify() is inlined where signals are queued; fork.c and signalfd.c include the header without calling it.
    assert.deepEqual(changed(planned), ["__send_signal_locked", "send_sigqueue"]);
});
test("an update's objects that a header reaches and whose code-bearing tokens stay the same are not compiled", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kpatch-screen-"));
    // A macro no reader uses: the preprocessor reads the same tokens for each.
    const { source } = await resolveTarget({ kernel: "test" });
    const file = "include/linux/signalfd.h";
    const edited = join(dir, "signalfd.h");
    writeFileSync(edited, readFileSync(join(source.dir, file), "utf8").replace("static inline void signalfd_notify", "#define SIGNALFD_KPATCH_UNUSED 1\n\nstatic inline void signalfd_notify"));
    const unused = join(dir, "unused-macro.patch");
    const diff = await run("diff", ["-u", "--label", `a/${file}`, "--label", `b/${file}`, join(source.dir, file), edited], { allowFailure: true });
    writeFileSync(unused, diff.stdout);
    const seen = [];
    const select = (found) => {
        seen.push(found);
        const live = found.objects.filter((o) => o.report).map((o) => o.object);
        const summary = `${live.length} live`;
        const review = { from: "a", to: "b", summary, live: live.length, reboot: 0 };
        return { live, info: [], review: { ...review, files: [], groups: [], changelog: [] } };
    };
    const e = await build("unused-macro.patch", { file: unused, noFullBuild: true, select }).then(() => assert.fail("built"), (x) => x);
    assert.equal(e.kind, "no-change", String(e));
    const objects = seen[0].objects;
    assert.ok(objects.length >= 3, "signal.o, fork.o, signalfd.o read the header");
    for (const o of objects) {
        assert.match(o.unchanged ?? "", /preprocesses to the same tokens/, o.object);
    }
    // A changed inline function: only signal.c calls it, so only signal.o's code can change.
    const r = await build("shared-header.patch", { noFullBuild: true, select });
    assert.deepEqual(changed(r), ["__send_signal_locked", "send_sigqueue"]);
    const screened = seen[1].objects.filter((o) => /same tokens/.test(o.unchanged ?? ""));
    assert.deepEqual(screened.map((o) => o.object).sort(), ["fs/signalfd.o", "kernel/fork.o"]);
    rmSync(dir, { recursive: true, force: true });
});
test("warn-line-only.patch: only __LINE__ moves, so there is nothing to patch", async () => {
    const e = await refusal("warn-line-only.patch");
    assert.ok(e instanceof KpatchError && e.kind === "no-change", String(e));
});
test("data-refused.patch: a changed data object is refused, naming it", async () => {
    const e = await refusal("data-refused.patch");
    assert.ok(e instanceof KpatchError && e.kind === "unsafe", String(e));
    assert.match(e.message, /data object vm_swappiness .* changed: .*shadow variable/);
});
test("init-only.patch: a change to __init code only is not needed at run time, and says so", async () => {
    const e = await refusal("init-only.patch");
    assert.ok(e instanceof KpatchError && e.kind === "no-change", String(e));
    assert.match(e.message, /fs\/proc\/cmdline\.o: only __init code or data changed \(proc_cmdline_init\): .*when a fixed kernel boots/);
});
test("an __init hunk beside a runtime fix is refused, as kpatch refuses it; its review says why", async () => {
    const e = await build("cmdline.patch", { more: ["init-only.patch"] }).then(() => assert.fail("accepted"), (x) => x);
    assert.ok(e instanceof KpatchError && e.kind === "unsafe", String(e));
    assert.match(e.details.join("\n"), /function proc_cmdline_init \(\.init\.text\) changed beside runtime changes \(cmdline_proc_show\): .*KPATCH_IGNORE_FUNCTION\(proc_cmdline_init\)/);
    const review = JSON.parse(readFileSync(join(outDir, "livepatch-cmdline.review.json"), "utf8"));
    assert.equal(review.outcome, "refused");
    assert.ok(review.verdict.refused.some((r) => /proc_cmdline_init/.test(r)));
});
test("struct-layout-refused.patch: a changed struct layout is refused before anything compiles", async () => {
    const e = await refusal("struct-layout-refused.patch");
    assert.ok(e instanceof KpatchError && e.kind === "unsafe", String(e));
    assert.match(e.message, /struct proc_dir_entry \(fs\/proc\/internal\.h\): .*shadow variables/);
    // The refusal has its review: the type, the member added, the remedy; and no module.
    const name = join(outDir, "livepatch-struct-layout-refused");
    assert.ok(!existsSync(`${name}.ko`));
    const review = JSON.parse(readFileSync(`${name}.review.json`, "utf8"));
    assert.equal(review.outcome, "refused");
    assert.deepEqual(review.layout, [
        {
            file: "fs/proc/internal.h",
            type: "struct proc_dir_entry",
            added: ["unsigned long kpatch_generation"],
            removed: [],
            changed: [],
            moved: [],
        },
    ]);
    assert.match(readFileSync(`${name}.review.md`, "utf8"), /UNSAFE: struct proc_dir_entry [^]*member added: unsigned long kpatch_generation[^]*shadow/);
});
test("a patch that does not apply is refused, naming the file and hunk", async () => {
    const broken = join(outDir, "broken.patch");
    writeFileSync(broken, readFileSync(fixture("cmdline.patch"), "utf8").replace("seq_puts(m, saved_command_line);", "seq_puts(m, saved_command_line_typo);"));
    const e = await refusal("broken.patch", { file: broken });
    assert.ok(e instanceof KpatchError && e.kind === "input", String(e));
    assert.match(e.message, /broken\.patch does not apply .*fs\/proc\/cmdline\.c.*hunk/i);
});
test("a target built by another compiler version is refused", async () => {
    const k = await testKernel({ build: false });
    const config = join(outDir, "config-gcc11");
    writeFileSync(config, readFileSync(k.configFile, "utf8").replace(/^CONFIG_GCC_VERSION=\d+$/m, "CONFIG_GCC_VERSION=110200"));
    const e = await refusal("meminfo-string.patch", { config });
    assert.ok(e instanceof HostError, String(e));
    assert.match(e.message, /built with gcc 11\.2\.0 .* --skip-compiler-check/);
});
test("hostile names are refused before anything runs: a patched path or -n NAME that make would execute, paths outside the tree", async () => {
    const cli = fileURLToPath(new URL("../../src/cli/kpatch-build.js", import.meta.url));
    const dir = join(outDir, "hostile");
    mkdirSync(dir, { recursive: true });
    const marker = join(dir, "ran");
    let n = 0;
    const patchFor = (path) => {
        const file = join(dir, `hostile-${n++}.patch`);
        writeFileSync(file, `--- a/${path}\n+++ b/${path}\n@@ -1,1 +1,2 @@\n x\n+y\n`);
        return file;
    };
    const kpatchBuildCli = (args) => run("node", [cli, "-k", "test", "-o", dir, ...args], { allowFailure: true });
    const cases = [
        [
            [patchFor(`--eval=$(shell touch ${marker})/x.c`)],
            /the path '--eval=\$\(shell touch .*' is refused: a patched path may hold only letters, digits and/,
        ],
        [[patchFor(`fs/V=$(shell touch ${marker})/x.c`)], /the path 'fs\/V=\$\(shell .*' is refused/],
        [
            [patchFor("fs/proc/-n/x.c")],
            /the path 'fs\/proc\/-n\/x\.c' is refused: a patched path must have no part starting with '-'/,
        ],
        [
            [patchFor("../../../somewhere/x.h")],
            /the path '\.\.\/\.\.\/\.\.\/somewhere\/x\.h' is refused: a patched path must be a normalized path inside the tree/,
        ],
        [
            ["-n", `x$(shell touch ${marker})`, fixture("meminfo-string.patch")],
            /module name 'x\$\(shell touch .*' is refused: it may hold only letters, digits, _ and -/,
        ],
        [["-n", "../../x", fixture("meminfo-string.patch")], /module name '\.\.\/\.\.\/x' is refused/],
        [["-n", "a b", fixture("meminfo-string.patch")], /module name 'a b' is refused/],
        [
            ["-n", "x".repeat(56), fixture("meminfo-string.patch")],
            /module name 'x+' is refused: it has 56 characters, the kernel takes at most 55/,
        ],
        [[join(dir, "missing.patch")], /cannot read patch .*missing\.patch: ENOENT/],
        [[dir], /patch .*hostile is not a regular file/],
    ];
    writeFileSync(join(dir, "notes.txt"), "not a diff\n");
    cases.push([
        [join(dir, "notes.txt")],
        /notes\.txt is not a patch: it has no '--- a\/FILE' \/ '\+\+\+ b\/FILE' headers/,
    ]);
    for (const [args, message] of cases) {
        const r = await kpatchBuildCli(args);
        assert.equal(r.code, 1, `${args.join(" ")}: ${r.stderr}`);
        assert.match(r.stderr, new RegExp(`^kpatch-build: error: .*?${message.source}`), args.join(" "));
        assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
        assert.ok(!existsSync(marker), `${args.join(" ")} ran a command`);
    }
    // A long git format-patch name makes a default module name within the limit.
    const long = join(dir, "0001-nfsd-fix-the-reply-cache-overrun-for-a-sequence-reply-too-large-for-the-slot.patch");
    writeFileSync(long, readFileSync(fixture("meminfo-string.patch")));
    const r = await kpatchBuildCli([long]);
    assert.equal(r.code, 0, r.stderr);
    const name = /module: .*\/(livepatch-0001-nfsd-fix-[\w-]+)\.ko /.exec(r.stdout)?.[1];
    assert.ok(name && name.length === 55 && !name.endsWith("-"), r.stdout);
});
test("a patch to the build is refused before anything runs: the Kbuild.include hunk runs nothing, writes nothing", async () => {
    const cli = fileURLToPath(new URL("../../src/cli/kpatch-build.js", import.meta.url));
    const { source } = await resolveTarget({ kernel: "test" });
    const dir = join(outDir, "build-hunk");
    rmSync(dir, { recursive: true, force: true });
    const [a, b, out] = ["a/scripts", "b/scripts", "out"].map((d) => join(dir, d));
    for (const d of [a, b, out])
        mkdirSync(d, { recursive: true });
    const marker = join(dir, "proof.txt");
    const include = readFileSync(join(source.dir, "scripts/Kbuild.include"), "utf8");
    writeFileSync(join(a, "Kbuild.include"), include);
    writeFileSync(join(b, "Kbuild.include"), `${include}\n$(shell id > ${marker})\n`);
    const diff = await run("diff", ["-u", "a/scripts/Kbuild.include", "b/scripts/Kbuild.include"], {
        cwd: dir,
        allowFailure: true,
    });
    const evil = join(dir, "evil.patch");
    writeFileSync(evil, readFileSync(fixture("meminfo-string.patch"), "utf8") + diff.stdout);
    const r = await run("node", [cli, "-k", "test", "-n", "evil", "-o", out, evil], {
        allowFailure: true,
    });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^kpatch-build: error: .*evil\.patch is refused before anything ran: .*\n {2}scripts\/Kbuild\.include: it is part of the kernel's build/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
    assert.ok(!existsSync(marker), "the hunk's command ran");
    assert.deepEqual(readdirSync(out), [], "nothing written: no module, no review");
});
test("documentation, and a file this config does not compile, are not applied, and the review says so", async () => {
    const dir = join(outDir, "left-out");
    mkdirSync(dir, { recursive: true });
    // Context that matches neither file: had patch(1) been given these hunks, the build would fail.
    const unapplicable = (path) => `--- a/${path}\n+++ b/${path}\n@@ -1,2 +1,3 @@\n no such line\n+added\n nor this one\n`;
    const file = join(dir, "left-out.patch");
    writeFileSync(file, readFileSync(fixture("meminfo-string.patch"), "utf8") +
        unapplicable("Documentation/filesystems/proc.rst") +
        unapplicable("fs/btrfs/super.c"));
    const r = await build("left-out.patch", { file });
    assert.deepEqual(changed(r), ["meminfo_proc_show"]);
    const review = reviewOf(r);
    const outcome = (f) => review.hunks.filter((h) => h.file === f).map((h) => h.outcome);
    assert.deepEqual(outcome("fs/proc/meminfo.c"), ["code"]);
    assert.deepEqual(outcome("Documentation/filesystems/proc.rst"), ["not applied"]);
    assert.deepEqual(outcome("fs/btrfs/super.c"), ["not applied"]);
    assert.match(review.hunks.find((h) => h.file === "fs/btrfs/super.c").why ?? "", /^fs\/btrfs\/super\.c: /);
    const md = readFileSync(r.review.markdown, "utf8");
    assert.match(md, /checks passed, 2 hunks not applied, /);
    assert.doesNotMatch(md, /nothing refused/);
    assert.equal(review.verdict.questions.filter((q) => /left out of the build/.test(q.question)).length, 2);
});
test("--json: the result on stdout, each progress event a JSON line on stderr; the review made again from the kept session and carried by the module", async () => {
    const cli = fileURLToPath(new URL("../../src/cli/kpatch-build.js", import.meta.url));
    const dir = join(outDir, "json");
    mkdirSync(dir, { recursive: true });
    const r = await run("node", [cli, "-k", "test", "-o", dir, "--json", "--skip-cleanup", fixture("cmdline.patch")], { allowFailure: true });
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.ok(result.module.endsWith(".ko") && existsSync(result.module), r.stdout);
    const events = r.stderr
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l));
    assert.ok(events.length > 2, r.stderr);
    for (const e of events) {
        assert.equal(e.event, "progress");
        assert.ok(["info", "warning"].includes(e.level) && e.phase && e.message, JSON.stringify(e));
    }
    assert.ok(events.some((e) => e.phase === "kpatch-build" && /objects? affected/.test(e.message)), r.stderr);
    // kpatch-build review SESSION-DIR writes the same review again.
    const kept = events.flatMap((e) => /^session kept in (.+)$/.exec(e.message)?.[1] ?? [])[0];
    assert.ok(kept, r.stderr);
    const again = join(dir, "again");
    mkdirSync(again, { recursive: true });
    const rv = await run("node", [cli, "review", kept, "-o", again], { allowFailure: true });
    rmSync(kept, { recursive: true, force: true });
    assert.equal(rv.code, 0, rv.stderr);
    const first = reviewOf(result);
    const second = JSON.parse(readFileSync(join(again, "livepatch-cmdline.review.json"), "utf8"));
    const undated = (x) => ({ ...x, build: { ...x.build, date: "" } });
    assert.deepEqual(undated(second), undated(first));
    assert.match(rv.stdout, /^review: 1 changed and 0 new functions from 1 hunk/);
    // kpatch info --review shows the summary the module carries.
    const kpatchCli = fileURLToPath(new URL("../../src/cli/kpatch.js", import.meta.url));
    const info = await run("node", [kpatchCli, "info", "--review", result.module]);
    assert.equal(info.stdout, `${result.review.summary.join("\n")}\n`);
});
//# sourceMappingURL=kpatch-build.test.js.map