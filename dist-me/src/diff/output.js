// Builds the output object from what include() chose: one section per
// included function or object, whole copies of the constant sections they
// read, the kept entries of each entry table, and every relocation retargeted
// to the copies or to external symbols naming what stays in the kernel.
import { SHF, SHT, STB, STT } from "../elf/constants.js";
import { ElfFile, modinfo, } from "../elf/model.js";
import { KpatchError } from "../errors.js";
import { isPrefix, parentOf } from "./units.js";
export function buildOutput(ctx, inc) {
    const { patched: p, patchedTargets: targets, statuses } = ctx;
    const b = new OutputBuilder(p, ctx.options.outFile ?? "output.o");
    const sections = unitsBySection(p, inc.units);
    for (const [sec, units] of sections)
        b.copyUnits(sec, units, statuses);
    for (const [, units] of sections)
        b.relocateUnits(units, targets);
    for (const [sec, table] of inc.tables)
        b.copyTable(sec, table, targets);
    // Keep the namespaces the code imports, so the module loader accepts its
    // symbol uses. Built-in code writes them as MODNAME.import_ns=; the patch
    // module is a module, which the loader reads as import_ns=.
    importNamespaces(b.out, modinfo(p.elf)
        .filter(([k]) => /^(\w+\.)?import_ns$/.test(k))
        .map(([, v]) => v));
    const stack = p.elf.section(".note.GNU-stack");
    if (stack)
        b.out.addSection({ name: stack.name, type: stack.type, flags: stack.flags });
    return { elf: b.out, externals: [...b.externals.values()] };
}
/**
 * One output section per input section, keeping its name (the module loader
 * and the kernel find __dyndbg, .data.once, ... by name), holding the
 * included units in their original order; sections in the input's order.
 */
function unitsBySection(p, included) {
    const groups = new Map();
    for (const u of [...included].sort((a, b) => a.start - b.start)) {
        groups.set(u.section, [...(groups.get(u.section) ?? []), u]);
    }
    return [...groups].sort(([a], [b]) => p.elf.sections.indexOf(a) - p.elf.sections.indexOf(b));
}
class OutputBuilder {
    p;
    out;
    externals = new Map();
    placed = new Map();
    undefinedSyms = new Map();
    constructor(p, outFile) {
        this.p = p;
        this.out = new ElfFile(outFile, { ...p.elf.header });
        const fileSym = p.elf.symbols.find((s) => s.type === STT.FILE);
        if (fileSym)
            this.out.addSymbol({ ...fileSym, section: undefined });
    }
    place(name, like, data, nobitsSize, entsize = like.entsize) {
        const sec = this.out.addSection({
            name,
            type: like.type,
            flags: like.flags & ~SHF.GROUP,
            addralign: like.addralign,
            entsize,
            data,
            nobitsSize,
        });
        const sectionSymbol = this.out.addSymbol({
            name: "",
            type: STT.SECTION,
            bind: STB.LOCAL,
            section: sec,
        });
        return { sec, sectionSymbol };
    }
    /** The units of one input section, packed (or the whole section), with their symbols. */
    copyUnits(sec, units, statuses) {
        const nobits = sec.type === SHT.NOBITS;
        const whole = units.length === this.p.bySection.get(sec).length;
        const align = Number(sec.addralign > 1n ? sec.addralign : 1n);
        const deltas = [];
        let size = 0;
        for (const u of units) {
            const at = whole ? u.start : Math.ceil(size / align) * align;
            deltas.push(u.start - at);
            size = at + (u.end - u.start);
        }
        if (whole)
            size = Number(ElfFile.size(sec));
        const data = new Uint8Array(nobits ? 0 : size);
        if (!nobits) {
            units.forEach((u, i) => data.set(sec.data.subarray(u.start, u.end), u.start - deltas[i]));
        }
        const { sec: copy, sectionSymbol } = this.place(sec.name, sec, data, nobits ? BigInt(size) : 0n);
        units.forEach((u, i) => {
            const delta = deltas[i];
            this.placed.set(u, { sec: copy, sectionSymbol, delta });
            // An unchanged .cold child travels only as part of its patched parent's
            // code: a label, not a function of the patch (kpatch's tools count those).
            const status = statuses.get(u);
            const travels = (status === "same" || status === "line-only") &&
                !isPrefix(u) &&
                parentOf(this.p, u) !== undefined;
            for (const s of u.symbols) {
                // A replaced global becomes local: the original keeps its name in the kernel.
                const bind = status === "changed" ? STB.LOCAL : s.bind;
                this.out.addSymbol({
                    name: s.name,
                    type: travels ? STT.NOTYPE : s.type,
                    bind,
                    other: s.other,
                    value: s.value - BigInt(delta),
                    size: s.size,
                    section: copy,
                });
            }
        });
    }
    /** The relocations of one output section's units, retargeted. */
    relocateUnits(units, targets) {
        this.relaFor(this.placed.get(units[0]).sec, units.flatMap((u) => {
            const pl = this.placed.get(u);
            const ts = targets.of(u);
            return u.relocs.map((r, i) => this.retarget(u.name, r, ts[i], r.offset - BigInt(pl.delta)));
        }));
    }
    /** An entry table with only the kept entries, and their relocations. */
    copyTable(sec, { entrySize, keep }, targets) {
        const table = this.p.bySection.get(sec)[0];
        const ts = targets.of(table);
        const data = new Uint8Array(keep.length * entrySize);
        keep.forEach((e, i) => data.set(sec.data.subarray(e * entrySize, (e + 1) * entrySize), i * entrySize));
        // The stride used, for the load-time guard: the environment's may not be it.
        const pl = this.place(sec.name, sec, data, 0n, BigInt(entrySize));
        const newIndex = new Map(keep.map((e, i) => [e, i]));
        const relocs = [];
        table.relocs.forEach((r, i) => {
            const e = Math.floor(Number(r.offset) / entrySize);
            const ni = newIndex.get(e);
            if (ni === undefined)
                return;
            const at = BigInt(ni * entrySize) + (r.offset % BigInt(entrySize));
            relocs.push(this.retarget(sec.name, r, ts[i], at));
        });
        this.relaFor(pl.sec, relocs);
    }
    relaFor(sec, relocs) {
        if (!relocs.length)
            return;
        this.out.addSection({
            name: `.rela${sec.name}`,
            type: SHT.RELA,
            flags: SHF.INFO_LINK,
            addralign: 8n,
            entsize: 24n,
            infoSection: sec,
            relocations: relocs,
        });
    }
    /**
     * One undefined symbol per name, and per file for locals (two files'
     * `helper`s), added in the order of `externals`.
     */
    external(type, ext) {
        const key = `${ext.source ?? ""}\0${ext.name}`;
        let sym = this.undefinedSyms.get(key);
        if (!sym) {
            sym = this.out.addSymbol({ name: ext.name, type, bind: STB.GLOBAL });
            this.undefinedSyms.set(key, sym);
            this.externals.set(key, ext);
        }
        return sym;
    }
    /** A relocation pointed at the copies, or at an undefined symbol for what stays. */
    retarget(from, r, t, offset) {
        const s = r.symbol;
        if (!s)
            return { ...r, offset };
        if (!s.section) {
            if (s.shndx !== 0) {
                return { ...r, offset, symbol: this.out.addSymbol({ ...s, section: undefined }) };
            }
            const ext = { name: s.name, local: false, definedInObject: false };
            return { ...r, offset, symbol: this.external(s.type, ext) };
        }
        if (t.kind === "extern" && s.bind !== STB.LOCAL) {
            const ext = { name: s.name, local: false, definedInObject: true };
            return { ...r, offset, symbol: this.external(s.type, ext) };
        }
        if (t.kind !== "unit") {
            const pl = t.kind === "string" && t.section && this.placed.get(t.section);
            if (pl)
                return { ...r, offset, symbol: pl.sectionSymbol, addend: s.value + r.addend };
            throw new KpatchError("input", `${from} refers to ` +
                `${s.name || s.section.name}${r.addend >= 0n ? "+" : ""}${r.addend}, ` +
                "outside any function or object", { file: this.p.elf.file });
        }
        const pos = s.value + r.addend; // in the target's original section
        const pl = this.placed.get(t.unit);
        if (pl)
            return { ...r, offset, symbol: pl.sectionSymbol, addend: pos - BigInt(pl.delta) };
        // The running kernel knows the original's names: a renumbered static local
        // keeps its old number.
        const known = t.unit.twin ?? t.unit;
        const def = known.symbols[0];
        if (!def) {
            throw new KpatchError("input", `${from} refers to ${t.unit.name}, which has no symbol to refer to from a patch`, { file: this.p.elf.file });
        }
        const local = def.bind === STB.LOCAL;
        const ext = { name: def.name, local, definedInObject: true, source: known.source?.name };
        return {
            ...r,
            offset,
            addend: pos - BigInt(t.unit.start),
            symbol: this.external(def.type, ext),
        };
    }
}
/**
 * Adds `import_ns=` entries to the output's .modinfo for namespaces it does
 * not import yet: modpost and the module loader refuse a use of a symbol
 * exported into a namespace the module does not import.
 */
export function importNamespaces(out, namespaces) {
    let sec = out.section(".modinfo");
    const known = new Set(sec
        ? modinfo(out)
            .filter(([k]) => k === "import_ns")
            .map(([, v]) => v)
        : []);
    const added = [...new Set(namespaces)].filter((n) => !known.has(n));
    if (!added.length)
        return;
    sec ??= out.addSection({ name: ".modinfo", type: SHT.PROGBITS, flags: SHF.ALLOC });
    const more = new TextEncoder().encode(added.map((v) => `import_ns=${v}\0`).join(""));
    const data = new Uint8Array(sec.data.length + more.length);
    data.set(sec.data);
    data.set(more, sec.data.length);
    sec.data = data;
}
//# sourceMappingURL=output.js.map