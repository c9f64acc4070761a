// How a command ends on an error: said as src/errors.ts explains it, or, when
// the user interrupted it, by dying of the signal as the caller asked.
import { explain } from "../errors.js";
import { interruption } from "../kpatch-build/interrupt.js";

export function exitWith(program: string, e: unknown): never {
  const sig = interruption();
  if (sig) {
    process.kill(process.pid, sig);
    process.exit(sig === "SIGINT" ? 130 : 143);
  }
  const { message, status } = explain(program, e);
  console.error(message);
  process.exit(status);
}
