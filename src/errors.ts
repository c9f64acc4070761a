// Errors by what they mean to the person who ran the command. The engine
// throws a KpatchError of a kind; `explain` is the one place that turns any
// thrown value into the message and exit status the CLI ends with. Statuses
// follow kpatch's create-diff-object: 2 for an unsafe change, 3 for nothing
// to patch, 1 for every other failure.

export type ErrorKind =
  /** The command line asks for something impossible. */
  | "usage"
  /** A patch, module, object or file given is malformed or does not fit. */
  | "input"
  /** The change cannot be live-patched safely. */
  | "unsafe"
  /** The patch changes no code that runs. */
  | "no-change"
  /** A program, file or package on this machine failed or is missing. */
  | "host"
  /** The running kernel is not in a state that allows what was asked. */
  | "kernel"
  /** A bug of ours. */
  | "internal";

export const EXIT_STATUS: Record<ErrorKind, number> = {
  usage: 1,
  input: 1,
  unsafe: 2,
  "no-change": 3,
  host: 1,
  kernel: 1,
  internal: 1,
};

/**
 * Outcomes a caller tells apart within a kind, by this code rather than by
 * the words of the message.
 */
export type ErrorCode =
  /** The target's symbol table holds several symbols the patch could mean. */
  | "ambiguous-symbols"
  /** Nothing to patch: only __init code or data changed, which served the boot. */
  | "boot-only"
  /** An object compiled without the differ's flags, as boot code is. */
  | "uncomparable";

export interface ErrorOptions {
  /** One line each, listed under the message: the symbols or files at fault. */
  details?: string[];
  /** The log that holds the whole story, named in the message. */
  logFile?: string;
  code?: ErrorCode;
  /** The file the message is about, which it opens with: "FILE: ...". */
  file?: string;
}

export class KpatchError extends Error {
  readonly details: string[];
  readonly logFile?: string;
  readonly code?: ErrorCode;
  readonly file?: string;
  /** The message without the file it opens with: what a caller that names the file says. */
  readonly reason: string;

  constructor(
    readonly kind: ErrorKind,
    /** The message as given, without file, log or details: to make the error again. */
    readonly text: string,
    options: ErrorOptions = {},
  ) {
    const message = text;
    const details = options.details ?? [];
    const log = options.logFile ? ` (log: ${options.logFile})` : "";
    const reason = `${message}${log}${details.map((d) => `\n  ${d}`).join("")}`;
    super(options.file === undefined ? reason : `${options.file}: ${reason}`);
    this.name = "KpatchError";
    this.details = details;
    this.logFile = options.logFile;
    this.code = options.code;
    this.file = options.file;
    this.reason = reason;
  }
}

/** A program, file or package on this machine failed; `logFile` holds its output. */
export class HostError extends KpatchError {
  constructor(message: string, logFile?: string) {
    super("host", message, { logFile });
    this.name = "HostError";
  }
}

const HEADING: Record<ErrorKind, string> = {
  usage: "error: ",
  input: "error: ",
  unsafe: "unsafe change: ",
  "no-change": "no changed functions: ",
  host: "error: ",
  kernel: "error: ",
  internal: "internal error: ",
};

export interface Explained {
  /** What the user reads, without a trailing newline. */
  message: string;
  status: number;
  kind: ErrorKind;
  /** The message without the program and the heading, for --json. */
  text: string;
}

/** The message and exit status that `program` ends with for `e`. */
export function explain(program: string, e: unknown): Explained {
  const said = (kind: ErrorKind, text: string) => ({
    message: `${program}: ${HEADING[kind]}${text}`,
    status: EXIT_STATUS[kind],
    kind,
    text,
  });
  if (e instanceof KpatchError) return said(e.kind, e.message);
  const sys = e as NodeJS.ErrnoException | undefined;
  const code = sys?.code;
  // A command line parseArgs refuses.
  if (e instanceof Error && typeof code === "string" && code.startsWith("ERR_PARSE_ARGS_")) {
    // Its first sentence: the rest is how to quote an argument, one per line.
    const text = `${e.message.split(/\.\s/)[0]} (see ${program} --help)`;
    return { message: `${program}: ${text}`, status: EXIT_STATUS.usage, kind: "usage", text };
  }
  // What the system refused (a missing file, a full disk, no permission): said, without a trace.
  if (e instanceof Error && typeof sys?.syscall === "string" && typeof code === "string") {
    return said("host", `${sys.syscall} ${sys.path ?? ""}: ${code}`.replace(" :", ":"));
  }
  return said("internal", e instanceof Error ? (e.stack ?? e.message) : String(e));
}
