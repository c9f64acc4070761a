// Compiler-generated symbol names: gcc numbers static locals and clones per
// translation unit, and the numbers change between builds.

/**
 * `foo.isra.0` → `foo.isra`, `calls.12` → `calls`, `.bss.calls.3` → `.bss.calls`,
 * `__UNIQUE_ID_ddebug283.12` → `__UNIQUE_ID_ddebug`: the kernel's __UNIQUE_ID()
 * pastes __COUNTER__ after its prefix, so one more unique ID above (a new
 * pr_debug) renumbers every one below. Only a function's static (with gcc's
 * `.N`) loses it: a file-scope unique ID keeps its exact name, which step 1
 * of correlation pairs.
 */
export function baseName(name: string): string {
  return name.replace(/^(__UNIQUE_ID_\w*?)\d+(?=\.\d)/, "$1").replace(/\.\d+(?=\.|$)/g, "");
}

/**
 * A BTF ID slot's type, or undefined if `name` is no slot: BTF_ID() names it
 * __BTF_ID__<kind>__<name>__ and then __COUNTER__ and __LINE__, which any
 * header that counts once more renumbers.
 */
export function btfSlotType(name: string): string | undefined {
  return /^(__BTF_ID__\w+__)\d+$/.exec(name)?.[1];
}

/** A livepatch symbol's parts: `.klp.sym.OBJECT.NAME,POS` (module-elf-format.rst). */
export function klpSymbol(name: string): { object: string; name: string; pos: number } | undefined {
  const m = /^\.klp\.sym\.([^.]+)\.(.+),(\d+)$/.exec(name);
  return m ? { object: m[1]!, name: m[2]!, pos: Number(m[3]) } : undefined;
}
