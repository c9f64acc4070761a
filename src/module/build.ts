// Assembles the patch module: the differ's objects (each replacement
// function given a global alias the glue can name), the generated glue, a
// kbuild Makefile; kbuild links them against the target's build tree, and
// the linked module is converted to the livepatch ELF format.
import { basename, dirname, join } from "node:path";
import { SHF, STB, STT } from "../elf/constants.js";
import { readElf } from "../elf/reader.js";
import { writeElf } from "../elf/writer.js";
import { ElfError, type ElfFile, type ElfSection } from "../elf/model.js";
import { nodeHost, type Host } from "../host/host.js";
import { callbackAlias, entryAlias, glueSource, type PatchedObject } from "./glue.js";
import { convertToLivepatch, type KlpConversion } from "./klp.js";
import { verifyModule, type SymbolsOf } from "./verify.js";
import { KpatchError } from "../errors.js";
import type { ReplacedFunction } from "../diff/externals.js";
import { callbackKind, type CallbackKind } from "../diff/include.js";
import { moduleName } from "../kernel/modules.js";

export interface PatchPart {
  /** A differ output object. */
  file: string;
  /** What it patches: vmlinux or a module name. */
  object: string;
  /** The functions it replaces, with their positions in the target. */
  functions: ReplacedFunction[];
}

export interface ModuleSpec {
  /** Module name, e.g. livepatch-meminfo (the kernel shows it as livepatch_meminfo). */
  name: string;
  parts: PatchPart[];
  replace: boolean;
  description: string;
  /** See GlueOptions.clearRelocations. */
  clearRelocations: boolean;
  /** See GlueOptions.info. */
  info?: [string, string][];
  /** Signs the finished module (a scratch copy of it) in place, before it is written. */
  sign?: (file: string) => Promise<void>;
  /** The patched objects' symbol tables, for verifying livepatch symbols. */
  symbolsOf?: SymbolsOf;
  /**
   * Whether kbuild runs objtool on the linked module rather than on each
   * object (CONFIG_X86_KERNEL_IBT or CONFIG_LTO_CLANG: kbuild's
   * delay-objtool), so that its tables cover the glue and the differ's code
   * alike.
   */
  objtoolOnLink?: boolean;
}

/** Runs kbuild for an external module in `dir` (make -C SRC O=BUILD M=dir modules). */
export type Kbuild = (dir: string) => Promise<void>;

export interface BuiltModule {
  ko: string;
  klp: KlpConversion;
}

const isCode = (sec: ElfSection) => (sec.flags & SHF.EXECINSTR) !== 0n;

/**
 * Which patched object each allocated section of the module belongs to, so
 * that its livepatch relocations are applied when that object loads. ld
 * merges sections of one name: code that several objects' patches put in a
 * section of the same name (.altinstr_replacement) is renamed NAME.OBJECT in
 * all but vmlinux's, which nothing in the kernel looks up by name. Data
 * sections so shared have no single owner.
 */
function sectionOwners(parts: PatchPart[], elves: ElfFile[]): Map<string, string> {
  const allocated = (elf: ElfFile) => elf.sections.filter((s) => (s.flags & SHF.ALLOC) !== 0n);
  const users = new Map<string, Set<string>>();
  elves.forEach((elf, i) => {
    for (const sec of allocated(elf))
      users.set(sec.name, (users.get(sec.name) ?? new Set()).add(parts[i]!.object));
  });
  const owners = new Map<string, string>();
  elves.forEach((elf, i) => {
    const object = parts[i]!.object;
    for (const sec of allocated(elf)) {
      const shared = users.get(sec.name)!.size > 1;
      if (shared && isCode(sec) && object !== "vmlinux") {
        const rela = elf.relocationsFor(sec);
        sec.name = `${sec.name}.${object}`;
        if (rela) rela.name = `.rela${sec.name}`;
      }
      if (!shared || isCode(sec)) owners.set(sec.name, object);
    }
  });
  return owners;
}

/**
 * Takes kpatch-macros.h's callback tables out of a differ object, giving each
 * function they name a global alias for the glue. The tables themselves are
 * left out of the module: the glue's klp_object holds the callbacks.
 */
function takeCallbacks(elf: ElfFile, alias: () => string): [CallbackKind, string][] {
  const callbacks: [CallbackKind, string][] = [];
  for (const sec of elf.sections.filter((s) => callbackKind(s))) {
    const kind = callbackKind(sec)!;
    for (const r of elf.relocationsFor(sec)?.relocations ?? []) {
      const fn = r.symbol;
      if (!fn?.section)
        throw new ElfError(
          elf.file,
          `${kind} callback ${fn?.name ?? "?"} is not in the patch module: ` +
            "a callback must be a function the patch adds or changes, and not __init",
        );
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
function prebuilt(bytes: Uint8Array, file: string, host: Host): void {
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
function leaveToObjtool(elf: ElfFile): void {
  for (const sec of elf.sections.filter((s) => OBJTOOL_TABLES.has(s.name))) {
    const rela = elf.relocationsFor(sec);
    if (rela) elf.removeSection(rela);
    for (const s of elf.symbols.filter((x) => x.section === sec)) elf.removeSymbol(s);
    elf.removeSection(sec);
  }
  // clang's own __cfi_ names stay: objtool's .cfi_sites is made from them.
  for (const s of elf.symbols.filter((x) => x.type === STT.FUNC && x.name.startsWith("__pfx_")))
    elf.removeSymbol(s);
}

export async function buildModule(
  spec: ModuleSpec,
  dir: string,
  kbuild: Kbuild,
  output: string,
  host: Host = nodeHost,
): Promise<BuiltModule> {
  const patched: PatchedObject[] = [];
  const elves = spec.parts.map((part) => readElf(host.readFile(part.file), part.file));
  const owners = sectionOwners(spec.parts, elves);
  let n = 0;
  const objects = spec.parts.map((part, i) => {
    const elf = elves[i]!;
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
    if (!object) patched.push((object = { object: part.object, functions: [], callbacks: {} }));
    object.functions.push(...functions);
    for (const [kind, alias] of takeCallbacks(elf, () => callbackAlias(n++))) {
      if (object.callbacks[kind])
        throw new ElfError(
          part.file,
          `a second ${kind} callback for ${part.object}: ` +
            "a klp_object has one of each kind; call both from one function",
        );
      object.callbacks[kind] = alias;
    }
    if (spec.objtoolOnLink) leaveToObjtool(elf);
    const name = `patch-${i}.o`;
    prebuilt(writeElf(elf), join(dir, name), host);
    return name;
  });
  const glue = `${moduleName(spec.name)}-glue`;
  host.writeFile(
    join(dir, `${glue}.c`),
    glueSource(patched, {
      replace: spec.replace,
      description: spec.description,
      clearRelocations: spec.clearRelocations,
      info: spec.info,
    }),
  );
  host.writeFile(
    join(dir, "Makefile"),
    `obj-m := ${spec.name}.o\n${spec.name}-y := ${glue}.o ${objects.join(" ")}\n`,
  );
  await kbuild(dir);
  const koFile = join(dir, `${spec.name}.ko`);
  const ko = readElf(host.readFile(koFile), koFile);
  const klp = convertToLivepatch(ko, (section) => owners.get(section));
  const problems = verifyModule(ko, spec.symbolsOf);
  if (problems.length) {
    throw new KpatchError(
      "internal",
      `${spec.name}.ko fails verification, ` +
        "so it is not written (a kpatch-build bug: please report it)",
      { details: problems },
    );
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
