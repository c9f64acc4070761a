// Writes the model back to an ELF64 relocatable object. The tables that hold
// indices or names (.shstrtab, .strtab, .symtab, SHT_SYMTAB_SHNDX, every
// SHT_RELA and SHT_GROUP) are rebuilt from the model; other contents are
// written as they are.
import { SHN, SHT, STB } from "./constants.js";
import { ElfError, ElfFile } from "./model.js";
const EHDR_SIZE = 64;
const SHDR_SIZE = 64;
const SYM_SIZE = 24;
const RELA_SIZE = 24;
/** Larger than any kernel object; beyond it, alignments or sizes are corrupt. */
const MAX_OUTPUT = 2 ** 31;
/** A string table with each distinct string stored once. */
class StringTable {
    offsets = new Map();
    parts = [new Uint8Array(1)];
    size = 1;
    static encoder = new TextEncoder();
    add(s) {
        if (s === "")
            return 0;
        let off = this.offsets.get(s);
        if (off === undefined) {
            off = this.size;
            const bytes = StringTable.encoder.encode(s);
            this.parts.push(bytes, new Uint8Array(1));
            this.size += bytes.length + 1;
            this.offsets.set(s, off);
        }
        return off;
    }
    bytes() {
        return concat(this.parts, this.size);
    }
}
function concat(parts, size) {
    const out = new Uint8Array(size);
    let o = 0;
    for (const p of parts) {
        out.set(p, o);
        o += p.length;
    }
    return out;
}
/**
 * Serialises `elf`. Local symbols are moved before global ones (stable order
 * otherwise), as the gABI requires. The tables the writer owns are created
 * when the model lacks them.
 */
export function writeElf(elf) {
    const ensure = (type, name, init = {}) => elf.sections.find((s) => s.type === type && (type !== SHT.STRTAB || s.name === name)) ??
        elf.addSection({ name, type, ...init });
    const shstrtab = ensure(SHT.STRTAB, ".shstrtab");
    // An object with no symbols (a stripped note object) keeps having no symbol table.
    const hasSymtab = elf.symbols.length > 0 || elf.sections.some((s) => s.type === SHT.SYMTAB);
    const symtab = hasSymtab ? ensure(SHT.SYMTAB, ".symtab", { addralign: 8n }) : undefined;
    const strtab = symtab && (symtab.link ??= ensure(SHT.STRTAB, ".strtab"));
    const index = new Indices(elf);
    writeSymbols(elf, index, symtab, strtab);
    for (const sec of elf.sections) {
        if (sec.type === SHT.RELA) {
            sec.data = relaBytes(sec, index);
            sec.link = symtab;
        }
        if (sec.type === SHT.GROUP)
            sec.data = groupBytes(sec, index);
    }
    // .shstrtab must hold its own name before its contents are fixed.
    const secNames = new StringTable();
    const nameOffsets = elf.sections.map((s) => secNames.add(s.name));
    shstrtab.data = secNames.bytes();
    return image(elf, index, shstrtab, nameOffsets);
}
/** Section and symbol indices as written: sections in model order, local symbols first. */
class Indices {
    elf;
    sections = new Map();
    symbols = new Map();
    ordered;
    constructor(elf) {
        this.elf = elf;
        elf.sections.forEach((s, i) => this.sections.set(s, i + 1));
        this.ordered = [
            ...elf.symbols.filter((s) => s.bind === STB.LOCAL),
            ...elf.symbols.filter((s) => s.bind !== STB.LOCAL),
        ];
        this.ordered.forEach((s, i) => this.symbols.set(s, i + 1));
    }
    fail(detail) {
        throw new ElfError(this.elf.file, detail);
    }
    /** A section added after the indices were taken goes last. */
    added(sec) {
        this.sections.set(sec, this.elf.sections.length);
    }
    section(sec, what) {
        return (this.sections.get(sec) ??
            this.fail(`${what} refers to section ${sec.name}, which is not in the object`));
    }
    // `what` is a function: a message per relocation would cost more than writing it.
    symbol(sym, what) {
        return sym === undefined
            ? 0
            : (this.symbols.get(sym) ??
                this.fail(`${what()} refers to symbol ${sym.name}, which is not in the object`));
    }
}
/** .symtab, .strtab, and SHT_SYMTAB_SHNDX where a section index needs more than 16 bits. */
function writeSymbols(elf, index, symtab, strtab) {
    const ordered = index.ordered;
    const needXindex = ordered.some((s) => s.section && index.section(s.section, `symbol ${s.name}`) >= SHN.LORESERVE);
    let shndxSec = elf.sections.find((s) => s.type === SHT.SYMTAB_SHNDX);
    if (needXindex && !shndxSec) {
        shndxSec = elf.addSection({
            name: ".symtab_shndx",
            type: SHT.SYMTAB_SHNDX,
            addralign: 4n,
            entsize: 4n,
        });
        index.added(shndxSec);
    }
    const names = new StringTable();
    const symData = new Uint8Array((ordered.length + 1) * SYM_SIZE);
    const symView = new DataView(symData.buffer);
    const xData = shndxSec ? new Uint8Array((ordered.length + 1) * 4) : undefined;
    ordered.forEach((s, i) => {
        const o = (i + 1) * SYM_SIZE;
        let shndx = s.shndx;
        if (s.section) {
            const idx = index.section(s.section, `symbol ${s.name}`);
            shndx = idx >= SHN.LORESERVE ? SHN.XINDEX : idx;
            // The extension table holds an index only where st_shndx says XINDEX, zero elsewhere.
            if (xData && shndx === SHN.XINDEX)
                new DataView(xData.buffer).setUint32((i + 1) * 4, idx, true);
        }
        symView.setUint32(o, names.add(s.name), true);
        symView.setUint8(o + 4, (s.bind << 4) | (s.type & 0xf));
        symView.setUint8(o + 5, s.other);
        symView.setUint16(o + 6, shndx, true);
        symView.setBigUint64(o + 8, s.value, true);
        symView.setBigUint64(o + 16, s.size, true);
    });
    if (symtab && strtab) {
        symtab.data = symData;
        symtab.entsize = BigInt(SYM_SIZE);
        const firstGlobal = ordered.findIndex((s) => s.bind !== STB.LOCAL);
        symtab.info = 1 + (firstGlobal < 0 ? ordered.length : firstGlobal);
        strtab.data = names.bytes();
    }
    if (shndxSec && xData) {
        shndxSec.data = xData;
        shndxSec.link = symtab;
    }
}
/** An SHT_GROUP section: its flags word, then its members' indices. */
function groupBytes(sec, index) {
    const words = new DataView(new ArrayBuffer(4 * (1 + sec.groupMembers.length)));
    words.setUint32(0, sec.groupFlags, true);
    sec.groupMembers.forEach((m, i) => words.setUint32(4 * (i + 1), index.section(m, `group ${sec.name}`), true));
    return new Uint8Array(words.buffer);
}
/** The file: header, section contents in order (aligned), section header table. */
function image(elf, index, shstrtab, nameOffsets) {
    const shnum = elf.sections.length + 1;
    const offsets = [];
    let pos = EHDR_SIZE;
    for (const sec of elf.sections) {
        const align = Number(sec.addralign > 1n ? sec.addralign : 1n);
        if (sec.type !== SHT.NOBITS)
            pos = Math.ceil(pos / align) * align;
        offsets.push(pos);
        if (sec.type !== SHT.NOBITS)
            pos += sec.data.length;
    }
    const shoff = Math.ceil(pos / 8) * 8;
    if (shoff + shnum * SHDR_SIZE > MAX_OUTPUT)
        index.fail(`output would be ${shoff} bytes: section alignments or sizes are implausible`);
    const out = new Uint8Array(shoff + shnum * SHDR_SIZE);
    const v = new DataView(out.buffer);
    out.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, elf.header.osabi, elf.header.abiversion]);
    v.setUint16(16, elf.header.type, true);
    v.setUint16(18, elf.header.machine, true);
    v.setUint32(20, 1, true);
    v.setBigUint64(40, BigInt(shoff), true);
    v.setUint32(48, elf.header.flags, true);
    v.setUint16(52, EHDR_SIZE, true);
    v.setUint16(58, SHDR_SIZE, true);
    const shstrndx = index.section(shstrtab, "e_shstrndx");
    // Counts that do not fit in 16 bits go to section header 0 (extended numbering).
    v.setUint16(60, shnum >= SHN.LORESERVE ? 0 : shnum, true);
    v.setUint16(62, shstrndx >= SHN.LORESERVE ? SHN.XINDEX : shstrndx, true);
    if (shnum >= SHN.LORESERVE)
        v.setBigUint64(shoff + 32, BigInt(shnum), true);
    if (shstrndx >= SHN.LORESERVE)
        v.setUint32(shoff + 40, shstrndx, true);
    elf.sections.forEach((sec, i) => {
        if (sec.type !== SHT.NOBITS)
            out.set(sec.data, offsets[i]);
        const h = shoff + (i + 1) * SHDR_SIZE;
        let info = sec.info;
        if (sec.infoSection)
            info = index.section(sec.infoSection, `sh_info of ${sec.name}`);
        else if (sec.type === SHT.GROUP)
            info = index.symbol(sec.infoSymbol, () => `signature of group ${sec.name}`);
        v.setUint32(h, nameOffsets[i], true);
        v.setUint32(h + 4, sec.type, true);
        v.setBigUint64(h + 8, sec.flags, true);
        v.setBigUint64(h + 16, sec.addr, true);
        v.setBigUint64(h + 24, BigInt(offsets[i]), true);
        v.setBigUint64(h + 32, ElfFile.size(sec), true);
        v.setUint32(h + 40, sec.link ? index.section(sec.link, `sh_link of ${sec.name}`) : 0, true);
        v.setUint32(h + 44, info, true);
        v.setBigUint64(h + 48, sec.addralign, true);
        v.setBigUint64(h + 56, sec.entsize, true);
    });
    return out;
}
function relaBytes(sec, index) {
    const data = new Uint8Array(sec.relocations.length * RELA_SIZE);
    const v = new DataView(data.buffer);
    const relocs = sec.relocations;
    for (let i = 0; i < relocs.length; i++) {
        const r = relocs[i];
        const o = i * RELA_SIZE;
        v.setBigUint64(o, r.offset, true);
        // r_info: type in the low word, symbol index in the high word.
        v.setUint32(o + 8, r.type, true);
        v.setUint32(o + 12, index.symbol(r.symbol, () => `relocation ${i} of ${sec.name}`), true);
        v.setBigInt64(o + 16, r.addend, true);
    }
    sec.entsize = BigInt(RELA_SIZE);
    return data;
}
//# sourceMappingURL=writer.js.map