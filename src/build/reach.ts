// Which of an update's changed headers reach an object's code. An update
// changes a hundred headers, and a changed object includes many of them
// (mm.h, panic.h, cpufeatures.h) whether or not what changed in them is
// what it uses. Joined by their #include lines alone, nearly every changed
// object is one group, and one refusal keeps the whole update out.
//
// A header reaches an object when reading it unpatched, with everything
// else patched, changes the code the object's preprocessed unit can
// become (tokens.ts, the digest the screen compares). Each header is tried
// alone, and then the ones that do not reach it are reverted together: the
// patched code must read the same without all of them, or every header is
// taken to reach it. A header cannot be read unpatched where the patch adds
// it, nor without a command line; then it reaches the object.
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

/** For each object, the changed files whose change reaches its code, in `files`' order. */
export async function filesReaching(
  session: BuildSession,
  objects: Reading[],
  host: Host,
): Promise<Map<string, string[]>> {
  const reach = new Map<string, string[]>();
  const open: { o: Reading & { command: string }; headers: string[] }[] = [];
  for (const o of objects) {
    const headers = o.files.filter(
      (f) => f.endsWith(".h") && host.exists(join(session.prepared.source.dir, f)),
    );
    // One changed file alone is what changed it.
    if (o.command === undefined || !headers.length || o.files.length === 1) {
      reach.set(o.object, o.files);
    } else open.push({ o: { ...o, command: o.command }, headers });
  }
  if (!open.length) return reach;
  progress("reach", `which of their changed headers reach ${open.length} objects' code`);
  const ask = (o: Reading & { command: string }, reverted: string[]): Preprocess => ({
    object: o.object,
    command: o.command,
    reverted,
  });
  const digests = new Map<string, string>();
  const read = async (asks: Preprocess[]) => {
    for (const [k, v] of await session.preprocessed(asks)) digests.set(k, v);
  };
  // The same code without `reverted`; a unit that does not preprocess is not.
  const same = (o: Reading & { command: string }, reverted: string[]) => {
    const patched = digests.get(preprocessKey(ask(o, [])));
    return patched !== undefined && digests.get(preprocessKey(ask(o, reverted))) === patched;
  };
  const decide = (o: Reading, kept: string[]) => reach.set(o.object, kept);

  await read(open.flatMap(({ o, headers }) => [ask(o, []), ask(o, headers)]));
  const unsettled = open.filter(({ o, headers }) => {
    if (same(o, headers))
      decide(
        o,
        o.files.filter((f) => !headers.includes(f)),
      );
    else if (headers.length === 1) decide(o, o.files);
    else return true;
    return false;
  });
  await read(unsettled.flatMap(({ o, headers }) => headers.map((h) => ask(o, [h]))));
  const checked = unsettled.flatMap(({ o, headers }) => {
    const reaching = headers.filter((h) => !same(o, [h]));
    const rest = headers.filter((h) => !reaching.includes(h));
    // None alone, but all together (tried first): they reach it together.
    if (!reaching.length || !rest.length) decide(o, o.files);
    else return [{ o, rest, kept: o.files.filter((f) => !rest.includes(f)) }];
    return [];
  });
  await read(checked.map(({ o, rest }) => ask(o, rest)));
  // What does not reach it alone may with the others: then all reach it.
  for (const { o, rest, kept } of checked) decide(o, same(o, rest) ? kept : o.files);
  const narrowed = open.filter(({ o }) => reach.get(o.object)!.length < o.files.length).length;
  progress(
    "reach",
    `${narrowed} of ${open.length} objects read fewer changed headers than they include`,
  );
  return reach;
}
