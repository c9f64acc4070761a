// The review report's content: for each patched object, which hunk changed
// which function and why the others changed, the instructions side by side,
// the data the patch adds or copies, what may hold the transition, and the
// questions only a person can answer. Rendering is render.ts's.
import type { Host } from "../host/host.js";
import { readElf } from "../elf/reader.js";
import type { DiffReport } from "../diff/run.js";
import { commentsOnly, sourceHunks, type SourceHunk } from "./hunks.js";
import { listFunctions, shown, type FunctionListing, type Instruction } from "./listing.js";
import { sideBySide, type Row } from "./sidebyside.js";
import type { LayoutChange } from "../patch/layout.js";
import type { PatchInput } from "../patch/read.js";

export interface ReviewInput {
  name: string;
  /** The module written, or undefined when the build was refused. */
  module?: string;
  /** Why the build was refused, when it was. */
  refusal?: { message: string; details: string[] };
  patches: PatchInput[];
  /** Each affected object compiled ORIG and PATCHED, with the differ's report when it ran. */
  objects: { object: string; orig: string; patched: string; report?: DiffReport }[];
  /** Patched files whose hunks were not applied: documentation, or not compiled by this config. */
  skipped: { file: string; why: string }[];
  /** Structs and unions whose definition the patches change. */
  layout: LayoutChange[];
  build: BuildFacts;
  /** A kernel update's build: what became of each of its changes. */
  update?: UpdateReview;
}

/** What became of a file a kernel update changes. */
export type FileOutcome = "live" | "reboot" | "not built" | "no binary change" | "not code";

export interface UpdateFile {
  file: string;
  change: "modified" | "added" | "removed";
  outcome: FileOutcome;
  why?: string;
  /** Its group's number, for a file that reaches objects. */
  group?: number;
}

/** Changed files and objects that go into the module together, or stay out together. */
export interface UpdateGroup {
  id: number;
  files: string[];
  objects: string[];
  live: boolean;
  /** Why the group stays out; empty for one that goes in or changes nothing. */
  reasons: string[];
}

export interface UpdateReview {
  /** linux-source versions: the running kernel's and the update's. */
  from: string;
  to: string;
  /** "6.12.118-1~deb12u1: 212 of 240 runtime changes live, 28 need a reboot". */
  summary: string;
  live: number;
  reboot: number;
  files: UpdateFile[];
  groups: UpdateGroup[];
  /** Debian's changelog entries after `from`, up to `to`. */
  changelog: { version: string; date: string; changes: string[]; cves: string[] }[];
}

export interface BuildFacts {
  release: string;
  source: string;
  configSha256: string;
  compiler: string;
  options: Record<string, string | boolean>;
  /** Seconds per phase. */
  phases: Record<string, number>;
  date: string;
}

export interface HunkReview {
  /** "PATCH#N". */
  id: string;
  file: string;
  header: string;
  body: string[];
  /** "OBJECT: FUNCTION" of each function whose code the hunk changed. */
  functions: string[];
  /**
   * What became of it: code of the functions listed; no code, its file
   * compiled and no instruction of it changed; not applied (documentation,
   * a file this config does not compile); not compared, the build
   * refused before; or left out, with the rest of its update group.
   */
  outcome: "code" | "no code" | "not applied" | "not compared" | "left out";
  /** Why, for every outcome but code. */
  why?: string;
}

export interface FunctionReview {
  name: string;
  status: "changed" | "new";
  /** Hunks whose lines are this function's own code. */
  hunks: string[];
  /** Why it changed when no hunk of its own did: an inlined callee, a clone, data it reads. */
  reasons: string[];
  rows: Row[];
  callsAdded: string[];
  callsRemoved: string[];
  risks: string[];
}

export interface ObjectReview {
  object: string;
  functions: FunctionReview[];
  /** Functions whose only change is a __LINE__ that moved: not patched. */
  lineOnly: string[];
  newData: string[];
  /** Static locals the patched code uses: the running kernel's (kept), or new (reset). */
  statics: { name: string; kept: boolean }[];
  /** What the differ noted: constants copied, exports left out, __init code skipped. */
  notes: string[];
}

export interface Question {
  function: string;
  question: string;
}

export interface Review {
  name: string;
  module: string | null;
  outcome: "built" | "refused";
  build: BuildFacts;
  hunks: HunkReview[];
  objects: ObjectReview[];
  /** Types whose layout differs: unsafe, as data in memory keeps the old one. */
  layout: LayoutChange[];
  verdict: { checked: string[]; refused: string[]; questions: Question[] };
  update?: UpdateReview;
}

// Calls a task may sleep in: a task asleep inside a patched function keeps
// the transition from finishing until it wakes.
const anyOf = (...names: string[]) => new RegExp(`^(${names.join("|")})$`);
const SLEEPS = anyOf(
  "mutex_lock\\w*",
  "down(_\\w+)?",
  "schedule\\w*",
  "msleep\\w*",
  "usleep_range\\w*",
  "ssleep",
  "wait_for_\\w+",
  "wait_event\\w*",
  "prepare_to_wait\\w*",
  "__wait_\\w+",
  "synchronize_\\w+",
  "flush_\\w*work\\w*",
  "_?_?cond_resched\\w*",
  "io_schedule\\w*",
  "kthread_stop",
);
const LOCKS = /(^|_)(lock|unlock|mutex|sem|down|up_read|up_write|rcu_read|spin)/;
const ALLOCATES = anyOf(
  "(__)?k[mvz]alloc\\w*",
  "(__)?kcalloc",
  "(__)?kvmalloc\\w*",
  "(__)?vmalloc\\w*",
  "kmem_cache_alloc\\w*",
  "alloc_pages\\w*",
  "__get_free_pages",
  "krealloc\\w*",
  "kstrdup\\w*",
  "kmemdup\\w*",
);

/** Builds the review of a build (or of its refusal) from its inputs and objects. */
export async function buildReview(input: ReviewInput, host: Host): Promise<Review> {
  const hunks = input.patches.flatMap(sourceHunks);
  const hunksAt = hunkFinder(hunks);
  const touched = new Map<SourceHunk, Set<string>>(hunks.map((h) => [h, new Set()]));
  // Any function of any object holding a hunk's lines, for the hunks no patched one holds.
  const elsewhere = new Map<SourceHunk, { object: string; fn: FunctionListing }>();
  const objects: ObjectReview[] = [];
  // Each reviewed function's own lines, first to last, per side: see byRange.
  const spans: { object: string; f: FunctionReview; old?: Span; new?: Span }[] = [];
  const listings = (o: ReviewInput["objects"][number]) => {
    const both = Promise.all(
      [o.orig, o.patched].map(async (f) => listFunctions(f, readElf(host.readFile(f), f), host)),
    );
    // Awaited in its turn; until then a failure must not go unhandled.
    both.catch(() => undefined);
    return both as Promise<[Map<string, FunctionListing>, Map<string, FunctionListing>]>;
  };
  // The next object's objdump runs while this one's listings are read.
  let next = input.objects[0] && listings(input.objects[0]);
  for (const [k, o] of input.objects.entries()) {
    const [orig, patched] = await next!;
    const after = input.objects[k + 1];
    next = after && listings(after);
    const holding = new Set<string>();
    for (const [listing, side] of [
      [orig, "old"],
      [patched, "new"],
    ] as const) {
      for (const fn of listing.values()) {
        for (const insn of fn.instructions) {
          for (const { hunk } of hunksAt(insn, side)) {
            if (!elsewhere.has(hunk)) elsewhere.set(hunk, { object: o.object, fn });
            holding.add(fn.name);
          }
        }
      }
    }
    const report = o.report;
    // An object whose diff refused the patch has no report: its functions holding hunks are shown.
    const units: {
      name: string;
      original?: string;
      status: FunctionReview["status"];
      callers?: string[];
    }[] = report
      ? [
          ...report.changed
            .filter((c) => c.kind === "func")
            .map((c) => ({ ...c, status: "changed" as const })),
          ...report.added
            .filter((c) => c.kind === "func")
            .map((c) => ({ ...c, status: "new" as const })),
        ]
      : [...holding]
          .filter((n) => !/\.cold$/.test(n) && /^\.text/.test(patched.get(n)?.section ?? ""))
          .sort()
          .map((name) => ({
            name,
            status: patched.has(name) && orig.has(name) ? "changed" : "new",
          }));
    const warnings = report?.warnings ?? [];
    const functions = units.map((u) => {
      const before = withCold(orig, u.original ?? u.name);
      const after = withCold(patched, u.name);
      const own = new Set<SourceHunk>();
      const inlined = new Map<string, Set<SourceHunk>>();
      for (const [listing, side] of [
        [before, "old"],
        [after, "new"],
      ] as const) {
        for (const insn of listing?.instructions ?? []) {
          for (const { hunk, fn } of hunksAt(insn, side)) {
            touched.get(hunk)!.add(`${o.object}: ${u.name}`);
            if (fn === baseName(u.name)) own.add(hunk);
            else inlined.set(fn, (inlined.get(fn) ?? new Set()).add(hunk));
          }
        }
      }
      const [was, now] = [callsOf(before), callsOf(after)];
      const review: FunctionReview = {
        name: u.name,
        status: u.status,
        hunks: [...own].map(hunkId),
        reasons: reasonsFor(u.name, own, inlined, before, after, {
          warnings,
          carried: units.filter((c) => c.callers?.includes(u.name)).map((c) => c.name),
        }),
        rows: sideBySide(texts(before), texts(after)),
        callsAdded: [...now].filter((f) => !was.has(f) && f !== "__fentry__").sort(),
        callsRemoved: [...was].filter((f) => !now.has(f) && f !== "__fentry__").sort(),
        risks: [],
      };
      review.risks = risksOf(review, before, after, now, u.callers);
      spans.push({
        object: o.object,
        f: review,
        old: spanOf(before, u.name),
        new: spanOf(after, u.name),
      });
      return review;
    });
    const used = new Set(
      units.flatMap(
        (u) => patched.get(u.name)?.instructions.flatMap((i) => i.refs.map(dataName)) ?? [],
      ),
    );
    const klp = new Set(report?.klp.map((k) => k.name));
    const added = new Set(report?.addedData.map((c) => c.name));
    objects.push({
      object: o.object,
      functions,
      lineOnly: report?.lineOnly.map((c) => c.name) ?? [],
      newData: [...added],
      // A function's static is NAME.N; the patch refers to the kernel's own through a klp symbol.
      statics: [...used]
        .filter((r) => isStatic(r) && (klp.has(r) || added.has(r)))
        .sort()
        .map((name) => ({ name, kept: klp.has(name) })),
      notes: warnings,
    });
  }
  byRange(hunks, touched, spans);
  const reviewed = hunks.map(
    (h): HunkReview => ({
      id: hunkId(h),
      file: h.file,
      header: h.header,
      body: h.body,
      functions: [...touched.get(h)!].sort(),
      ...(touched.get(h)!.size ? { outcome: "code" } : noCode(h, input, elsewhere.get(h))),
    }),
  );
  return {
    name: input.name,
    module: input.module ?? null,
    outcome: input.refusal ? "refused" : "built",
    build: input.build,
    hunks: reviewed,
    objects,
    layout: input.layout,
    verdict: verdictOf(input, objects, reviewed),
    ...(input.update ? { update: input.update } : {}),
  };
}

/** What a listing calls or tail-calls; a static call's trampoline stands for its target. */
function callsOf(l?: FunctionListing): Set<string> {
  return new Set(
    (l?.instructions ?? []).flatMap((i) =>
      /^(call|jmp) /.test(i.text)
        ? i.refs.filter((r) => !r.startsWith(".")).map((r) => r.replace(/^__SCT__/, ""))
        : [],
    ),
  );
}

/** The first and last line of a function's own code in its file. */
interface Span {
  file: string;
  first: number;
  last: number;
}

function spanOf(l: FunctionListing | undefined, name: string): Span | undefined {
  const own = (l?.instructions ?? []).flatMap((i) => i.at.filter((p) => p.fn === baseName(name)));
  if (!own.length) return undefined;
  const lines = own.map((p) => p.line);
  return { file: own[0]!.file, first: Math.min(...lines), last: Math.max(...lines) };
}

/**
 * A changed line can leave no row of its own in objdump's line listing,
 * which shows one line per address (`return 2;` and the `}` after it share
 * theirs). A hunk no instruction was traced to is given to the reviewed
 * functions whose first-to-last lines enclose one of its changed lines.
 */
function byRange(
  hunks: SourceHunk[],
  touched: Map<SourceHunk, Set<string>>,
  spans: { object: string; f: FunctionReview; old?: Span; new?: Span }[],
): void {
  const within = (span: Span | undefined, h: SourceHunk, lines: number[]) =>
    !!span &&
    (span.file === h.file || span.file.endsWith(`/${h.file}`)) &&
    lines.some((n) => n >= span.first && n <= span.last);
  for (const h of hunks.filter((h) => !touched.get(h)!.size)) {
    for (const { object, f, ...side } of spans) {
      if (!within(side.old, h, h.removed) && !within(side.new, h, h.added)) continue;
      touched.get(h)!.add(`${object}: ${f.name}`);
      f.hunks.push(hunkId(h));
      f.reasons = f.reasons.filter((r) => !r.startsWith("no line of its own"));
    }
  }
}

/** A function's static variable, as gcc names it: NAME.N. */
const isStatic = (name: string) => /^[A-Za-z_]\w*\.\d+$/.test(name);

const hunkId = (h: SourceHunk) => `${h.patch}#${h.index}`;
/** The object a relocation names, through its section symbol (.data.NAME) under -fdata-sections. */
const dataName = (ref: string) =>
  ref?.replace(/^\.(data\.rel\.ro|data\.rel|data|bss|rodata)\./, "");
const texts = (l?: FunctionListing) => (l?.instructions ?? []).map(shown);
/** A clone's source function: foo.constprop.0 and foo.isra.0 are foo's code. */
const baseName = (name: string) => name.replace(/\.(constprop|isra|part|cold|llvm)\.?\d*.*$/, "");

/**
 * The hunks whose lines an instruction's code comes from, at any inlining
 * level, on one side, each with the function of its first position there,
 * in the hunks' order. Indexed by file and line: an update's patch has
 * thousands of hunks, and its objects hundreds of thousands of instructions.
 */
function hunkFinder(
  hunks: SourceHunk[],
): (insn: Instruction, side: "old" | "new") => { hunk: SourceHunk; fn: string }[] {
  const order = new Map(hunks.map((h, i) => [h, i]));
  const index = { old: new Map<string, SourceHunk[]>(), new: new Map<string, SourceHunk[]>() };
  for (const h of hunks) {
    for (const [side, lines] of [
      ["old", h.removed],
      ["new", h.added],
    ] as const) {
      for (const line of new Set(lines)) {
        const key = `${line}:${h.file}`;
        index[side].set(key, [...(index[side].get(key) ?? []), h]);
      }
    }
  }
  return (insn, side) => {
    const found = new Map<SourceHunk, string>();
    for (const p of insn.at) {
      // The position's file is the hunk's, or ends with it (objdump's paths).
      for (let file = p.file; ; ) {
        for (const hunk of index[side].get(`${p.line}:${file}`) ?? []) {
          if (!found.has(hunk)) found.set(hunk, p.fn);
        }
        const slash = file.indexOf("/");
        if (slash < 0) break;
        file = file.slice(slash + 1);
      }
    }
    return [...found]
      .map(([hunk, fn]) => ({ hunk, fn }))
      .sort((a, b) => order.get(a.hunk)! - order.get(b.hunk)!);
  };
}

/** A function's listing with the part gcc moved out of line (NAME.cold) after it. */
function withCold(
  listings: Map<string, FunctionListing>,
  name: string,
): FunctionListing | undefined {
  const main = listings.get(name);
  const cold = listings.get(`${name}.cold`);
  if (!main || !cold) return main;
  const heading = { offset: -1, text: `${cold.name}:`, at: [], refs: [] };
  return { ...main, instructions: [...main.instructions, heading, ...cold.instructions] };
}

function reasonsFor(
  name: string,
  own: Set<SourceHunk>,
  inlined: Map<string, Set<SourceHunk>>,
  before: FunctionListing | undefined,
  after: FunctionListing | undefined,
  { warnings, carried }: { warnings: string[]; carried: string[] },
): string[] {
  const reasons = [...inlined].map(
    ([callee, hs]) => `inlined callee ${callee} changed (${[...hs].map(hunkId).join(", ")})`,
  );
  if (own.size) return reasons;
  if (!before) reasons.push("new in the patch");
  const clone = /\.(constprop|isra|part|cold)\b/.exec(name)?.[1];
  if (clone)
    reasons.push(`a .${clone} clone of ${baseName(name)}, which gcc made from changed code`);
  const refs = (l?: FunctionListing) =>
    new Set((l?.instructions ?? []).flatMap((i) => i.refs.map(dataName)));
  const [was, now] = [refs(before), refs(after)];
  const copied = warnings.flatMap((w) => /^constant (\S+)/.exec(w)?.[1] ?? []);
  const reads = (c: string) => now.has(c) || was.has(c);
  for (const c of copied.filter(reads)) {
    reasons.push(`it reads constant ${c}, which the patch copies`);
  }
  for (const r of [...now].filter((r) => !was.has(r) && isStatic(r))) {
    reasons.push(`a static local moved: it now refers to ${r}`);
  }
  for (const c of carried) {
    reasons.push(
      `it calls ${c}, which changed and has no ftrace entry: patched to call the patch's copy`,
    );
  }
  if (!reasons.length && before) {
    reasons.push("no line of its own changed: the code gcc made for it differs (see the diff)");
  }
  return reasons;
}

function risksOf(
  f: FunctionReview,
  before: FunctionListing | undefined,
  after: FunctionListing | undefined,
  calls: Set<string>,
  callers?: string[],
): string[] {
  const risks: string[] = [];
  const entry = (l?: FunctionListing) => l?.instructions.slice(0, 3).map((i) => i.text) ?? [];
  if (callers) {
    risks.push(
      `no fentry call: not redirected itself; its callers (${callers.join(", ")}) are, ` +
        "to the patch's copy, so a task inside the old copy finishes it in the old code",
    );
  } else if (f.status === "changed" && !entry(before).includes("call __fentry__")) {
    risks.push("no fentry call (notrace?): ftrace cannot redirect it, so it cannot be patched");
  }
  const sleeps = [...calls].filter((c) => SLEEPS.test(c)).sort();
  if (sleeps.length) {
    risks.push(
      `tasks may sleep in it (it calls ${sleeps.join(", ")}): a task asleep inside it ` +
        "keeps the transition from finishing until it wakes",
    );
  }
  if (f.status === "changed" && after && !after.instructions.some((i) => i.text === "ret")) {
    // Functions that never return (loops of kthreads) keep their tasks in the old code.
    if (!after.instructions.some((i) => /^jmp (?!L)/.test(i.text))) {
      risks.push("it never returns: a task running in it stays in the old code for good");
    }
  }
  return risks;
}

/** What became of a hunk no function's code comes from, and why. */
function noCode(
  h: SourceHunk,
  input: ReviewInput,
  where?: { object: string; fn: FunctionListing },
): Pick<HunkReview, "outcome" | "why"> {
  const skipped = input.skipped.find((s) => s.file === h.file);
  if (skipped) return { outcome: "not applied", why: `${h.file}: ${skipped.why}` };
  const change = input.update?.files.find((f) => f.file === h.file);
  if (change?.outcome === "reboot") return { outcome: "left out", why: change.why };
  if (input.refusal) {
    const types = input.layout.filter((l) => l.file === h.file).map((l) => l.type);
    const why = types.length
      ? `it changes the layout of ${types.join(", ")} (see Types)`
      : "the build was refused before its objects were compared";
    return { outcome: "not compared", why };
  }
  return { outcome: "no code", why: whyNoCode(h, input, where) };
}

function whyNoCode(
  h: SourceHunk,
  input: ReviewInput,
  where?: { object: string; fn: FunctionListing },
): string {
  if (commentsOnly(h)) return "it changes comments or blank lines only";
  // A table's entries seldom name it: the constants copied from the hunk's object are meant.
  const stem = h.file.replace(/\.[ch]$/, "");
  const copied = input.objects
    .filter((o) => h.file.endsWith(".h") || o.object.replace(/\.o$/, "") === stem)
    .flatMap((o) => o.report?.warnings ?? [])
    .flatMap((w) => /^constant (\S+)/.exec(w)?.[1] ?? []);
  if (copied.length) {
    return (
      `no function's code comes from its lines; it changes data: constant ${copied.join(", ")}, ` +
      "which the patch carries as a new copy that the functions reading it are patched to read"
    );
  }
  if (where) {
    const { object, fn } = where;
    const report = input.objects.find((o) => o.object === object)?.report;
    if (/^\.(init|exit)\./.test(fn.section)) {
      const kind = fn.section.startsWith(".init") ? "__init" : "__exit";
      return `it changes ${kind} code (${object}: ${fn.name}), which is not patched: ${
        kind === "__init" ? "it ran at boot or module load already" : "it runs only at unload"
      }`;
    }
    if (report?.lineOnly.some((c) => c.name === fn.name)) {
      return `it only moves the __LINE__ that ${fn.name} passes on (${object}): not patched`;
    }
    return `${object}: ${fn.name} comes from its lines, but compiles to the same instructions`;
  }
  return (
    "no instruction of a patched function comes from its lines: a declaration, " +
    "a macro or type no changed code uses, code this config leaves out, __init or " +
    "__exit code, or a change gcc compiles to the same instructions"
  );
}

function verdictOf(
  input: ReviewInput,
  objects: ObjectReview[],
  hunks: HunkReview[],
): Review["verdict"] {
  const checked: string[] = [];
  const refused: string[] = [];
  const questions: Question[] = [];
  // An update's hunks left out are counted in its section, and asked of once.
  if (input.update?.reboot) {
    questions.push({
      function: "update",
      question:
        `${input.update.reboot} of the update's runtime changes stay out (see Update): ` +
        "is the host safe without them until it reboots into the update?",
    });
  }
  for (const h of hunks.filter((h) => h.outcome === "not applied" && !input.update)) {
    questions.push({
      function: `${h.id} ${h.file}`,
      question: `This hunk was left out of the build (${h.why}). Is the fix whole without it?`,
    });
  }
  if (input.refusal) {
    refused.push(input.refusal.message.split("\n")[0]!, ...input.refusal.details);
  } else {
    checked.push(
      "every changed function was found by comparing ORIG and PATCHED objects function by " +
        "function; nothing else is patched",
      "the types the patched files define keep their layout",
      "the module was verified before it was written: every relocation resolves, every " +
        "livepatch symbol names an object of the target",
    );
  }
  const fns = objects.flatMap((o) => o.functions.map((f) => ({ o, f })));
  if (fns.length && fns.every(({ f }) => !f.risks.some((r) => r.startsWith("no fentry")))) {
    checked.push("every replaced function starts with an fentry call, so ftrace can redirect it");
  }
  for (const o of objects) {
    if (o.lineOnly.length) {
      checked.push(
        `${o.object}: ${o.lineOnly.join(", ")} only moved a __LINE__ and are left alone`,
      );
    }
  }
  for (const { o, f } of fns) {
    const where = `${o.object}: ${f.name}`;
    const locks = f.callsAdded.filter((c) => LOCKS.test(c));
    if (locks.length) {
      questions.push({
        function: where,
        question:
          `It now calls ${locks.join(", ")}. Does the lock order change, and can it ` +
          "deadlock against the old code still running on other CPUs during the transition?",
      });
    }
    const allocs = f.callsAdded.filter((c) => ALLOCATES.test(c));
    if (allocs.length) {
      questions.push({
        function: where,
        question:
          `It now allocates (${allocs.join(", ")}). Is it on a hot path, may it sleep ` +
          "where it is called, and is a failed allocation handled?",
      });
    }
    const returns = f.rows.some(
      (r) =>
        r.kind === "changed" && /^(L\d+: )?(mov \$[^,]+|xor %eax),%e?ax$/.test(r.patched ?? ""),
    );
    if (returns && f.status === "changed") {
      questions.push({
        function: where,
        question:
          "A value it loads into %eax changed: if that is a return value, do its callers " +
          "in the running kernel read the new value the same way?",
      });
    }
    if (f.callsRemoved.length && f.status === "changed") {
      questions.push({
        function: where,
        question:
          `It no longer calls ${f.callsRemoved.join(", ")}. Does state that call set up ` +
          "or released still balance for tasks that entered the old version?",
      });
    }
  }
  for (const o of objects) {
    for (const d of o.newData) {
      questions.push({
        function: `${o.object}: ${d}`,
        question:
          "New data lives in the patch module and starts as the patch initializes it: " +
          "is it right that state built before the patch is not in it (else use shadow " +
          "variables)?",
      });
    }
  }
  return { checked, refused, questions };
}
