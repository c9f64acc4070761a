// All process and file-system access of the engine goes through here: the
// Host interface, whose Node implementation is nodeHost. Every command run is
// logged in one place and errors name the log file; the ways of writing that
// must survive a crash or a parallel process (writeFileAtomic, publishDir)
// are written once. Only src/host/ and the thin src/cli/ touch Node's fs,
// os and child_process modules.
import { execFileSync, spawn } from "node:child_process";
import {
  chmodSync,
  chownSync,
  closeSync,
  constants,
  copyFileSync,
  createWriteStream,
  existsSync,
  fchmodSync,
  fsyncSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  type Dirent,
  type Stats,
} from "node:fs";
import { cpus, homedir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { createHash, randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { Script } from "node:vm";
import { fileURLToPath } from "node:url";
import { HostError } from "../errors.js";
import { ambientSignal, interruptible } from "./interrupt.js";

/**
 * What the engine needs of the machine: processes, files and the running
 * kernel. Code reaches the operating system only through one (nodeHost
 * unless a caller passes another), in the spirit of TypeScript's `System`.
 */
export interface Host {
  /** Runs a program to completion. Output goes to `logFile` when given, else it is captured. */
  run(cmd: string, args: string[], options?: RunOptions): Promise<RunResult>;
  /** Runs a short program to completion and returns its standard output; fails naming it. */
  runSync(cmd: string, args: string[]): Buffer;
  /** The number of CPUs: parallel jobs by default. */
  cpuCount(): number;
  /** The kernel this machine runs: its release (uname -r) and Debian package version. */
  runningKernel(): RunningKernel;
  /** The kernel log records after sequence number `after` (all if undefined). */
  kernelLog(after?: number): KernelLogRecord[];
  /** An environment variable's value, undefined if it is not set. */
  env(name: string): string | undefined;
  /** The real user id this process runs as. */
  uid(): number;
  /**
   * Root of the artefact cache (kernel builds, extracted packages), made if
   * it is missing and refused if others could write it (checkCacheRoot).
   */
  cacheRoot(): string;
  /**
   * A CommonJS package, loaded as require loads it; nodeHost keeps V8's
   * compiled code of it in the cache root between processes.
   */
  requireCompiled(specifier: string): unknown;
  /**
   * Runs `body` with a signal that aborts on SIGINT/SIGTERM, and ends every
   * program started inside; the signal is re-raised once `body` settles.
   */
  interruptible<T>(body: (signal: AbortSignal) => Promise<T>): Promise<T>;

  exists(path: string): boolean;
  readFile(path: string): Buffer;
  readText(path: string, encoding?: "utf8" | "latin1"): string;
  /** A text file's contents, or undefined if there is no such file. */
  readIfExists(path: string): string | undefined;
  /** The first `length` bytes of a file, fewer if it is shorter. */
  readHead(path: string, length: number): Buffer;
  /** Writes in place: for files read as they are written (sysfs) or in scratch directories. */
  writeFile(path: string, data: string | Uint8Array): void;
  /** Writes so that no reader and no crash ever sees a half-written file. */
  writeFileAtomic(path: string, data: string | Uint8Array, mode?: number): void;
  stat(path: string): Stats;
  /** stat of the link itself, not of what it points to. */
  lstat(path: string): Stats;
  realPath(path: string): string;
  /** Names in `dir`; with `recursive`, paths relative to it of everything below. */
  readDir(dir: string, options?: { recursive?: boolean }): string[];
  readDirEntries(dir: string): Dirent[];
  /** mkdir -p, each directory made 0755. */
  makeDirs(dir: string): void;
  /** rm -rf. */
  remove(path: string): void;
  rename(from: string, to: string): void;
  copyFile(from: string, to: string): void;
  /**
   * `to` made a hard link to `from`, whatever was there before, or a copy
   * where the filesystem cannot link: for files nothing writes again.
   */
  linkFile(from: string, to: string): void;
  chown(path: string, uid: number, gid: number): void;
  /** A new directory parent/PREFIXXXXXXX, parent made if need be. */
  makeTempDir(parent: string, prefix: string): string;
  /**
   * A new directory parent/.kpatch-PID-name-XXXXXX, after removing those of
   * this name whose processes are gone; nothing else in `parent` is touched.
   */
  scratchDir(parent: string, name: string): string;
  /**
   * Makes directory `dir` appear whole or not at all: `fill` fills a scratch
   * directory (made in `scratch`, beside `dir` by default: it must be on the
   * same file system), `marker` is written into it last, and it is renamed
   * to `dir`. A fill that throws leaves nothing behind, and a crash only
   * scratch, which the next scratchDir there removes. A parallel process may
   * publish `dir` first: its copy is kept, as someone may be using it, and
   * this one discarded. Makes `dir`'s parent first.
   */
  publishDir(
    dir: string,
    fill: (tmp: string) => Promise<void>,
    options: { marker: string; scratch?: string },
  ): Promise<void>;
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Append stdout and stderr to this file instead of capturing them. */
  logFile?: string;
  /** Text fed to standard input. */
  input?: string | Buffer;
  /** Kill the process (and its group) after this many milliseconds. */
  timeoutMs?: number;
  /** Resolve instead of throwing on a non-zero exit. */
  allowFailure?: boolean;
  /** Kill the process (and its group) when this aborts, e.g. on the caller's SIGINT. */
  signal?: AbortSignal;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * For a program that must run to its end once started (insmod, rmmod): no
 * scope's signal ends it.
 */
export const UNINTERRUPTED = new AbortController().signal;

/** nodeHost.run; exported on its own for tests and benchmarks. */
export function run(cmd: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const opts = { ...options, signal: options.signal ?? ambientSignal() };
  return new Promise((resolve, reject) => {
    const log = opts.logFile ? openLog(opts.logFile, `$ ${cmd} ${args.join(" ")}\n`) : undefined;
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      detached: true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on("data", (d: Buffer) => (log ? log.write(d) : out.push(d)));
    child.stderr!.on("data", (d: Buffer) => (log ? log.write(d) : err.push(d)));
    if (opts.input !== undefined) child.stdin!.end(opts.input);
    let timedOut = false;
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          killGroup(child.pid);
        }, opts.timeoutMs)
      : undefined;
    // Ctrl-C of the caller must not leave a build running behind it.
    const onExit = () => killGroup(child.pid);
    process.once("exit", onExit);
    opts.signal?.addEventListener("abort", onExit);
    const settle = () => {
      clearTimeout(timer);
      process.off("exit", onExit);
      opts.signal?.removeEventListener("abort", onExit);
    };
    if (opts.signal?.aborted) onExit();
    child.on("error", (e) => {
      settle();
      reject(new HostError(`cannot run ${cmd}: ${e.message}`, opts.logFile));
    });
    child.on("close", (code, signal) => {
      settle();
      const finish = () => {
        const result = {
          code: code ?? (signal ? 128 : 1),
          stdout: Buffer.concat(out).toString(),
          stderr: Buffer.concat(err).toString(),
          timedOut,
        };
        if (result.code !== 0 && !opts.allowFailure) {
          const why = timedOut
            ? `timed out after ${opts.timeoutMs} ms`
            : opts.signal?.aborted
              ? "interrupted"
              : `exit status ${result.code}`;
          const tail = log ? "" : `: ${lastLines(result.stderr || result.stdout, 15)}`;
          reject(
            new HostError(
              `${cmd} ${args.slice(0, 4).join(" ")}` +
                `${args.length > 4 ? " ..." : ""} failed, ${why}${tail}`,
              opts.logFile,
            ),
          );
        } else resolve(result);
      };
      if (log) log.end(finish);
      else finish();
    });
  });
}

function runSync(cmd: string, args: string[]): Buffer {
  try {
    return execFileSync(cmd, args, { stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 30 });
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    throw new HostError(
      `${cmd} ${args.join(" ")} failed: ${err.stderr?.toString().trim() || err.message}`,
    );
  }
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // already gone
  }
}

function openLog(file: string, header: string) {
  mkdirSync(dirname(file), { recursive: true });
  const s = createWriteStream(file, { flags: "a" });
  s.write(header);
  return s;
}

export function lastLines(text: string, n: number): string {
  return text.trimEnd().split("\n").slice(-n).join("\n");
}

/**
 * One record of the kernel log (/dev/kmsg): its sequence number, level (0 emerg
 * .. 7 debug) and text.
 */
export interface KernelLogRecord {
  seq: number;
  level: number;
  text: string;
}

/**
 * The kernel log records after sequence number `after` (all of them if
 * undefined), read from /dev/kmsg without waiting for new ones. A reader
 * sees only what the ring buffer still holds.
 */
function kernelLog(after = -1): KernelLogRecord[] {
  const fd = openSync("/dev/kmsg", constants.O_RDONLY | constants.O_NONBLOCK);
  const records: KernelLogRecord[] = [];
  const buf = Buffer.alloc(16384);
  try {
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "EAGAIN") break;
        // Overwritten before we read it: the next read goes on from the oldest left.
        if (code === "EPIPE") continue;
        throw e;
      }
      if (n === 0) break;
      // "PRIORITY,SEQ,MICROSECONDS,FLAGS;MESSAGE\n" then continuation lines.
      const line = buf.toString("utf8", 0, n);
      const semi = line.indexOf(";");
      const [prio, seqText] = line.slice(0, semi).split(",");
      const seq = Number(seqText);
      if (seq > after) {
        records.push({ seq, level: Number(prio) & 7, text: line.slice(semi + 1).split("\n")[0]! });
      }
    }
  } finally {
    closeSync(fd);
  }
  return records;
}

/**
 * The kernel this machine runs, as it presents itself: its release (uname -r)
 * and, for Debian's, the package version /proc/version names ("Debian
 * 6.1.192-3"): one release name can have several uploads.
 */
export interface RunningKernel {
  release: string;
  debianVersion?: string;
}

function runningKernel(): RunningKernel {
  const release = readFileSync("/proc/sys/kernel/osrelease", "utf8").trim();
  // "#1 SMP PREEMPT_DYNAMIC Debian 6.1.192-3 (2026-11-26)"; not the compiler's
  // "(Debian 12.2.0-14)".
  const debianVersion = /\bDebian (\d[^\s()]*) \(\d{4}-\d\d-\d\d\)/.exec(
    readIfExists("/proc/version") ?? "",
  )?.[1];
  return { release, ...(debianVersion ? { debianVersion } : {}) };
}

/**
 * nodeHost.cacheRoot, for tests and benchmarks: KPATCH_CACHE, else under
 * XDG_CACHE_HOME, outside the repository. Checked by checkCacheRoot the first
 * time each root is asked for.
 */
export function cacheRoot(): string {
  const dir = resolve(
    process.env.KPATCH_CACHE ??
      join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "kpatch-ts"),
  );
  if (!checkedCacheRoots.has(dir)) {
    checkCacheRoot(dir);
    checkedCacheRoots.add(dir);
  }
  return dir;
}

// Every step asks for the root; tests change KPATCH_CACHE within a process.
const checkedCacheRoots = new Set<string>();

/**
 * Makes cache root `dir` 0700 if it is missing, and refuses one that anyone
 * but this user could have written: what it holds runs as root (cached plans
 * run by sh, the prepared tree's fixdep, objtool and sign-file, ORIG objects).
 */
export function checkCacheRoot(dir: string): void {
  makeDirs(dirname(dir));
  try {
    mkdirSync(dir, 0o700);
    chmodSync(dir, 0o700);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
  }
  const st = lstatSync(dir);
  const euid = process.geteuid!();
  const refuse = (what: string, remedy: string) =>
    new HostError(
      `the cache ${dir} ${what}, and what it holds runs as root: ${remedy}, ` +
        "or set KPATCH_CACHE to a directory of your own",
    );
  if (st.isSymbolicLink()) throw refuse("is a symlink", "name the directory itself");
  if (!st.isDirectory()) throw refuse("is not a directory", "move it away");
  if (st.uid !== euid)
    throw refuse(`is owned by uid ${st.uid}, not ${euid} who runs this`, `chown ${euid} ${dir}`);
  if (st.mode & 0o022)
    throw refuse(
      `is writable by group or others (mode ${octalMode(st.mode)})`,
      `chmod go-w ${dir}`,
    );
}

/** Permission bits as chmod takes them: 0755, 1777. */
export function octalMode(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, "0");
}

/** A path component that someone other than root can change: its owner and mode. */
export interface NotRootsAlone {
  path: string;
  uid: number;
  mode: number;
}

/**
 * The first component of `path`'s real path, from / down, that is not root's
 * or is writable by group or others, or undefined if there is none: for what
 * root runs, where whoever can change any directory above can swap the file.
 */
export function notRootsAlone(path: string): NotRootsAlone | undefined {
  let component = "/";
  for (const part of ["", ...realpathSync(path).split("/").filter(Boolean)]) {
    component = join(component, part);
    const st = lstatSync(component);
    if (st.uid !== 0 || st.mode & 0o022) return { path: component, uid: st.uid, mode: st.mode };
  }
  return undefined;
}

let tools: string | undefined;

/**
 * A digest of the tools' own code (every .js of this build of them), the
 * decoder's version and node's: what a cached result of the tools depends on
 * beside its inputs.
 */
export function toolsDigest(): string {
  if (tools) return tools;
  const root = join(dirname(fileURLToPath(import.meta.url)), "..");
  const parts: string[] = [process.version];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.name.endsWith(".js"))
        parts.push(path.slice(root.length), sha256(readFileSync(path)));
    }
  };
  walk(root);
  parts.push(readFileSync(require.resolve("iced-x86/package.json"), "utf8"));
  return (tools = sha256(...parts));
}

export function sha256(...parts: (string | Buffer)[]): string {
  const h = createHash("sha256");
  for (const p of parts) h.update(p).update("\0");
  return h.digest("hex");
}

/**
 * Writes a file so that readers never see it half-written, nor a crash a
 * torn one: a temporary name nobody else can have planted (created
 * exclusively, so never through a symlink), synced, renamed over, and the
 * directory synced. `mode` is exact, whatever the umask.
 */
function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644): void {
  makeDirs(dirname(path));
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(6).toString("hex")}`;
  const fd = openSync(tmp, "wx", mode);
  try {
    try {
      writeFileSync(fd, data);
      fchmodSync(fd, mode);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  const dir = openSync(dirname(path), "r");
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

async function publishDir(
  dir: string,
  fill: (tmp: string) => Promise<void>,
  { marker, scratch = dirname(dir) }: { marker: string; scratch?: string },
): Promise<void> {
  makeDirs(dirname(dir));
  const tmp = scratchDir(scratch, basename(dir));
  try {
    // mkdtemp's 0700 is for scratch, not for a shared tree.
    chmodSync(tmp, 0o755);
    await fill(tmp);
    writeFileAtomic(join(tmp, marker), `${new Date().toISOString()}\n`);
    try {
      renameSync(tmp, dir);
    } catch (e) {
      // Renaming onto a full directory fails: the winner's copy is complete by its marker.
      if (!existsSync(join(dir, marker))) throw e;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * mkdir -p, one level at a time: Node's recursive mkdirSync spins forever
 * where the kernel answers ENOENT for a parent that exists (/proc/x).
 */
function makeDirs(dir: string): void {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d) && dirname(d) !== d; d = dirname(d)) missing.unshift(d);
  for (const d of missing) {
    try {
      mkdirSync(d);
      // 0755 whatever the umask: root loads what KPATCH_DIR holds.
      chmodSync(d, 0o755);
    } catch (e) {
      // Made meanwhile by another process.
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
  }
}

/** Makes `dir` if need be and proves a file can be written there, or says why not. */
export function ensureWritableDir(dir: string, what: string): void {
  const probe = join(dir, `.kpatch-probe-${process.pid}-${randomBytes(4).toString("hex")}`);
  try {
    makeDirs(dir);
    closeSync(openSync(probe, "wx", 0o600));
    rmSync(probe);
  } catch (e) {
    throw new HostError(
      `${what} ${dir}: cannot write there ` +
        `(${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
}

const require = createRequire(import.meta.url);

/**
 * nodeHost.requireCompiled. Node 20 compiles every module anew in each
 * process, and iced-x86's 900 KB of glue took a create-diff-object run
 * about 25 ms to parse and compile. The code is kept by the file's identity
 * and node's version; V8 rejects code that does not fit its source, version
 * or flags, and it is written again. It is written as the process exits, so
 * that the functions the run used are compiled in it too.
 */
function requireCompiled(specifier: string): unknown {
  let root: string;
  try {
    root = cacheRoot();
  } catch {
    // A cache root refused (others could write it) serves no code; require still does.
    return require(specifier);
  }
  const file = require.resolve(specifier);
  const st = statSync(file);
  const key = sha256(process.version, file, String(st.size), String(st.mtimeMs)).slice(0, 16);
  const cached = join(root, "compiled", `${key}.bin`);
  const cachedData = existsSync(cached) ? readFileSync(cached) : undefined;
  // Node's own wrapper: the arguments require gives a CommonJS module.
  const source = readFileSync(file, "utf8");
  const script = new Script(
    `(function (exports, require, module, __filename, __dirname) {${source}\n})`,
    { filename: file, cachedData },
  );
  const module = { exports: {} };
  const body = script.runInThisContext() as (...args: unknown[]) => void;
  body.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  if (!cachedData || script.cachedDataRejected) {
    process.once("exit", () => {
      try {
        writeFileAtomic(cached, script.createCachedData());
      } catch {
        // A cache that cannot be written costs the next run the compile, nothing else.
      }
    });
  }
  return module.exports;
}

function readIfExists(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, "utf8") : undefined;
}

function readHead(path: string, length: number): Buffer {
  const head = Buffer.alloc(length);
  const fd = openSync(path, "r");
  try {
    return head.subarray(0, readSync(fd, head, 0, length, 0));
  } finally {
    closeSync(fd);
  }
}

// Scratch directories carry the id of the process that owns them, so that
// what a killed process left behind is recognised and removed by the next one.
// Parents can be the user's (-o DIR): the sweep removes only directories of
// the exact shape made here, for this name, never a file or a symlink.
function scratchDir(parent: string, name: string): string {
  makeDirs(parent);
  for (const entry of readdirSync(parent)) {
    const pid = scratchOwner(entry, name);
    const path = join(parent, entry);
    if (pid && !alive(pid) && lstatSync(path, { throwIfNoEntry: false })?.isDirectory())
      rmSync(path, { recursive: true, force: true });
  }
  return mkdtempSync(join(parent, `.kpatch-${process.pid}-${name}-`));
}

/** The pid in `entry` if it is named as scratchDir names scratch for `name` (mkdtemp's 6). */
function scratchOwner(entry: string, name: string): number | undefined {
  const m = /^\.kpatch-([1-9]\d*)-(.*)-[A-Za-z0-9]{6}$/s.exec(entry);
  return m?.[2] === name ? Number(m[1]) : undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** This machine, through Node's fs, os and child_process modules. */
export const nodeHost: Host = {
  run,
  runSync,
  cpuCount: () => cpus().length,
  runningKernel,
  kernelLog,
  env: (name) => process.env[name],
  uid: () => process.getuid!(),
  cacheRoot,
  requireCompiled,
  interruptible,
  exists: existsSync,
  readFile: (path) => readFileSync(path),
  readText: (path, encoding = "utf8") => readFileSync(path, encoding),
  readIfExists,
  readHead,
  writeFile: (path, data) => writeFileSync(path, data),
  writeFileAtomic,
  stat: (path) => statSync(path),
  lstat: (path) => lstatSync(path),
  realPath: (path) => realpathSync(path),
  readDir: (dir, options = {}) =>
    readdirSync(dir, { recursive: options.recursive, encoding: "utf8" }),
  readDirEntries: (dir) => readdirSync(dir, { withFileTypes: true }),
  makeDirs,
  remove: (path) => rmSync(path, { recursive: true, force: true }),
  rename: renameSync,
  copyFile: (from, to) => copyFileSync(from, to),
  linkFile: (from, to) => {
    rmSync(to, { force: true });
    try {
      linkSync(from, to);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? "";
      if (!["EXDEV", "EPERM", "EMLINK", "ENOTSUP", "EOPNOTSUPP"].includes(code)) throw e;
      copyFileSync(from, to);
    }
  },
  chown: chownSync,
  makeTempDir: (parent, prefix) => {
    makeDirs(parent);
    return mkdtempSync(join(parent, prefix));
  },
  scratchDir,
  publishDir,
};
