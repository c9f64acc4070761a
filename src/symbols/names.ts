// Compiler-generated symbol names: gcc numbers static locals and clones per
// translation unit, and the numbers change between builds.

/** `foo.isra.0` → `foo.isra`, `calls.12` → `calls`, `.bss.calls.3` → `.bss.calls`. */
export function baseName(name: string): string {
  return name.replace(/\.\d+(?=\.|$)/g, "");
}
