// How a command ends on an error: said as src/errors.ts explains it (as a
// JSON event on stderr once --json asked for events), or, when the user
// interrupted it, by dying of the signal as the caller asked.
import { explain } from "../errors.js";
import { interruption } from "../kpatch-build/interrupt.js";
import { displayed } from "../names.js";

let json = false;

/** From now on, errors end the command as {"event":"error",...} lines. */
export function errorsAsJson(): void {
  json = true;
}

export function exitWith(program: string, e: unknown): never {
  const sig = interruption();
  if (sig) {
    process.kill(process.pid, sig);
    process.exit(sig === "SIGINT" ? 130 : 143);
  }
  const { message, status, kind, text } = explain(program, e);
  // Messages quote what others wrote: a file name, a tool's output.
  console.error(
    json
      ? JSON.stringify({ event: "error", kind, status, message: displayed(text) })
      : displayed(message),
  );
  process.exit(status);
}
