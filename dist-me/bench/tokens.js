// Benchmark: whether the code reading (src/build/tokens.ts) is sound on real
// kernel units. Where a header change leaves a unit's digest equal, the
// object is not compiled and is taken as unchanged: a change of code the
// digest misses would be left out of the patch. For a few objects of the
// test kernel, each preprocessed with its own command line, this changes
// one top-level item at a time (seeded, mostly items the reading drops or
// sorts: bench/support/mutations.ts) and, for each change whose digest stays
// equal, compiles both units and compares their code: the allocated
// sections' bytes and relocations and the symbols, as sets (table order is
// no code). Any difference is a hole. Prints progress, the counts and each
// hole's item before and after; exits 1 on any hole.
//
//   node dist/bench/tokens.js [--seed N] [--pairs N] [--minutes M] [--json] [OBJECT...]
import { join } from "node:path";
import { parseArgs } from "node:util";
import { nodeHost as host } from "../src/host/host.js";
import { progress, warn } from "../src/host/progress.js";
import { testKernel } from "../src/kernel/testkernel.js";
import { preparedTree } from "../src/build/prepare.js";
import { kbuildPlan } from "../src/build/plan.js";
import { compileAs } from "../src/build/command.js";
import { withBuildSession } from "../src/build/session.js";
import { CodeReader, splitText } from "../src/build/tokens.js";
import { readElf } from "../src/elf/reader.js";
import { ElfFile } from "../src/elf/model.js";
import { SHF, SHT, STT } from "../src/elf/constants.js";
import { baseName } from "../src/symbols/names.js";
import { mutate, seeded, shapeOf } from "./support/mutations.js";
const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
        seed: { type: "string", default: "1" },
        pairs: { type: "string", default: "100" },
        minutes: { type: "string", default: "60" },
        json: { type: "boolean", default: false },
    },
});
const whole = (flag) => {
    const n = Number(values[flag]);
    if (!Number.isInteger(n) || n < 0)
        throw new Error(`--${flag}: not a whole number`);
    return n;
};
const [seed, pairs, minutes] = [whole("seed"), whole("pairs"), whole("minutes")];
// Large units of several subsystems, each built by the test kernel's config.
const objects = positionals.length
    ? positionals
    : [
        "kernel/fork.o",
        "kernel/signal.o",
        "mm/memory.o",
        "fs/proc/meminfo.o",
        "net/ipv4/tcp_output.o",
    ];
const reader = new CodeReader();
const random = seeded(seed);
const counts = {
    mutations: 0,
    digestsDiffer: 0,
    digestsEqual: 0,
    notCompiled: 0,
    equalAndSame: 0,
    holes: 0,
};
const byRole = {};
const byKind = {};
const holes = [];
const compiles = { runs: 0, ms: 0 };
const t0 = Date.now();
const kernel = await testKernel({ build: false });
const prepared = await preparedTree(kernel.source, kernel.configFile);
const plan = await kbuildPlan(prepared);
// In a build session, as kbuildPlan reads the tree: its overlays keep the
// trees as they are whatever a compile writes, its scratch holds the units
// (megabytes each), and Ctrl-C ends the compile and removes the scratch.
// One job: compiles one at a time, each timed alone.
await withBuildSession(prepared, async (session) => {
    const units = [];
    for (const object of objects)
        units.push(await readUnit(session, object));
    await control(session, units[0]);
    await fuzz(session, units);
}, { jobs: 1 });
report((Date.now() - t0) / 1000);
if (holes.length)
    process.exitCode = 1;
/** An object's unit: preprocessed as the build session does, its digest and its code. */
async function readUnit(session, object) {
    const planned = plan.get(object);
    if (!planned)
        throw new Error(`${object}: not in kbuild's plan for the test kernel`);
    // As session.ts asks for a unit's tokens: gcc -E -P, the output its own.
    const tokens = compileAs(planned.command, (s) => `-E -P -o - ${s}`);
    if (!tokens)
        throw new Error(`${object}: its command does not end in -c -o OBJ SRC`);
    const preprocess = `cd "$1"\n${tokens}`;
    const pp = await session.exec(preprocess, [prepared.dir], { capture: true });
    const items = splitText(pp.stdout);
    const text = items.join("\n");
    const digest = reader.digest(text);
    // The units compiled are the items joined: they must read as the unit did.
    if (digest !== reader.digest(pp.stdout))
        warn("tokens", `${object}: its items read otherwise`);
    const unit = {
        object,
        // -g0: debug information is no code (gcc -fcompare-debug checks that -g
        // changes none), and a compile without it takes less time.
        compile: compileAs(planned.command, () => '-g0 -fpreprocessed -x c -c -o "$1" "$2"'),
        items,
        text,
        roles: reader.roles(items),
        shapes: items.map(shapeOf),
        digest,
        code: [],
    };
    const before = compiles.ms;
    const first = await compile(session, unit, text);
    if (typeof first === "string")
        throw new Error(`${object} does not compile: ${first}`);
    // A second compile must give the same code, or every pair would differ.
    const again = await compile(session, unit, text);
    if (typeof again === "string" || !same(again, first)) {
        throw new Error(`${object}: two compiles of the same unit differ`);
    }
    unit.code = first;
    const roles = new Map();
    for (const r of unit.roles)
        roles.set(r, (roles.get(r) ?? 0) + 1);
    progress("tokens", `${object}: ${items.length} items (${[...roles].map(([r, n]) => `${n} ${r}`).join(", ")}), ` +
        `${first.length} lines of code, ${((compiles.ms - before) / 2000).toFixed(1)} s a compile`);
    return unit;
}
/** The comparison must see a change: a function added shows in digest and code. */
async function control(session, unit) {
    const text = `${unit.text}\nint __bench_control(void) { return 1; }`;
    const code = await compile(session, unit, text);
    if (reader.digest(text) === unit.digest || typeof code === "string" || same(code, unit.code)) {
        throw new Error(`${unit.object}: an added function changed no digest or no code`);
    }
}
/** Changes, until `pairs` equal digests are compiled or the time is up. */
async function fuzz(session, units) {
    const deadline = t0 + minutes * 60_000;
    for (let round = 0; counts.equalAndSame + counts.holes < pairs; round++) {
        if (Date.now() > deadline) {
            warn("tokens", `${minutes} minutes spent: ${counts.equalAndSame + counts.holes} pairs`);
            return;
        }
        const unit = units[round % units.length];
        const m = mutate(unit.items, unit.roles, unit.shapes, random);
        if (!m)
            continue;
        const text = m.items.join("\n");
        // Two equal items swapped, say: no change at all.
        if (text === unit.text)
            continue;
        counts.mutations++;
        tally(m, "mutations");
        if (reader.digest(text) !== unit.digest) {
            counts.digestsDiffer++;
            continue;
        }
        counts.digestsEqual++;
        tally(m, "equal");
        const code = await compile(session, unit, text);
        // An edit that does not compile (a type swapped, a member gone) fails
        // the build whatever the digest says.
        if (typeof code === "string") {
            counts.notCompiled++;
            continue;
        }
        tally(m, "compiled");
        if (same(code, unit.code))
            counts.equalAndSame++;
        else {
            counts.holes++;
            tally(m, "holes");
            holes.push(hole(unit, m, code));
            warn("tokens", `HOLE in ${unit.object}: ${m.role} ${m.shape}, ${m.kind}: ${trim(m.before)}`);
        }
        const done = counts.equalAndSame + counts.holes;
        if (done % 10 === 0) {
            progress("tokens", `${done} of ${pairs} pairs, ${counts.mutations} changes, ${counts.holes} holes, ` +
                `${Math.round((Date.now() - t0) / 1000)} s`);
        }
    }
}
function tally(m, field) {
    for (const [table, key] of [
        [byRole, m.role],
        [byKind, m.kind],
    ]) {
        table[key] ??= { mutations: 0, equal: 0, compiled: 0, holes: 0 };
        table[key][field]++;
    }
}
/** The unit's code compiled from `text`, or the compiler's first error. */
async function compile(session, unit, text) {
    const [source, object] = [join(session.dir, "unit.i"), join(session.dir, "unit.o")];
    host.writeFile(source, text);
    const start = Date.now();
    const r = await session.exec(`cd "$1"; shift\n${unit.compile}`, [prepared.dir, object, source], {
        capture: true,
        allowFailure: true,
    });
    compiles.runs++;
    compiles.ms += Date.now() - start;
    if (r.code !== 0)
        return /error: .*/.exec(r.stderr)?.[0] ?? r.stderr.trim().slice(-300);
    return code(host.readFile(object));
}
/**
 * An object's code as sorted lines: each allocated section with its bytes
 * and relocations, each symbol but files and sections. Names as the differ
 * correlates them (baseName): gcc numbers a function's statics in the
 * order it meets them, which a moved item may change.
 */
function code(bytes) {
    const elf = readElf(bytes, "unit.o");
    const target = (s) => !s
        ? "-"
        : s.type === STT.SECTION
            ? `section ${baseName(s.section?.name ?? "?")}`
            : baseName(s.name);
    const lines = [];
    for (const s of elf.sections) {
        if ((s.flags & SHF.ALLOC) === 0n)
            continue;
        const relocations = (elf.relocationsFor(s)?.relocations ?? [])
            .map((r) => `${r.offset}:${r.type}:${target(r.symbol)}:${r.addend}`)
            .join(",");
        const data = s.type === SHT.NOBITS ? "" : Buffer.from(s.data).toString("hex");
        lines.push(`S ${baseName(s.name)} t${s.type} f${s.flags} a${s.addralign} e${s.entsize} ` +
            `z${ElfFile.size(s)} ${data} R ${relocations}`);
    }
    for (const y of elf.symbols) {
        if (y.type === STT.FILE || y.type === STT.SECTION)
            continue;
        const where = y.section ? baseName(y.section.name) : `shn${y.shndx}`;
        lines.push(`Y ${baseName(y.name)} t${y.type} b${y.bind} o${y.other} v${y.value} z${y.size} ${where}`);
    }
    return lines.sort();
}
function same(a, b) {
    return a.length === b.length && a.every((l, i) => l === b[i]);
}
function hole(unit, m, after) {
    const only = (a, b) => {
        const other = new Set(b);
        // The kind and name: the bytes would fill the screen.
        return a.filter((l) => !other.has(l)).map((l) => l.split(" ").slice(0, 2).join(" "));
    };
    return {
        object: unit.object,
        role: m.role,
        shape: m.shape,
        kind: m.kind,
        before: trim(m.before),
        after: m.after === undefined ? undefined : trim(m.after),
        onlyBefore: only(unit.code, after),
        onlyAfter: only(after, unit.code),
    };
}
/** An item on one line, its middle cut when long. */
function trim(s, n = 240) {
    const line = s.replace(/\s+/g, " ");
    return line.length > n ? `${line.slice(0, n / 2)} … ${line.slice(-n / 2)}` : line;
}
function report(seconds) {
    const summary = {
        kernel: kernel.release,
        objects,
        seed,
        pairs,
        seconds: Math.round(seconds),
        compiles: compiles.runs,
        secondsPerCompile: +(compiles.ms / compiles.runs / 1000).toFixed(2),
        counts,
        byRole,
        byKind,
        holes,
    };
    if (values.json) {
        console.log(JSON.stringify(summary, null, 2));
        return;
    }
    const row = (name, t) => `    ${name.padEnd(16)} ${t.mutations} changes, ${t.equal} equal digests, ` +
        `${t.compiled} compiled, ${t.holes} holes`;
    console.log(`tokens: ${objects.length} units of the test kernel ${kernel.release}, seed ${seed}`);
    console.log(`  mutations:       ${counts.mutations}`);
    console.log(`  digests differ:  ${counts.digestsDiffer}`);
    console.log(`  digests equal:   ${counts.digestsEqual}`);
    console.log(`  not compiled:    ${counts.notCompiled}`);
    console.log(`  equal and same:  ${counts.equalAndSame}`);
    console.log(`  HOLES:           ${counts.holes}`);
    console.log("  by the role of the item changed:");
    for (const r of ["dropped", "sorted", "ordered", "kept"])
        if (byRole[r])
            console.log(row(r, byRole[r]));
    console.log("  by the change:");
    for (const [k, t] of Object.entries(byKind))
        console.log(row(k, t));
    console.log(`  ${summary.compiles} compiles, ${summary.secondsPerCompile} s each; ` +
        `whole run ${summary.seconds} s`);
    for (const [i, h] of holes.entries()) {
        console.log(`HOLE ${i + 1}: ${h.object}, ${h.role} ${h.shape}, ${h.kind}`);
        console.log(`  before: ${h.before}`);
        if (h.after !== undefined)
            console.log(`  after:  ${h.after}`);
        console.log(`  only before: ${h.onlyBefore.slice(0, 8).join("; ") || "-"}`);
        console.log(`  only after:  ${h.onlyAfter.slice(0, 8).join("; ") || "-"}`);
    }
}
//# sourceMappingURL=tokens.js.map