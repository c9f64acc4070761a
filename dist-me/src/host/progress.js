// Progress is reported, not printed: the engine says what phase it is in to
// whichever reporter its caller installed. The CLI installs a text printer
// (phase lines on stderr, so that stdout stays for results) or, with --json,
// one that writes each event as a line of JSON on stderr.
import { AsyncLocalStorage } from "node:async_hooks";
import { displayed } from "../names.js";
/**
 * Phase lines as people read them: `[TARGET] PHASE: [warning: ]MESSAGE`,
 * what others wrote into them (names, tools' output) never a terminal control.
 */
export const textReporter = (e) => {
    const warning = e.level === "warning" ? "warning: " : "";
    const line = `${e.target ? `[${e.target}] ` : ""}${e.phase}: ${warning}${e.message}`;
    process.stderr.write(`${displayed(line)}\n`);
};
/** One JSON object per line, `{"event":"progress",...}`, for scripts. */
export const jsonReporter = (e) => {
    process.stderr.write(`${JSON.stringify({ event: "progress", ...e })}\n`);
};
const context = new AsyncLocalStorage();
function report(phase, level, message) {
    const c = context.getStore();
    const event = { phase, level, message };
    if (c?.target)
        event.target = c.target;
    (c?.reporter ?? textReporter)(event);
}
/** Reports what `phase` is doing. */
export function progress(phase, message) {
    report(phase, "info", message);
}
/** Reports something the user should know that does not stop the work. */
export function warn(phase, message) {
    report(phase, "warning", message);
}
/** Runs `body` with its events going to `reporter`. */
export function reportingTo(reporter, body) {
    return context.run({ ...context.getStore(), reporter }, body);
}
/** Runs `body` with its events marked as about `target`, one of several built at once. */
export function forTarget(target, body) {
    const c = context.getStore();
    return context.run({ reporter: c?.reporter ?? textReporter, target }, body);
}
//# sourceMappingURL=progress.js.map