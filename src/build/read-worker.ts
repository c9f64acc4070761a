// A reader thread of readers.ts: units in, digests out, its items kept.
import { parentPort } from "node:worker_threads";
import { CodeReader, withoutLines } from "./tokens.js";

const reader = new CodeReader();
parentPort!.on("message", ({ id, text, blind }: { id: number; text: string; blind: boolean }) => {
  try {
    parentPort!.postMessage({ id, digest: reader.digest(blind ? withoutLines(text) : text) });
  } catch (e) {
    parentPort!.postMessage({ id, error: e instanceof Error ? e.message : String(e) });
  }
});
