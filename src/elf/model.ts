// The editable model of an ELF64 relocatable object. Cross references are
// object references, never indices: indices are assigned when the object is
// written, so sections, symbols and relocations can be added, removed and
// renamed freely in between.
import { KpatchError } from "../errors.js";
import { SHT, SHN, STB, STT } from "./constants.js";

/** A malformed or unsupported ELF file, named with what is wrong where. */
export class ElfError extends KpatchError {
  constructor(file: string, detail: string) {
    super("input", detail, { file });
    this.name = "ElfError";
  }
}

export interface ElfHeader {
  /** e_ident[EI_OSABI] and e_ident[EI_ABIVERSION], kept as read. */
  osabi: number;
  abiversion: number;
  type: number;
  machine: number;
  flags: number;
}

export interface Relocation {
  offset: bigint;
  type: number;
  symbol: ElfSymbol | undefined;
  addend: bigint;
}

export interface ElfSection {
  name: string;
  type: number;
  flags: bigint;
  addr: bigint;
  addralign: bigint;
  entsize: bigint;
  /** sh_link as a section (symbol table, string table, link-order target). */
  link: ElfSection | undefined;
  /** sh_info as a section: the section a RELA applies to, or an SHF_INFO_LINK target. */
  infoSection: ElfSection | undefined;
  /** sh_info as a symbol: the signature of a SHT_GROUP. */
  infoSymbol: ElfSymbol | undefined;
  /** sh_info as read, for other section types; recomputed for SYMTAB. */
  info: number;
  /** Contents; empty for SHT_NOBITS (see `size`) and rebuilt for tables the writer owns. */
  data: Uint8Array;
  /** sh_size for SHT_NOBITS. For every other type the size is data.length. */
  nobitsSize: bigint;
  /** SHT_RELA: the relocations, in order. */
  relocations: Relocation[];
  /** SHT_GROUP: the flag word (GRP_COMDAT) and member sections. */
  groupFlags: number;
  groupMembers: ElfSection[];
  /** Index in the file this section was read from (0 for new sections). */
  readonly inputIndex: number;
}

export interface ElfSymbol {
  name: string;
  value: bigint;
  size: bigint;
  type: number;
  bind: number;
  /** st_other: visibility in the low two bits. */
  other: number;
  /** The section the symbol is defined in, if any. */
  section: ElfSection | undefined;
  /** st_shndx when `section` is undefined: SHN.UNDEF, ABS, COMMON or LIVEPATCH. */
  shndx: number;
  readonly inputIndex: number;
}

/**
 * An ELF64 relocatable object. `sections` excludes the null section at index
 * 0; `symbols` the null symbol.
 */
export class ElfFile {
  readonly sections: ElfSection[] = [];
  readonly symbols: ElfSymbol[] = [];
  private byName?: Map<string, ElfSection>;
  private symByName?: Map<string, ElfSymbol[]>;

  constructor(
    readonly file: string,
    readonly header: ElfHeader,
  ) {}

  /** The first section with this name. Constant time; the index is rebuilt after edits. */
  section(name: string): ElfSection | undefined {
    if (!this.byName) {
      this.byName = new Map();
      for (const s of this.sections) if (!this.byName.has(s.name)) this.byName.set(s.name, s);
    }
    return this.byName.get(name);
  }

  /** Every symbol with this name (local names repeat across translation units). */
  symbolsNamed(name: string): ElfSymbol[] {
    if (!this.symByName) {
      this.symByName = new Map();
      for (const s of this.symbols) {
        const list = this.symByName.get(s.name);
        if (list) list.push(s);
        else this.symByName.set(s.name, [s]);
      }
    }
    return this.symByName.get(name) ?? [];
  }

  symbol(name: string): ElfSymbol | undefined {
    return this.symbolsNamed(name)[0];
  }

  /** The STT_SECTION symbol of a section, if the object has one. */
  sectionSymbol(sec: ElfSection): ElfSymbol | undefined {
    return this.symbols.find((s) => s.type === STT.SECTION && s.section === sec);
  }

  /** sh_size of a section. */
  static size(sec: ElfSection): bigint {
    return sec.type === SHT.NOBITS ? sec.nobitsSize : BigInt(sec.data.length);
  }

  /** The relocation section that applies to `sec`, if any. */
  relocationsFor(sec: ElfSection): ElfSection | undefined {
    return this.sections.find((r) => r.type === SHT.RELA && r.infoSection === sec);
  }

  addSection(init: Partial<ElfSection> & { name: string; type: number }): ElfSection {
    const sec: ElfSection = {
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

  addSymbol(init: Partial<ElfSymbol> & { name: string }): ElfSymbol {
    const sym: ElfSymbol = {
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
  removeSection(sec: ElfSection): void {
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
      throw new ElfError(
        this.file,
        `cannot remove section ${sec.name}: still referenced by ${blockers.join(", ")}`,
      );
    if (rela) this.sections.splice(this.sections.indexOf(rela), 1);
    for (const g of this.sections)
      g.groupMembers = g.groupMembers.filter((m) => m !== sec && m !== rela);
    const gone = new Set(this.symbols.filter((s) => s.section === sec));
    this.symbols.splice(0, this.symbols.length, ...this.symbols.filter((s) => !gone.has(s)));
    this.sections.splice(this.sections.indexOf(sec), 1);
    this.invalidate();
  }

  /** Removes a symbol. Throws if a relocation or a group still refers to it. */
  removeSymbol(sym: ElfSymbol): void {
    for (const s of this.sections) {
      if (s.infoSymbol === sym || s.relocations.some((r) => r.symbol === sym)) {
        throw new ElfError(
          this.file,
          `cannot remove symbol ${sym.name}: still referenced by section ${s.name}`,
        );
      }
    }
    this.symbols.splice(this.symbols.indexOf(sym), 1);
    this.invalidate();
  }

  /** Call after renaming sections or symbols, so that name lookups see the new names. */
  invalidate(): void {
    this.byName = undefined;
    this.symByName = undefined;
  }
}

/** `.modinfo` as key/value pairs, in order (keys such as import_ns repeat). */
export function modinfo(elf: ElfFile): [string, string][] {
  const sec = elf.section(".modinfo");
  if (!sec) return [];
  const text = new TextDecoder().decode(sec.data);
  return text
    .split("\0")
    .filter((e) => e.length > 0)
    .map((e) => {
      const eq = e.indexOf("=");
      return eq < 0 ? [e, ""] : [e.slice(0, eq), e.slice(eq + 1)];
    });
}
