// Proves a patch module complete for what the target kernel patches in it
// at load time, whoever made each piece (the differ, the glue, the link):
// - every return through the return thunk is in .return_sites, and every
//   call or jump through a retpoline thunk in .retpoline_sites: one left out
//   runs the thunk unpatched, which 6.12 WARNs about ("Unpatched return
//   thunk in use");
// - every __fentry__ call is in __mcount_loc, so ftrace turns it into a nop;
// - every function's entry has an ORC entry that can unwind it, so the
//   reliable stack walk of the livepatch transition never fails on our code;
// - on an IBT kernel (its functions start with endbr64), every function
//   whose address the module takes starts with endbr64, and no
//   .ibt_endbr_seal entry seals one: an indirect call to it would fault.
//   The glue's own references to the replacement functions do not count:
//   ftrace reaches them by a return, not an indirect branch.
import { SHT, STT } from "../elf/constants.js";
import { klpSymbol } from "../symbols/names.js";
import { addressesTaken, branchStart, isCode, sealedTaken } from "../arch/x86/references.js";
import { isEntryAlias } from "./glue.js";
const ENDBR64 = [0xf3, 0x0f, 0x1e, 0xfa];
const RETURN_THUNK = /^__x86_return_thunk$/;
const RETPOLINE = /^__x86_indirect_(call_|jump_)?thunk_\w+$/;
// Alternatives' replacements are copied over their sites, which are the ones listed.
const isReplacement = (s) => /^\.altinstr_(replacement|aux)/.test(s.name);
const where = (p) => `${p.sec.name}+0x${p.off.toString(16)}`;
/** Everything the kernel would find missing or wrong at load, one line each. */
export function verifySites(ko) {
    const functions = functionsOf(ko);
    const name = (p) => {
        const f = functions.find((f) => f.sec === p.sec && p.off >= f.off && p.off < f.end);
        return f ? `${f.sym.name}+0x${(p.off - f.off).toString(16)}` : where(p);
    };
    const problems = [];
    const listed = (table) => new Set(tablePlaces(ko, table).map(key));
    const [returns, retpolines, mcount] = [".return_sites", ".retpoline_sites", "__mcount_loc"].map(listed);
    for (const { sec, r, target } of codeReferences(ko)) {
        const start = branchStart(sec, r);
        const at = start === undefined ? undefined : { sec, off: start };
        if (!at || isReplacement(sec))
            continue;
        if (RETURN_THUNK.test(target) && !returns.has(key(at))) {
            problems.push(`${name(at)}: a return through ${target} is not in .return_sites`);
        }
        else if (RETPOLINE.test(target) && !retpolines.has(key(at))) {
            problems.push(`${name(at)}: a branch through ${target} is not in .retpoline_sites`);
        }
        else if (target === "__fentry__" && sec.data[at.off] === 0xe8 && !mcount.has(key(at))) {
            problems.push(`${name(at)}: its __fentry__ call is not in __mcount_loc`);
        }
    }
    problems.push(...orcCoverage(ko, functions));
    if (functions.some((f) => startsWithEndbr(f)))
        problems.push(...ibt(ko, functions));
    return problems;
}
function functionsOf(ko) {
    return ko.symbols.flatMap((sym) => {
        const sec = sym.section;
        // objtool's __pfx_ and __cfi_ symbols name the padding before a function.
        if (sym.type !== STT.FUNC || !sec || !isCode(sec) || /^__(pfx|cfi)_/.test(sym.name))
            return [];
        const off = Number(sym.value);
        return [{ sym, sec, off, end: off + Math.max(1, Number(sym.size)) }];
    });
}
const key = (p) => `${p.sec.name}\0${p.off}`;
/** Where each entry of a table of code addresses points, in entry order. */
function tablePlaces(ko, table) {
    const sec = ko.sections.find((s) => s.name === table);
    const rela = sec && ko.relocationsFor(sec);
    const width = table === "__mcount_loc" ? 8 : 4;
    return (rela?.relocations ?? []).flatMap((r) => {
        const p = placeOf(r.symbol, r.addend);
        return p ? [{ ...p, entry: Number(r.offset) / width }] : [];
    });
}
function placeOf(sym, addend) {
    if (!sym?.section)
        return undefined;
    const base = sym.type === STT.SECTION ? 0n : sym.value;
    return { sec: sym.section, off: Number(base + addend) };
}
/** Every relocation in code, with the name of what it refers to (a livepatch symbol's own). */
function codeReferences(ko) {
    return ko.sections
        .filter((rela) => rela.type === SHT.RELA && rela.infoSection && isCode(rela.infoSection))
        .flatMap((rela) => rela.relocations.map((r) => {
        const n = r.symbol?.name ?? "";
        return { sec: rela.infoSection, r, target: klpSymbol(n)?.name ?? n };
    }));
}
/**
 * Each function's entry must fall under an ORC entry that says how to find
 * its return address (not ORC_REG_UNDEFINED, an end of section's marker).
 */
function orcCoverage(ko, functions) {
    const orc = ko.sections.find((s) => s.name === ".orc_unwind");
    if (!orc)
        return [];
    const entries = new Map();
    for (const p of tablePlaces(ko, ".orc_unwind_ip")) {
        const list = entries.get(p.sec) ?? [];
        // struct orc_entry: sp_offset, bp_offset, then sp_reg in the low four bits.
        list.push({ off: p.off, defined: ((orc.data[p.entry * 6 + 4] ?? 0) & 0xf) !== 0 });
        entries.set(p.sec, list);
    }
    for (const list of entries.values())
        list.sort((a, b) => a.off - b.off);
    return functions.flatMap((f) => {
        const cover = entries
            .get(f.sec)
            ?.filter((e) => e.off <= f.off)
            .at(-1);
        return cover?.defined
            ? []
            : [
                `${f.sym.name} (${f.sec.name}): no ORC entry unwinds it, so a stack walk through it fails`,
            ];
    });
}
/**
 * The target's functions whose addresses the module takes through its
 * livepatch symbols, where `sealed` says the target seals them.
 */
export function sealedTargets(ko, sealed) {
    const seen = new Set();
    return addressesTaken(ko).flatMap(({ r, from }) => {
        const k = klpSymbol(r.symbol?.name ?? "");
        if (!k || seen.has(r.symbol.name) || !sealed(k.object, k.name, k.pos))
            return [];
        seen.add(r.symbol.name);
        return [sealedTaken(k.object, k.name, where({ sec: from, off: Number(r.offset) }))];
    });
}
const startsWithEndbr = (f) => ENDBR64.every((b, i) => f.sec.data[f.off + i] === b);
function ibt(ko, functions) {
    const problems = [];
    // Looked up for every relocation of the module: by place, not by a walk.
    const starts = new Map();
    // The first of aliases at one place names it, as the symbol table lists them.
    for (const f of functions)
        if (!starts.has(key(f)))
            starts.set(key(f), f);
    const at = (p) => starts.get(key(p));
    const taken = new Map();
    for (const { r, from, addend } of addressesTaken(ko)) {
        if (isEntryAlias(r.symbol?.name ?? ""))
            continue;
        const p = placeOf(r.symbol, addend);
        const f = p && at(p);
        if (f && !taken.has(f))
            taken.set(f, where({ sec: from, off: Number(r.offset) }));
    }
    for (const [f, by] of taken) {
        if (!startsWithEndbr(f)) {
            problems.push(`${f.sym.name}: its address is taken (${by}) but it does not start with endbr64: ` +
                "an indirect call to it faults on an IBT kernel");
        }
    }
    for (const p of tablePlaces(ko, ".ibt_endbr_seal")) {
        const f = at(p);
        if (f && taken.has(f)) {
            problems.push(`${f.sym.name}: .ibt_endbr_seal seals its endbr64, but its address is taken ` +
                `(${taken.get(f)}): an indirect call to it would fault`);
        }
    }
    return problems;
}
//# sourceMappingURL=sites.js.map