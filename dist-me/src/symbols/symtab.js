// Symbol tables of a patch target (vmlinux or a module): which names exist,
// which are local to which source file, and the position livepatch needs to
// tell same-named locals apart (klp_func.old_sympos, .klp.sym.OBJ.NAME,POS).
import { ET_EXEC, SHF, SHT, STB, STT } from "../elf/constants.js";
const KERNEL_BASE = 0xffffffff80000000n;
import { ElfFile } from "../elf/model.js";
import { baseName } from "./names.js";
import { moduleName } from "../kernel/modules.js";
export class TargetSymtab {
    byName = new Map();
    table;
    reader;
    sortByAddress;
    /**
     * `byAddress`: the table is a linked kernel's, whose kallsyms (which
     * livepatch counts positions in) is sorted by address, not in symbol table
     * order. A module's kallsyms keeps its symbol table order.
     */
    constructor(symbols, byAddress = false) {
        if (Array.isArray(symbols)) {
            this.sortByAddress = byAddress;
            this.index((this.table = symbols));
        }
        else
            this.reader = symbols;
    }
    get symbols() {
        return this.readAll();
    }
    readAll() {
        if (!this.table) {
            this.byName.clear();
            this.index((this.table = this.reader.all()));
        }
        return this.table;
    }
    get byAddress() {
        return (this.sortByAddress ??= this.reader.byAddress());
    }
    /** Reads the symbols of these names in one pass, where the table is read on demand. */
    want(names) {
        if (this.table)
            return;
        const fresh = new Set([...names].filter((n) => !this.byName.has(n)));
        if (fresh.size === 0)
            return;
        for (const n of fresh)
            this.byName.set(n, []);
        this.index(this.reader.named(fresh));
    }
    index(symbols) {
        for (const s of symbols) {
            const l = this.byName.get(s.name);
            if (l)
                l.push(s);
            else
                this.byName.set(s.name, [s]);
        }
        if (this.byAddress)
            for (const l of this.byName.values())
                if (l.length > 1)
                    l.sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
    }
    /** The table as text for a cache: one array per symbol, addresses in hex. */
    serialize() {
        const rows = this.symbols.map((s) => [
            s.name,
            s.type,
            s.local ? 1 : 0,
            s.file ?? null,
            s.group,
            s.value.toString(16),
            ...(s.sealed ? [1] : []),
        ]);
        return JSON.stringify({ byAddress: this.byAddress, rows });
    }
    static deserialize(text) {
        const { byAddress, rows } = JSON.parse(text);
        const symbols = rows.map(([name, type, local, file, group, value, sealed]) => ({
            name,
            type,
            local: local === 1,
            file: file ?? undefined,
            group,
            value: BigInt(`0x${value}`),
            ...(sealed === 1 && { sealed: true }),
        }));
        return new TargetSymtab(symbols, byAddress);
    }
    named(name) {
        // A name not wanted beforehand reads the whole table, once, not a pass per name.
        if (!this.table && !this.byName.has(name))
            this.readAll();
        return this.byName.get(name) ?? [];
    }
    /**
     * The livepatch position of `name` defined in `file`: 0 when the name is
     * unique in the target, else its 1-based rank among same-named symbols in
     * table order (the order kallsyms walks). `source` undefined asks for the
     * global of that name. An error when it cannot be told which one is meant.
     */
    position(name, source) {
        const exact = this.find(name, name, source);
        if (!("error" in exact) || !source)
            return exact;
        // The target may number a static local differently (`calls.3` for our
        // `calls.4`): accept the one local of that base name in the same file.
        const base = baseName(name);
        return base === name ? exact : this.find(base, name, source, true);
    }
    find(lookup, wanted, source, byBase = false) {
        const all = byBase ? (this.byBase().get(lookup) ?? []) : this.named(lookup);
        if (all.length === 0)
            return { error: `${wanted} is not in the target's symbol table` };
        // A global is the one non-local of that name; a local is told apart by its
        // source file, and files with the same name (many a core.c) by which
        // locals they define.
        let mine = all.filter((s) => source === undefined ? !s.local : s.local && s.file === source.name);
        if (source && mine.length > 1) {
            // Locals the target has nowhere (the linker dropped them: .modinfo, exit
            // calls, __ADDRESSABLE()'s) tell no file apart.
            const known = [...source.locals].filter((l) => this.named(l).length > 0);
            mine = mine.filter((m) => known.every((l) => this.named(l).some((x) => x.group === m.group) || byBase));
        }
        // A unique name is the one, unless the table says it belongs to another file
        // (tables without source files: System.map, modules stripped of debug symbols).
        if (!byBase &&
            all.length === 1 &&
            (mine.length === 1 || source === undefined || (all[0].local && all[0].file === undefined)))
            return { name: all[0].name, pos: 0 };
        if (mine.length === 1) {
            const same = this.named(mine[0].name);
            return { name: mine[0].name, pos: same.length === 1 ? 0 : same.indexOf(mine[0]) + 1 };
        }
        const which = source ? `local to ${source.name}` : "global";
        return {
            error: `${wanted} is defined ${all.length} times in the target, ` +
                `${mine.length} of them ${which}`,
        };
    }
    baseIndex;
    byBase() {
        if (!this.baseIndex) {
            this.baseIndex = new Map();
            for (const s of this.symbols) {
                if (!s.local)
                    continue;
                const b = baseName(s.name);
                const l = this.baseIndex.get(b);
                if (l)
                    l.push(s);
                else
                    this.baseIndex.set(b, [s]);
            }
        }
        return this.baseIndex;
    }
}
const typeOf = (t) => t === "FUNC" || t === STT.FUNC ? "func" : t === "OBJECT" || t === STT.OBJECT ? "object" : "other";
// Num: Value Size Type Bind Vis Ndx Name
const READELF_LINE = /^\s*\d+:\s+([0-9a-f]+)\s+\S+\s+(\S+)\s+(\S+)\s+\S+\s+(\S+)\s*(.*)$/;
/**
 * The text of `readelf -s --wide`, read on demand: vmlinux's has 80,000
 * lines where a diff asks for a few hundred names, and matching every line
 * took a create-diff-object run 100 ms and most of its garbage collection.
 */
class ReadelfText {
    text;
    /** Where the lines of each `.symtab` start and end: .dynsym is not what kallsyms is built from. */
    tables = [];
    /** The STT_FILE lines, in order: where each starts, and its name. */
    files = [];
    /** Each symbol read, by where its line starts: one object per symbol, however it was asked. */
    read = new Map();
    constructor(text) {
        this.text = text;
        // Each header quotes its table's name, and no other line readelf prints
        // has a quote: a search for that rare character finds them fastest.
        const heads = [];
        for (let q = text.indexOf("'"); q >= 0; q = text.indexOf("'", this.lineEnd(q))) {
            const line = text.lastIndexOf("\n", q) + 1;
            if (text.startsWith("Symbol table ", line))
                heads.push(line);
        }
        for (const [k, head] of heads.entries()) {
            const end = this.lineEnd(head);
            if (text.slice(head, end).includes("'.symtab'"))
                this.tables.push([end + 1, heads[k + 1] ?? text.length]);
        }
        // Every FILE line holds "FILE ": a search finds the few thousand without a split.
        for (const [start, end] of this.tables) {
            for (let i = text.indexOf("FILE ", start); i >= 0 && i < end;) {
                const line = text.lastIndexOf("\n", i) + 1;
                const eol = this.lineEnd(i);
                const m = READELF_LINE.exec(text.slice(line, eol));
                if (m?.[2] === "FILE")
                    this.files.push({ at: line, name: m[5] });
                i = text.indexOf("FILE ", eol);
            }
        }
    }
    named(names) {
        // A line can name one of `names` only if the word that ends its name (at
        // a version's `@`) ends one of them: readelf puts no `@` in other fields,
        // and a space before the name. The last three characters, those of the
        // word or of the space and a word of two, turn most lines away unsliced.
        const ends = new Set([...names].map((n) => n.slice(n.lastIndexOf(" ") + 1)));
        const spaced = [...ends].map((e) => ` ${e}`);
        const keys = spaced.every((e) => e.length >= 3)
            ? new Set(spaced.map((e) => tailKey(e, e.length)))
            : undefined;
        const { text } = this;
        const hits = [];
        let at = text.indexOf("@");
        for (const [start, end] of this.tables)
            for (let line = start, eol = start; line < end; line = eol + 1) {
                eol = this.lineEnd(line);
                if (at >= 0 && at < line)
                    at = text.indexOf("@", line);
                const stop = at >= 0 && at < eol ? at : eol;
                if (keys && !keys.has(tailKey(text, stop)))
                    continue;
                if (ends.has(text.slice(text.lastIndexOf(" ", stop - 1) + 1, stop)))
                    hits.push(line);
            }
        return this.symbolsAt(hits).filter((s) => names.has(s.name));
    }
    all() {
        return this.symbolsAt(this.lineStarts());
    }
    byAddress() {
        // A linked kernel's addresses sit at the top of the address space (its
        // first symbol tells); a module's symbols are offsets.
        for (const [start, end] of this.tables)
            for (let line = start; line < end; line = this.lineEnd(line) + 1) {
                const m = READELF_LINE.exec(this.text.slice(line, this.lineEnd(line)));
                if (m && m[2] !== "FILE" && kept(m) && BigInt(`0x${m[1]}`) >= KERNEL_BASE)
                    return true;
            }
        return false;
    }
    /** The symbols of the lines that start at `lines`, in order. */
    symbolsAt(lines) {
        const out = [];
        let group = 0;
        for (const line of lines) {
            // The group a symbol is in: how many FILE lines come before it.
            while (group < this.files.length && this.files[group].at < line)
                group++;
            const s = this.symbolAt(line, group);
            if (s)
                out.push(s);
        }
        return out;
    }
    symbolAt(line, group) {
        if (this.read.has(line))
            return this.read.get(line);
        const m = READELF_LINE.exec(this.text.slice(line, this.lineEnd(line)));
        let s;
        if (m && m[2] !== "FILE" && kept(m)) {
            const [, value, type, bind, , name] = m;
            s = {
                // A versioned name (foo@VER) is the symbol foo; the test spares most lines a regex.
                name: name.includes("@") ? name.replace(/@.*$/, "") : name,
                type: typeOf(type),
                local: bind === "LOCAL",
                file: bind === "LOCAL" ? this.files[group - 1]?.name : undefined,
                group,
                value: BigInt(`0x${value}`),
            };
        }
        this.read.set(line, s);
        return s;
    }
    /** Where each line of the `.symtab` tables starts. */
    lineStarts() {
        const out = [];
        for (const [start, end] of this.tables)
            for (let line = start; line < end; line = this.lineEnd(line) + 1)
                out.push(line);
        return out;
    }
    lineEnd(from) {
        const eol = this.text.indexOf("\n", from);
        return eol < 0 ? this.text.length : eol;
    }
}
/** The three characters of `text` before `stop` (their low bytes), as one small integer. */
const tailKey = (text, stop) => ((text.charCodeAt(stop - 3) & 0xff) << 16) |
    ((text.charCodeAt(stop - 2) & 0xff) << 8) |
    (text.charCodeAt(stop - 1) & 0xff);
/** A word of `text` as a number: its length and last character. */
const wordKey = (text, from, stop) => stop > from ? (stop - from) * 0x10000 + text.charCodeAt(stop - 1) : 0;
/** Whether a symbol line's symbol is one the target's table keeps: named, defined, no section's. */
const kept = (m) => !!m[5] && m[4] !== "UND" && m[2] !== "SECTION";
/** Parses the text of `readelf -s --wide` (kpatch's PARENT-SYMTAB), on demand. */
export function parseReadelfSymtab(text) {
    return new TargetSymtab(new ReadelfText(text));
}
/** The symbol table of a target read with the project's ELF layer (vmlinux, a .ko). */
export function elfSymtab(elf) {
    const sealed = sealedPlaces(elf);
    const out = [];
    let file;
    let group = 0;
    for (const s of elf.symbols) {
        if (s.type === STT.FILE) {
            file = s.name;
            group++;
            continue;
        }
        if (!s.section || s.type === STT.SECTION || !s.name)
            continue;
        out.push({
            name: s.name,
            type: typeOf(s.type),
            local: s.bind === STB.LOCAL,
            file: s.bind === STB.LOCAL ? file : undefined,
            group,
            value: s.value,
            ...(s.type === STT.FUNC && sealed.get(s.section)?.has(s.value) && { sealed: true }),
        });
    }
    return new TargetSymtab(out, elf.header.type === ET_EXEC);
}
/**
 * The places whose endbr64 the kernel seals (apply_seal_endbr): each entry
 * of .ibt_endbr_seal is an s32 from itself to one. A linked kernel holds
 * them resolved; a module holds a relocation per entry, applied at load.
 */
function sealedPlaces(elf) {
    const places = new Map();
    const add = (sec, at) => {
        if (sec)
            places.set(sec, (places.get(sec) ?? new Set()).add(at));
    };
    const table = elf.section(".ibt_endbr_seal");
    if (!table || table.type !== SHT.PROGBITS)
        return places;
    if (elf.header.type !== ET_EXEC) {
        // `.long f - .`: S + A is the place itself, with no instruction's length to add.
        for (const r of elf.section(".rela.ibt_endbr_seal")?.relocations ?? [])
            add(r.symbol?.section, (r.symbol?.value ?? 0n) + r.addend);
        return places;
    }
    const view = new DataView(table.data.buffer, table.data.byteOffset, table.data.byteLength);
    const code = elf.sections.filter((s) => (s.flags & SHF.EXECINSTR) !== 0n);
    for (let i = 0; i + 4 <= view.byteLength; i += 4) {
        const address = table.addr + BigInt(i + view.getInt32(i, true));
        add(code.find((s) => address >= s.addr && address < s.addr + ElfFile.size(s)), address);
    }
    return places;
}
/**
 * Module.symvers: each exported symbol (of `names`, if given) → the module
 * exporting it, by the name the kernel knows it under ("vmlinux", "9pnet", ...).
 */
export function parseSymvers(text, names) {
    const out = new Map();
    for (const [, name, module] of symversLines(text, names))
        if (name && module)
            out.set(name, module === "vmlinux" ? module : moduleName(module));
    return out;
}
/** The namespace of each symbol (of `names`, if given) Module.symvers exports into one. */
export function symversNamespaces(text, names) {
    const out = new Map();
    for (const [, name, , , namespace] of symversLines(text, names))
        if (name && namespace)
            out.set(name, namespace);
    return out;
}
/**
 * The lines of Module.symvers as their columns (CRC, symbol, module path,
 * export type, namespace): of the symbols in `names` only, when given.
 * Debian's has 27,000 lines where a diff asks for a few dozen names, and
 * splitting every one took 30 ms; the symbol column's length and last
 * character turn most lines away unsliced.
 */
function symversLines(text, names) {
    const keys = names && new Set([...names].map((n) => wordKey(n, 0, n.length)));
    const out = [];
    for (let line = 0; line < text.length;) {
        let eol = text.indexOf("\n", line);
        if (eol < 0)
            eol = text.length;
        const from = text.indexOf("\t", line) + 1;
        let stop = from > 0 && from <= eol ? text.indexOf("\t", from) : eol;
        if (stop < 0 || stop > eol)
            stop = eol;
        const wanted = !names ||
            (from > 0 &&
                from <= eol &&
                keys.has(wordKey(text, from, stop)) &&
                names.has(text.slice(from, stop)));
        if (wanted)
            out.push(text.slice(line, eol).split("\t"));
        line = eol + 1;
    }
    return out;
}
/**
 * Parses System.map (`ADDRESS TYPE NAME`, lower-case types are local). It
 * names no source files, so locals that repeat cannot be told apart with it.
 */
export function parseSystemMap(text) {
    const out = [];
    for (const line of text.split("\n")) {
        const [, type, name] = line.split(" ");
        if (!type || !name || "aUwvN".includes(type))
            continue;
        const t = type.toLowerCase();
        // System.map is sorted by address already.
        out.push({
            name,
            type: t === "t" ? "func" : "dbrg".includes(t) ? "object" : "other",
            local: type === t,
            file: undefined,
            group: 0,
            value: 0n,
        });
    }
    return new TargetSymtab(out);
}
//# sourceMappingURL=symtab.js.map