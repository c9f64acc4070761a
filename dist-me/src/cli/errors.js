// How a command ends on an error: said as src/errors.ts explains it (as a
// JSON event on stderr when --json asked for events), or, when the user
// interrupted it, by dying of the signal as the caller asked.
import { EXIT_STATUS, explain } from "../errors.js";
import { interruption } from "../host/interrupt.js";
import { displayed } from "../names.js";
let json = false;
/**
 * Errors end the command as {"event":"error",...} lines if `argv` asks for
 * --json before any `--`: taken from the raw command line, so that an
 * option parse that fails, or a missing argument, is reported so too.
 */
export function errorsAsJsonIfAsked(argv) {
    const end = argv.indexOf("--");
    json = (end < 0 ? argv : argv.slice(0, end)).includes("--json");
}
/** Says `text` on stderr, or the JSON event, and exits with `status`. */
function end(kind, status, text, message = text) {
    // Messages quote what others wrote: a file name, a tool's output.
    console.error(json
        ? JSON.stringify({ event: "error", kind, status, message: displayed(text) })
        : displayed(message));
    process.exit(status);
}
export function exitWith(program, e) {
    const sig = interruption();
    if (sig) {
        process.kill(process.pid, sig);
        process.exit(sig === "SIGINT" ? 130 : 143);
    }
    const { message, status, kind, text } = explain(program, e);
    return end(kind, status, text, message);
}
/** Ends a command line that names no command it knows, or lacks what it needs, with `usage`. */
export function exitWithUsage(usage) {
    return end("usage", EXIT_STATUS.usage, usage);
}
//# sourceMappingURL=errors.js.map