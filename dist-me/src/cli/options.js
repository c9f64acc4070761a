// The command lines' options, in one place that the commands, their --help,
// the man pages and the test that keeps those three in step all read.
/** kpatch-build PATCH... */
export const buildOptions = {
    kernel: { type: "string", short: "k", multiple: true },
    sourcedir: { type: "string", short: "s" },
    config: { type: "string", short: "c" },
    vmlinux: { type: "string", short: "v" },
    symbols: { type: "string" },
    symvers: { type: "string" },
    "build-dir": { type: "string" },
    name: { type: "string", short: "n" },
    cve: { type: "string", multiple: true },
    description: { type: "string" },
    "sign-key": { type: "string" },
    "sign-cert": { type: "string" },
    output: { type: "string", short: "o", default: "." },
    "non-replace": { type: "boolean", short: "R", default: false },
    "skip-compiler-check": { type: "boolean", default: false },
    "skip-cleanup": { type: "boolean", default: false },
    debug: { type: "boolean", short: "d", default: false },
    jobs: { type: "string", short: "j" },
    json: { type: "boolean", default: false },
    "list-releases": { type: "boolean", default: false },
    update: { type: "boolean", default: false },
    to: { type: "string" },
    list: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
};
/** kpatch-build verify */
export const verifyOptions = {
    kernel: { type: "string", short: "k" },
    vmlinux: { type: "string", short: "v" },
    modules: { type: "string" },
    json: { type: "boolean", default: false },
};
/** kpatch-build review */
export const reviewOptions = {
    output: { type: "string", short: "o", default: "." },
    json: { type: "boolean", default: false },
};
/** kpatch-build package */
export const packageOptions = {
    version: { type: "string" },
    "package-name": { type: "string" },
    runtime: { type: "boolean", default: false },
    output: { type: "string", short: "o", default: "." },
    json: { type: "boolean", default: false },
};
/** kpatch-build diff */
export const diffOptions = {
    output: { type: "string", short: "o" },
    object: { type: "string", default: "vmlinux" },
    symbols: { type: "string" },
    symvers: { type: "string" },
    "entry-size": { type: "string", multiple: true },
    json: { type: "boolean", default: false },
};
/** kpatch */
export const kpatchOptions = {
    all: { type: "boolean", default: false },
    timeout: { type: "string" },
    kernel: { type: "string", short: "k" },
    json: { type: "boolean", default: false },
    "dry-run": { type: "boolean", default: false },
    review: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
};
//# sourceMappingURL=options.js.map