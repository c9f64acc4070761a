// Reads an ELF64 little-endian object into the editable model. Every offset,
// size and index is checked against the buffer before use, so malformed input
// gives an ElfError naming the file and the fault, never a crash or a hang.
import { ET_REL, relocWidth, SHF, SHN, SHT, STT } from "./constants.js";
import { ElfError, ElfFile } from "./model.js";
const EHDR_SIZE = 64;
const SHDR_SIZE = 64;
const SYM_SIZE = 24;
const RELA_SIZE = 24;
/** Bounds-checked little-endian reads over one buffer. */
class Cursor {
    bytes;
    file;
    view;
    constructor(bytes, file) {
        this.bytes = bytes;
        this.file = file;
        this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    fail(detail) {
        throw new ElfError(this.file, detail);
    }
    check(offset, size, what) {
        const off = BigInt(offset);
        const end = off + BigInt(size);
        if (off < 0n || end > BigInt(this.bytes.length)) {
            this.fail(`${what} at offset ${off} size ${BigInt(size)} lies outside the file ` +
                `(${this.bytes.length} bytes): truncated or corrupt`);
        }
        return Number(off);
    }
    u8(o) {
        return this.view.getUint8(o);
    }
    u16(o) {
        return this.view.getUint16(o, true);
    }
    u32(o) {
        return this.view.getUint32(o, true);
    }
    u64(o) {
        return this.view.getBigUint64(o, true);
    }
    i64(o) {
        return this.view.getBigInt64(o, true);
    }
}
function cString(c, table, index, what) {
    if (index >= table.length && !(index === 0 && table.length === 0)) {
        c.fail(`${what}: name offset ${index} outside its string table (${table.length} bytes)`);
    }
    let end = index;
    // A name longer than any the kernel makes (KSYM_NAME_LEN is 512) is hostile:
    // thousands of symbols sharing one huge name would exhaust memory.
    const limit = Math.min(table.length, index + MAX_NAME);
    while (end < limit && table[end] !== 0)
        end++;
    if (end === index + MAX_NAME)
        c.fail(`${what}: name at offset ${index} is longer than ${MAX_NAME} bytes`);
    if (end >= table.length && table.length > 0)
        c.fail(`${what}: name at offset ${index} is not NUL-terminated`);
    return decoder.decode(table.subarray(index, end));
}
const decoder = new TextDecoder("utf-8", { fatal: false });
const MAX_NAME = 4096;
export function readElf(bytes, file, opts = {}) {
    const c = new Cursor(bytes, file);
    if (bytes.length < EHDR_SIZE)
        c.fail(`${bytes.length} bytes: too short for an ELF header`);
    if (c.u32(0) !== 0x464c457f)
        c.fail("not an ELF file (bad magic)");
    if (c.u8(4) !== 2)
        c.fail(`ELF class ${c.u8(4)}: only 64-bit ELF objects are supported`);
    if (c.u8(5) !== 1)
        c.fail(`ELF data encoding ${c.u8(5)}: only little-endian objects are supported`);
    if (c.u8(6) !== 1)
        c.fail(`ELF version ${c.u8(6)} is not 1`);
    const elf = new ElfFile(file, {
        osabi: c.u8(7),
        abiversion: c.u8(8),
        type: c.u16(16),
        machine: c.u16(18),
        flags: c.u32(48),
    });
    const shoff = c.u64(40);
    const shentsize = c.u16(58);
    let shnum = c.u16(60);
    let shstrndx = c.u16(62);
    if (shoff === 0n) {
        if (shnum !== 0)
            c.fail("section count without a section header table");
        return elf;
    }
    if (shentsize !== SHDR_SIZE)
        c.fail(`section header entry size ${shentsize}, expected ${SHDR_SIZE}`);
    c.check(shoff, SHDR_SIZE, "section header 0");
    // Extended numbering: counts that do not fit in 16 bits live in section header 0.
    if (shnum === 0)
        shnum = Number(c.u64(Number(shoff) + 32));
    if (shstrndx === SHN.XINDEX)
        shstrndx = c.u32(Number(shoff) + 40);
    c.check(shoff, BigInt(shnum) * BigInt(SHDR_SIZE), `section header table (${shnum} entries)`);
    const raw = [];
    for (let i = 0; i < shnum; i++) {
        const o = Number(shoff) + i * SHDR_SIZE;
        const align = c.u64(o + 48);
        if (i > 0 && (align & (align - 1n)) !== 0n)
            c.fail(`section ${i}: alignment ${align} is not a power of two`);
        raw.push({
            name: c.u32(o),
            type: c.u32(o + 4),
            flags: c.u64(o + 8),
            addr: c.u64(o + 16),
            offset: c.u64(o + 24),
            size: c.u64(o + 32),
            link: c.u32(o + 40),
            info: c.u32(o + 44),
            addralign: c.u64(o + 48),
            entsize: c.u64(o + 56),
        });
    }
    if (shstrndx === 0 || shstrndx >= shnum)
        c.fail(`section name table index ${shstrndx} out of range (${shnum} sections)`);
    const contents = (i) => {
        const s = raw[i];
        if (s.type === SHT.NOBITS || s.type === SHT.NULL)
            return new Uint8Array(0);
        const off = c.check(s.offset, s.size, `contents of section ${i}`);
        return bytes.subarray(off, off + Number(s.size));
    };
    const shstrtab = contents(shstrndx);
    const secs = [];
    for (let i = 1; i < shnum; i++) {
        const s = raw[i];
        secs.push({
            name: cString(c, shstrtab, s.name, `section ${i}`),
            type: s.type,
            flags: s.flags,
            addr: s.addr,
            addralign: s.addralign,
            entsize: s.entsize,
            link: undefined,
            infoSection: undefined,
            infoSymbol: undefined,
            info: s.info,
            data: contents(i),
            nobitsSize: s.type === SHT.NOBITS ? s.size : 0n,
            relocations: [],
            groupFlags: 0,
            groupMembers: [],
            inputIndex: i,
        });
    }
    const sectionAt = (index, what) => {
        if (index === 0 || index >= shnum)
            c.fail(`${what}: section index ${index} out of range (${shnum} sections)`);
        return secs[index - 1];
    };
    for (const sec of secs) {
        const r = raw[sec.inputIndex];
        if (r.link !== 0)
            sec.link = sectionAt(r.link, `sh_link of section ${sec.name}`);
        if (sec.type === SHT.RELA || sec.type === SHT.REL || (sec.flags & SHF.INFO_LINK) !== 0n) {
            if (r.info !== 0)
                sec.infoSection = sectionAt(r.info, `sh_info of section ${sec.name}`);
        }
    }
    // Not push(...secs): spreading 100,000 arguments overflows the stack.
    for (const sec of secs)
        elf.sections.push(sec);
    const symtabs = secs.filter((s) => s.type === SHT.SYMTAB);
    if (symtabs.length > 1)
        c.fail(`${symtabs.length} symbol tables; a relocatable object has one`);
    const symtab = symtabs[0];
    const symbols = [];
    if (symtab && opts.symbols !== false)
        readSymbols(c, elf, secs, symtab, symbols, sectionAt);
    // `what` is a function: building a message for each of millions of
    // relocations would cost more than reading them.
    const symbolAt = (index, what) => {
        if (index === 0)
            return undefined;
        if (index > symbols.length)
            c.fail(`${what()}: symbol index ${index} out of range (${symbols.length + 1} symbols)`);
        return symbols[index - 1];
    };
    for (const sec of secs) {
        if (sec.type === SHT.REL)
            c.fail(`section ${sec.name}: SHT_REL relocations are not used on x86-64 and not supported`);
        const withSymbols = opts.symbols !== false;
        const wanted = opts.relocations instanceof Set ? opts.relocations.has(sec.name) : opts.relocations !== false;
        if (sec.type === SHT.RELA && wanted && withSymbols) {
            readRelocations(c, sec, symtab, symbolAt, elf.header.type === ET_REL);
        }
        if (sec.type === SHT.GROUP) {
            if (sec.link !== symtab)
                c.fail(`group section ${sec.name} does not link to the symbol table`);
            const words = sec.data.length / 4;
            if (!Number.isInteger(words) || words < 1)
                c.fail(`group section ${sec.name} has size ${sec.data.length}, not a non-empty multiple of 4`);
            const base = sec.data.byteOffset - bytes.byteOffset;
            sec.groupFlags = c.u32(base);
            for (let w = 1; w < words; w++)
                sec.groupMembers.push(sectionAt(c.u32(base + 4 * w), `member of group ${sec.name}`));
            if (withSymbols)
                sec.infoSymbol = symbolAt(sec.info, () => `signature of group ${sec.name}`);
        }
    }
    return elf;
}
function readSymbols(c, elf, secs, symtab, out, sectionAt) {
    if (symtab.entsize !== BigInt(SYM_SIZE))
        c.fail(`symbol table entry size ${symtab.entsize}, expected ${SYM_SIZE}`);
    if (symtab.data.length % SYM_SIZE !== 0)
        c.fail(`symbol table size ${symtab.data.length} is not a multiple of ${SYM_SIZE}`);
    const strtab = symtab.link;
    if (!strtab || strtab.type !== SHT.STRTAB)
        c.fail("symbol table does not link to a string table");
    const count = symtab.data.length / SYM_SIZE;
    const shndxSec = secs.find((s) => s.type === SHT.SYMTAB_SHNDX && s.link === symtab);
    if (shndxSec && shndxSec.data.length < count * 4)
        c.fail(`extended section index table ${shndxSec.name} is shorter than the symbol table`);
    const base = symtab.data.byteOffset - c.bytes.byteOffset;
    const xbase = shndxSec ? shndxSec.data.byteOffset - c.bytes.byteOffset : 0;
    for (let i = 1; i < count; i++) {
        const o = base + i * SYM_SIZE;
        const infoByte = c.u8(o + 4);
        const rawShndx = c.u16(o + 6);
        const what = `symbol ${i}`;
        // Reserved indexes (ABS, COMMON, LIVEPATCH...) are kept as numbers; XINDEX
        // defers to the extension table.
        let shndx = rawShndx;
        if (rawShndx === SHN.XINDEX) {
            if (!shndxSec)
                c.fail(`${what} uses an extended section index but the object has no SHT_SYMTAB_SHNDX`);
            shndx = c.u32(xbase + 4 * i);
        }
        const inSection = rawShndx === SHN.XINDEX || (rawShndx !== SHN.UNDEF && rawShndx < SHN.LORESERVE);
        out.push({
            name: cString(c, strtab.data, c.u32(o), what),
            value: c.u64(o + 8),
            size: c.u64(o + 16),
            type: infoByte & 0xf,
            bind: infoByte >> 4,
            other: c.u8(o + 5),
            section: inSection ? sectionAt(shndx, what) : undefined,
            shndx: inSection ? 0 : shndx,
            inputIndex: i,
        });
    }
    // In a relocatable object a value is an offset: the differ reads the symbol's bytes.
    if (elf.header.type === ET_REL) {
        for (const sym of out) {
            if (!sym.section || sym.type === STT.SECTION)
                continue;
            const size = ElfFile.size(sym.section);
            if (sym.value > size || sym.value + sym.size > size) {
                c.fail(`symbol ${sym.name || sym.inputIndex} (${sym.value}+${sym.size}) ` +
                    `runs past the end of ${sym.section.name} (${size} bytes)`);
            }
        }
    }
    for (const sym of out)
        elf.symbols.push(sym);
}
function readRelocations(c, sec, symtab, symbolAt, relocatable) {
    if (sec.entsize !== BigInt(RELA_SIZE))
        c.fail(`relocation section ${sec.name} entry size ${sec.entsize}, expected ${RELA_SIZE}`);
    if (sec.data.length % RELA_SIZE !== 0)
        c.fail(`relocation section ${sec.name} size ${sec.data.length} is not a multiple of ${RELA_SIZE}`);
    if (!symtab || sec.link !== symtab)
        c.fail(`relocation section ${sec.name} does not link to the symbol table`);
    const base = sec.data.byteOffset - c.bytes.byteOffset;
    const count = sec.data.length / RELA_SIZE;
    const at = (i) => base + i * RELA_SIZE;
    // One message function for all of them, naming the one `i` is at.
    let i = 0;
    const what = () => `relocation ${i} of ${sec.name}`;
    for (i = 0; i < count; i++)
        symbolAt(c.u32(at(i) + 12), what);
    // In a relocatable object, the place each one patches must lie in its section, whole.
    const target = sec.infoSection;
    if (target && relocatable) {
        const size = Number(ElfFile.size(target));
        for (i = 0; i < count; i++) {
            const width = relocWidth(c.u32(at(i) + 8))?.size ?? 0;
            // As a number: an offset past 2^53 rounds to one still past any section's end.
            const offset = c.u32(at(i) + 4) * 2 ** 32 + c.u32(at(i));
            if (offset + width > size || (target.type === SHT.NOBITS && width > 0)) {
                c.fail(`relocation ${i} of ${sec.name} at ${c.u64(at(i))} (${width} bytes) ` +
                    `lies outside ${target.name} (${size} bytes)`);
            }
        }
    }
    // Checked now, made when first asked for: most are debug info's, which no diff
    // reads, and making them took half the time of reading a kernel object.
    let relocs;
    Object.defineProperty(sec, "relocations", {
        get: () => (relocs ??= Array.from({ length: count }, (_, k) => ({
            offset: c.u64(at(k)),
            type: c.u32(at(k) + 8),
            symbol: symbolAt(c.u32(at(k) + 12), what),
            addend: c.i64(at(k) + 16),
        }))),
        set: (v) => {
            relocs = v;
        },
        enumerable: true,
        configurable: true,
    });
}
//# sourceMappingURL=reader.js.map