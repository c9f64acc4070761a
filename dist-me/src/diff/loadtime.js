import { KpatchError } from "../errors.js";
import { klpSymbol } from "../symbols/names.js";
/** Every table the kernel reads before `.klp.rela.MODULE.*` is applied. */
export const LOAD_TIME_TABLES = [
    "__jump_table",
    ".static_call_sites",
    ".altinstructions",
    ".altinstr_replacement",
    ".parainstructions",
    ".retpoline_sites",
    ".return_sites",
    ".call_sites",
    ".smp_locks",
    ".orc_unwind_ip",
    "__ex_table",
    "__bug_table",
    "__mcount_loc",
    ".printk_index",
    "__dyndbg",
    "__verbose",
];
/**
 * `.klp.sym.OBJ.NAME,POS` that the livepatch core resolves only after the
 * kernel read the tables: a module's symbol, or also vmlinux's when the
 * module loader does not apply `.klp.rela.vmlinux.*` with the module's own
 * relocations (`vmlinuxEarly`: Linux 5.8 and later do).
 */
export function lateObject(symbolName, vmlinuxEarly = true) {
    const k = klpSymbol(symbolName);
    return k && (k.object !== "vmlinux" || !vmlinuxEarly) ? k : undefined;
}
/** Whether `section` is one of those tables, or one kept apart per patched object (NAME.OBJECT). */
export function isLoadTimeTable(section) {
    return LOAD_TIME_TABLES.some((t) => section === t || section.startsWith(`${t}.`));
}
/**
 * Drops or refuses the entries described above, in `out` (the differ's
 * output, its externals already renamed to `.klp.sym.*`). Returns warnings
 * for what it dropped.
 */
export function guardLoadTimeTables(out, sizes, vmlinuxEarly = true) {
    const warnings = [];
    const problems = [];
    const drops = new Map();
    for (const sec of out.sections.filter((s) => isLoadTimeTable(s.name))) {
        const rela = out.relocationsFor(sec);
        if (!rela)
            continue;
        const size = entrySize(sec, sizes);
        for (const r of rela.relocations) {
            const key = r.symbol && lateObject(r.symbol.name, vmlinuxEarly);
            if (!key)
                continue;
            const entry = size ? Math.floor(Number(r.offset) / size) : 0;
            const site = {
                sec,
                entry,
                where: size ? describe(out, rela.relocations, entry, size) : "?",
                key,
            };
            const verdict = decide(site);
            if (verdict.drop && size) {
                drops.set(sec, (drops.get(sec) ?? new Set()).add(entry));
                if (!warnings.includes(verdict.drop))
                    warnings.push(verdict.drop);
            }
            else {
                problems.push(verdict.refuse ?? `${sec.name}: an entry refers to ${key.name} of ${key.object}`);
            }
        }
    }
    if (problems.length) {
        throw new KpatchError("unsafe", "the patch module would hand the kernel entries it cannot read yet", { details: problems, file: out.file });
    }
    for (const [sec, entries] of drops) {
        const size = entrySize(sec, sizes);
        if (sec.name === "__jump_table")
            for (const e of entries)
                settleJump(out, sec, size, e);
        dropEntries(out, sec, size, entries);
    }
    return warnings;
}
function decide(s) {
    const { name, object } = s.key;
    const tracepoint = /^__(?:tracepoint|SCK__tp_func)_(.+)$/.exec(name)?.[1];
    const late = (what) => `${object} defines it, and the kernel reads ${what} before ` +
        `the livepatch core can resolve ${object}'s symbols`;
    if (tracepoint !== undefined) {
        return {
            drop: `tracepoint ${tracepoint} stays off in the patched ${s.where.replace(/\+.*/, "")}: ` +
                late("the patch module's jump labels and static calls"),
        };
    }
    // pr_debug's descriptor: __UNIQUE_ID_ddebugN.M, or `descriptor` in some macros.
    if (s.sec.name === "__jump_table" &&
        /^(?:__UNIQUE_ID_ddebug\d+|descriptor)(?:\.\d+)?$/.test(name)) {
        return {
            drop: `pr_debug stays off in the patched ${s.where.replace(/\+.*/, "")}: ` +
                late("the patch module's jump labels"),
        };
    }
    if (s.sec.name === ".static_call_sites") {
        return {
            drop: `static call ${name.replace(/^__SCK__/, "")} at ${s.where} goes through its trampoline, ` +
                "which static_call_update() keeps current, instead of being patched inline: " +
                late(s.sec.name),
        };
    }
    if (s.sec.name === "__jump_table") {
        return {
            refuse: `jump label at ${s.where} on static key ${name}: ${late(s.sec.name)}; in the patch, test ` +
                `static_key_enabled(&${name}) instead of static_branch_*()`,
        };
    }
    return {
        refuse: `${s.sec.name} entry for ${s.where} refers to ${name}: ${late(s.sec.name)}; keep that ` +
            "construct out of the patched functions",
    };
}
/** The differ writes each table's stride as its sh_entsize; else the target kernel's. */
function entrySize(sec, sizes) {
    const n = Number(sec.entsize) || sizes[sec.name];
    return n > 0 ? n : undefined;
}
/** "func+0x12": where the entry's first field (the code it describes) points. */
function describe(out, relocs, entry, size) {
    const first = relocs.find((r) => Number(r.offset) === entry * size);
    const sym = first?.symbol;
    if (!sym?.section)
        return sym?.name ?? "?";
    const at = sym.value + first.addend;
    const fn = out.symbols.find((f) => f.section === sym.section && f.size > 0n && f.value <= at && at < f.value + f.size);
    return fn
        ? `${fn.name}+0x${(at - fn.value).toString(16)}`
        : `${sym.section.name}+0x${at.toString(16)}`;
}
/**
 * Leaves a jump label's site as the kernel's build would for its key's
 * initial state. Where objtool runs on the linked module (6.12 with IBT, as
 * Debian builds it), the site is still the `jmp` the compiler wrote, and
 * objtool turns it into a NOP only for entries left in __jump_table: a
 * dropped site marked so (bit 1 of the key's addend: arch_static_branch)
 * would always jump, into the tracepoint or pr_debug meant to stay off.
 * Where objtool ran on each object (6.1), the site is a NOP already.
 */
function settleJump(out, sec, size, entry) {
    const relocs = out.relocationsFor(sec).relocations;
    const code = relocs.find((r) => Number(r.offset) === entry * size);
    const key = relocs.find((r) => Number(r.offset) === entry * size + 8);
    const text = code?.symbol?.section;
    if (!code || !key || !text || (key.addend & 2n) === 0n)
        return;
    const at = Number(code.symbol.value + code.addend);
    const op = text.data[at];
    const nop = op === 0xeb ? [0x66, 0x90] : op === 0xe9 ? [0x0f, 0x1f, 0x44, 0x00, 0x00] : [];
    if (nop.length && at + nop.length <= text.data.length)
        text.data.set(nop, at);
}
/** Removes entries from a table, closing the gaps, with their relocations. */
function dropEntries(out, sec, size, drop) {
    const count = Math.floor(sec.data.length / size);
    const keep = [...Array(count).keys()].filter((e) => !drop.has(e));
    const data = new Uint8Array(keep.length * size);
    keep.forEach((e, i) => data.set(sec.data.subarray(e * size, (e + 1) * size), i * size));
    sec.data = data;
    const index = new Map(keep.map((e, i) => [e, i]));
    const rela = out.relocationsFor(sec);
    rela.relocations = rela.relocations.flatMap((r) => {
        const ni = index.get(Math.floor(Number(r.offset) / size));
        return ni === undefined
            ? []
            : [{ ...r, offset: BigInt(ni * size) + (r.offset % BigInt(size)) }];
    });
    if (!keep.length)
        out.removeSection(sec);
}
//# sourceMappingURL=loadtime.js.map