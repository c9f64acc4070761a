// Errors by what they mean to the person who ran the command. The engine
// throws a KpatchError of a kind; `explain` is the one place that turns any
// thrown value into the message and exit status the CLI ends with. Statuses
// follow kpatch's create-diff-object: 2 for an unsafe change, 3 for nothing
// to patch, 1 for every other failure.
export const EXIT_STATUS = {
    usage: 1,
    input: 1,
    unsafe: 2,
    "no-change": 3,
    host: 1,
    kernel: 1,
    internal: 1,
};
export class KpatchError extends Error {
    kind;
    text;
    details;
    logFile;
    code;
    file;
    /** The message without the file it opens with: what a caller that names the file says. */
    reason;
    constructor(kind, 
    /** The message as given, without file, log or details: to make the error again. */
    text, options = {}) {
        const message = text;
        const details = options.details ?? [];
        const log = options.logFile ? ` (log: ${options.logFile})` : "";
        const reason = `${message}${log}${details.map((d) => `\n  ${d}`).join("")}`;
        super(options.file === undefined ? reason : `${options.file}: ${reason}`);
        this.kind = kind;
        this.text = text;
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
    constructor(message, logFile) {
        super("host", message, { logFile });
        this.name = "HostError";
    }
}
const HEADING = {
    usage: "error: ",
    input: "error: ",
    unsafe: "unsafe change: ",
    "no-change": "no changed functions: ",
    host: "error: ",
    kernel: "error: ",
    internal: "internal error: ",
};
/** The message and exit status that `program` ends with for `e`. */
export function explain(program, e) {
    const said = (kind, text) => ({
        message: `${program}: ${HEADING[kind]}${text}`,
        status: EXIT_STATUS[kind],
        kind,
        text,
    });
    if (e instanceof KpatchError)
        return said(e.kind, e.message);
    const sys = e;
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
//# sourceMappingURL=errors.js.map