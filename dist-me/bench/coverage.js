// Benchmark: how many real stable fixes kpatch-build turns into patch
// modules, and whether each one the kernel gets leaves its log clean. The
// corpus is every .c file that changed in one of Debian's kernel updates
// (by default the newest of the series the archive still has whole: the
// release before it, and the next linux-source version), one patch per
// file, built with distro mode for that release. Prints a table: patched /
// refused / no change / not built with this config / error, and the reasons
// grouped by class; with --load, boots the release under QEMU for every
// patched module and takes it through every load order with its module
// (patch after the module, the module reloaded, the patch unloaded, the
// patch before the module), the kernel's log read by the runner after each.
//
//   node dist/bench/coverage.js [--series 6.1|6.12] [RELEASE NEW-VERSION]
//                               [--load] [--every N] [--limit N]
//
// Results are kept per file in $KPATCH_CACHE/coverage/, so a second run only
// builds what changed; the modules are kept there too.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { kpatchBuild } from "../src/kpatch-build/pipeline.js";
import { readPatches } from "../src/patch/read.js";
import { resolveTarget } from "../src/kpatch-build/targets.js";
import { KpatchError } from "../src/errors.js";
import { loadSymtab } from "../src/diff/run.js";
import { findModule } from "../src/kernel/modules.js";
import { missed, sourceChange, sourceName, unexplained } from "./precision.js";
import { cacheRoot, run, sha256 } from "../src/host/host.js";
import { kernelSource } from "../src/kernel/source.js";
import { debianKernel, debianUpdates, parseRelease } from "../src/kernel/debian.js";
import { guestKernel } from "../src/vm/kernels.js";
import { runInGuest } from "../src/vm/qemu.js";
import { cycleScript, matrixScript } from "../src/vm/cycle.js";
const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
        series: { type: "string", default: "6.1" },
        load: { type: "boolean" },
        limit: { type: "string" },
        every: { type: "string" },
    },
});
const newest = positionals.length ? undefined : (await debianUpdates(values.series))[0];
if (!positionals.length && !newest) {
    throw new Error(`no ${values.series} update whose older release the archive has whole`);
}
const release = positionals[0] ?? newest.release;
const newVersion = positionals[1] ?? newest.to;
const series = parseRelease(release)?.series ?? values.series;
const target = await resolveTarget({ kernel: release });
const after = await kernelSource(series, newVersion);
const home = join(cacheRoot(), "coverage", `${release}_${newVersion}`);
for (const d of ["patches", "modules"])
    mkdirSync(join(home, d), { recursive: true });
console.log(`coverage: ${target.source.version} (${release}) -> ${newVersion}`);
const files = await changedSources(target.source.dir, after.dir);
// A fixed sample (every Nth file in path order) where the whole corpus would take hours.
const sampled = values.every ? files.filter((_, i) => i % Number(values.every) === 0) : files;
const todo = values.limit ? sampled.slice(0, Number(values.limit)) : sampled;
console.log(`coverage: ${files.length} .c files changed; building ${todo.length}`);
const results = [];
for (const [i, file] of todo.entries()) {
    const key = sha256(file).slice(0, 12);
    const kept = join(home, `${key}.json`);
    const old = existsSync(kept) ? JSON.parse(readFileSync(kept, "utf8")) : undefined;
    // Kept results from before precision and objects were kept are built again.
    if (old && (old.outcome !== "patched" || (old.precision && old.objects))) {
        results.push(old);
        continue;
    }
    const patch = join(home, "patches", `${key}.patch`);
    const diff = await run("diff", [
        "-u",
        "--label",
        `a/${file}`,
        "--label",
        `b/${file}`,
        join(target.source.dir, file),
        join(after.dir, file),
    ], { allowFailure: true });
    writeFileSync(patch, diff.stdout);
    const t0 = Date.now();
    const r = { file, outcome: "error", why: "", changed: [], seconds: 0 };
    try {
        const built = await kpatchBuild({
            patches: readPatches([patch]),
            name: `cov-${key}`,
            outputDir: join(home, "modules"),
            replace: true,
            skipCompilerCheck: false,
            target,
        });
        Object.assign(r, {
            outcome: "patched",
            module: built.module,
            objects: built.objects.map((o) => o.object),
            changed: built.objects.flatMap((o) => o.changed.map((c) => c.name)),
            precision: await precisionOf(file, built.objects),
        });
    }
    catch (e) {
        const message = e.message;
        const kind = e instanceof KpatchError ? e.kind : undefined;
        r.why = [message, ...(e.details ?? [])].join("; ").slice(0, 600);
        r.outcome =
            kind === "unsafe"
                ? "refused"
                : kind === "no-change"
                    ? /no file compiled with this config/.test(message)
                        ? "not built"
                        : "no change"
                    : "error";
    }
    r.seconds = (Date.now() - t0) / 1000;
    writeFileSync(kept, JSON.stringify(r));
    results.push(r);
    console.log(`coverage: [${i + 1}/${todo.length}] ${r.outcome.padEnd(9)} ${file} ` +
        `(${r.seconds.toFixed(1)} s)${r.outcome === "patched" ? "" : `: ${r.why.slice(0, 160)}`}`);
}
report(results);
if (values.load)
    await loadCheck(results.filter((r) => r.outcome === "patched"));
/** How exactly the patched functions follow the source change (see precision.ts). */
async function precisionOf(file, objects) {
    const zero = await run("diff", ["-U0", join(target.source.dir, file), join(after.dir, file)], {
        allowFailure: true,
    });
    const change = sourceChange(readFileSync(join(target.source.dir, file), "utf8"), readFileSync(join(after.dir, file), "utf8"), zero.stdout);
    const names = (l) => l.map((c) => c.name);
    // New functions replace nothing (an inlined static now out of line): only replacements count.
    const patched = objects.flatMap((o) => names(o.changed));
    const added = objects.flatMap((o) => names(o.added));
    const inTarget = (f) => objects.some((o) => {
        const binary = o.object === "vmlinux"
            ? target.symbols
            : target.modulesDir && findModule(target.modulesDir, o.object);
        return (!!binary &&
            loadSymtab(binary).symbols.some((s) => s.type === "func" && sourceName(s.name) === f));
    });
    return {
        unexplained: unexplained(change, patched),
        missed: missed(change, [...patched, ...added], objects.flatMap((o) => names(o.lineOnly)), inTarget),
    };
}
/** The .c files whose contents differ between the two trees, relative to them. */
async function changedSources(before, newer) {
    const r = await run("diff", ["-rq", "-x", "Documentation", "-x", "tools", "-x", "samples", before, newer], { allowFailure: true });
    const out = [];
    for (const line of r.stdout.split("\n")) {
        const m = /^Files (\S+) and \S+ differ$/.exec(line);
        if (m && m[1].endsWith(".c"))
            out.push(m[1].slice(before.length + 1));
    }
    return out.sort();
}
/**
 * Counts by outcome, and the refusals and errors grouped by class (the message
 * with names and numbers taken out).
 */
function report(kept) {
    // A file's new version that does not compile against the old tree needs the
    // rest of its upstream commit (a header): no single-file patch, no pair.
    const all = kept.map((r) => r.outcome === "error" && /^compiling PATCHED .* failed/.test(r.why)
        ? { ...r, outcome: "needs other files" }
        : r);
    const outcomes = [
        "patched",
        "refused",
        "no change",
        "not built",
        "needs other files",
        "error",
    ];
    const binary = all.filter((r) => ["patched", "refused", "error"].includes(r.outcome));
    console.log("\n| outcome | files |\n| --- | --- |");
    for (const o of outcomes)
        console.log(`| ${o} | ${all.filter((r) => r.outcome === o).length} |`);
    const patched = all.filter((r) => r.outcome === "patched").length;
    console.log(`\npatched: ${patched} of ${binary.length} files with a binary change ` +
        `(${((100 * patched) / Math.max(1, binary.length)).toFixed(1)}%)`);
    const done = all.filter((r) => r.precision);
    const count = (f) => done.flatMap((r) => f(r).map((n) => `${r.file}:${n}`));
    const patchedFns = done.reduce((n, r) => n + r.changed.length, 0);
    const extra = count((r) => r.precision.unexplained);
    const left = count((r) => r.precision.missed);
    console.log(`\nprecision over ${done.length} patched files, ${patchedFns} functions patched: ` +
        `${extra.length} patched that no source change explains, ` +
        `${left.length} changed in the source and in the kernel but not patched`);
    for (const [label, list] of [
        ["unexplained", extra],
        ["missed", left],
    ]) {
        if (list.length)
            console.log(`  ${label}: ${list.join(" ")}`);
    }
    for (const o of ["refused", "error", "no change"]) {
        const classes = new Map();
        for (const r of all.filter((x) => x.outcome === o)) {
            const cls = reason(r.why);
            classes.set(cls, [...(classes.get(cls) ?? []), r.file]);
        }
        if (!classes.size)
            continue;
        console.log(`\n${o}, by class:`);
        for (const [cls, fs] of [...classes].sort((a, b) => b[1].length - a[1].length)) {
            console.log(`  ${fs.length} x ${cls}\n      ` +
                `${fs.slice(0, 4).join(" ")}${fs.length > 4 ? " ..." : ""}`);
        }
    }
}
/**
 * A refusal's or error's class: its message and first detail, first lines
 * only, without the object's path and with names and numbers taken out.
 */
function reason(why) {
    const [message = "", detail = ""] = why.split("; ").map((p) => p.split("\n")[0].trim());
    const named = /\b(function|data object|constant|symbol|static key|struct|in|at|of) [^\s:;,()]+/g;
    const general = (t) => t
        .replace(/^\S*\/\S+: /, "")
        .replace(named, "$1 X")
        .replace(/\b[\w.-]*\d[\w.-]*\b/g, "#");
    return `${general(message)}${detail ? ` / ${general(detail)}` : ""}`.slice(0, 160);
}
/**
 * Boots the release for each patched module and takes it through every load
 * order with the module it patches (load and unload alone for vmlinux);
 * the runner fails a boot whose kernel log shows a complaint.
 */
async function loadCheck(patched) {
    const k = await guestKernel("debian", release);
    const root = join((await debianKernel(release)).modulesDir, "../../..");
    const out = join(home, "load.log");
    rmSync(out, { force: true });
    const counts = {
        clean: 0,
        complaints: 0,
        "module does not load": 0,
        // 9p and what it needs: the guest's root is shared over them (the matrix test boots without).
        "module in use by the guest": 0,
        failed: 0,
    };
    for (const [i, r] of patched.entries()) {
        const object = r.objects?.find((o) => o !== "vmlinux");
        const ko = r.module;
        const script = object
            ? `modprobe -d ${root} ${object} || { echo "== cannot load ${object}"; exit 0; }
rmmod ${object}
${matrixScript({ ko, object, loadObject: `modprobe -d ${root} ${object}`, probe: "true" })}`
            : cycleScript({ ko, probe: "true" });
        let outcome;
        let said = "";
        try {
            const g = await runInGuest({
                kernel: k.image,
                modules: k.modules,
                timeoutMs: 600_000,
                script,
            });
            said = g.output + g.stderr;
            outcome = /^== cannot load /m.test(said)
                ? "module does not load"
                : /rmmod: ERROR: Module \S+ is in use/.test(said)
                    ? "module in use by the guest"
                    : g.exitCode !== 0
                        ? "failed"
                        : "clean";
        }
        catch (e) {
            said = e.message;
            outcome = /guest kernel complained/.test(said) ? "complaints" : "failed";
        }
        counts[outcome]++;
        writeFileSync(out, `== ${r.file} (${object ?? "vmlinux"}): ${outcome}\n${said}\n`, {
            flag: "a",
        });
        console.log(`load: [${i + 1}/${patched.length}] ${outcome.padEnd(9)} ${r.file} (${object ?? "vmlinux"})`);
    }
    console.log(`\nload check in ${release} under QEMU, every load order: ${patched.length} modules, ` +
        `${counts.clean} clean, ${counts.complaints} with kernel complaints, ` +
        `${counts["module does not load"]} whose module does not load in the guest, ` +
        `${counts["module in use by the guest"]} whose module the guest's root uses, ` +
        `${counts.failed} failed otherwise (log: ${out})`);
}
//# sourceMappingURL=coverage.js.map