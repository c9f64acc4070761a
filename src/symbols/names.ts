// Compiler-generated symbol names: gcc numbers static locals and clones per
// translation unit, and the numbers change between builds.

/** `foo.isra.0` → `foo.isra`, `calls.12` → `calls`, `.bss.calls.3` → `.bss.calls`. */
export function baseName(name: string): string {
  return name.replace(/\.\d+(?=\.|$)/g, "");
}

/** A livepatch symbol's parts: `.klp.sym.OBJECT.NAME,POS` (module-elf-format.rst). */
export function klpSymbol(name: string): { object: string; name: string; pos: number } | undefined {
  const m = /^\.klp\.sym\.([^.]+)\.(.+),(\d+)$/.exec(name);
  return m ? { object: m[1]!, name: m[2]!, pos: Number(m[3]) } : undefined;
}
