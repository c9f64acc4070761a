// Assembles the patch module: the differ's objects (each replacement
// function given a global alias the glue can name), the generated glue, a
// kbuild Makefile; kbuild links them against the target's build tree, and
// the linked module is converted to the livepatch ELF format.
import { basename, dirname, join } from "node:path";
import { SHF, STB, STT } from "../elf/constants.js";
import { readElf } from "../elf/reader.js";
import { writeElf } from "../elf/writer.js";
import { ElfError } from "../elf/model.js";
import { nodeHost } from "../host/host.js";
import { callbackAlias, entryAlias, glueSource } from "./glue.js";
import { convertToLivepatch } from "./klp.js";
import { verifyModule } from "./verify.js";
import { KpatchError } from "../errors.js";
import { callbackKind } from "../diff/include.js";
import { moduleName } from "../kernel/modules.js";
const isCode = (sec) => (sec.flags & SHF.EXECINSTR) !== 0n;
/**
 * Which patched object each allocated section of the module belongs to, so
 * that its livepatch relocations are applied when that object loads. ld
 * merges sections of one name: code that several objects' patches put in a
 * section of the same name (.altinstr_replacement) is renamed NAME.OBJECT in
 * all but vmlinux's, which nothing in the kernel looks up by name. Data
 * sections so shared have no single owner.
 */
function sectionOwners(parts, elves) {
    const allocated = (elf) => elf.sections.filter((s) => (s.flags & SHF.ALLOC) !== 0n);
    const users = new Map();
    elves.forEach((elf, i) => {
        for (const sec of allocated(elf))
            users.set(sec.name, (users.get(sec.name) ?? new Set()).add(parts[i].object));
    });
    const owners = new Map();
    elves.forEach((elf, i) => {
        const object = parts[i].object;
        for (const sec of allocated(elf)) {
            const shared = users.get(sec.name).size > 1;
            if (shared && isCode(sec) && object !== "vmlinux") {
                const rela = elf.relocationsFor(sec);
                sec.name = `${sec.name}.${object}`;
                if (rela)
                    rela.name = `.rela${sec.name}`;
            }
            if (!shared || isCode(sec))
                owners.set(sec.name, object);
        }
    });
    return owners;
}
/**
 * Takes kpatch-macros.h's callback tables out of a differ object, giving each
 * function they name a global alias for the glue. The tables themselves are
 * left out of the module: the glue's klp_object holds the callbacks.
 */
function takeCallbacks(elf, alias) {
    const callbacks = [];
    for (const sec of elf.sections.filter((s) => callbackKind(s))) {
        const kind = callbackKind(sec);
        for (const r of elf.relocationsFor(sec)?.relocations ?? []) {
            const fn = r.symbol;
            if (!fn?.section)
                throw new ElfError(elf.file, `${kind} callback ${fn?.name ?? "?"} is not in the patch module: ` +
                    "a callback must be a function the patch adds or changes, and not __init");
            const name = alias();
            const value = (fn.type === STT.SECTION ? 0n : fn.value) + r.addend;
            elf.addSymbol({
                name,
                type: STT.FUNC,
                bind: STB.GLOBAL,
                section: fn.section,
                value,
                size: 0n,
            });
            callbacks.push([kind, name]);
        }
        for (const s of elf.symbols.filter((x) => x.section === sec && x.type !== STT.SECTION))
            elf.removeSymbol(s);
        elf.removeSection(sec);
    }
    return callbacks;
}
/** An object kbuild links as it is: kbuild reads the .cmd of every object, and finds it empty. */
function prebuilt(bytes, file, host) {
    host.writeFile(file, bytes);
    host.writeFile(join(dirname(file), `.${basename(file)}.cmd`), "");
}
// What objtool makes of an object: its tables, and the __pfx_ names of the
// padding before functions.
const OBJTOOL_TABLES = new Set([
    ".return_sites",
    ".retpoline_sites",
    ".call_sites",
    ".ibt_endbr_seal",
    ".orc_unwind",
    ".orc_unwind_ip",
    ".cfi_sites",
]);
/**
 * Takes out of a differ object what objtool will make again over the linked
 * module, where the target runs objtool there (IBT or clang LTO). It skips
 * every table an object already holds: left in, the differ's tables would
 * keep the glue's init and exit code out of .return_sites and ORC (6.12
 * WARNs on a return through the unpatched thunk), and objtool would name
 * the padding before functions a second time.
 */
function leaveToObjtool(elf) {
    for (const sec of elf.sections.filter((s) => OBJTOOL_TABLES.has(s.name))) {
        const rela = elf.relocationsFor(sec);
        if (rela)
            elf.removeSection(rela);
        for (const s of elf.symbols.filter((x) => x.section === sec))
            elf.removeSymbol(s);
        elf.removeSection(sec);
    }
    // clang's own __cfi_ names stay: objtool's .cfi_sites is made from them.
    for (const s of elf.symbols.filter((x) => x.type === STT.FUNC && x.name.startsWith("__pfx_")))
        elf.removeSymbol(s);
}
export async function buildModule(spec, dir, kbuild, output, host = nodeHost) {
    const patched = [];
    const elves = spec.parts.map((part) => readElf(host.readFile(part.file), part.file));
    const owners = sectionOwners(spec.parts, elves);
    let n = 0;
    const objects = spec.parts.map((part, i) => {
        const elf = elves[i];
        const functions = part.functions.map((f) => {
            const sym = elf.symbolsNamed(f.replacement).find((s) => s.type === STT.FUNC && s.section);
            if (!sym)
                throw new ElfError(part.file, `replacement ${f.replacement} for ${f.name} is missing`);
            const alias = entryAlias(n++);
            elf.addSymbol({
                name: alias,
                type: STT.FUNC,
                bind: STB.GLOBAL,
                section: sym.section,
                value: sym.value,
                size: sym.size,
            });
            return { name: f.name, sympos: f.sympos, alias };
        });
        let object = patched.find((p) => p.object === part.object);
        if (!object)
            patched.push((object = { object: part.object, functions: [], callbacks: {} }));
        object.functions.push(...functions);
        for (const [kind, alias] of takeCallbacks(elf, () => callbackAlias(n++))) {
            if (object.callbacks[kind])
                throw new ElfError(part.file, `a second ${kind} callback for ${part.object}: ` +
                    "a klp_object has one of each kind; call both from one function");
            object.callbacks[kind] = alias;
        }
        if (spec.objtoolOnLink)
            leaveToObjtool(elf);
        const name = `patch-${i}.o`;
        prebuilt(writeElf(elf), join(dir, name), host);
        return name;
    });
    const glue = `${moduleName(spec.name)}-glue`;
    host.writeFile(join(dir, `${glue}.c`), glueSource(patched, {
        replace: spec.replace,
        description: spec.description,
        clearRelocations: spec.clearRelocations,
        info: spec.info,
    }));
    host.writeFile(join(dir, "Makefile"), `obj-m := ${spec.name}.o\n${spec.name}-y := ${glue}.o ${objects.join(" ")}\n`);
    await kbuild(dir);
    const koFile = join(dir, `${spec.name}.ko`);
    const ko = readElf(host.readFile(koFile), koFile);
    const klp = convertToLivepatch(ko, (section) => owners.get(section));
    const problems = verifyModule(ko, spec.symbolsOf);
    if (problems.length) {
        throw new KpatchError("internal", `${spec.name}.ko fails verification, ` +
            "so it is not written (a kpatch-build bug: please report it)", { details: problems });
    }
    let bytes = writeElf(ko);
    if (spec.sign) {
        const signed = join(dir, `${spec.name}.signed.ko`);
        host.writeFile(signed, bytes);
        await spec.sign(signed);
        bytes = host.readFile(signed);
    }
    host.writeFileAtomic(output, bytes);
    return { ko: output, klp };
}
//# sourceMappingURL=build.js.map