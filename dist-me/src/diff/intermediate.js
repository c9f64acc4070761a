// kpatch's intermediate form of a differ output, which kpatch-build's own
// driver links and hands to its create-klp-module and livepatch-patch-hook.c:
// the replaced functions in .kpatch.funcs, and each relocation the livepatch
// core must resolve as a .kpatch.relocations entry naming a .kpatch.symbols
// entry, in place of the `.klp.sym.*` undefined symbols this project's own
// module build reads. Layouts are those of x86-64 (kpatch-intermediate.h,
// kpatch-patch.h): every field is 8 bytes but the packed ones noted.
import { R_X86_64, SHF, SHT, STB, STT } from "../elf/constants.js";
import { klpSymbol } from "../symbols/names.js";
import { callbackKind } from "./include.js";
/** struct kpatch_patch_func: new_addr, new_size, old_addr, old_size, sympos, name, objname. */
export const FUNC_SIZE = 56;
/** struct kpatch_symbol: src, sympos, bind (u8), type (u8), padding, name, objname. */
export const SYMBOL_SIZE = 40;
/** struct kpatch_relocation: dest, type (u32), external (i32), addend, objname, ksym. */
export const RELOCATION_SIZE = 40;
/** kpatch-macros.h's callback records: the function, then the object name. */
const CALLBACK_SIZE = 16;
/**
 * Rewrites a differ output (its externals already `.klp.sym.*`) into kpatch's
 * intermediate form for patch object `parent` (vmlinux or a module).
 */
export function toKpatchIntermediate(out, parent, functions) {
    const symtab = out.sections.find((s) => s.type === SHT.SYMTAB);
    const relaFor = (sec) => out.addSection({
        name: `.rela${sec.name}`,
        type: SHT.RELA,
        flags: SHF.INFO_LINK,
        addralign: 8n,
        entsize: 24n,
        link: symtab,
        infoSection: sec,
    });
    const table = (name, entsize, data, relocations) => {
        const sec = out.addSection({
            name,
            type: SHT.PROGBITS,
            flags: SHF.ALLOC,
            addralign: 8n,
            entsize: BigInt(entsize),
            data,
        });
        relaFor(sec).relocations = relocations;
        return sec;
    };
    const strings = new Strings();
    const stringsSec = out.addSection({
        name: ".kpatch.strings",
        type: SHT.PROGBITS,
        flags: SHF.ALLOC,
        addralign: 1n,
        entsize: 1n,
    });
    const stringsSym = sectionSymbol(out, stringsSec);
    const str = (offset, text) => ({
        offset: BigInt(offset),
        type: R_X86_64._64,
        symbol: stringsSym,
        addend: BigInt(strings.at(text)),
    });
    // .kpatch.funcs: livepatch-patch-hook.c makes a klp_func of each.
    const funcs = new DataView(new ArrayBuffer(FUNC_SIZE * functions.length));
    const funcRelocs = [];
    functions.forEach((f, i) => {
        const at = i * FUNC_SIZE;
        const sym = out.symbolsNamed(f.replacement).find((s) => s.section && s.type === STT.FUNC);
        if (!sym)
            throw new Error(`replacement ${f.replacement} of ${f.name} is not in the output`);
        funcs.setBigUint64(at + 8, sym.size, true);
        funcs.setBigUint64(at + 32, BigInt(f.sympos), true);
        funcRelocs.push({ offset: BigInt(at), type: R_X86_64._64, symbol: sym, addend: 0n }, str(at + 40, f.name), str(at + 48, parent));
    });
    table(".kpatch.funcs", FUNC_SIZE, new Uint8Array(funcs.buffer), funcRelocs);
    // Each relocation against a .klp.sym.* symbol becomes a symbol and a relocation record.
    const found = [];
    for (const rela of out.sections.filter((s) => s.type === SHT.RELA && s.infoSection)) {
        rela.relocations = rela.relocations.filter((r) => {
            const k = r.symbol && !r.symbol.section ? klpSymbol(r.symbol.name) : undefined;
            if (k)
                found.push({ rela, r, ...k });
            return !k;
        });
    }
    const syms = new DataView(new ArrayBuffer(SYMBOL_SIZE * found.length));
    const relocs = new DataView(new ArrayBuffer(RELOCATION_SIZE * found.length));
    const symRelocs = [];
    const relRelocs = [];
    const symbolsData = new Uint8Array(syms.buffer);
    const symbolsSec = table(".kpatch.symbols", SYMBOL_SIZE, symbolsData, symRelocs);
    const symbolsSym = sectionSymbol(out, symbolsSec);
    found.forEach(({ rela, r, object, name, pos }, i) => {
        const [s, k] = [i * SYMBOL_SIZE, i * RELOCATION_SIZE];
        const sym = r.symbol;
        syms.setBigUint64(s + 8, BigInt(pos), true);
        syms.setUint8(s + 16, sym.bind);
        syms.setUint8(s + 17, sym.type);
        symRelocs.push(str(s + 24, name), str(s + 32, object));
        relocs.setUint32(k + 8, r.type, true);
        relocs.setInt32(k + 12, object === parent ? 0 : 1, true);
        relocs.setBigInt64(k + 16, r.addend, true);
        relRelocs.push({
            offset: BigInt(k),
            type: R_X86_64._64,
            symbol: sectionSymbol(out, rela.infoSection),
            addend: r.offset,
        }, str(k + 24, parent), {
            offset: BigInt(k + 32),
            type: R_X86_64._64,
            symbol: symbolsSym,
            addend: BigInt(s),
        });
    });
    table(".kpatch.relocations", RELOCATION_SIZE, new Uint8Array(relocs.buffer), relRelocs);
    // The .klp.sym.* symbols now live in .kpatch.symbols only.
    const used = new Set(out.sections.flatMap((s) => s.relocations.map((r) => r.symbol)));
    for (const { r } of found)
        if (!used.has(r.symbol) && out.symbols.includes(r.symbol)) {
            out.removeSymbol(r.symbol);
        }
    // Callbacks: create-klp-module's hook finds their object by the name at +8.
    for (const sec of out.sections.filter((s) => callbackKind(s))) {
        const rela = out.relocationsFor(sec) ?? relaFor(sec);
        for (let at = 0; at < sec.data.length; at += CALLBACK_SIZE) {
            const named = rela.relocations.some((r) => r.offset === BigInt(at + 8));
            if (!named)
                rela.relocations.push(str(at + 8, parent));
        }
    }
    stringsSec.data = strings.bytes();
    out.invalidate();
}
/** NUL-terminated strings, each stored once. */
class Strings {
    offsets = new Map();
    size = 0;
    at(text) {
        let at = this.offsets.get(text);
        if (at === undefined) {
            at = this.size;
            this.offsets.set(text, at);
            this.size += Buffer.byteLength(text) + 1;
        }
        return at;
    }
    bytes() {
        const out = new Uint8Array(this.size);
        for (const [text, at] of this.offsets)
            out.set(Buffer.from(text), at);
        return out;
    }
}
/** The section's STT_SECTION symbol, made if the object has none. */
function sectionSymbol(out, sec) {
    return (out.sectionSymbol(sec) ??
        out.addSymbol({ name: "", type: STT.SECTION, bind: STB.LOCAL, section: sec }));
}
//# sourceMappingURL=intermediate.js.map