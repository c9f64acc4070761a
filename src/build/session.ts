// A build session: the pristine source and the prepared build directory, each
// seen through an overlay whose upper layer is the session's scratch space,
// so that patches and compiles never write to either. Every step runs in a
// private mount namespace with the overlays mounted at the trees' own paths
// (see namespace.ts): nothing is mounted on the host, and kbuild finds its
// prepared tree exactly as it left it, so only the requested objects compile.
import { compileAs, type CompilerTime } from "./command.js";
import { CODE_READING } from "./tokens.js";
import { Readers } from "./readers.js";
import { basename, dirname, join, normalize, relative, resolve } from "node:path";
import { nodeHost, sha256, type Host, type RunResult } from "../host/host.js";
import { countingDone, duration, progress, warn } from "../host/progress.js";
import { HostError, KpatchError } from "../errors.js";
import { cmdFile, compiledFor } from "./kbuild.js";
import { runWithMounts, shq, type Mount } from "../host/namespace.js";
import { PATCH_OPTIONS, patchReport } from "../patch/patch.js";
import { diffCflags, type PreparedTree } from "./prepare.js";

export type Variant = "orig" | "patched";

/** What `preprocessed` keys a digest by: the object, and the files it read unpatched. */
export function preprocessKey(o: Preprocess): string {
  if (!o.reverted?.length) return o.object;
  return `${o.object}.${sha256(...[...o.reverted].sort()).slice(0, 16)}`;
}

export interface Preprocess {
  object: string;
  command: string;
  /** Source files, relative to the tree, that this compile reads unpatched. */
  reverted?: string[];
}

export interface CompiledObject {
  /** Relative to the build directory, e.g. fs/proc/meminfo.o. */
  object: string;
  /** The session's copy: <session>/<variant>/<object>, with kbuild's .<name>.o.cmd beside it. */
  file: string;
  /** Relative to the source tree, e.g. fs/proc/meminfo.c. */
  source: string;
  /**
   * What the object is linked into: "vmlinux", or the module name as the kernel
   * knows it (ext4).
   */
  target: string;
}

export interface ExecOptions {
  /** Return stdout and stderr instead of writing them to the session log. */
  capture?: boolean;
  /** Resolve with the exit status instead of throwing. */
  allowFailure?: boolean;
}

export interface CompileOptions {
  /**
   * Compile every object that compiles, and record here each one that does
   * not, with the compiler's first error, instead of failing: an update's
   * many objects each stand alone.
   */
  failures?: Map<string, string>;
}

export interface BuildSession {
  /** Scratch directory, removed when the session ends: copy out what must outlive it. */
  readonly dir: string;
  readonly prepared: PreparedTree;
  /** make's and patch's output; removed when the session succeeds. */
  readonly log: string;
  /** Patch files applied so far, in order. */
  readonly applied: readonly string[];
  /**
   * Applies a -p1 patch to the session's source. A dry run comes first, so a
   * patch that does not apply changes nothing; its error names each failing
   * file and hunk.
   */
  applyPatch(patchFile: string): Promise<void>;
  /**
   * Compiles single objects with kbuild and the diff flags, removing any
   * previous copy first so that kbuild really compiles them, and copies them to
   * <session>/<variant>/. ORIG before any patch is applied (after, only from
   * the ORIG cache), PATCHED after.
   * kbuild compiles any object asked for, even one the config does not build
   * (then with its parent directory's flags): affectedObjects says which to ask for.
   * With kbuild's recipe for every object (from its plan), the recipes run
   * without make's walk over the tree, which costs more than a small compile;
   * make does it if they fail (a header the directory's Makefile generates).
   */
  compile(
    objects: string[],
    variant: Variant,
    recipes?: ReadonlyMap<string, string>,
    opts?: CompileOptions,
  ): Promise<CompiledObject[]>;
  /**
   * A digest of what each object's compile reads, as the session's source now
   * holds it: of its preprocessed tokens (gcc -E -P, its own command line)
   * what can become code (tokens.ts), or none when they cannot be had. Two
   * equal digests mean the same code, function by function (tables may list
   * it in another order). Cached per tree, and after a patch by what it
   * changed, each digest as it comes. `reverted`: source files read as
   * they were before any patch, for that object's compile alone (which of
   * an update's headers reach its code). `lineBlind`: moved lines do not
   * count (tokens.ts, withoutLines), for the grouping, not for a compile.
   */
  preprocessed(objects: Preprocess[], opts?: { lineBlind?: boolean }): Promise<Map<string, string>>;
  /**
   * Runs an sh script (args as $1...) where the merged source and build trees
   * are at the prepared tree's source and build paths. Output goes to the
   * session log unless captured.
   */
  exec(script: string, args?: string[], opts?: ExecOptions): Promise<RunResult>;
}

/**
 * Runs `body` in a new session. The scratch directory is removed however the
 * session ends; the log is kept, and named in errors, when it fails. SIGINT
 * or SIGTERM stops the running step and, after cleanup, ends the process.
 */
export interface SessionOptions {
  /** Parallel compile jobs (default: one per CPU). */
  jobs?: number;
  /**
   * Keep the scratch directory (ORIG and PATCHED objects, diffs, module build)
   * under $KPATCH_CACHE/kept/, and the log.
   */
  keep?: boolean;
  /** Where the session adds the time of each preprocess and compile it runs. */
  compilerTime?: CompilerTime;
}

export function withBuildSession<T>(
  prepared: PreparedTree,
  body: (session: BuildSession) => Promise<T>,
  opts: SessionOptions = {},
  host: Host = nodeHost,
): Promise<T> {
  return host.interruptible(async (signal) => {
    const dir = host.scratchDir(join(host.cacheRoot(), "sessions"), "build");
    // Named as the scratch is, less the dot that hides it: users look for these.
    const id = basename(dir).replace(/^\.kpatch-/, "");
    const log = join(host.cacheRoot(), "logs", `session-${id}.log`);
    try {
      const session = new Session(
        prepared,
        dir,
        log,
        signal,
        opts.jobs ?? host.cpuCount(),
        host,
        opts.compilerTime,
      );
      const result = await body(session).finally(() => session.close());
      if (opts.keep) progress("build", `session log kept in ${log}`);
      else host.remove(log);
      return result;
    } finally {
      if (opts.keep) {
        // Out of sessions/, where scratch of dead processes is swept away.
        const kept = join(host.cacheRoot(), "kept", id);
        host.makeDirs(dirname(kept));
        host.rename(dir, kept);
        progress("build", `session kept in ${kept}`);
      } else host.remove(dir);
    }
  });
}

/** Where ORIG objects of a prepared tree are kept: they depend on nothing else. */
function origCache(prepared: PreparedTree, host: Host): string {
  return join(host.cacheRoot(), "orig", basename(prepared.dir));
}

/**
 * Copies a compiled object and its .cmd into the cache, the object last and by
 * rename: a hit is whole.
 */
function keep(from: string, cache: string, object: string, host: Host): void {
  const cmd = relative(from, cmdFile(from, object));
  host.makeDirs(dirname(join(cache, object)));
  host.writeFileAtomic(join(cache, cmd), host.readFile(join(from, cmd)));
  host.writeFileAtomic(join(cache, object), host.readFile(join(from, object)));
}

class Session implements BuildSession {
  readonly applied: string[] = [];
  private compiles = 0;
  /** Whether it compiled anything (make may generate headers in the build layer). */
  private built = false;
  /** Started by the first preprocess, ended with the session. */
  private readers?: Readers;
  private readonly mounts: Mount[];

  constructor(
    readonly prepared: PreparedTree,
    readonly dir: string,
    readonly log: string,
    private readonly signal: AbortSignal,
    private readonly jobs: number,
    private readonly host: Host,
    private readonly tally?: CompilerTime,
  ) {
    const overlay = (lower: string, name: string): Mount => ({
      type: "overlay",
      lower,
      upper: join(dir, name),
      work: join(dir, `${name}.work`),
      at: lower,
    });
    this.mounts = [overlay(prepared.source.dir, "source"), overlay(prepared.dir, "build")];
    for (const m of this.mounts) {
      if (m.type === "overlay") for (const d of [m.upper, m.work]) host.makeDirs(d);
    }
  }

  exec(script: string, args: string[] = [], opts: ExecOptions = {}): Promise<RunResult> {
    this.signal.throwIfAborted();
    return runWithMounts(
      this.mounts,
      script,
      args,
      {
        logFile: opts.capture ? undefined : this.log,
        signal: this.signal,
        allowFailure: opts.allowFailure,
      },
      this.host,
    );
  }

  async applyPatch(patchFile: string): Promise<void> {
    const file = resolve(patchFile);
    if (!this.host.exists(file)) throw new KpatchError("input", `patch ${file} does not exist`);
    const { pkg, version, dir } = this.prepared.source;
    const patch = `cd "$1" && patch ${PATCH_OPTIONS.join(" ")} -i "$2"`;
    const dry = await this.exec(`${patch} --dry-run`, [dir, file], {
      capture: true,
      allowFailure: true,
    });
    this.signal.throwIfAborted();
    const report = patchReport(dry.stdout + dry.stderr);
    if (dry.code !== 0) {
      const why = report.failures.length
        ? report.failures.join("; ")
        : dry.stderr.trim() || dry.stdout.trim();
      throw new KpatchError("input", `patch ${file} does not apply to ${pkg} ${version}: ${why}`);
    }
    for (const line of report.inexact) progress("build", `${basename(file)}: ${line}`);
    await this.exec(patch, [dir, file]);
    this.applied.push(file);
  }

  async compile(
    objects: string[],
    variant: Variant,
    recipes?: ReadonlyMap<string, string>,
    opts: CompileOptions = {},
  ): Promise<CompiledObject[]> {
    // DIR/../OTHER.o is how kvm's and amdgpu's Makefiles name files of other directories.
    const bad = objects.find(
      (o) => !/^[\w.+-]+(\/[\w.+-]+)+\.o$/.test(o) || normalize(o).startsWith("../"),
    );
    if (bad !== undefined)
      throw new KpatchError("input", `not an object path inside the build tree: ${bad}`);
    // ORIG objects depend only on the prepared tree, PATCHED ones on what the
    // session's source layer holds besides: each is compiled once and kept.
    // Not for a user's own tree (-s), which may change in place.
    const kept =
      this.prepared.source.pkg === "tree"
        ? undefined
        : variant === "orig"
          ? origCache(this.prepared, this.host)
          : join(this.host.cacheRoot(), "patched", basename(this.prepared.dir), this.changes());
    // After a patch, ORIG objects can only come from the cache (compiled by a
    // session beside this one).
    const allKept = kept !== undefined && objects.every((o) => this.host.exists(join(kept, o)));
    if (variant === "orig" && this.applied.length && !allKept) {
      throw new KpatchError("internal", "ORIG objects must be compiled before a patch is applied");
    }
    if (variant === "patched" && !this.applied.length) {
      throw new KpatchError("internal", "PATCHED objects need a patch applied first");
    }
    const out = join(this.dir, variant);
    const reused = kept ? objects.filter((o) => this.host.exists(join(kept, o))) : [];
    // Linked, not copied: an update's thousands of objects are gigabytes, and
    // nothing writes them again (a compile's copy out replaces its file).
    for (const o of reused) {
      this.host.makeDirs(dirname(join(out, o)));
      for (const f of [o, relative(kept!, cmdFile(kept!, o))]) {
        this.host.linkFile(join(kept!, f), join(out, f));
      }
    }
    if (reused.length) {
      const which = reused.length > 10 ? `${reused.length} objects` : reused.join(" ");
      progress("build", `${variant.toUpperCase()} ${which} from the cache`);
    }
    const fresh = objects.filter((o) => !reused.includes(o));
    if (fresh.length) await this.build(fresh, variant, out, recipes, kept, opts.failures);
    const built = objects.filter((o) => !opts.failures?.has(o));
    try {
      // Those kept as they finished are whole already.
      for (const o of fresh.filter((o) => built.includes(o))) {
        if (kept && !this.host.exists(join(kept, o))) keep(out, kept, o, this.host);
      }
    } catch (e) {
      warn("build", `${variant.toUpperCase()} objects not cached: ${(e as Error).message}`);
    }
    return built.flatMap((o) => {
      try {
        return [this.inspect(o, out)];
      } catch (e) {
        // With failures asked for, one that cannot be compared stands alone too.
        if (!opts.failures || !(e instanceof KpatchError && e.code === "uncomparable")) throw e;
        opts.failures.set(o, e.message);
        progress("build", `${variant.toUpperCase()} ${e.message}`);
        return [];
      }
    });
  }

  private async build(
    objects: string[],
    variant: Variant,
    out: string,
    recipes?: ReadonlyMap<string, string>,
    kept?: string,
    failures?: Map<string, string>,
  ): Promise<void> {
    const which = objects.length > 10 ? `${objects.length} objects` : objects.join(" ");
    progress("build", `compiling ${variant.toUpperCase()} ${which}`);
    this.built = true;
    const mine =
      recipes && objects.every((o) => recipes.has(o))
        ? objects.map((o) => recipes.get(o)!)
        : undefined;
    if (mine) {
      // A directory of this compile's recipes only, whatever ran before in the session.
      const dir = join(this.dir, "recipes", `${variant}-${this.compiles++}`);
      mine.forEach((r, i) => this.host.writeFileAtomic(join(dir, `${i}.sh`), `${r}\n`));
      // Beside each recipe that succeeded, its compile time, for the figure
      // compileWith prints and for keepFinished.
      const each = `for f in "$recipes"/*.sh; do printf '%s\\0' "$f"; done |
  xargs -0 -P "$jobs" -n 1 sh -c \\
    's=$(date +%s%N); sh "$1" || exit; echo $(($(date +%s%N) - s)) >"$1.ns"' sh`;
      let ran: boolean;
      // Kept as they finish, too: a run killed outright (SIGKILL, the OOM
      // killer, a lost machine) resumes from them, and an update's compile
      // runs for an hour.
      const all = objects;
      const keeping = kept
        ? setInterval(() => this.keepFinished(all, dir, kept), 10_000)
        : undefined;
      keeping?.unref();
      try {
        ran = await this.compileWith(objects, variant, out, each, dir, true, !!failures);
      } catch (e) {
        if (kept) {
          const done = this.keepFinished(objects, dir, kept);
          if (done) progress("build", `${done} objects compiled before the stop kept`);
        }
        throw e;
      } finally {
        clearInterval(keeping);
      }
      if (ran) return;
      const rest = objects.filter((_, i) => !this.host.exists(join(dir, `${i}.sh.ns`)));
      if (failures) objects = rest;
      progress(
        "build",
        `kbuild's recipe failed; compiling ${failures ? rest.join(" ") : which} with make`,
      );
    }
    // Without the tree's KERNELRELEASE, kbuild would rewrite utsrelease.h (and
    // so vermagic) to the source's; with failures asked for, past errors (-k).
    const make = `make -C "$src" O="$build" -j"$jobs" KCFLAGS="$flags" ${failures ? "-k " : ""}\\
      \${release:+KERNELRELEASE="$release"} "$@"`;
    const logStart = this.host.exists(this.log) ? this.host.stat(this.log).size : 0;
    if (await this.compileWith(objects, variant, out, make, "", !!failures, !!failures)) return;
    const errors = this.errorsSince(logStart);
    for (const o of objects.filter((o) => !this.host.exists(join(out, o)))) {
      const stem = basename(o).replace(/\.o$/, ".");
      const error = errors.find((l) => l.includes(stem)) ?? "it does not compile";
      failures!.set(o, `it does not compile alone: ${error}`);
      progress("build", `${variant.toUpperCase()} ${o} does not compile: ${error}`);
    }
  }

  /** The compiler's and make's error lines in the log since `start`. */
  private errorsSince(start: number): string[] {
    return this.host
      .readText(this.log)
      .slice(start)
      .split("\n")
      .filter((l) => /error:|\*\*\*/.test(l));
  }

  /** Ends what the session started beside its processes: its reader threads. */
  async close(): Promise<void> {
    await this.readers?.close();
  }

  async preprocessed(
    objects: Preprocess[],
    opts: { lineBlind?: boolean } = {},
  ): Promise<Map<string, string>> {
    const blind = opts.lineBlind === true;
    const dir = join(this.dir, "preprocessed", String(this.compiles++));
    // Kept as they come, by the reading, the tree and what the session
    // changed (as PATCHED objects are): an interrupted run's next one resumes.
    const cache =
      this.prepared.source.pkg === "tree"
        ? undefined
        : join(
            this.host.cacheRoot(),
            "preprocessed",
            blind ? `${CODE_READING}-no-lines` : CODE_READING,
            basename(this.prepared.dir) + (this.applied.length ? `-${this.changes()}` : ""),
          );
    const sums = new Map<string, string>();
    // A unit the compiler rejected, kept so that a second build does not ask
    // again; not where this session compiled, whose make may have generated
    // a header that other sessions lack.
    const marks = !this.built;
    const failed = new Set<string>();
    for (const o of cache ? objects : []) {
      const key = preprocessKey(o);
      const known = this.host.readIfExists(join(cache!, `${key}.sum`));
      if (known) sums.set(key, known);
      else if (marks && this.host.exists(join(cache!, `${key}.fail`))) failed.add(key);
    }
    const asked = objects.flatMap((o) => {
      // The compile, its output its tokens.
      const key = preprocessKey(o);
      const command =
        sums.has(key) || failed.has(key)
          ? undefined
          : compileAs(o.command, (s) => `-E ${blind ? "" : "-P "}-o - ${s}`);
      return command ? [{ ...o, command }] : [];
    });
    const revert = (o: Preprocess) => {
      // The unpatched file, copied from outside the session's mounts, is
      // mounted over the patched one in a namespace of this compile's own.
      const mounts = (o.reverted ?? []).map((f) => {
        const copy = join(dir, "unpatched", f);
        if (!this.host.exists(copy)) {
          this.host.makeDirs(dirname(copy));
          this.host.writeFileAtomic(copy, this.host.readFile(join(this.prepared.source.dir, f)));
        }
        return `mount --bind ${shq(copy)} ${shq(join(this.prepared.source.dir, f))}`;
      });
      return mounts.length
        ? `unshare --mount --propagation private sh -euc ${shq(`${mounts.join("\n")}\n${o.command}`)}`
        : o.command;
    };
    if (!asked.length) return sums;
    asked.forEach((o, i) => this.host.writeFileAtomic(join(dir, `${i}.sh`), `${revert(o)}\n`));
    progress("build", `preprocessing ${asked.length} objects`);
    // In chunks, the next one preprocessing while this process reads the last:
    // a unit's tokens are megabytes, and 15,000 of them would not fit on disk.
    const size = 8 * this.jobs;
    const run = (from: number) =>
      from >= asked.length
        ? undefined
        : this.exec(
            `dir=$1 jobs=$2 from=$3 to=$4; cd "$5"
i=$from; while [ "$i" -lt "$to" ]; do printf '%s\\0' "$dir/$i.sh"; i=$((i + 1)); done |
  xargs -0 -P "$jobs" -n 1 sh -c \\
    's=$(date +%s%N); sh "$1" >"$1.i" 2>"$1.err"; echo $? >"$1.status"
    echo $(($(date +%s%N) - s)) >"$1.ns"' sh`,
            [
              dir,
              String(this.jobs),
              String(from),
              String(Math.min(from + size, asked.length)),
              this.prepared.dir,
            ],
          );
    const said = countingDone("build", asked.length, (n) => `preprocessed ${n} of ${asked.length}`);
    let chunk = run(0);
    try {
      const readers = (this.readers ??= Readers.for(this.jobs));
      for (let from = 0; chunk; from += size) {
        await chunk;
        chunk = run(from + size);
        // Awaited after this chunk's reading; an interrupt meanwhile is not unhandled.
        chunk?.catch(() => undefined);
        const to = Math.min(from + size, asked.length);
        const status = (i: number) => this.host.readIfExists(join(dir, `${i}.sh.status`))?.trim();
        // The chunk's units read side by side, two in hand per thread: a
        // unit's text is megabytes.
        const digests: (string | undefined)[] = [];
        let next = from;
        let failed = false;
        const reading = async () => {
          for (let i = next++; i < to && !failed && !this.signal.aborted; i = next++) {
            if (status(i) !== "0") continue;
            const text = this.host.readText(join(dir, `${i}.sh.i`));
            digests[i - from] = await readers.digest(text, blind).catch((e: unknown) => {
              failed = true;
              throw e;
            });
          }
        };
        await Promise.all(Array.from({ length: 2 * readers.size }, reading));
        this.signal.throwIfAborted();
        for (let i = from; i < to; i++) {
          const file = join(dir, `${i}.sh.i`);
          const key = preprocessKey(asked[i]!);
          const digest = digests[i - from];
          this.count("preprocess", join(dir, `${i}.sh.ns`));
          if (digest !== undefined) {
            sums.set(key, digest);
            if (cache) this.host.writeFileAtomic(join(cache, `${key}.sum`), digest);
          } else if (
            marks &&
            cache &&
            status(i) === "1" &&
            rejected(join(dir, `${i}.sh.err`), this.host)
          ) {
            this.host.writeFileAtomic(join(cache, `${key}.fail`), "");
          }
          this.host.remove(file);
        }
        said(to);
      }
    } finally {
      // The chunk in flight ends before the session does, whatever stopped this.
      await chunk?.catch(() => undefined);
      this.host.remove(dir);
    }
    return sums;
  }

  /**
   * Keeps the objects of a compile whose recipes finished, so that the next
   * run compiles only the rest: each is whole in the session's build layer
   * once its recipe has ended well. Says how many finished.
   */
  private keepFinished(objects: string[], recipes: string, kept: string): number {
    const done = objects.filter((_, i) => this.host.exists(join(recipes, `${i}.sh.ns`)));
    for (const o of done.filter((o) => !this.host.exists(join(kept, o)))) {
      try {
        keep(join(this.dir, "build"), kept, o, this.host);
      } catch {
        // The next run compiles it again.
      }
    }
    return done.length;
  }

  /**
   * Runs `compile` in the build directory for `objects` (as "$@") and copies
   * them out; false if it failed and `mayFail`. `partial`: copies out those
   * that compiled (by their recipe's mark, or by make's leaving them), and
   * reports a failure.
   */
  private async compileWith(
    objects: string[],
    variant: Variant,
    out: string,
    compile: string,
    recipes: string,
    mayFail: boolean,
    partial = false,
  ): Promise<boolean> {
    const logStart = this.host.exists(this.log) ? this.host.stat(this.log).size : 0;
    const script = `out=$1 src=$2 build=$3 jobs=$4 flags=$5 release=$6 recipes=$7
shift 7
cd "$build"
rm -f -- "$@"
# make creates the object's directory in the build tree; a recipe alone does not.
for o; do mkdir -p "\${o%/*}"; done
${partial ? `failed=0; ${compile} || failed=$?` : compile}
i=0
for o; do
  ${partial ? (recipes ? `[ -e "$recipes/$i.sh.ns" ]` : `[ -e "$o" ]`) : "true"} && {
    mkdir -p "$out/\${o%/*}"
    rm -f "$out/$o" "$out/\${o%/*}/.\${o##*/}.cmd"
    cp "$o" "\${o%/*}/.\${o##*/}.cmd" "$out/\${o%/*}/"
  }
  i=$((i + 1))
done${partial ? "\nexit $failed" : ""}`;
    const args = [
      out,
      this.prepared.source.dir,
      this.prepared.dir,
      String(this.jobs),
      diffCflags,
      this.prepared.release ?? "",
      recipes,
      ...objects,
    ];
    const t0 = Date.now();
    const ticker = this.progressOf(objects, variant, t0);
    try {
      await this.exec(script, args);
      if (objects.length > 1) this.compileFigure(objects.length, variant, recipes, t0);
      return true;
    } catch (e) {
      if (this.signal.aborted || !(e instanceof HostError)) throw e;
      if (mayFail) return false;
      const errors = this.errorsSince(logStart);
      throw new HostError(
        `compiling ${variant.toUpperCase()} ${objects.join(" ")} failed` +
          `${errors.length ? `:\n${errors.slice(0, 10).join("\n")}` : ""}`,
        this.log,
      );
    } finally {
      clearInterval(ticker);
      for (let i = 0; recipes && i < objects.length; i++) {
        this.count("compile", join(recipes, `${i}.sh.ns`));
      }
      if (!recipes && this.tally) {
        this.tally.compile.untimed += objects.filter((o) => this.host.exists(join(out, o))).length;
      }
    }
  }

  /** Adds a run's time, from the nanoseconds its wrapper wrote, to the build's tally. */
  private count(kind: keyof CompilerTime, ns: string): void {
    const t = Number(this.host.readIfExists(ns));
    if (!this.tally || !(t > 0)) return;
    this.tally[kind].runs++;
    this.tally[kind].seconds += t / 1e9;
  }

  /**
   * What the session changed in the source, as a key: every file of the
   * source layer (patched files, the author's headers; a removed one is a
   * whiteout, named) and the flags compiles add.
   */
  private changes(): string {
    const upper = join(this.dir, "source");
    const parts: string[] = [diffCflags];
    for (const f of this.host.readDir(upper, { recursive: true }).sort()) {
      const st = this.host.lstat(join(upper, f));
      if (st.isFile()) parts.push(`${f}\0${sha256(this.host.readFile(join(upper, f)))}`);
      else if (!st.isDirectory()) parts.push(`${f}\0${st.mode}:${st.rdev}`);
    }
    return sha256(...parts).slice(0, 24);
  }

  /**
   * Says every 10 s how many of `objects` are compiled and the time left, by
   * the objects the session's build layer holds (a removed one is a whiteout,
   * no file).
   */
  private progressOf(objects: string[], variant: Variant, t0: number): NodeJS.Timeout {
    let said = 0;
    return setInterval(() => {
      const done = objects.filter((o) => {
        const f = join(this.dir, "build", o);
        return this.host.exists(f) && this.host.lstat(f).isFile();
      }).length;
      if (done === said || !done) return;
      said = done;
      const left = ((Date.now() - t0) / done) * (objects.length - done);
      progress(
        "build",
        `${variant.toUpperCase()}: ${done} of ${objects.length} objects compiled, ` +
          `about ${duration(left)} left`,
      );
    }, 10_000).unref();
  }

  /**
   * How compile-bound a compile of many objects was: its wall time against
   * the compiler's own time per job, from the recipes' timings.
   */
  private compileFigure(count: number, variant: Variant, recipes: string, t0: number): void {
    const wall = (Date.now() - t0) / 1000;
    const times = recipes
      ? this.host
          .readDir(recipes)
          .filter((f) => f.endsWith(".ns"))
          .map((f) => Number(this.host.readText(join(recipes, f))) / 1e9)
      : [];
    const ideal = times.reduce((a, b) => a + b, 0) / this.jobs;
    progress(
      "build",
      `${variant.toUpperCase()}: ${count} objects in ${wall.toFixed(1)} s` +
        (times.length === count
          ? ` on ${this.jobs} jobs, ${(wall / ideal).toFixed(2)}× the compiler's own ` +
            `${ideal.toFixed(1)} s per job`
          : ""),
    );
  }

  /**
   * Reads what kbuild recorded about a fresh object, and checks that it was
   * compiled with sections of its own for each function and object.
   */
  private inspect(object: string, dir: string): CompiledObject {
    const file = join(dir, object);
    const cmd = this.host.readText(cmdFile(dir, object));
    const sourcePath = /^source_\S+ := (.+)$/m.exec(cmd)?.[1];
    if (!sourcePath) {
      throw new KpatchError(
        "input",
        `${object} is not compiled from a single source file (a composite object?)`,
      );
    }
    const source = relative(this.prepared.source.dir, sourcePath);
    // kbuild 6.1 writes cmd_OBJ, later ones savedcmd_OBJ.
    const command = /^(?:saved)?cmd_\S+ := (.*)$/m.exec(cmd)?.[1];
    if (!command) throw new HostError(`${object}: kbuild recorded no command line for it`);
    // Makefiles that set their own flags drop KCFLAGS: the decompressor, real
    // mode, the EFI stub, the purgatory, the vDSO. Functions in .text beside
    // the compiler's own sections are top-level asm's (kvm's fastop stubs).
    if (source.endsWith(".c") && !/\s-ffunction-sections\b/.test(command)) {
      throw new KpatchError(
        "unsafe",
        `${object}: its Makefile compiles it without ${diffCflags}, as it does boot code ` +
          "and code copied out of the kernel (the EFI stub, the vDSO), which no live patch reaches",
        { code: "uncomparable" },
      );
    }
    const target = compiledFor(command);
    if (!target) {
      throw new HostError(`${object}: kbuild compiled it for a module without naming the module`);
    }
    return { object, file, source, target };
  }
}

/**
 * Whether a preprocess failed on what it read, which fails it again: the
 * compiler's own error at a place in the source, not the host's (no
 * space, a signal, a mount).
 */
function rejected(errors: string, host: Host): boolean {
  const text = host.readIfExists(errors) ?? "";
  // A diagnostic at a place in the source (an #error, a missing header), and
  // no word of the host's: a killed cc1, or an errno a header's read met.
  return /^[^:\s]+:\d+(:\d+)?: (fatal )?error: /m.test(text) && !HOST_TROUBLE.test(text);
}

const HOST_TROUBLE = new RegExp(
  [
    "signal terminated program",
    "cannot execute",
    "No space left",
    "Cannot allocate",
    "Input/output error",
    "Permission denied",
    "Stale file handle",
    "Too many open files",
  ].join("|"),
);
