// The differ's results, kept across builds. A whole update diffs hundreds of
// objects (on 6.12.118, 778 in about two minutes), and a second build of the
// same pair finds the same ORIG and PATCHED objects in the object caches: its
// diffs are read back instead. A result, refusals included, is keyed by all
// that determines it: both objects' bytes, the options, the target's symbol
// tables (by path, size and time: they are read, never written, by the
// tools) and the code of the tools themselves.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { sha256, type Host } from "../host/host.js";
import { KpatchError, type ErrorKind } from "../errors.js";
import type { DiffReport } from "../diff/run.js";

/** What a kept result was: a report, or the refusal, with its file told as ORIG, PATCHED or other. */
type Kept =
  | { report: DiffReport }
  | {
      error: {
        kind: ErrorKind;
        text: string;
        details: string[];
        code?: KpatchError["code"];
        file?: "orig" | "patched" | "output" | string;
      };
    };

export interface DiffInputs {
  orig: string;
  patched: string;
  /** Where the output object goes. */
  output: string;
  /** Files the result depends on by identity: the target's symbol tables. */
  tables: (string | undefined)[];
  /** Everything else it depends on, as JSON. */
  options: unknown;
}

let tools: string | undefined;
const digests = new WeakMap<object, string>();

/** A digest of `value`'s JSON, made once per value: a whole update's line maps are large. */
export function digestOnce(value: object): string {
  let d = digests.get(value);
  if (!d) digests.set(value, (d = sha256(JSON.stringify(value))));
  return d;
}

/** A digest of the tools' own code (this build of them): a new differ makes new results. */
function toolsDigest(host: Host): string {
  if (tools) return tools;
  const root = join(dirname(fileURLToPath(import.meta.url)), "..");
  const parts: string[] = [];
  const walk = (dir: string) => {
    for (const e of host.readDirEntries(dir).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.name.endsWith(".js"))
        parts.push(path.slice(root.length), sha256(host.readFile(path)));
    }
  };
  walk(root);
  return (tools = sha256(...parts));
}

/**
 * The diff of `inputs`, from the cache when this very diff ran before, else
 * by `run`, kept. A refusal is kept and thrown again; internal errors are not
 * kept. The output object is copied to `inputs.output` either way.
 */
export async function cachedDiff(
  inputs: DiffInputs,
  run: () => Promise<DiffReport>,
  host: Host,
): Promise<DiffReport> {
  const identity = (f: string | undefined) => {
    if (!f) return "-";
    const st = host.stat(f);
    return `${f}:${st.size}:${st.mtimeMs}`;
  };
  const key = sha256(
    toolsDigest(host),
    sha256(host.readFile(inputs.orig)),
    sha256(host.readFile(inputs.patched)),
    ...inputs.tables.map(identity),
    JSON.stringify(inputs.options),
  );
  const dir = join(host.cacheRoot(), "diffs", key.slice(0, 2));
  const [record, object] = [join(dir, `${key}.json`), join(dir, `${key}.o`)];
  const kept = readKept(host.readIfExists(record));
  if (kept && "error" in kept) throw remade(kept.error, inputs);
  if (kept && host.exists(object)) {
    host.makeDirs(dirname(inputs.output));
    host.copyFile(object, inputs.output);
    return { ...kept.report, output: inputs.output };
  }
  try {
    const report = await run();
    // The object before the record: a record names a whole object.
    host.writeFileAtomic(object, host.readFile(report.output));
    host.writeFileAtomic(record, JSON.stringify({ report } satisfies Kept));
    return report;
  } catch (e) {
    if (e instanceof KpatchError && e.kind !== "internal") {
      const sides = { orig: inputs.orig, patched: inputs.patched, output: inputs.output };
      const file = Object.entries(sides).find(([, f]) => f === e.file)?.[0] ?? e.file;
      const error = { kind: e.kind, text: e.text, details: e.details, code: e.code, file };
      host.writeFileAtomic(record, JSON.stringify({ error } satisfies Kept));
    }
    throw e;
  }
}

/** A kept record, or undefined for one that does not parse as one (a torn or foreign file). */
function readKept(text: string | undefined): Kept | undefined {
  if (!text) return undefined;
  try {
    const k = JSON.parse(text) as Kept;
    if ("report" in k && Array.isArray(k.report?.changed)) return k;
    if ("error" in k && typeof k.error?.text === "string") return k;
  } catch {
    // Recomputed below.
  }
  return undefined;
}

function remade(e: Extract<Kept, { error: unknown }>["error"], inputs: DiffInputs): KpatchError {
  const sides: Record<string, string> = {
    orig: inputs.orig,
    patched: inputs.patched,
    output: inputs.output,
  };
  const file = e.file === undefined ? undefined : (sides[e.file] ?? e.file);
  return new KpatchError(e.kind, e.text, {
    details: e.details,
    ...(e.code ? { code: e.code } : {}),
    ...(file ? { file } : {}),
  });
}
