// Pins that the x86-64 decoder finds the same instruction boundaries as
// objdump -d in every function of every translation unit of a real kernel
// build: compiled C and hand-written assembly with retpoline and return
// thunks, SLS int3, jump labels, .byte-encoded instructions, the untrain_ret
// entry points inside instructions. EVEX is only in the unit test: the test
// kernel has no AVX-512 code.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { testKernel } from "../../src/kernel/testkernel.js";
import { buildObjects, translationUnits } from "../../src/kernel/objects.js";
import { readElf } from "../../src/elf/reader.js";
import { SHF, SHT, STT } from "../../src/elf/constants.js";
import { decode } from "../../src/arch/x86/decode.js";
import { compareBoundaries, linesIn, objdump, objdumpView, parseObjdump, restartPoints, } from "../support/x86-objdump.js";
/** Reads one object and decodes each distinct function body (aliases share one). */
function decodeObject(file, stats) {
    let t = performance.now();
    const elf = readElf(readFileSync(file), file);
    stats.readMs += performance.now() - t;
    const code = elf.sections.filter((s) => (s.flags & SHF.EXECINSTR) !== 0n && s.type !== SHT.NOBITS && s.data.length > 0);
    const restarts = restartPoints(elf);
    const bodies = new Map();
    for (const sym of elf.symbols) {
        if (sym.type !== STT.FUNC || !sym.section || sym.size === 0n)
            continue;
        stats.symbols++;
        const start = Number(sym.value);
        const end = start + Number(sym.size);
        assert.ok(code.includes(sym.section), `${file}: function ${sym.name} in non-code section ${sym.section.name}`);
        assert.ok(end <= sym.section.data.length, `${file}: function ${sym.name} runs past the end of ${sym.section.name}`);
        const key = `${sym.section.inputIndex}:${start}:${end}`;
        const body = bodies.get(key);
        if (body)
            body.names.push(sym.name);
        else
            bodies.set(key, {
                section: sym.section,
                start,
                end,
                names: [sym.name],
                insns: [],
                restarts: restarts.get(sym.section),
            });
    }
    t = performance.now();
    for (const b of bodies.values())
        b.insns = decode(b.section.data, b.start, b.end);
    stats.decodeMs += performance.now() - t;
    return { code, bodies: [...bodies.values()] };
}
test("instruction boundaries agree with objdump -d in every function of the test kernel", async () => {
    const kernel = await testKernel({ build: false });
    const all = buildObjects(kernel.buildDir);
    const { units, linked, host } = translationUnits(all.elf64);
    assert.ok(units.length > 1000, `expected over a thousand translation units, found ${units.length}`);
    const stats = {
        objects: 0,
        symbols: 0,
        functions: 0,
        instructions: 0,
        bytes: 0,
        invalid: 0,
        objdumpBad: 0,
        fwaitFolded: 0,
        mismatches: [],
        overlapping: [],
        readMs: 0,
        decodeMs: 0,
        objdumpMs: 0,
        parseMs: 0,
    };
    const batchSize = 32;
    const batches = [];
    for (let i = 0; i < units.length; i += batchSize)
        batches.push(units.slice(i, i + batchSize));
    // objdump of the next batches runs on the other core while this process
    // decodes and compares the current one.
    const texts = new Map();
    const startObjdump = (i) => {
        if (i >= batches.length || texts.has(i))
            return;
        const t = performance.now();
        texts.set(i, objdump(batches[i]).then((text) => {
            stats.objdumpMs += performance.now() - t;
            return text;
        }));
    };
    const t0 = performance.now();
    for (let i = 0; i < batches.length; i++) {
        startObjdump(i);
        startObjdump(i + 1);
        const batch = batches[i];
        const decoded = [];
        for (const f of batch) {
            decoded.push(decodeObject(f, stats));
            // Let the event loop drain objdump's pipe, which blocks it when full.
            await new Promise(setImmediate);
        }
        const text = await texts.get(i);
        texts.delete(i);
        const t = performance.now();
        const ref = parseObjdump(text, batch);
        stats.parseMs += performance.now() - t;
        batch.forEach((file, j) => {
            const { code, bodies } = decoded[j];
            const sections = ref.get(file);
            assert.deepEqual(sections.map((s) => s.name), code.map((s) => s.name), `${file}: sections objdump disassembles`);
            for (const b of bodies) {
                const theirs = sections[code.indexOf(b.section)];
                const where = `${relative(kernel.buildDir, file)} ${b.section.name} <${b.names.join(",")}>`;
                const view = objdumpView(b.insns, b.section.data, b.start, b.end, b.restarts);
                if (view.overlapping)
                    stats.overlapping.push(where);
                const { mismatch: why, fwaitFolded } = compareBoundaries(view.insns, theirs, b.start, b.end);
                stats.fwaitFolded += fwaitFolded;
                if (why)
                    stats.mismatches.push(`${where}: ${why}`);
                stats.functions++;
                stats.instructions += b.insns.length;
                stats.bytes += b.end - b.start;
                stats.invalid += b.insns.filter((x) => x.isInvalid).length;
                stats.objdumpBad += linesIn(theirs, b.start, b.end).filter((l) => l.includes("(bad)")).length;
            }
            stats.objects++;
        });
    }
    const wallS = (performance.now() - t0) / 1000;
    const rate = (n, ms) => `${(n / (ms / 1000) / 1e6).toFixed(2)} M insn/s`;
    console.log(`x86 decode: ${stats.objects} translation units (of ${all.elf64.length} ELF64 objects: ${linked} linked or generated, ${host} host tools; ` +
        `${all.other.length} 16/32-bit objects not in scope), ${stats.functions} functions (${stats.symbols} FUNC symbols), ` +
        `${stats.instructions} instructions, ${(stats.bytes / 1e6).toFixed(1)} MB of code`);
    console.log(`x86 decode: ${stats.mismatches.length} functions disagree with objdump; ${stats.invalid} undecodable bytes, ` +
        `${stats.objdumpBad} objdump (bad), ${stats.fwaitFolded} FWAIT folded by objdump into the next instruction; ` +
        `entry points inside an instruction, compared span by span: ${stats.overlapping.join("; ") || "none"}`);
    console.log(`x86 decode timing: decode ${(stats.decodeMs / 1000).toFixed(2)} s (${rate(stats.instructions, stats.decodeMs)}), ` +
        `ELF read ${(stats.readMs / 1000).toFixed(2)} s; objdump runs ${(stats.objdumpMs / 1000).toFixed(2)} s summed over ${batches.length} runs, ` +
        `parsing their output ${(stats.parseMs / 1000).toFixed(2)} s; wall ${wallS.toFixed(1)} s`);
    assert.deepEqual(stats.mismatches.slice(0, 20), []);
    assert.equal(stats.objects, units.length);
});
//# sourceMappingURL=x86-decode.test.js.map