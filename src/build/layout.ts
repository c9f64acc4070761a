// Refuses patches that change the layout of a struct or union. Data already
// in the running kernel keeps the old layout, and code compiled for the new
// one would misread it; the differ cannot see this in the objects, which
// only show the code that changed. Compared at the source, definition by
// definition, ignoring comments and white space.

export interface LayoutChange {
  file: string;
  type: string;
}

/** `struct foo { ... }` and `union bar { ... }` definitions of a C file, by name, normalised. */
export function typeDefinitions(text: string): Map<string, string> {
  const code = text.replace(/\/\*[^]*?\*\//g, " ").replace(/\/\/[^\n]*/g, " ");
  const defs = new Map<string, string>();
  // Attributes may stand before or after the name: struct __packed foo {, struct foo __aligned(8) {.
  const attr = String.raw`(?:__attribute__\s*\(\([^)]*\)\)|__\w+(?:\([^)]*\))?)\s*`;
  const head = new RegExp(String.raw`\b(struct|union)\s+(?:${attr})*(\w+)\s*(?:${attr})*\{`, "g");
  for (let m = head.exec(code); m; m = head.exec(code)) {
    let depth = 1;
    let i = head.lastIndex;
    while (i < code.length && depth > 0) {
      if (code[i] === "{") depth++;
      else if (code[i] === "}") depth--;
      i++;
    }
    defs.set(`${m[1]} ${m[2]}`, code.slice(head.lastIndex, i - 1).replace(/\s+/g, " ").trim());
    head.lastIndex = i;
  }
  return defs;
}

/** The structs and unions whose definition differs between two versions of a file. */
export function layoutChanges(file: string, before: string, after: string): LayoutChange[] {
  const a = typeDefinitions(before);
  const b = typeDefinitions(after);
  return [...a].filter(([type, body]) => b.has(type) && b.get(type) !== body).map(([type]) => ({ file, type }));
}
