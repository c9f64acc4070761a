// One place that maps the engine's typed errors to messages and exit statuses.
import { DiffError, EXIT_STATUS } from "../diff/errors.js";
import { ElfError } from "../elf/model.js";
import { HostError } from "../host/host.js";

export function exitWith(program: string, e: unknown): never {
  if (e instanceof DiffError) {
    console.error(`${program}: ${e.kind === "no-change" ? "no changed functions" : e.kind === "unsafe" ? "unsafe change" : "error"}: ${e.message}`);
    process.exit(EXIT_STATUS[e.kind]);
  }
  if (e instanceof ElfError || e instanceof HostError) {
    console.error(`${program}: error: ${e.message}`);
    process.exit(1);
  }
  console.error(`${program}: internal error: ${e instanceof Error ? e.stack : String(e)}`);
  process.exit(1);
}
