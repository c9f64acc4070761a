// objdump -d as the reference for x86-64 instruction boundaries: where GNU
// binutils starts each instruction of every executable section, compared with
// what src/arch/x86/decode.ts finds.
import { run } from "../../src/host/host.js";
import { decode } from "../../src/arch/x86/decode.js";
import { STT } from "../../src/elf/constants.js";
/**
 * Disassembles many files with one objdump run. Each file maps to the
 * sections objdump disassembles, in section header order: those with
 * SHF_EXECINSTR, contents and a nonzero size.
 */
export async function objdumpSections(files) {
    return parseObjdump(await objdump(files), files);
}
/** The text of objdump -d over many files. */
export async function objdump(files) {
    // -z: zero bytes are instructions too, not "..."; -w: one line per
    // instruction however long.
    const out = await run("objdump", ["-d", "-z", "-w", ...files], { allowFailure: true });
    if (out.code !== 0 || out.stderr.trim())
        throw new Error(`objdump failed: ${out.stderr.trim().split("\n").slice(0, 5).join("\n")}`);
    return out.stdout;
}
export function parseObjdump(text, files) {
    const result = new Map();
    let sections;
    let section;
    for (const line of text.split("\n")) {
        const insn = /^ *([0-9a-f]+):\t/.exec(line);
        if (insn) {
            if (!section)
                throw new Error(`objdump: instruction outside a section: ${line}`);
            section.starts.push(parseInt(insn[1], 16));
            section.lines.push(line.trim());
            continue;
        }
        const head = /^Disassembly of section (.*):$/.exec(line);
        if (head) {
            if (!sections)
                throw new Error(`objdump: section before file name: ${line}`);
            section = { name: head[1], starts: [], lines: [] };
            sections.push(section);
            continue;
        }
        const file = /^(.*):\s+file format \S+$/.exec(line);
        if (file) {
            sections = [];
            section = undefined;
            result.set(file[1], sections);
        }
    }
    for (const f of files)
        if (!result.has(f))
            throw new Error(`objdump: no output for ${f}`);
    return result;
}
/** Compares decoded instructions of [start, end) with objdump's starts in the same range. */
export function compareBoundaries(insns, ref, start, end) {
    let j = lowerBound(ref.starts, start);
    let fwaitFolded = 0;
    for (let i = 0; i < insns.length; i++, j++) {
        const insn = insns[i];
        const theirs = j < ref.starts.length && ref.starts[j] < end ? ref.starts[j] : undefined;
        if (theirs !== insn.offset) {
            const at = Math.min(insn.offset, theirs ?? Infinity);
            const k = lowerBound(ref.starts, at);
            const context = ref.lines.slice(Math.max(0, k - 1), k + 2).join(" | ");
            return {
                mismatch: `at 0x${at.toString(16)}: decoded ${insn.mnemonic} at 0x${insn.offset.toString(16)} (${insn.length} bytes), objdump: ${context}`,
                fwaitFolded,
            };
        }
        // objdump prints FWAIT (9b) and the x87 control instruction after it as
        // one, the assembler's finit, fstsw, fstcw...; the CPU executes them as
        // two and the kernel's own instruction decoder (objtool) decodes two.
        const next = insns[i + 1];
        if (insn.mnemonic === "wait" && next && byteCount(ref.lines[j]) === 1 + next.length) {
            i++;
            fwaitFolded++;
        }
    }
    const mismatch = j < ref.starts.length && ref.starts[j] < end
        ? `objdump has more instructions from 0x${ref.starts[j].toString(16)}: ${ref.lines[j]}`
        : undefined;
    return { mismatch, fwaitFolded };
}
/** Bytes of an objdump -w line: "36:\t9b db e3   \tfinit" has 3. */
function byteCount(line) {
    return line.split("\t")[1].trim().split(" ").length;
}
/** Where objdump restarts decoding, per section: every named symbol but section and file symbols. */
export function restartPoints(elf) {
    const result = new Map();
    for (const s of elf.symbols) {
        if (!s.section || !s.name || s.type === STT.SECTION || s.type === STT.FILE)
            continue;
        const list = result.get(s.section);
        if (list)
            list.push(Number(s.value));
        else
            result.set(s.section, [Number(s.value)]);
    }
    return result;
}
/**
 * The instructions of code[start, end) as objdump decodes them. objdump
 * restarts at every symbol, so where a symbol lies inside an instruction of
 * the straight sweep `insns` (an entry point into the middle of an
 * instruction, as in the kernel's retbleed_untrain_ret), it sees the sweeps
 * of the spans between symbols instead. `overlapping` says that happened.
 */
export function objdumpView(insns, code, start, end, symbols) {
    const inner = [...new Set(symbols.filter((a) => a > start && a < end))].sort((a, b) => a - b);
    const starts = new Set(insns.map((i) => i.offset));
    if (inner.every((a) => starts.has(a)))
        return { insns, overlapping: false };
    const cuts = [start, ...inner, end];
    return { insns: cuts.slice(1).flatMap((to, k) => decode(code, cuts[k], to)), overlapping: true };
}
/** objdump's lines for the instructions starting in [start, end). */
export function linesIn(ref, start, end) {
    return ref.lines.slice(lowerBound(ref.starts, start), lowerBound(ref.starts, end));
}
function lowerBound(a, x) {
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (a[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}
//# sourceMappingURL=x86-objdump.js.map