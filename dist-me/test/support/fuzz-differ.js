// Run by fuzz.test.ts as a child process (so that a hang is a timeout, not a
// stuck test runner): reads and diffs mutated pairs of small objects and
// prints one JSON line: how many pairs ran, and every crash (an exception
// other than ElfError or KpatchError) with its seed and iteration.
// Arguments: ORIG.o PATCHED.o COUNT SEED
import { readFileSync } from "node:fs";
import { readElf } from "../../src/elf/reader.js";
import { ElfError, ElfFile } from "../../src/elf/model.js";
import { SHT } from "../../src/elf/constants.js";
import { diffObjects } from "../../src/diff/diff.js";
import { KpatchError } from "../../src/errors.js";
const [origFile, patchedFile, countArg, seedArg] = process.argv.slice(2);
const pristine = [readFileSync(origFile), readFileSync(patchedFile)];
let state = Number(seedArg) >>> 0 || 1;
/** xorshift32: the same seed gives the same mutations. */
const random = (n) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % Math.max(1, n);
};
/** Where each table of an object lies in its file, to aim mutations at fields. */
function layout(bytes) {
    const elf = readElf(bytes, "pristine");
    const at = (s) => s.data.byteOffset - bytes.byteOffset;
    return {
        symtab: elf.sections
            .filter((s) => s.type === SHT.SYMTAB)
            .map((s) => ({ at: at(s), count: s.data.length / 24 })),
        content: elf.sections
            .filter((s) => s.type === SHT.PROGBITS && s.data.length > 0)
            .map((s) => ({ at: at(s), size: s.data.length })),
        symbols: elf.symbols.length,
        rela: elf.sections
            .filter((s) => s.type === SHT.RELA)
            .map((s) => ({
            at: at(s),
            count: s.data.length / 24,
            size: s.infoSection ? Number(ElfFile.size(s.infoSection)) : 0,
        })),
        shoff: Number(bytes.readBigUInt64LE(40)),
        shnum: bytes.readUInt16LE(60),
    };
}
const layouts = pristine.map(layout);
function mutate(which) {
    const b = Buffer.from(pristine[which]);
    const l = layouts[which];
    const pick = (list) => list[random(list.length)];
    for (let k = random(4) ? 1 : 2 + random(2); k > 0; k--) {
        switch (random(10)) {
            case 0: // stray bytes anywhere
                for (let n = 1 + random(8); n > 0; n--)
                    b[random(b.length)] = random(256);
                break;
            case 1: {
                // a symbol's value or size, near its section's end or far past it
                const t = pick(l.symtab);
                if (!t || t.count < 2)
                    break;
                const o = t.at + 24 * (1 + random(t.count - 1));
                b.writeBigUInt64LE(BigInt(random(2) ? random(4096) : 2 ** 31 + random(2 ** 31)), o + 8 + 8 * random(2));
                break;
            }
            case 2: {
                // a relocation's place, type or symbol
                const r = pick(l.rela.filter((x) => x.count > 0));
                if (!r)
                    break;
                const o = r.at + 24 * random(r.count);
                const field = random(3);
                if (field === 0)
                    b.writeBigUInt64LE(BigInt(Math.max(0, r.size - 4 + random(12))), o);
                else if (field === 1)
                    b.writeUInt32LE(random(48), o + 8);
                else
                    b.writeUInt32LE(random(400), o + 12);
                break;
            }
            case 3: {
                // a section header field: size, offset, link, info, entry size
                const o = l.shoff + 64 * random(l.shnum);
                const field = pick([32, 24, 40, 44, 56]);
                if (o + field + 8 > b.length)
                    break;
                if (field === 40 || field === 44)
                    b.writeUInt32LE(random(l.shnum + 3), o + field);
                else
                    b.writeBigUInt64LE(BigInt(random(2) ? random(b.length + 64) : random(2 ** 30)), o + field);
                break;
            }
            case 4: // cut short
                return b.subarray(0, random(b.length));
            case 5: // the ELF header's counts and offsets
                b.writeUInt16LE(random(2) ? random(l.shnum + 4) : random(65536), pick([60, 62]));
                break;
            case 6:
            case 7: {
                // what sections hold: code, data, strings, tables
                const c = pick(l.content);
                if (c)
                    for (let n = 1 + random(4); n > 0; n--)
                        b[c.at + random(c.size)] = random(256);
                break;
            }
            default: {
                // a relocation's addend, or another of the object's symbols
                const r = pick(l.rela.filter((x) => x.count > 0));
                if (!r)
                    break;
                const o = r.at + 24 * random(r.count);
                if (random(2))
                    b.writeBigInt64LE(BigInt(random(512) - 256), o + 16);
                else
                    b.writeUInt32LE(1 + random(l.symbols), o + 12);
            }
        }
    }
    return b;
}
const crashes = [];
const outcomes = { diffed: 0, elfError: 0, diffError: 0 };
let slowest = 0;
const count = Number(countArg);
for (let i = 0; i < count; i++) {
    const seedNow = state;
    const which = random(3);
    const orig = which === 1 ? pristine[0] : mutate(0);
    const patched = which === 0 ? pristine[1] : mutate(1);
    const t0 = performance.now();
    try {
        diffObjects(readElf(orig, "orig.o"), readElf(patched, "patched.o"), { outFile: "out.o" });
        outcomes.diffed++;
    }
    catch (e) {
        if (e instanceof ElfError)
            outcomes.elfError++;
        else if (e instanceof KpatchError)
            outcomes.diffError++;
        else {
            crashes.push(`iteration ${i} (state ${seedNow}): ${e instanceof Error ? (e.stack ?? e.message).split("\n").slice(0, 3).join(" | ") : String(e)}`);
        }
    }
    slowest = Math.max(slowest, performance.now() - t0);
}
console.log(JSON.stringify({ pairs: count, ...outcomes, crashes, slowestMs: Math.round(slowest) }));
//# sourceMappingURL=fuzz-differ.js.map