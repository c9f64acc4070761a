// Checks a finished patch module the way the kernel will read it, before it
// is written (and on demand: kpatch-build verify). A module that passes
// cannot hand the kernel a relocation it refuses or applies twice, nor a
// special-section entry it reads before that entry is relocated, nor a
// livepatch symbol the livepatch core would resolve to another symbol, nor
// a site it patches at load left out of its table (sites.ts).
import { relocWidth, R_X86_64, SHF, SHN, SHT } from "../elf/constants.js";
import { ElfFile, modinfo } from "../elf/model.js";
import { isLoadTimeTable } from "../diff/loadtime.js";
import { klpSymbol } from "../symbols/names.js";
import { sealedTargets, verifySites } from "./sites.js";
/** The relocation types x86-64's apply_relocate_add() accepts. */
const APPLIED = new Set([
    R_X86_64.NONE,
    R_X86_64._64,
    R_X86_64._32,
    R_X86_64._32S,
    R_X86_64.PC32,
    R_X86_64.PLT32,
    R_X86_64.PC64,
]);
const KLP_RELA = /^\.klp\.rela\.([^.]+)\./;
/** Everything wrong with `ko`, one line each; empty if nothing is. */
export function verifyModule(ko, symbolsOf) {
    const problems = [];
    const touched = new Map();
    const klpObjects = new Set();
    for (const rela of ko.sections.filter((s) => s.type === SHT.RELA)) {
        const target = rela.infoSection;
        if (!target || (target.flags & SHF.ALLOC) === 0n)
            continue;
        const late = KLP_RELA.exec(rela.name)?.[1];
        const livepatch = (rela.flags & SHF.RELA_LIVEPATCH) !== 0n;
        if (late !== undefined)
            klpObjects.add(late);
        if (late !== undefined && (!livepatch || (rela.flags & SHF.ALLOC) === 0n)) {
            problems.push(`${rela.name}: a livepatch relocation section needs SHF_ALLOC and SHF_RELA_LIVEPATCH`);
        }
        if (late === undefined && livepatch)
            problems.push(`${rela.name}: SHF_RELA_LIVEPATCH on an ordinary relocation section`);
        const size = Number(ElfFile.size(target));
        for (const r of rela.relocations) {
            const at = `${target.name}+0x${r.offset.toString(16)}`;
            const sym = r.symbol;
            const klp = sym && klpSymbol(sym.name);
            if (late !== undefined && (!klp || sym.shndx !== SHN.LIVEPATCH)) {
                problems.push(`${rela.name}: ${at} refers to ${sym?.name ?? "no symbol"}, ` +
                    "which is not a livepatch symbol");
            }
            else if (late === undefined && sym?.shndx === SHN.LIVEPATCH) {
                problems.push(`${rela.name}: ${at} refers to livepatch symbol ${sym.name}, ` +
                    "which the module loader cannot resolve");
            }
            if (late !== undefined && late !== "vmlinux" && klp?.object === "vmlinux") {
                problems.push(`${rela.name}: ${at} refers to ${sym.name}; ` +
                    "the kernel refuses vmlinux symbols in a module's livepatch relocations");
            }
            if (late === "vmlinux" && klp && klp.object !== "vmlinux") {
                problems.push(`${rela.name}: ${at} refers to ${sym.name}, ` +
                    `which insmod would have to resolve before ${klp.object} loads`);
            }
            if (late !== undefined && late !== "vmlinux" && isLoadTimeTable(target.name)) {
                problems.push(`${rela.name}: the kernel reads ${at} when the patch module loads, ` +
                    `before the livepatch core relocates it for ${late}`);
            }
            if (!APPLIED.has(r.type)) {
                problems.push(`${rela.name}: ${at}: relocation type ${r.type}, ` +
                    "which the kernel's module loader does not apply");
                continue;
            }
            const width = relocWidth(r.type).size;
            if (!width)
                continue;
            const from = Number(r.offset);
            if (target.type === SHT.NOBITS || from < 0 || from + width > size) {
                problems.push(`${rela.name}: ${at} (${width} bytes) lies outside ${target.name} (${size} bytes)`);
                continue;
            }
            // The kernel relocates only zeroed fields ("existing value is nonzero").
            if (target.data.subarray(from, from + width).some((b) => b !== 0)) {
                problems.push(`${rela.name}: ${at} is not zero, and the kernel refuses to relocate it`);
            }
            const list = touched.get(target) ?? [];
            list.push({ from, to: from + width, by: rela.name });
            touched.set(target, list);
        }
    }
    for (const [sec, list] of touched) {
        list.sort((a, b) => a.from - b.from);
        // Against the furthest-reaching place so far: a long field may cover several after it.
        let reach = list[0];
        for (const b of list.slice(1)) {
            if (b.from < reach.to)
                problems.push(`${sec.name}+0x${b.from.toString(16)} is relocated twice, by ${reach.by} and ${b.by}`);
            if (b.to > reach.to)
                reach = b;
        }
    }
    problems.push(...verifySymbols(ko, symbolsOf), ...verifyObjects(ko, klpObjects, symbolsOf), ...verifySites(ko), 
    // Position 0, the only one, is the first (verifySymbols names an ambiguous one).
    ...sealedTargets(ko, (object, name, pos) => symbolsOf?.(object)?.named(name)[Math.max(pos, 1) - 1]?.sealed === true));
    return problems;
}
/**
 * Each `.klp.sym.OBJ.NAME,POS` names one symbol of OBJ: the only one for POS 0, the POS-th else.
 */
function verifySymbols(ko, symbolsOf) {
    const problems = [];
    for (const s of ko.symbols) {
        const k = klpSymbol(s.name);
        if (!k) {
            if (s.shndx === SHN.LIVEPATCH)
                problems.push(`symbol ${s.name} is SHN_LIVEPATCH without a .klp.sym name`);
            continue;
        }
        if (s.shndx !== SHN.LIVEPATCH)
            problems.push(`livepatch symbol ${s.name} is not SHN_LIVEPATCH`);
        problems.push(...checkPosition(symbolsOf?.(k.object), k.object, k.name, k.pos, `livepatch symbol ${s.name}`));
    }
    return problems;
}
/**
 * The glue's objects and functions (its kpatch_func modinfo) against the livepatch sections and
 * targets.
 */
function verifyObjects(ko, klpObjects, symbolsOf) {
    const problems = [];
    const info = modinfo(ko);
    if (!info.some(([k, v]) => k === "livepatch" && v === "Y"))
        problems.push("modinfo lacks livepatch=Y");
    const objects = new Set(["vmlinux"]);
    for (const [k, v] of info) {
        if (k !== "kpatch_func")
            continue;
        const m = /^([^:]+):(.+),(\d+)$/.exec(v);
        if (!m) {
            problems.push(`modinfo kpatch_func=${v} is not OBJECT:FUNCTION,POSITION`);
            continue;
        }
        objects.add(m[1]);
        // sysfs counts unique names as position 1; klp_func.old_sympos as 0.
        const pos = Number(m[3]) === 1 && (symbolsOf?.(m[1])?.named(m[2]).length ?? 1) === 1 ? 0 : Number(m[3]);
        problems.push(...checkPosition(symbolsOf?.(m[1]), m[1], m[2], pos, `replaced function ${m[1]}:${m[2]}`));
    }
    for (const o of klpObjects) {
        if (!objects.has(o))
            problems.push(`.klp.rela.${o}.* sections, but no function of ${o} is patched: no klp_object applies them`);
    }
    return problems;
}
function checkPosition(symtab, object, name, pos, what) {
    if (!symtab)
        return [];
    const count = symtab.named(name).length;
    if (count === 0)
        return [`${what}: ${object} has no symbol ${name}`];
    if (pos === 0 && count > 1)
        return [
            `${what}: ${object} has ${count} symbols named ${name}, and position 0 means the only one`,
        ];
    if (pos > count)
        return [`${what}: ${object} has ${count} symbols named ${name}, not ${pos}`];
    return [];
}
//# sourceMappingURL=verify.js.map