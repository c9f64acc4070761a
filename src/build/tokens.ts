// The part of a preprocessed translation unit (gcc -E -P) that can become
// code. A wide header's change reaches thousands of objects, and most of
// them never use what changed: a static inline function, a prototype, a
// struct or a typedef that nothing else in the unit names emits nothing
// (gcc drops unreferenced static inline functions; declarations alone are
// not code). Dropping those and comparing the rest token by token tells
// equal code apart from a change without compiling.
//
// Conservative by construction: an item is dropped only when it is one of
// those four shapes, carries no attribute that keeps or exports it, and no
// kept item names it, transitively (a word inside a string literal counts:
// asm and alias name functions there). The other items keep their order.
import { createHash } from "node:crypto";

/** Names what a digest means; a cache of digests is keyed by it. */
export const CODE_READING = "code-5";

interface Item {
  /** What it declares, when it is a shape that may be dropped; else it is kept. */
  names?: string[];
  /** The identifiers it names, its own names aside. */
  uses: string[];
  /** The names in it made with __COUNTER__. */
  counted: string[];
  /** Its tokens' digest, each counted name numbered in its order in the item. */
  canon: string;
  /** Its text, where it has counted names (to renumber them otherwise). */
  text?: string;
  /** A pragma that changes how the code after it is made. */
  pragma: boolean;
  /** A tag's declaration alone: `struct X;`. */
  forward: boolean;
}

/**
 * Digests of what units can become, remembering each item it has read: the
 * same header's items recur in every unit that includes it, before and after.
 */
export class CodeReader {
  private known: Generations<Item>;
  private words: Generations<string>;

  /**
   * Bounded by `limit` items (and words) a generation, and a unit's own: a
   * kernel's headers hold a few hundred thousand items, and each unit
   * brings its own.
   */
  constructor(limit = 100_000) {
    this.known = new Generations(limit);
    this.words = new Generations(limit);
  }

  /**
   * The digest of `text`'s items that can become code, in their order, but
   * for the declarations and inline functions in use whose names nothing
   * else declares: those are sorted within the stretch between two pragmas
   * that change how code is made (pack, optimize, ...). Where a header now
   * includes another earlier, its functions are defined earlier; declared
   * once, in a unit that compiles either way (nothing is used before it is
   * declared: -Werror=implicit-function-declaration), that order means
   * nothing. A name declared twice keeps its order, and so does what names
   * it: a later declaration's attributes (assume_aligned, nonnull) reach
   * only the calls after it.
   */
  digest(text: string): string {
    this.begin();
    const items = splitText(text).map((s) => this.item(s));
    const roles = rolesOf(items);
    const shared = sharedNames(items.filter((_, k) => roles[k] !== "dropped"));
    const canon = (i: Item) =>
      i.counted.some((n) => shared.has(n)) ? itemDigest(tokenize(i.text!), shared) : i.canon;
    const hash = createHash("sha256");
    let stretch: string[] = [];
    const end = () => {
      for (const c of stretch.sort()) hash.update(c);
      stretch = [];
    };
    items.forEach((i, k) => {
      if (roles[k] === "sorted") stretch.push(canon(i));
      else if (roles[k] !== "dropped") {
        if (i.pragma) end();
        hash.update(canon(i));
      }
    });
    end();
    return hash.digest("hex");
  }

  /**
   * What the digest does with each of `items` (splitText's), in their
   * order: for a benchmark that changes the items it drops or sorts and
   * compiles the unit to see that the code stays the same.
   */
  roles(items: readonly string[]): Role[] {
    this.begin();
    return rolesOf(items.map((s) => this.item(s)));
  }

  /** A unit's reading starts: what the last generations did not ask for may go. */
  private begin(): void {
    this.known.age();
    this.words.age();
  }

  private item(text: string): Item {
    let item = this.known.get(text);
    if (!item) {
      const tokens = tokenize(text);
      // A pragma that changes code, anywhere in the item (_Pragma puts it on
      // a line of its own, mid-item too), keeps the item and ends a stretch.
      const pragma = tokens.some((t) => t.startsWith("#") && !BENIGN_PRAGMA.test(t));
      const described = describe(tokens);
      const { uses } = described;
      const names = pragma ? undefined : described.names;
      const counted = uses.filter(isCounted);
      const key = flat(text);
      item = {
        names: names && names.map((n) => this.word(n)),
        uses: uses.map((w) => this.word(w)),
        counted: counted.map((w) => this.word(w)),
        canon: itemDigest(tokens, new Set()),
        text: counted.length ? key : undefined,
        pragma,
        forward:
          tokens.length === 3 && /^(struct|union|enum)$/.test(tokens[0]!) && tokens[2] === ";",
      };
      this.known.set(key, item);
    }
    return item;
  }

  /** One copy of each word, not a slice that keeps a whole unit's text. */
  private word(w: string): string {
    let known = this.words.get(w);
    if (known === undefined) {
      known = flat(w);
      this.words.set(known, known);
    }
    return known;
  }
}

/**
 * A map of bounded size that keeps what is asked for again: what a whole
 * generation of `limit` entries does not ask for is forgotten. A header's
 * items recur in every unit that includes it, a unit's own only in it.
 */
class Generations<V> {
  private young = new Map<string, { key: string; value: V }>();
  private old = new Map<string, { key: string; value: V }>();

  constructor(private readonly limit: number) {}

  get(key: string): V | undefined {
    const entry = this.young.get(key);
    if (entry) return entry.value;
    const aging = this.old.get(key);
    if (!aging) return undefined;
    // Kept by the key it was stored with, not the one asked with (a slice
    // of a whole unit's text).
    this.old.delete(key);
    this.set(aging.key, aging.value);
    return aging.value;
  }

  set(key: string, value: V): void {
    this.young.set(key, { key, value });
  }

  /**
   * A new generation once this one is full: only between units, so that a
   * text read twice in one unit is one item (declarations count by item).
   */
  age(): void {
    if (this.young.size < this.limit) return;
    this.old = this.young;
    this.young = new Map();
  }
}

/**
 * What the digest does with an item: drops it (no kept item names it,
 * transitively), sorts it within its stretch, or keeps it in its place,
 * as a shape that may be dropped (`ordered`: it or something it names is
 * declared twice) or as one that may not (`kept`).
 */
export type Role = "dropped" | "sorted" | "ordered" | "kept";

function rolesOf(items: Item[]): Role[] {
  const byName = new Map<string, Item[]>();
  // How many items declare each name: the same text twice is once (its
  // repeat adds nothing), and a tag's `struct X;` is none (it cannot carry
  // what its definition does).
  const declared = new Map<string, number>();
  const counted = new Set<Item>();
  for (const item of items) {
    if (!item.names) continue;
    const first = !item.forward && !counted.has(item);
    if (first) counted.add(item);
    for (const name of item.names) {
      const list = byName.get(name);
      if (list) list.push(item);
      else byName.set(name, [item]);
      if (first) declared.set(name, (declared.get(name) ?? 0) + 1);
    }
  }
  const kept = new Set<Item>();
  const todo: Item[] = items.filter((i) => !i.names);
  for (let item = todo.pop(); item; item = todo.pop()) {
    if (kept.has(item)) continue;
    kept.add(item);
    for (const word of item.uses) {
      for (const user of byName.get(word) ?? []) if (!kept.has(user)) todo.push(user);
    }
  }
  // Sorted only what is declared once and names nothing declared twice.
  const once = (i: Item) => i.uses.every((n) => (declared.get(n) ?? 0) <= 1);
  return items.map((i) =>
    !i.names ? "kept" : !kept.has(i) ? "dropped" : once(i) ? "sorted" : "ordered",
  );
}

function flat(s: string): string {
  return Buffer.from(s).toString();
}

/** The counted names more than one kept item uses. */
function sharedNames(items: Item[]): Set<string> {
  const seen = new Set<string>();
  const shared = new Set<string>();
  for (const item of items) {
    for (const w of item.counted) (seen.has(w) ? shared : seen).add(w);
  }
  return shared;
}

/**
 * An item's tokens' digest, with the names made with __COUNTER__
 * (`__UNIQUE_ID_*`, `__compiletime_assert_N`, initcall ids, BTF ID slots)
 * that only it uses numbered again in their order in it: a dropped item's
 * uses shift the counter for everything after it, and renaming what one item
 * alone names compiles to the same code (the differ pairs BTF slots by type).
 * A name two items share stays as it is.
 */
function itemDigest(tokens: string[], shared: Set<string>): string {
  const names = new Map<string, string>();
  const rename = (word: string) => {
    if (!isCounted(word) || shared.has(word)) return word;
    let name = names.get(word);
    if (name === undefined) {
      name = `${uncounted(word)}#${names.size}`;
      names.set(word, name);
    }
    return name;
  };
  // Asm names symbols in its strings, and a BUILD_BUG_ON's message (an
  // __error__ attribute) stringifies its condition: their strings are
  // renamed too; any other string's text is data.
  const renamed: string[] = [];
  let depth = 0;
  let quoting = -1;
  tokens.forEach((t, i) => {
    if (t === "(" || t === "[" || t === "{") {
      if (quoting < 0 && RENAMING_STRINGS.has(tokens[i - 1] ?? "")) quoting = depth;
      depth++;
    } else if (t === ")" || t === "]" || t === "}") {
      depth--;
      if (depth === quoting) quoting = -1;
    }
    const word = IDENT.test(t);
    const quoted = t.startsWith('"') && quoting >= 0;
    renamed.push(word ? rename(t) : quoted ? t.replace(/[A-Za-z_$][\w$]*/g, rename) : t);
    // A pragma runs to its line's end: what follows is not part of it.
    if (t.startsWith("#")) renamed.push("\n");
  });
  return createHash("sha1").update(renamed.join(" ")).digest("base64");
}

/** Words whose group's strings name symbols or stringify code. */
const RENAMING_STRINGS = new Set(["asm", "__asm__", "__asm", "__error__", "__warning__"]);

/** Diagnostics and messages change no code. */
const BENIGN_PRAGMA = /^#\s*pragma\s+(GCC\s+diagnostic|message)\b/;

/** Initcall ids: `__initcall__kmod_<module>__<counter>_<line>_<function><level>`. */
const INITCALL = /^\w*kmod_\w+__\d+_\d+_\w+$/;
const COUNTED = /^(\w*__UNIQUE_ID_\w*\d|__compiletime_assert_\d+$|__BTF_ID__\w+__\d+$)/;
const isCounted = (word: string) => COUNTED.test(word) || INITCALL.test(word);

/**
 * A counted name without its number: the last digits (__COUNTER__, and a BTF
 * slot's __LINE__ after it), or an initcall's counter and line. Digits of the
 * name itself stay: `tcp6_sock`'s slot is not `tcp_sock`'s.
 */
function uncounted(word: string): string {
  return INITCALL.test(word) ? word.replace(/__\d+_\d+_/, "__") : word.replace(/\d+(?=\D*$)/, "");
}

/**
 * `gcc -E` output, line markers and all, as `gcc -E -P` would print it but
 * with each number that is its own source line's number read as `__LINE__`:
 * what a change makes of a unit, but for the lines it moved. A header that
 * gains a function above an inline WARN_ON moves the line that the bug
 * table entry records in every object calling it, and the differ leaves
 * such a change alone (line-only). A literal that happens to equal its
 * line's number reads as `__LINE__` too.
 */
export function withoutLines(text: string): string {
  const out: string[] = [];
  let line = 0;
  for (const l of text.split("\n")) {
    const marker = /^# (\d+) "/.exec(l);
    if (marker) {
      line = Number(marker[1]);
      continue;
    }
    const own = String(line++);
    out.push(l.includes(own) ? l.replace(/\b\d+\b/g, (d) => (d === own ? "__LINE__" : d)) : l);
  }
  return out.join("\n");
}

/**
 * Top-level items: each ends with a `;` outside any bracket, or with the `}`
 * of a body whose `{` follows a `)` (a function definition). A pragma line
 * between items is one of its own.
 */
export function splitText(text: string): string[] {
  const items: string[] = [];
  const n = text.length;
  let start = -1;
  let depth = 0;
  let body = false;
  let last = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 10 || c === 9 || c === 13 || c === 12 || c === 11) continue;
    if (start < 0) {
      start = i;
      if (c === 35) {
        // A pragma line (-P leaves no other `#`).
        while (i < n && text.charCodeAt(i) !== 10) i++;
        items.push(text.slice(start, i));
        start = -1;
        continue;
      }
    }
    if (c === 34 || c === 39) {
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 92) i++;
        else if (d === c || d === 10) break;
      }
    } else if (c === 40 || c === 91 || c === 123) {
      if (c === 123 && depth === 0) body = last === 41;
      depth++;
    } else if (c === 41 || c === 93 || c === 125) {
      if (depth > 0) depth--;
      if (depth === 0 && c === 125 && body) {
        items.push(text.slice(start, i + 1));
        start = -1;
        body = false;
      }
    } else if (c === 59 && depth === 0) {
      items.push(text.slice(start, i + 1));
      start = -1;
      body = false;
    }
    last = c;
  }
  if (start >= 0) items.push(text.slice(start));
  return items;
}

/** One C token, maximal munch; a `#pragma` line (all -P leaves of `#`) is one. */
const TOKEN = new RegExp(
  [
    String.raw`#[^\n]*`,
    String.raw`[A-Za-z_$][\w$]*`,
    String.raw`\.?\d(?:[eEpP][+-]|[\w.])*`,
    String.raw`"(?:[^"\\\n]|\\.)*"?`,
    String.raw`'(?:[^'\\\n]|\\.)*'?`,
    String.raw`%:%:|\.\.\.|<<=|>>=|->|\+\+|--|<<|>>|[<>=!*/%+\-&^|]=|&&|\|\||##|<:|:>|<%|%>|%:`,
    String.raw`\S`,
  ].join("|"),
  "g",
);

/** C tokens, maximal munch; a `#pragma` line is one token. */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(text); m; m = TOKEN.exec(text)) {
    tokens.push(m[0].charCodeAt(0) === 35 ? m[0].replace(/\s+/g, " ").trimEnd() : m[0]);
  }
  return tokens;
}

const OPEN = new Set(["(", "[", "{"]);
const CLOSE = new Set([")", "]", "}"]);

/** Attributes that keep a function or declaration whether or not it is used. */
const KEEPING = new Set(
  [
    "used",
    "constructor",
    "destructor",
    "section",
    "alias",
    "weak",
    "externally_visible",
    "retain",
    "ifunc",
    "symver",
  ].flatMap((a) => [a, `__${a}__`]),
);

/** Words before a `(` that do not name what is declared. */
const NOT_NAMES = new Set([
  "__attribute__",
  "__attribute",
  "__typeof__",
  "__typeof",
  "typeof",
  "typeof_unqual",
  "__typeof_unqual__",
  "asm",
  "__asm__",
  "__asm",
  "_Alignas",
  "alignas",
]);

/**
 * Functions the compiler may call without the unit naming them (a struct
 * copy, sprintf of "%s"): their declarations (an asm label) are kept.
 */
const IMPLICIT = new Set(
  (
    "memcpy memmove memset memcmp memchr bcmp bzero strlen strnlen strcpy stpcpy strncpy " +
    "strcat strncat strchr strrchr strcmp strncmp strstr strspn strcspn strpbrk sprintf " +
    "snprintf vsprintf vsnprintf printf puts putchar abort exit __stack_chk_fail"
  ).split(" "),
);

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function describe(tokens: string[]): { names?: string[]; uses: string[] } {
  const words = new Set<string>();
  for (const t of tokens) {
    if (IDENT.test(t)) words.add(t);
    else if (t.startsWith('"') || t.startsWith("'") || t.startsWith("#")) {
      for (const w of t.match(/[A-Za-z_$][\w$]*/g) ?? []) words.add(w);
    }
  }
  // Its own names stay among its uses: `typedef struct S { struct T *t; } T`
  // names T, and its struct T is another item's.
  const names = droppable(tokens, words);
  return { names: names && [...names], uses: [...words] };
}

/** The names an item declares when nothing but its users could need it. */
function droppable(t: string[], words: Set<string>): Set<string> | undefined {
  if (t[0]?.startsWith("#") || [...KEEPING].some((k) => words.has(k))) return undefined;
  const last = t[t.length - 1];
  const top = topLevel(t);
  const names =
    last === "}"
      ? inlineFunction(t, top)
      : last !== ";" || top.some((i) => t[i] === "=" || t[i] === ",")
        ? undefined
        : t[0] === "typedef"
          ? typedef(t, top)
          : top.some((i) => t[i] === "{") || t.length === 3
            ? /^(struct|union|enum)$/.test(t[0]!)
              ? aggregate(t, top)
              : undefined
            : declared(t, top);
  return names && ![...names].some((n) => IMPLICIT.has(n)) ? names : undefined;
}

function declared(t: string[], top: number[]): Set<string> | undefined {
  const name = declarator(t, top);
  return name === undefined ? undefined : new Set([name]);
}

/** The indices of the tokens outside any bracket (brackets themselves included). */
function topLevel(t: string[]): number[] {
  const top: number[] = [];
  let depth = 0;
  t.forEach((tok, i) => {
    if (CLOSE.has(tok)) depth--;
    if (depth === 0) top.push(i);
    if (OPEN.has(tok)) depth++;
  });
  return top;
}

/** The index just past the bracket group opening at `i`. */
function pastGroup(t: string[], i: number): number {
  let depth = 0;
  for (let j = i; j < t.length; j++) {
    if (OPEN.has(t[j]!)) depth++;
    else if (CLOSE.has(t[j]!) && --depth === 0) return j + 1;
  }
  return t.length;
}

/**
 * The declared function: the word before its parameters, the first `(` at
 * the top (before the body) that no attribute, typeof or asm word opens.
 * Undefined unless that is a plain identifier followed by nothing but
 * attributes and asm labels, and the group is a parameter list: in
 * `T (*x)(void)` the group declares x, and `int f(a) int a;` is K&R.
 */
function declarator(t: string[], top: number[]): string | undefined {
  const end = top.find((i) => t[i] === "{") ?? t.length - 1;
  const params = top.find((i) => i < end && t[i] === "(" && !NOT_NAMES.has(t[i - 1] ?? ""));
  if (params === undefined || t[params + 1] === "*" || t[params + 1] === "(") return undefined;
  const name = t[params - 1];
  if (!name || !IDENT.test(name) || KEYWORDS.has(name)) return undefined;
  // A type before the name: in `T (x);` T is the type and x an object.
  const before = top.filter((i) => i < params - 1).map((i) => t[i]!);
  if (!before.some((w) => IDENT.test(w) && !SPECIFIERS.has(w))) return undefined;
  for (let i = pastGroup(t, params); i < end; i = pastGroup(t, i + 1)) {
    if (!NOT_NAMES.has(t[i]!) || t[i + 1] !== "(") return undefined;
  }
  return name;
}

/** A `static inline` function's definition: its name. */
function inlineFunction(t: string[], top: number[]): Set<string> | undefined {
  const brace = top.find((i) => t[i] === "{");
  if (brace === undefined || t[brace - 1] !== ")" || pastGroup(t, brace) !== t.length) {
    return undefined;
  }
  // Outside the parameters: `int f(int a[static 2])` is no static function.
  const head = top.filter((i) => i < brace).map((i) => t[i]!);
  if (!head.includes("static") || !head.some((w) => /^(__)?inline(__)?$/.test(w))) {
    return undefined;
  }
  if (head.includes("=") || head.includes(",")) return undefined;
  return declared(t, top);
}

/** `typedef T name;` or `typedef R (*name)(...)`, with any tags it defines. */
function typedef(t: string[], top: number[]): Set<string> | undefined {
  const names = tags(t);
  if (!names) return undefined;
  const end = t.length - 2;
  const name = t[end]!;
  if (IDENT.test(name) && !KEYWORDS.has(name)) return names.add(name);
  const paren = top.find((i) => t[i] === "(" && !NOT_NAMES.has(t[i - 1] ?? ""));
  if (paren !== undefined && t[paren + 1] === "*" && IDENT.test(t[paren + 2] ?? "")) {
    return t[paren + 3] === ")" ? names.add(t[paren + 2]!) : undefined;
  }
  return undefined;
}

/** `struct|union|enum TAG { ... };` or `struct TAG;`: the tags and enumerators. */
function aggregate(t: string[], top: number[]): Set<string> | undefined {
  const names = tags(t);
  if (!names) return undefined;
  // Anything after the body but attributes would declare an object:
  // `struct S {...} (x);` defines x.
  const close = top.filter((i) => t[i] === "}").pop();
  for (let i = close === undefined ? 2 : close + 1; i < t.length; ) {
    if (t[i] === ";") i++;
    else if ((t[i] === "__attribute__" || t[i] === "__attribute") && t[i + 1] === "(") {
      i = pastGroup(t, i + 1);
    } else return undefined;
  }
  if (close === undefined && (t.length !== 3 || !IDENT.test(t[1]!))) return undefined;
  return names.size ? names : undefined;
}

/**
 * Every tag an item defines or declares (`struct X {`, `struct X;`) and every
 * enumerator of its enums; undefined if an enum's body cannot be read.
 */
function tags(t: string[]): Set<string> | undefined {
  const names = new Set<string>();
  for (let i = 0; i < t.length; i++) {
    if (!/^(struct|union|enum)$/.test(t[i]!)) continue;
    let j = i + 1;
    while (t[j] === "__attribute__" || t[j] === "__attribute") j = pastGroup(t, j + 1);
    if (IDENT.test(t[j] ?? "") && (t[j + 1] === "{" || t[j + 1] === ";")) names.add(t[j]!);
    if (t[i] === "enum") {
      const open = t[j] === "{" ? j : t[j + 1] === "{" ? j + 1 : -1;
      if (open >= 0 && !enumerators(t, open, names)) return undefined;
    }
  }
  return names;
}

/** Adds an enum body's constants (each first in its comma-separated entry). */
function enumerators(t: string[], open: number, names: Set<string>): boolean {
  const end = pastGroup(t, open) - 1;
  let expect = true;
  let depth = 0;
  for (let i = open + 1; i < end; i++) {
    const tok = t[i]!;
    if (expect) {
      if (!IDENT.test(tok)) return false;
      names.add(tok);
      expect = false;
    } else if (OPEN.has(tok)) depth++;
    else if (CLOSE.has(tok)) depth--;
    else if (tok === "," && depth === 0) expect = true;
  }
  return true;
}

/** Words before a declarator that are no type. */
const SPECIFIERS = new Set(
  (
    "extern static inline __inline __inline__ const volatile register _Thread_local " +
    "__extension__ __attribute__ __attribute __restrict __restrict__ restrict _Noreturn"
  ).split(" "),
);

const KEYWORDS = new Set(
  (
    "auto break case char const continue default do double else enum extern float for goto if " +
    "inline int long register restrict return short signed sizeof static struct switch " +
    "typedef union unsigned void volatile while _Bool _Complex _Noreturn _Static_assert " +
    "_Thread_local __extension__ __inline __inline__ __restrict __restrict__ __volatile__ " +
    "__const __signed__ __int128 _Atomic __auto_type"
  ).split(" "),
);
