// Turns a linked patch module into the livepatch ELF format
// (Documentation/livepatch/module-elf-format.rst): every `.klp.sym.OBJ.NAME,POS`
// symbol becomes SHN_LIVEPATCH, and the relocations against such symbols
// move out of the ordinary relocation sections, which the module loader
// applies, into `.klp.rela.OBJ.SECTION` sections, which the livepatch core
// applies once the symbols can be looked up. This runs after kbuild has
// linked the module, since the linker knows nothing of either convention.
import { SHF, SHN, SHT, STB } from "../elf/constants.js";
import { ElfError } from "../elf/model.js";
import { klpSymbol } from "../symbols/names.js";
/**
 * `owner` names the patched object a section's code belongs to. Relocations
 * against vmlinux symbols go to `.klp.rela.vmlinux.*`, applied when the patch
 * loads; the rest to `.klp.rela.<patched module>.*`, applied when that module
 * loads (the kernel refuses vmlinux symbols in those).
 */
export function convertToLivepatch(ko, owner) {
    const result = { symbols: 0, relocations: 0, sections: [] };
    for (const s of ko.symbols) {
        if (!klpSymbol(s.name))
            continue;
        if (s.section)
            throw new ElfError(ko.file, `livepatch symbol ${s.name} is defined in the module`);
        s.shndx = SHN.LIVEPATCH;
        // The livepatch core resolves these; the module loader must leave them alone.
        s.bind = STB.GLOBAL;
        result.symbols++;
    }
    const symtab = ko.sections.find((s) => s.type === SHT.SYMTAB);
    for (const rela of ko.sections.filter((s) => s.type === SHT.RELA && !s.name.startsWith(".klp.rela."))) {
        const target = rela.infoSection;
        if (!target)
            continue;
        const byObject = new Map();
        rela.relocations = rela.relocations.filter((r) => {
            const k = r.symbol && r.symbol.shndx === SHN.LIVEPATCH ? klpSymbol(r.symbol.name) : undefined;
            if (!k)
                return true;
            const object = k.object === "vmlinux" ? "vmlinux" : owner(target.name);
            if (!object)
                throw new ElfError(ko.file, `${target.name} refers to ${r.symbol.name}, but belongs to no patched object`);
            const list = byObject.get(object) ?? [];
            list.push(r);
            byObject.set(object, list);
            return false;
        });
        for (const [object, relocations] of byObject) {
            const name = `.klp.rela.${object}.${target.name.replace(/^\./, "")}`;
            const existing = ko.section(name);
            if (existing)
                existing.relocations.push(...relocations);
            else {
                ko.addSection({
                    name,
                    type: SHT.RELA,
                    flags: SHF.ALLOC | SHF.INFO_LINK | SHF.RELA_LIVEPATCH,
                    addralign: 8n,
                    entsize: 24n,
                    link: symtab,
                    infoSection: target,
                    relocations,
                });
                result.sections.push(name);
            }
            result.relocations += relocations.length;
        }
    }
    return result;
}
//# sourceMappingURL=klp.js.map