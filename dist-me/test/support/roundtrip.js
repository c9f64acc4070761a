// Reads and writes back objects with the project's ELF layer and reports every
// difference binutils can see between each input and its copy. Tool output is
// streamed and compared line by line, so objects of any size (vmlinux.o's
// disassembly is over a gigabyte of text) are checked in constant memory.
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { readElf } from "../../src/elf/reader.js";
import { writeElf } from "../../src/elf/writer.js";
/** Section header line of readelf -SW: [Nr] Name Type Address Off Size ES Flg Lk Inf Al. One type name has spaces. */
const SHDR_LINE = /^(\s*\[\s*(\d+)\]\s+(\S*)\s+(SYMTAB SECTION INDICES|\S+)\s+[0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)(\s.*)$/;
/** Where each tool starts the output of the next file when given several. */
const FILE_HEADER = {
    readelf: /^File: /,
    objdump: /^\S.*:\s+file format /,
};
/**
 * Layout is not meaning: file offsets, and the sizes of the string tables the
 * writer rebuilds, are dropped. Section offsets and sizes are collected so
 * that contents can be compared byte for byte afterwards.
 */
function normalise(line, shdrs) {
    if (FILE_HEADER.readelf.test(line) || FILE_HEADER.objdump.test(line))
        return "<file>";
    const m = SHDR_LINE.exec(line);
    if (!m)
        return line.replace(/(starting )?at offset 0x[0-9a-f]+/, "");
    const [, head, nr, , type, off, size, tail] = m;
    if (type !== "STRTAB" && type !== "SYMTAB" && type !== "NOBITS")
        shdrs.push({ nr: Number(nr), off: parseInt(off, 16), size: parseInt(size, 16) });
    return `${head} ${type === "STRTAB" ? "-" : size}${tail}`;
}
function lines(cmd, args) {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "inherit"] });
    return createInterface({ input: child.stdout, crlfDelay: Infinity })[Symbol.asyncIterator]();
}
/** Runs `tool` over both file lists and compares the normalised outputs in lockstep. */
async function compareTool(tool, args, inputs, copies, mismatches, shdrs) {
    const a = lines(tool, [...args, ...inputs]);
    const b = lines(tool, [...args, ...copies]);
    // readelf names the file only when given several; objdump always does.
    let file = inputs.length > 1 || tool === "objdump" ? -1 : 0;
    let lineNo = 0;
    for (;;) {
        const [x, y] = await Promise.all([a.next(), b.next()]);
        if (x.done && y.done)
            return;
        const la = x.done ? "<end of output>" : x.value;
        const lb = y.done ? "<end of output>" : y.value;
        if (FILE_HEADER[tool].test(la)) {
            file++;
            lineNo = 0;
        }
        lineNo++;
        const slot = (shdrs[file] ??= [[], []]);
        const na = normalise(la, tool === "readelf" ? slot[0] : []);
        const nb = normalise(lb, tool === "readelf" ? slot[1] : []);
        if (na !== nb && !mismatches.has(file)) {
            mismatches.set(file, `${tool} differs at line ${lineNo}: '${la.trim()}' vs '${lb.trim()}'`);
            // Outputs are out of step from here on: drain both and stop comparing.
            while (!(await a.next()).done)
                ;
            while (!(await b.next()).done)
                ;
            return;
        }
    }
}
/** Round-trips `files` into `outDir` (flat, numbered names) and compares readelf and objdump views. */
export async function roundTrip(files, outDir, batch = 64) {
    mkdirSync(outDir, { recursive: true });
    const result = { files: 0, bytes: 0, mismatches: [] };
    for (let i = 0; i < files.length; i += batch) {
        const inputs = files.slice(i, i + batch);
        const copies = inputs.map((f, j) => {
            const bytes = readFileSync(f);
            result.bytes += bytes.length;
            const copy = join(outDir, `${i + j}.o`);
            writeFileSync(copy, writeElf(readElf(bytes, f)));
            return copy;
        });
        result.mismatches.push(...(await compareObjects(inputs, copies)));
        result.files += inputs.length;
    }
    return result;
}
/** Compares each input with its copy as readelf and objdump see them; one line per pair that differs. */
export async function compareObjects(inputs, copies) {
    const readelf = new Map();
    const objdump = new Map();
    const shdrs = [];
    await Promise.all([
        compareTool("readelf", ["-W", "-S", "-s", "-r", "-g"], inputs, copies, readelf, shdrs),
        compareTool("objdump", ["-d", "-r"], inputs, copies, objdump, []),
    ]);
    const out = [];
    inputs.forEach((f, j) => {
        const why = readelf.get(j) ?? contentDifference(f, copies[j], shdrs[j]) ?? objdump.get(j);
        if (why)
            out.push(`${f}: ${why}`);
    });
    return out;
}
function contentDifference(a, b, shdrs) {
    if (!shdrs)
        return "readelf printed nothing";
    const [sa, sb] = shdrs;
    const ba = readFileSync(a);
    const bb = readFileSync(b);
    for (const x of sa) {
        const y = sb.find((s) => s.nr === x.nr);
        if (!y || !ba.subarray(x.off, x.off + x.size).equals(bb.subarray(y.off, y.off + y.size)))
            return `contents of section [${x.nr}] differ`;
    }
    return undefined;
}
//# sourceMappingURL=roundtrip.js.map