// Decides how each symbol the output needs but does not define will be found
// when the patch module loads: exported symbols by the module loader, all
// others (static functions and variables, non-exported globals) by the
// livepatch core, through `.klp.sym.OBJECT.NAME,POS` symbols whose POS tells
// same-named locals apart (module-elf-format.rst).
import { SHF, SHN, STB, STT } from "../elf/constants.js";
import { KpatchError } from "../errors.js";
import { addressesTaken, sealedTaken } from "../arch/x86/references.js";
/** `.klp.sym.vmlinux.helper,2`: the name the livepatch core resolves at load time. */
function klpSymbolName(k) {
    return `.klp.sym.${k.object}.${k.name},${k.pos}`;
}
/**
 * Renames the output's undefined symbols that only the livepatch core can
 * resolve, and returns them. Refuses names the target does not define or
 * defines ambiguously, since a guess would bind the patch to the wrong code.
 *
 * The module loader resolves only what vmlinux or an already loaded module
 * exports. A patch to a module may be loaded before that module and its
 * dependencies, so for a module target everything that is not vmlinux's
 * export goes through the livepatch core, which resolves it when the module
 * loads.
 */
export function resolveExternals(ctx, externals) {
    const { output: out, orig, patched, target } = ctx;
    // The original object says which locals the target's copy of each file has.
    const sourceOf = sourceFiles(orig);
    const klp = [];
    const problems = [];
    const sealed = new Map();
    const inVmlinux = target.object === "vmlinux" ? target.symtab : target.vmlinux;
    // The output added one undefined symbol per external, in their order: a new
    // static may have taken the name, and two files' locals share it.
    const undefinedSyms = new Map();
    for (const x of out.symbols.filter((x) => !x.section && x.shndx === SHN.UNDEF && x.name)) {
        undefinedSyms.set(x.name, [...(undefinedSyms.get(x.name) ?? []), x]);
    }
    for (const ext of externals) {
        const sym = undefinedSyms.get(ext.name)?.shift();
        const exporter = ext.local ? undefined : target.exports.get(ext.name);
        if (exporter === "vmlinux" || (exporter !== undefined && target.object === "vmlinux"))
            continue;
        let k;
        if (exporter !== undefined)
            k = { name: ext.name, object: exporter, pos: 0 };
        else if (ext.local || ext.definedInObject || target.symtab.named(ext.name).length) {
            const where = target.symtab.position(ext.name, ext.local ? sourceOf(ext) : undefined);
            if ("error" in where)
                problems.push(where.error);
            else
                k = { name: where.name, object: target.object, pos: where.pos };
        }
        else if (inVmlinux?.named(ext.name).length) {
            const where = inVmlinux.position(ext.name, undefined);
            if ("error" in where)
                problems.push(where.error);
            else
                k = { name: where.name, object: "vmlinux", pos: where.pos };
        }
        // Anything else is defined by another part of the same patch: the linker or loader finds it.
        if (!k)
            continue;
        if (sym)
            sym.name = klpSymbolName(k);
        // An export is never sealed: its __ksymtab entry takes its address.
        const table = exporter ? undefined : k.object === target.object ? target.symtab : inVmlinux;
        if (sym && table?.named(k.name)[Math.max(k.pos, 1) - 1]?.sealed)
            sealed.set(sym, k);
        klp.push(k);
    }
    out.invalidate();
    if (problems.length)
        throw new KpatchError("input", `symbols the patch uses cannot be found unambiguously in ${target.object}`, { details: problems, code: "ambiguous-symbols", file: patched.file });
    refuseSealed(out, sealed, patched.file);
    return klp;
}
/** Refuses a patch that takes the address of a function its target sealed (at boot or load). */
function refuseSealed(out, sealed, file) {
    const taken = new Map();
    for (const { r, from } of addressesTaken(out)) {
        const k = r.symbol && sealed.get(r.symbol);
        if (k && !taken.has(k))
            taken.set(k, `${from.name}+0x${r.offset.toString(16)}`);
    }
    if (!taken.size)
        return;
    const names = [...taken.keys()].map((k) => `${k.object}:${k.name}`).join(", ");
    throw new KpatchError("unsafe", `the patch takes the address of ${names}, sealed for IBT`, {
        details: [...taken].map(([k, by]) => sealedTaken(k.object, k.name, by)),
        file,
    });
}
/**
 * The position of each replaced function in the target (klp_func.old_sympos):
 * livepatch finds the function to redirect by name and position. The name is
 * the original's: a clone gcc renumbered (foo.isra.1 for foo.isra.0) must
 * redirect the function the running kernel has under the old number.
 */
export function functionPositions({ orig, patched, target }, changes) {
    const sourceOf = sourceFiles(orig);
    const problems = [];
    const out = changes.flatMap((c) => {
        const name = c.original ?? c.name;
        const where = target.symtab.position(name, c.source ? sourceOf({ name, source: c.source }) : undefined);
        if ("error" in where) {
            problems.push(where.error);
            return [];
        }
        return [{ name: where.name, sympos: where.pos, replacement: c.name }];
    });
    if (problems.length)
        throw new KpatchError("input", `functions the patch replaces cannot be found unambiguously in ${target.object}`, { details: problems, code: "ambiguous-symbols", file: patched.file });
    return out;
}
/**
 * The names resolveExternals and functionPositions look up in the target's
 * tables, for a table read on demand to read in one pass.
 */
export function targetNames(orig, externals, changes) {
    const names = new Set(externals.map((e) => e.name));
    for (const c of changes)
        names.add(c.original ?? c.name);
    for (const g of sourceGroups(orig))
        for (const l of g.locals)
            names.add(l);
    return names;
}
/**
 * The source file of a local and the locals it defines, as the original
 * object's symbol table groups them after each STT_FILE: an object kbuild
 * links from several files (`ld -r`) holds one group per file.
 */
function sourceFiles(elf) {
    const groups = sourceGroups(elf);
    return (local) => groups.find((g) => g.name === local.source && g.locals.has(local.name)) ?? groups[0];
}
function sourceGroups(elf) {
    const groups = [];
    for (const s of elf.symbols) {
        if (s.type === STT.FILE)
            groups.push({ name: s.name, locals: new Set() });
        // Only functions and objects reach kallsyms and the target's table, and
        // only those the linker keeps (not __ADDRESSABLE()'s, in .discard.addressable).
        else if (s.bind === STB.LOCAL &&
            s.section &&
            (s.section.flags & SHF.ALLOC) !== 0n &&
            !s.section.name.startsWith(".discard") &&
            (s.type === STT.FUNC || s.type === STT.OBJECT))
            groups[groups.length - 1]?.locals.add(s.name);
    }
    return groups;
}
//# sourceMappingURL=externals.js.map