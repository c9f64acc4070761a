// One place that maps the engine's typed errors to messages and exit statuses.
import { DiffError, EXIT_STATUS } from "../diff/errors.js";
import { ElfError } from "../elf/model.js";
import { HostError } from "../host/host.js";
import { interruption } from "../kpatch-build/interrupt.js";

export function exitWith(program: string, e: unknown): never {
  // Interrupted: die of the signal, as the caller asked, not of an error.
  const sig = interruption();
  if (sig) {
    process.kill(process.pid, sig);
    process.exit(sig === "SIGINT" ? 130 : 143);
  }
  if (e instanceof DiffError) {
    console.error(
      `${program}: ${e.kind === "no-change" ? "no changed functions" : e.kind === "unsafe" ? "unsafe change" : "error"}: ${e.message}`,
    );
    process.exit(EXIT_STATUS[e.kind]);
  }
  if (e instanceof ElfError || e instanceof HostError) {
    console.error(`${program}: error: ${e.message}`);
    process.exit(1);
  }
  // A command line parseArgs refuses: a usage error, not a crash.
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (e instanceof Error && typeof code === "string" && code.startsWith("ERR_PARSE_ARGS_")) {
    console.error(`${program}: ${e.message.split(". ")[0]} (see ${program} --help)`);
    process.exit(1);
  }
  // What the system refused (a missing file, a full disk, no permission): said, without a trace.
  const sys = e as NodeJS.ErrnoException;
  if (e instanceof Error && typeof sys.syscall === "string" && typeof code === "string") {
    console.error(
      `${program}: error: ${sys.syscall} ${sys.path ?? ""}: ${code}`.replace(" :", ":"),
    );
    process.exit(1);
  }
  console.error(`${program}: internal error: ${e instanceof Error ? e.stack : String(e)}`);
  process.exit(1);
}
