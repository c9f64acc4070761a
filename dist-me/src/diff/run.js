// Runs the differ on files: reads both objects, diffs them, resolves what the
// output needs from the target, and writes the output atomically, so a failed
// or refused diff never leaves an output file behind.
import { join, resolve } from "node:path";
import { nodeHost, sha256 } from "../host/host.js";
import { findModule } from "../kernel/modules.js";
import { readElf } from "../elf/reader.js";
import { writeElf } from "../elf/writer.js";
import { ElfError } from "../elf/model.js";
import { elfSymtab, parseReadelfSymtab, parseSymvers, parseSystemMap, symversNamespaces, TargetSymtab, } from "../symbols/symtab.js";
import { diffObjects } from "./diff.js";
import { KpatchError } from "../errors.js";
import { guardLoadTimeTables } from "./loadtime.js";
import { functionPositions, resolveExternals, targetNames, } from "./externals.js";
import { toKpatchIntermediate } from "./intermediate.js";
import { importNamespaces } from "./output.js";
import { SHN } from "../elf/constants.js";
export function diffFiles(opts, host = nodeHost) {
    const [orig, patched] = [opts.orig, opts.patched].map((f) => {
        try {
            return readElf(host.readFile(f), f);
        }
        catch (e) {
            if (e instanceof ElfError)
                throw e;
            throw new KpatchError("input", e.message, { file: f });
        }
    });
    const r = diffObjects(orig, patched, {
        entrySizes: opts.entrySizes,
        outFile: opts.output,
        lineMaps: opts.lineMaps,
        traced: opts.traced,
    });
    const symvers = opts.symversText ?? (opts.symvers ? host.readText(opts.symvers) : undefined);
    // The target's tables are read for the names the output needs, in one pass each.
    // A carried function is the patch's own: the target's copy is not replaced.
    const replaced = r.changed.filter((c) => !c.callers);
    const names = targetNames(orig, r.externals, replaced);
    const target = opts.symbols
        ? {
            object: opts.object,
            symtab: loadSymtab(opts.symbols, host),
            vmlinux: opts.vmlinuxSymbols ? loadSymtab(opts.vmlinuxSymbols, host) : undefined,
            exports: symvers ? parseSymvers(symvers, names) : new Map(),
        }
        : undefined;
    target?.symtab.want(names);
    target?.vmlinux?.want(names);
    const resolving = target && { orig, patched, output: r.output, target };
    const klp = resolving ? resolveExternals(resolving, r.externals) : [];
    if (symvers) {
        // Exported symbols the module links to normally: their namespaces must be imported
        // (a fix in built-in CXL code calling CXL's own namespaced exports).
        const imported = r.output.symbols.flatMap((s) => !s.section && s.shndx === SHN.UNDEF ? [s.name] : []);
        const namespaces = symversNamespaces(symvers, new Set(imported));
        importNamespaces(r.output, imported.flatMap((name) => {
            const ns = namespaces.get(name);
            return ns ? [ns] : [];
        }));
    }
    if (target) {
        r.warnings.push(...guardLoadTimeTables(r.output, opts.entrySizes ?? {}, opts.vmlinuxRelocatedEarly));
    }
    const functions = resolving ? functionPositions(resolving, replaced) : [];
    if (opts.kpatchIntermediate)
        toKpatchIntermediate(r.output, opts.object, functions);
    host.writeFileAtomic(opts.output, writeElf(r.output));
    return {
        object: opts.object,
        warnings: r.warnings,
        changed: r.changed,
        added: r.added,
        lineOnly: r.lineOnly,
        addedData: r.addedData,
        klp,
        functions,
        output: opts.output,
    };
}
/**
 * Where the symbols of a target's objects are: vmlinux's in `symbols`, a
 * module's in its .ko under `modulesDir`, each module looked for once (in a
 * tree of thousands of files).
 */
export function symbolFiles(symbols, modulesDir, host = nodeHost) {
    const found = new Map();
    return (object) => {
        if (object === "vmlinux")
            return symbols;
        if (!found.has(object))
            found.set(object, modulesDir && findModule(modulesDir, object, host));
        return found.get(object);
    };
}
/** The symbol tables of a target's objects, in the files `fileOf` names (see symbolFiles). */
export function targetSymbols(fileOf, host = nodeHost) {
    return (object) => {
        const file = fileOf(object);
        return file ? loadSymtab(file, host) : undefined;
    };
}
// A build diffs many objects against one target: read its table once.
const symtabs = new Map();
export function loadSymtab(file, host = nodeHost) {
    let t = symtabs.get(file);
    if (!t)
        symtabs.set(file, (t = parseSymtab(file, host)));
    return t;
}
/**
 * A linked kernel's table takes seconds to read (Debian's vmlinux with its
 * debug info is 600 MiB): kept, parsed, in the cache, keyed by the file's
 * identity. Smaller files are read each time.
 */
const SYMTAB_FORMAT = "2";
function parseSymtab(file, host) {
    const st = host.stat(file);
    if (st.size < 32 << 20)
        return parseSymtabFile(file, host);
    // SYMTAB_FORMAT: what the parsers make of a file; a change to them must not meet old tables.
    const identity = [resolve(file), String(st.size), String(st.mtimeMs), String(st.ino)];
    const key = sha256(SYMTAB_FORMAT, ...identity).slice(0, 16);
    const cached = join(host.cacheRoot(), "symtabs", `${key}.json`);
    const known = host.readIfExists(cached);
    if (known) {
        try {
            return TargetSymtab.deserialize(known);
        }
        catch {
            // A damaged entry is read again from the file, and replaced.
        }
    }
    const table = parseSymtabFile(file, host);
    try {
        host.writeFileAtomic(cached, table.serialize());
    }
    catch {
        // A cache that cannot be written (a full disk) costs time next run, nothing else.
    }
    return table;
}
const SEALS = new Set([".rela.ibt_endbr_seal"]);
function parseSymtabFile(file, host) {
    const bytes = host.readFile(file);
    if (bytes.length >= 4 && bytes.readUInt32BE(0) === 0x7f454c46) {
        // A module's seals are relocations; the rest of its relocations are not wanted.
        return elfSymtab(readElf(bytes, file, { relocations: SEALS }));
    }
    const text = bytes.toString("utf8");
    if (/^Symbol table '/m.test(text))
        return parseReadelfSymtab(text);
    if (/^[0-9a-f]{8,16} [A-Za-z] \S+$/m.test(text))
        return parseSystemMap(text);
    throw new KpatchError("input", `${file}: not an ELF file, readelf -s output or System.map`);
}
/** create-diff-object's environment variables for special-section entry sizes. */
const ENTRY_SIZE_VARIABLES = {
    BUG_STRUCT_SIZE: "__bug_table",
    EX_STRUCT_SIZE: "__ex_table",
    JUMP_STRUCT_SIZE: "__jump_table",
    ALT_STRUCT_SIZE: ".altinstructions",
    PARA_STRUCT_SIZE: ".parainstructions",
    ORC_STRUCT_SIZE: ".orc_unwind",
    STATIC_CALL_STRUCT_SIZE: ".static_call_sites",
    PRINTK_INDEX_STRUCT_SIZE: ".printk_index",
};
export function entrySizesFromEnv(env) {
    const sizes = {};
    for (const [v, sec] of Object.entries(ENTRY_SIZE_VARIABLES)) {
        const n = Number(env[v]);
        if (env[v] !== undefined && (!Number.isInteger(n) || n <= 0)) {
            throw new KpatchError("usage", `${v}=${env[v]} is not a positive whole number`);
        }
        if (env[v] !== undefined)
            sizes[sec] = n;
    }
    return sizes;
}
//# sourceMappingURL=run.js.map