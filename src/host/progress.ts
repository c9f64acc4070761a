// Progress is reported, not printed: the engine says what phase it is in to
// whichever reporter its caller installed. The CLI installs a text printer
// (phase lines on stderr, so that stdout stays for results) or, with --json,
// one that writes each event as a line of JSON on stderr.
import { AsyncLocalStorage } from "node:async_hooks";
import { displayed } from "../names.js";

export interface ProgressEvent {
  /** The phase that speaks: prepare, build, kpatch-build, kpatch, debian, ... */
  phase: string;
  level: "info" | "warning";
  message: string;
  /** The target kernel, when builds for several run side by side. */
  target?: string;
}

export type Reporter = (event: ProgressEvent) => void;

/**
 * Phase lines as people read them: `[TARGET] PHASE: [warning: ]MESSAGE`,
 * what others wrote into them (names, tools' output) never a terminal control.
 */
export const textReporter: Reporter = (e) => {
  const warning = e.level === "warning" ? "warning: " : "";
  const line = `${e.target ? `[${e.target}] ` : ""}${e.phase}: ${warning}${e.message}`;
  process.stderr.write(`${displayed(line)}\n`);
};

/** One JSON object per line, `{"event":"progress",...}`, for scripts. */
export const jsonReporter: Reporter = (e) => {
  process.stderr.write(`${JSON.stringify({ event: "progress", ...e })}\n`);
};

const context = new AsyncLocalStorage<{ reporter: Reporter; target?: string }>();

function report(phase: string, level: ProgressEvent["level"], message: string): void {
  const c = context.getStore();
  const event: ProgressEvent = { phase, level, message };
  if (c?.target) event.target = c.target;
  (c?.reporter ?? textReporter)(event);
}

/** Reports what `phase` is doing. */
export function progress(phase: string, message: string): void {
  report(phase, "info", message);
}

/** Reports something the user should know that does not stop the work. */
export function warn(phase: string, message: string): void {
  report(phase, "warning", message);
}

/** Runs `body` with its events going to `reporter`. */
export function reportingTo<T>(reporter: Reporter, body: () => Promise<T>): Promise<T> {
  return context.run({ ...context.getStore(), reporter }, body);
}

/** Runs `body` with its events marked as about `target`, one of several built at once. */
export function forTarget<T>(target: string, body: () => Promise<T>): Promise<T> {
  const c = context.getStore();
  return context.run({ reporter: c?.reporter ?? textReporter, target }, body);
}

/** A time left as people read it: `40 s`, `12 min 5 s`. */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

/**
 * For long work counted as it goes: given each new count of `total` done,
 * and of those how many were done before (kept from an earlier run), says
 * at most every 10 s `what` of it and the time left at this run's pace.
 */
export function countingDone(
  phase: string,
  total: number,
  what: (done: number) => string,
): (done: number, before?: number) => void {
  const t0 = Date.now();
  let said = t0;
  return (done, before = 0) => {
    const now = Date.now();
    if (now - said < 10_000 || done <= before || done >= total) return;
    said = now;
    const left = ((now - t0) / (done - before)) * (total - done);
    progress(phase, `${what(done)}, about ${duration(left)} left`);
  };
}
