// ELF64 constants used by the kernel's relocatable objects (System V gABI,
// x86-64 psABI, and the Linux livepatch extensions).
export const SHT = {
    NULL: 0,
    PROGBITS: 1,
    SYMTAB: 2,
    STRTAB: 3,
    RELA: 4,
    HASH: 5,
    DYNAMIC: 6,
    NOTE: 7,
    NOBITS: 8,
    REL: 9,
    DYNSYM: 11,
    INIT_ARRAY: 14,
    FINI_ARRAY: 15,
    PREINIT_ARRAY: 16,
    GROUP: 17,
    SYMTAB_SHNDX: 18,
};
export const SHF = {
    WRITE: 0x1n,
    ALLOC: 0x2n,
    EXECINSTR: 0x4n,
    MERGE: 0x10n,
    STRINGS: 0x20n,
    INFO_LINK: 0x40n,
    LINK_ORDER: 0x80n,
    OS_NONCONFORMING: 0x100n,
    GROUP: 0x200n,
    TLS: 0x400n,
    COMPRESSED: 0x800n,
    /** Linux: a relocation section the livepatch core applies (module-elf-format.rst). */
    RELA_LIVEPATCH: 0x00100000n,
};
export const SHN = {
    UNDEF: 0,
    LORESERVE: 0xff00,
    /** Linux: symbol resolved by the livepatch core at patch load time. */
    LIVEPATCH: 0xff20,
    ABS: 0xfff1,
    COMMON: 0xfff2,
    XINDEX: 0xffff,
};
export const STT = {
    NOTYPE: 0,
    OBJECT: 1,
    FUNC: 2,
    SECTION: 3,
    FILE: 4,
    COMMON: 5,
    TLS: 6,
};
export const STB = { LOCAL: 0, GLOBAL: 1, WEAK: 2 };
export const STV = { DEFAULT: 0, INTERNAL: 1, HIDDEN: 2, PROTECTED: 3 };
export const GRP_COMDAT = 1;
export const EM_X86_64 = 62;
export const ET_REL = 1;
export const ET_EXEC = 2;
export const R_X86_64 = {
    NONE: 0,
    _64: 1,
    PC32: 2,
    GOT32: 3,
    PLT32: 4,
    COPY: 5,
    GLOB_DAT: 6,
    JUMP_SLOT: 7,
    RELATIVE: 8,
    GOTPCREL: 9,
    _32: 10,
    _32S: 11,
    _16: 12,
    PC16: 13,
    _8: 14,
    PC8: 15,
    DTPMOD64: 16,
    DTPOFF64: 17,
    TPOFF64: 18,
    TLSGD: 19,
    TLSLD: 20,
    DTPOFF32: 21,
    GOTTPOFF: 22,
    TPOFF32: 23,
    PC64: 24,
    GOTOFF64: 25,
    GOTPC32: 26,
    SIZE32: 32,
    SIZE64: 33,
    GOTPC32_TLSDESC: 34,
    TLSDESC_CALL: 35,
    TLSDESC: 36,
    IRELATIVE: 37,
    RELATIVE64: 38,
    GOTPCRELX: 41,
    REX_GOTPCRELX: 42,
};
/** Bytes a relocation of this type patches, and whether it is PC-relative. */
export function relocWidth(type) {
    switch (type) {
        case R_X86_64._64:
        case R_X86_64.DTPOFF64:
        case R_X86_64.TPOFF64:
        case R_X86_64.GOTOFF64:
        case R_X86_64.SIZE64:
        case R_X86_64.DTPMOD64:
            return { size: 8, pcRelative: false };
        case R_X86_64.PC64:
            return { size: 8, pcRelative: true };
        case R_X86_64._32:
        case R_X86_64._32S:
        case R_X86_64.DTPOFF32:
        case R_X86_64.TPOFF32:
        case R_X86_64.SIZE32:
        case R_X86_64.GOT32:
            return { size: 4, pcRelative: false };
        case R_X86_64.PC32:
        case R_X86_64.PLT32:
        case R_X86_64.GOTPCREL:
        case R_X86_64.GOTPCRELX:
        case R_X86_64.REX_GOTPCRELX:
        case R_X86_64.GOTPC32:
        case R_X86_64.TLSGD:
        case R_X86_64.TLSLD:
        case R_X86_64.GOTTPOFF:
        case R_X86_64.GOTPC32_TLSDESC:
            return { size: 4, pcRelative: true };
        case R_X86_64._16:
            return { size: 2, pcRelative: false };
        case R_X86_64.PC16:
            return { size: 2, pcRelative: true };
        case R_X86_64._8:
            return { size: 1, pcRelative: false };
        case R_X86_64.PC8:
            return { size: 1, pcRelative: true };
        case R_X86_64.NONE:
        case R_X86_64.TLSDESC_CALL:
            return { size: 0, pcRelative: false };
        default:
            return undefined;
    }
}
//# sourceMappingURL=constants.js.map