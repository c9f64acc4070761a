// Decides what the output object carries: the changed and new functions,
// their compiler-split children, new data, and the constant sections their
// code reads (strings, switch tables, alternative replacements). Everything
// else they refer to stays in the running kernel and becomes an external
// reference. Entry tables that describe code (__bug_table, __ex_table,
// __jump_table, .altinstructions, ORC, __mcount_loc, ...) keep only the
// entries for included functions.
import { SHF, STB } from "../elf/constants.js";
import { ElfFile } from "../elf/model.js";
import { KpatchError } from "../errors.js";
import { isCallSiteMetadata, isCompilerData, isFunctionName, isPrefix, isText, parentOf, } from "./units.js";
/** Parallel tables with no relocations of their own, which follow another table's entries. */
const PARALLEL = { ".orc_unwind": ".orc_unwind_ip" };
export function include(ctx) {
    const { patched: p, patchedTargets: targets, statuses } = ctx;
    const sizes = ctx.options.entrySizes ?? {};
    const units = new Set();
    const notes = [];
    const work = [];
    const add = (u) => {
        if (units.has(u))
            return;
        units.add(u);
        work.push(u);
    };
    for (const [u, s] of statuses)
        if ((s === "changed" || s === "new") && u.kind === "func")
            add(u);
    // New global data is the patch's own; new local data travels only with code that uses it.
    for (const [u, s] of statuses) {
        if (s === "new" && u.kind === "object" && u.symbols.some((x) => x.bind !== STB.LOCAL))
            add(u);
    }
    // So are kpatch-macros.h's callbacks, and the functions they name.
    for (const u of p.units)
        if (callbackKind(u.section))
            add(u);
    const referencedBy = new Set();
    const drain = () => {
        while (work.length) {
            const u = work.pop();
            for (const t of targets.of(u)) {
                // Merged strings are read-only: the output carries its own copy of the section.
                if (t.kind === "string" && t.section)
                    add(t.section);
                if (t.kind !== "unit" || t.unit === u)
                    continue;
                referencedBy.add(t.unit.section);
                // A function's .cold/.part children always travel with it: they jump back into its body.
                const child = parentOf(p, t.unit) === u;
                const status = statuses.get(t.unit);
                const constant = !isWritable(t.unit.section) && (t.unit.kind === "section" || isFunctionName(t.unit));
                // Changed objects left after verify are copies: constants (see
                // copyConstants) and call-site descriptors.
                if (child ||
                    constant ||
                    status === "new" ||
                    isCompilerData(t.unit.section) ||
                    (status === "changed" &&
                        (isCallSiteMetadata(t.unit.section) || !isWritable(t.unit.section))))
                    add(t.unit);
                else if (t.unit.kind === "section" &&
                    isWritable(t.unit.section) &&
                    !isUnused(t.unit.section)) {
                    throw new KpatchError("unsafe", `${u.name} refers to anonymous writable ` +
                        `data in ${t.unit.section.name}, which cannot be shared with the running kernel`, { file: p.elf.file });
                }
            }
        }
    };
    drain();
    // The padding before a function travels with it: call depth tracking writes
    // a thunk there for calls to it, and the ORC entry for its first
    // instructions starts there.
    for (const u of p.units) {
        const parent = isPrefix(u) ? parentOf(p, u) : undefined;
        if (parent && units.has(parent))
            add(u);
    }
    drain();
    // Entry tables: anonymous, allocated sections that nothing included refers to,
    // whose relocations point at code. Kept entries may pull in more (replacement code).
    const tables = new Map();
    for (let again = true; again;) {
        again = false;
        for (const u of p.units) {
            if (u.kind !== "section" ||
                units.has(u) ||
                referencedBy.has(u.section) ||
                tables.has(u.section))
                continue;
            if (isText(u.section) || isUnused(u.section) || isExportEntry(u.section) || !u.relocs.length)
                continue;
            const ts = targets.of(u);
            const hits = ts.some((t) => t.kind === "unit" && units.has(t.unit) && t.unit.kind === "func");
            if (!hits)
                continue;
            const entrySize = entrySizeOf(p.elf, u.section, sizes, u.relocs, ts, notes);
            const keep = new Set();
            u.relocs.forEach((r, i) => {
                const t = ts[i];
                if (t.kind === "unit" && units.has(t.unit) && t.unit.kind === "func") {
                    keep.add(Math.floor(Number(r.offset) / entrySize));
                }
            });
            tables.set(u.section, { entrySize, keep: [...keep].sort((a, b) => a - b) });
            u.relocs.forEach((r, i) => {
                const t = ts[i];
                if (!keep.has(Math.floor(Number(r.offset) / entrySize)))
                    return;
                // What kept entries point at besides code: file names, replacement instructions.
                const target = t.kind === "string"
                    ? t.section
                    : t.kind === "unit" && t.unit.kind === "section"
                        ? t.unit
                        : undefined;
                if (target && !tables.has(target.section)) {
                    referencedBy.add(target.section);
                    add(target);
                }
            });
            drain();
            again = true;
        }
    }
    for (const [name, leader] of Object.entries(PARALLEL)) {
        const sec = p.elf.section(name);
        const lead = p.elf.section(leader);
        const led = lead && tables.get(lead);
        if (sec && led) {
            const entrySize = entrySizeOf(p.elf, sec, sizes, [], [], notes);
            tables.set(sec, { entrySize, keep: led.keep });
        }
    }
    return { units, tables, notes };
}
/**
 * The kind of livepatch callback a kpatch-macros.h table holds
 * (.kpatch.callbacks.KIND: function pointers), if it is one.
 */
export function callbackKind(sec) {
    return /^\.kpatch\.callbacks\.(pre_patch|post_patch|pre_unpatch|post_unpatch)$/.exec(sec.name)?.[1];
}
/**
 * Sections the running kernel never reads: objtool's annotations (.discard.*)
 * and DWARF-style unwind tables (the kernel unwinds with ORC).
 */
function isUnused(sec) {
    return (sec.name.startsWith(".discard") ||
        sec.name === ".eh_frame" ||
        sec.type === SHT_X86_64_UNWIND ||
        // gcc's record of the padding before each function (CONFIG_CALL_PADDING),
        // ordered by the linker after its text; x86's ftrace reads __mcount_loc.
        sec.name === "__patchable_function_entries");
}
const SHT_X86_64_UNWIND = 0x70000001;
/**
 * Export records (EXPORT_SYMBOL: __ksymtab+NAME before 6.5, one
 * .export_symbol section after, which modpost reads). A patch never exports
 * what it replaces: modules keep linking to the original, which the live
 * patch redirects.
 */
export function isExportEntry(sec) {
    return /^_{2,3}(ksymtab|kcrctab)/.test(sec.name) || sec.name === ".export_symbol";
}
/**
 * The symbols an object exports: one __ksymtab+NAME section, or one
 * __export_symbol_NAME label, each.
 */
export function exportsOf(elf) {
    const names = new Set();
    for (const sec of elf.sections) {
        const m = /^_{2,3}ksymtab\w*\+(.+)$/.exec(sec.name);
        if (m)
            names.add(m[1]);
    }
    for (const sym of elf.symbols) {
        if (sym.section?.name === ".export_symbol" && sym.name.startsWith("__export_symbol_")) {
            names.add(sym.name.slice("__export_symbol_".length));
        }
    }
    return names;
}
function isWritable(sec) {
    return (sec.flags & SHF.WRITE) !== 0n && !isText(sec);
}
/**
 * Tables whose entry size no kernel configures: the compiler's arrays of code
 * addresses (x86-64 pointers), and objtool's and the assembler's lists of
 * 4-byte offsets from the entry to a code location, which x86-64 kernels
 * read as s32 in every version.
 */
const FIXED_SIZES = {
    __mcount_loc: 8,
    __patchable_function_entries: 8,
    ".smp_locks": 4,
    ".orc_unwind_ip": 4,
    ".retpoline_sites": 4,
    ".return_sites": 4,
    ".call_sites": 4,
    ".ibt_endbr_seal": 4,
};
/**
 * The size of one entry of a table: the section's own sh_entsize when the
 * toolchain set it (objtool does for its tables), else the size the target
 * kernel defines for that section, else the compiler's own format. A size
 * from the target kernel that does not fit the object (kpatch-build's
 * *_STRUCT_SIZE taken from another build) gives way to the stride the
 * table's relocations show, with a note; with none, or a misfit from the
 * object or the ABI, the table is refused.
 */
function entrySizeOf(elf, sec, sizes, relocs, targets, notes) {
    const fixed = FIXED_SIZES[sec.name];
    const n = sec.entsize > 0n ? Number(sec.entsize) : (fixed ?? sizes[sec.name]);
    if (!n) {
        throw new KpatchError("input", `entry size of ${sec.name} is unknown: ` +
            "take it from the target kernel " +
            "(for create-diff-object, the *_STRUCT_SIZE environment variables)", { file: elf.file });
    }
    const from = sec.entsize > 0n ? "its sh_entsize" : fixed ? "the x86-64 ABI" : "the target kernel";
    const size = Number(ElfFile.size(sec));
    const misfit = misfitOf(sec, size, n, relocs);
    if (!misfit)
        return n;
    const stride = from === "the target kernel" ? strideOf(size, n, relocs, targets) : undefined;
    if (stride) {
        notes.push(`${sec.name}: the target kernel's entry size ${n} does not fit ${elf.file} (${misfit}); ` +
            `its relocations repeat every ${stride} bytes, the size used`);
        return stride;
    }
    throw new KpatchError("input", `${misfit}: the entry size ${n} (from ${from}) does not match this object` +
        (from === "the target kernel" ? ", and no other size fits its relocations" : ""), { file: elf.file });
}
/**
 * Why entries of `n` bytes do not tile a table: its size, or relocations at
 * fields the fullest entry lacks (entries may lack some, as printk_index's
 * NULL prefixes do).
 */
function misfitOf(sec, size, n, relocs) {
    if (size % n !== 0)
        return `${sec.name} is ${size} bytes, not a multiple of ${n}`;
    const byEntry = new Map();
    for (const r of relocs) {
        const e = Math.floor(Number(r.offset) / n);
        byEntry.set(e, (byEntry.get(e) ?? new Set()).add(Number(r.offset) % n));
    }
    const fullest = [...byEntry.values()].reduce((a, b) => (b.size > a.size ? b : a), new Set());
    const stray = [...byEntry].find(([, f]) => [...f].some((x) => !fullest.has(x)));
    if (!stray)
        return undefined;
    const show = (f) => [...f].sort((a, b) => a - b).join(",");
    return (`${sec.name}'s relocations fall at other offsets ` +
        `in entry ${stray[0]} (${show(stray[1])}) than in others (${show(fullest)})`);
}
/**
 * The smallest stride at which every entry is relocated at the same fields,
 * each field pointing at code in every entry or in none: what an array of
 * one struct shows. A single entry bigger than the kernel's struct is no
 * stride (a whole section always tiles itself).
 */
function strideOf(size, n, relocs, targets) {
    const code = targets.map((t) => t.kind === "unit" && isText(t.unit.section));
    for (let s = 1; s <= size; s++) {
        if (size % s !== 0 || (s === size && s > n))
            continue;
        const fields = Array.from({ length: size / s }, () => new Set());
        const toCode = new Map();
        let uniform = true;
        relocs.forEach((r, i) => {
            const f = Number(r.offset) % s;
            fields[Math.floor(Number(r.offset) / s)]?.add(f);
            if ((toCode.get(f) ?? code[i]) !== code[i])
                uniform = false;
            toCode.set(f, code[i]);
        });
        const shape = [...fields[0]].sort((a, b) => a - b).join(",");
        if (uniform && shape && fields.every((f) => [...f].sort((a, b) => a - b).join(",") === shape))
            return s;
    }
    return undefined;
}
//# sourceMappingURL=include.js.map