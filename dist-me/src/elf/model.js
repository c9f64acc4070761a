// The editable model of an ELF64 relocatable object. Cross references are
// object references, never indices: indices are assigned when the object is
// written, so sections, symbols and relocations can be added, removed and
// renamed freely in between.
import { KpatchError } from "../errors.js";
import { SHT, SHN, STB, STT } from "./constants.js";
/** A malformed or unsupported ELF file, named with what is wrong where. */
export class ElfError extends KpatchError {
    constructor(file, detail) {
        super("input", detail, { file });
        this.name = "ElfError";
    }
}
/**
 * An ELF64 relocatable object. `sections` excludes the null section at index
 * 0; `symbols` the null symbol.
 */
export class ElfFile {
    file;
    header;
    sections = [];
    symbols = [];
    byName;
    symByName;
    constructor(file, header) {
        this.file = file;
        this.header = header;
    }
    /** The first section with this name. Constant time; the index is rebuilt after edits. */
    section(name) {
        if (!this.byName) {
            this.byName = new Map();
            for (const s of this.sections)
                if (!this.byName.has(s.name))
                    this.byName.set(s.name, s);
        }
        return this.byName.get(name);
    }
    /** Every symbol with this name (local names repeat across translation units). */
    symbolsNamed(name) {
        if (!this.symByName) {
            this.symByName = new Map();
            for (const s of this.symbols) {
                const list = this.symByName.get(s.name);
                if (list)
                    list.push(s);
                else
                    this.symByName.set(s.name, [s]);
            }
        }
        return this.symByName.get(name) ?? [];
    }
    symbol(name) {
        return this.symbolsNamed(name)[0];
    }
    /** The STT_SECTION symbol of a section, if the object has one. */
    sectionSymbol(sec) {
        return this.symbols.find((s) => s.type === STT.SECTION && s.section === sec);
    }
    /** sh_size of a section. */
    static size(sec) {
        return sec.type === SHT.NOBITS ? sec.nobitsSize : BigInt(sec.data.length);
    }
    /** The relocation section that applies to `sec`, if any. */
    relocationsFor(sec) {
        return this.sections.find((r) => r.type === SHT.RELA && r.infoSection === sec);
    }
    addSection(init) {
        const sec = {
            flags: 0n,
            addr: 0n,
            addralign: 1n,
            entsize: 0n,
            link: undefined,
            infoSection: undefined,
            infoSymbol: undefined,
            info: 0,
            data: new Uint8Array(0),
            nobitsSize: 0n,
            relocations: [],
            groupFlags: 0,
            groupMembers: [],
            inputIndex: 0,
            ...init,
        };
        this.sections.push(sec);
        this.invalidate();
        return sec;
    }
    addSymbol(init) {
        const sym = {
            value: 0n,
            size: 0n,
            type: STT.NOTYPE,
            bind: STB.LOCAL,
            other: 0,
            section: undefined,
            shndx: SHN.UNDEF,
            inputIndex: 0,
            ...init,
        };
        this.symbols.push(sym);
        this.invalidate();
        return sym;
    }
    /**
     * Removes a section with its relocation section, its section symbol and its
     * group membership. Refuses, naming them, while symbols defined in it,
     * relocations pointing into it, or section links still refer to it: a
     * dangling reference would be written as a wrong index.
     */
    removeSection(sec) {
        const rela = this.relocationsFor(sec);
        const blockers = [
            ...this.sections
                .filter((s) => s !== sec && s !== rela && (s.link === sec || s.infoSection === sec))
                .map((s) => `section ${s.name}`),
            ...this.symbols
                .filter((s) => s.section === sec && s.type !== STT.SECTION)
                .map((s) => `symbol ${s.name}`),
            ...this.sections
                .filter((s) => s !== rela && s.relocations.some((r) => r.symbol?.section === sec))
                .map((s) => `relocations in ${s.name}`),
        ];
        if (blockers.length)
            throw new ElfError(this.file, `cannot remove section ${sec.name}: still referenced by ${blockers.join(", ")}`);
        if (rela)
            this.sections.splice(this.sections.indexOf(rela), 1);
        for (const g of this.sections)
            g.groupMembers = g.groupMembers.filter((m) => m !== sec && m !== rela);
        const gone = new Set(this.symbols.filter((s) => s.section === sec));
        this.symbols.splice(0, this.symbols.length, ...this.symbols.filter((s) => !gone.has(s)));
        this.sections.splice(this.sections.indexOf(sec), 1);
        this.invalidate();
    }
    /** Removes a symbol. Throws if a relocation or a group still refers to it. */
    removeSymbol(sym) {
        for (const s of this.sections) {
            if (s.infoSymbol === sym || s.relocations.some((r) => r.symbol === sym)) {
                throw new ElfError(this.file, `cannot remove symbol ${sym.name}: still referenced by section ${s.name}`);
            }
        }
        this.symbols.splice(this.symbols.indexOf(sym), 1);
        this.invalidate();
    }
    /** Call after renaming sections or symbols, so that name lookups see the new names. */
    invalidate() {
        this.byName = undefined;
        this.symByName = undefined;
    }
}
/** `.modinfo` as key/value pairs, in order (keys such as import_ns repeat). */
export function modinfo(elf) {
    const sec = elf.section(".modinfo");
    if (!sec)
        return [];
    const text = new TextDecoder().decode(sec.data);
    return text
        .split("\0")
        .filter((e) => e.length > 0)
        .map((e) => {
        const eq = e.indexOf("=");
        return eq < 0 ? [e, ""] : [e.slice(0, eq), e.slice(eq + 1)];
    });
}
//# sourceMappingURL=model.js.map