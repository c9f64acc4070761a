// Which of an update's changed headers reach an object's code. An update
// changes a hundred headers, and a changed object includes many of them
// (mm.h, panic.h, cpufeatures.h) whether or not what changed in them is
// what it uses. Joined by their #include lines alone, nearly every changed
// object is one group, and one refusal keeps the whole update out.
//
// A set of headers is inert in an object when its change makes no
// difference to the code the object's preprocessed unit can become
// (tokens.ts, the digest the screen compares, here blind to the lines a
// change moves: a header that gains a function moves the line every WARN
// below it records, in every object that calls those, and the differ
// leaves such a change alone), on either side: with the
// rest of the update (read unpatched, the patched unit reads the same) and
// without it (read patched, the unpatched unit reads the same). An object
// may go live or stay out, and the header with it or not, so both count:
// a header that only the update's other changes make dead in an object
// still changes the object's old code, which stays when it is left out.
// The headers are halved until each set is inert or one header, which
// then reaches the object; the ones that do not must be inert together,
// or every header reaches it. Where the object's files cannot be read
// unpatched (the update adds one) or it has no command line, all reach it.
import { join } from "node:path";
import type { Host } from "../host/host.js";
import { progress } from "../host/progress.js";
import { preprocessKey, type BuildSession, type Preprocess } from "./session.js";

export interface Reading {
  object: string;
  /** Its compiler command line, run in the build directory. */
  command?: string;
  /** The changed files it is built from or includes. */
  files: string[];
}

type Open = { o: Reading & { command: string }; headers: string[] };

/** For each object, the changed files whose change reaches its code, in `files`' order. */
export async function filesReaching(
  session: BuildSession,
  objects: Reading[],
  host: Host,
): Promise<Map<string, string[]>> {
  const reach = new Map<string, string[]>();
  const open: Open[] = [];
  const unpatched = (f: string) => host.exists(join(session.prepared.source.dir, f));
  for (const o of objects) {
    const headers = o.files.filter((f) => f.endsWith(".h"));
    // One changed file alone is what changed it.
    if (o.command === undefined || !headers.length || o.files.length === 1) {
      reach.set(o.object, o.files);
    } else if (!o.files.every(unpatched)) reach.set(o.object, o.files);
    else open.push({ o: { ...o, command: o.command }, headers });
  }
  if (!open.length) return reach;
  progress("reach", `which of their changed headers reach ${open.length} objects' code`);
  const digests = new Map<string, string>();
  const ask = ({ o }: Open, reverted: string[]): Preprocess => ({
    object: o.object,
    command: o.command,
    reverted,
  });
  // `set` changed alone, and the update without `set`.
  const sides = (x: Open, set: string[]) => [
    ask(x, set),
    ask(
      x,
      x.o.files.filter((f) => !set.includes(f)),
    ),
  ];
  const read = async (asks: Preprocess[]) => {
    for (const [k, v] of await session.preprocessed(asks, { lineBlind: true })) digests.set(k, v);
  };
  // A unit that does not preprocess is no evidence: the set is not inert.
  const equal = (a: Preprocess, b: Preprocess) => {
    const d = digests.get(preprocessKey(a));
    return d !== undefined && digests.get(preprocessKey(b)) === d;
  };
  const inert = (x: Open, set: string[]) => {
    const [withoutSet, setAlone] = sides(x, set);
    return equal(withoutSet!, ask(x, [])) && equal(setAlone!, ask(x, x.o.files));
  };

  const reaching = new Map<Open, string[]>(open.map((x) => [x, []]));
  let probes = open.map((x) => ({ x, set: x.headers }));
  await read(open.flatMap((x) => [ask(x, []), ask(x, x.o.files)]));
  while (probes.length) {
    await read(probes.flatMap(({ x, set }) => sides(x, set)));
    probes = probes.flatMap(({ x, set }) => {
      if (inert(x, set)) return [];
      if (set.length === 1) {
        reaching.get(x)!.push(set[0]!);
        return [];
      }
      const half = Math.ceil(set.length / 2);
      return [
        { x, set: set.slice(0, half) },
        { x, set: set.slice(half) },
      ];
    });
  }
  const rest = (x: Open) => x.headers.filter((h) => !reaching.get(x)!.includes(h));
  // The rest as one: tried already when nothing reaches it alone.
  const checked = open.filter((x) => reaching.get(x)!.length && rest(x).length);
  await read(checked.flatMap((x) => sides(x, rest(x))));
  for (const x of open) {
    const out = rest(x);
    const kept = x.o.files.filter((f) => !out.includes(f));
    // Nothing reaching a changed object would contradict the differ.
    const sound = kept.length > 0 && out.length > 0 && inert(x, out);
    reach.set(x.o.object, sound ? kept : x.o.files);
  }
  const narrowed = open.filter((x) => reach.get(x.o.object)!.length < x.o.files.length).length;
  progress(
    "reach",
    `${narrowed} of ${open.length} objects read fewer changed headers than they include`,
  );
  return reach;
}
