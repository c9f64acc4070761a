// Build sessions on the test kernel's prepared tree: ORIG and PATCHED objects,
// patches that do not apply, and interruption, each leaving no mount, no
// process and no change in the source, the prepared tree or the kernel build.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cacheRoot, nodeHost, sha256 } from "../../src/host/host.js";
import { HostError, KpatchError } from "../../src/errors.js";
import { readElf } from "../../src/elf/reader.js";
import { withBuildSession } from "../../src/build/session.js";
import { compilerTime } from "../../src/build/command.js";
import { CODE_READING } from "../../src/build/tokens.js";
import { kbuildPlan } from "../../src/build/plan.js";
import { filesReaching } from "../../src/build/reach.js";
import { diffCflags } from "../../src/build/prepare.js";
import { fixture } from "../../bench/support/patches.js";
import { buildPatches, cacheMounts, processesMentioning, testTree, treeState } from "./support.js";

const { kernel, prepared } = await testTree();
const before = treeState(kernel, prepared);

function assertHostUntouched(sessionDir: string): void {
  assert.deepEqual(cacheMounts(), []);
  assert.ok(!existsSync(sessionDir), `${sessionDir} removed`);
  assert.deepEqual(processesMentioning(sessionDir), []);
  assert.equal(treeState(kernel, prepared), before);
}

/** The string sections of an object, as text: .rodata.str1.1, and .rodata.<function>.str1.1 with -fdata-sections. */
function strings(bytes: Buffer): string {
  const elf = readElf(bytes, "object");
  return elf.sections
    .filter((s) => /^\.rodata\.(.*\.)?str\d/.test(s.name))
    .map((s) => Buffer.from(s.data).toString("latin1"))
    .join("");
}

test("ORIG and PATCHED meminfo.o differ, with per-function sections, and a module object names its module", async (t) => {
  let dir = "";
  const t0 = Date.now();
  const [orig, patched] = await withBuildSession(prepared, async (s) => {
    dir = s.dir;
    await assert.rejects(
      s.compile(["fs/proc/meminfo.o"], "patched"),
      /PATCHED objects need a patch applied first/,
    );
    const orig = await s.compile(
      ["fs/proc/meminfo.o", "drivers/thermal/intel/x86_pkg_temp_thermal.o"],
      "orig",
    );
    const t1 = Date.now();
    await s.applyPatch(fixture("meminfo-string.patch"));
    // After a patch, ORIG comes only from the cache, where meminfo.o now is.
    rmSync(join(cacheRoot(), "orig", basename(prepared.dir), "lib/bsearch.o"), { force: true });
    await assert.rejects(
      s.compile(["lib/bsearch.o"], "orig"),
      /ORIG objects must be compiled before a patch is applied/,
    );
    assert.equal((await s.compile(["fs/proc/meminfo.o"], "orig"))[0]!.object, "fs/proc/meminfo.o");
    const patched = await s.compile(["fs/proc/meminfo.o"], "patched");
    t.diagnostic(`ORIG (2 objects) ${t1 - t0} ms, patch and PATCHED ${Date.now() - t1} ms`);
    return [orig, patched].map((list) => list.map((o) => ({ ...o, bytes: readFileSync(o.file) })));
  });
  assert.deepEqual(
    orig.map((o) => [o.object, o.source, o.target]),
    [
      ["fs/proc/meminfo.o", "fs/proc/meminfo.c", "vmlinux"],
      [
        "drivers/thermal/intel/x86_pkg_temp_thermal.o",
        "drivers/thermal/intel/x86_pkg_temp_thermal.c",
        "x86_pkg_temp_thermal",
      ],
    ],
  );
  const [a, b] = [orig[0]!, patched[0]!];
  assert.equal(b.file, join(dir, "patched/fs/proc/meminfo.o"));
  assert.notEqual(sha256(a.bytes), sha256(b.bytes));
  for (const o of [a, b])
    assert.ok(
      readElf(o.bytes, o.file).section(".text.meminfo_proc_show"),
      `${o.file} has .text.meminfo_proc_show`,
    );
  assert.ok(
    strings(a.bytes).includes("MemTotal:       ") && !strings(a.bytes).includes("MemTotal (kp)"),
  );
  assert.ok(strings(b.bytes).includes("MemTotal (kp):  "));
  assertHostUntouched(dir);
});

test("functions in .text: top-level asm's are taken; an object compiled without the diff flags is refused, or named with failures asked for", async () => {
  // static_call.c defines __static_call_return in asm, as kvm's emulate.c its fastop stubs.
  const stub = "arch/x86/kernel/static_call.o";
  const elf = await withBuildSession(prepared, async (s) => {
    const [o] = await s.compile([stub], "orig");
    return readElf(readFileSync(o!.file), o!.file);
  });
  const at = (name: string) => elf.symbols.find((s) => s.name === name)?.section?.name;
  assert.equal(at("__static_call_return"), ".text");
  assert.equal(at("arch_static_call_transform"), ".text.arch_static_call_transform");
  // As the EFI stub's Makefile does: its own flags, without KCFLAGS.
  const plain = "fs/proc/meminfo.o";
  const recipe = (await kbuildPlan(prepared, ["fs/proc/"])).get(plain)!.recipe!;
  const recipes = new Map([[plain, recipe.replaceAll(diffCflags, "")]]);
  assert.notEqual(recipes.get(plain), recipe);
  const own = { ...prepared, source: { ...prepared.source, pkg: "tree" } };
  const failures = new Map<string, string>();
  await withBuildSession(own, async (s) => {
    await assert.rejects(
      s.compile([plain], "orig", recipes),
      /meminfo\.o: its Makefile compiles it without -ffunction-sections -fdata-sections, as/,
    );
    assert.deepEqual(await s.compile([plain], "orig", recipes, { failures }), []);
  });
  assert.match(failures.get(plain) ?? "", /as it does boot code/);
});

/** What `body` says on stderr while it runs, beside what it returns. */
async function saying<T>(body: () => Promise<T>): Promise<T & { said: string }> {
  const lines: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string) => (
    lines.push(String(chunk)), true
  )) as typeof process.stderr.write;
  try {
    return { ...(await body()), said: lines.join("") };
  } finally {
    process.stderr.write = write;
  }
}

test("ORIG objects are compiled once per prepared tree: a later session takes them from the cache, byte for byte", async () => {
  const object = "fs/proc/meminfo.o";
  const compileOrig = () =>
    withBuildSession(prepared, (s) =>
      saying(async () => {
        const [o] = await s.compile([object], "orig");
        return { bytes: readFileSync(o!.file), target: o!.target };
      }),
    );
  // Whatever earlier tests compiled: this tree's ORIG cache starts empty.
  rmSync(join(cacheRoot(), "orig", basename(prepared.dir)), { recursive: true, force: true });
  const first = await compileOrig();
  assert.match(first.said, /^build: compiling ORIG fs\/proc\/meminfo\.o\n$/);
  const second = await compileOrig();
  assert.match(second.said, /^build: ORIG fs\/proc\/meminfo\.o from the cache\n$/);
  assert.equal(sha256(second.bytes), sha256(first.bytes));
  assert.equal(second.target, "vmlinux");
  assert.equal(treeState(kernel, prepared), before);
});

test("PATCHED objects are kept by what the session changed: the same patch comes from the cache, another compiles", async () => {
  const object = "fs/proc/meminfo.o";
  const dir = mkdtempSync(join(tmpdir(), "kpatch-patched-"));
  const text = readFileSync(fixture("meminfo-string.patch"), "utf8");
  // A marker of this run's own: no earlier run left its object in the cache.
  const mark = `k${process.pid % 10}`;
  const patches = ["(kp)", `(${mark})`].map((m, i) => {
    const f = join(dir, `${i}.patch`);
    writeFileSync(f, text.replace("(kp)", m));
    return f;
  });
  const compilePatched = (patch: string) =>
    withBuildSession(prepared, (s) =>
      saying(async () => {
        await s.compile([object], "orig");
        await s.applyPatch(patch);
        const [o] = await s.compile([object], "patched");
        return { bytes: readFileSync(o!.file), links: statSync(o!.file).nlink };
      }),
    );
  rmSync(join(cacheRoot(), "patched", basename(prepared.dir)), { recursive: true, force: true });
  const first = await compilePatched(patches[1]!);
  assert.match(first.said, /build: compiling PATCHED fs\/proc\/meminfo\.o\n/);
  assert.ok(strings(first.bytes).includes(`MemTotal (${mark}):`));
  const again = await compilePatched(patches[1]!);
  assert.match(again.said, /build: PATCHED fs\/proc\/meminfo\.o from the cache\n/);
  assert.doesNotMatch(again.said, /compiling PATCHED/);
  assert.equal(sha256(again.bytes), sha256(first.bytes));
  // The cache's file itself, linked into the session: gigabytes for an update.
  assert.equal([first.links, again.links].join(), "1,2");
  const other = await compilePatched(patches[0]!);
  assert.match(other.said, /build: compiling PATCHED fs\/proc\/meminfo\.o\n/);
  assert.ok(strings(other.bytes).includes("MemTotal (kp):"));
  rmSync(dir, { recursive: true, force: true });
  assert.equal(treeState(kernel, prepared), before);
});

test("preprocessed digests are kept per tree and per change: a later session preprocesses nothing", async () => {
  const object = "fs/proc/meminfo.o";
  const command = (await kbuildPlan(prepared, ["fs/proc/"])).get(object)!.command;
  const tally = compilerTime();
  const digests = (patch?: string) =>
    withBuildSession(
      prepared,
      (s) =>
        saying(async () => {
          if (patch) await s.applyPatch(patch);
          return { digest: (await s.preprocessed([{ object, command }])).get(object) };
        }),
      { compilerTime: tally },
    );
  // This tree's digests, ORIG and after any change, start from nothing.
  const reading = join(cacheRoot(), "preprocessed", CODE_READING);
  for (const d of existsSync(reading) ? readdirSync(reading) : []) {
    if (d.startsWith(basename(prepared.dir))) rmSync(join(reading, d), { recursive: true });
  }
  const first = await digests();
  assert.match(first.said, /preprocessing 1 objects/);
  assert.match(first.digest ?? "", /^[0-9a-f]{64}$/);
  // Each preprocess the session runs is added to the build's tally of the compiler's time.
  assert.equal(tally.preprocess.runs, 1);
  assert.ok(tally.preprocess.seconds > 0.05, `${tally.preprocess.seconds} s`);
  const again = await digests();
  assert.equal(again.said, "");
  assert.equal(again.digest, first.digest);
  assert.equal(tally.preprocess.runs, 1, "a kept digest runs nothing");
  const patched = await digests(fixture("meminfo-string.patch"));
  assert.match(patched.said, /preprocessing 1 objects/);
  assert.notEqual(patched.digest, first.digest, "the patch changes a string meminfo.o uses");
  const patchedAgain = await digests(fixture("meminfo-string.patch"));
  assert.doesNotMatch(patchedAgain.said, /preprocessing/);
  assert.equal(patchedAgain.digest, patched.digest);
  assert.equal(treeState(kernel, prepared), before);
});

test("a unit the compiler rejects is kept as rejected; one the host failed is asked again", async () => {
  const command = (await kbuildPlan(prepared, ["fs/proc/"])).get("fs/proc/meminfo.o")!.command;
  const dir = mkdtempSync(join(tmpdir(), "kpatch-rejected-"));
  writeFileSync(join(dir, "x.h"), "#error rejected on purpose\n");
  const fail = (said: string) => `echo '${said}' >&2; exit 1; ${command}`;
  const units = {
    rejected: command.replace(/ -c -o /, ` -include ${dir}/x.h -c -o `),
    full: fail("x.c: fatal error: error writing to -: No space left on device"),
    killed: fail("gcc: fatal error: Killed signal terminated program cc1"),
    unread: fail("include/linux/x.h:3:10: fatal error: y.h: Input/output error"),
  };
  // Objects of this run's own, with no mark an earlier run left.
  const marks = join(cacheRoot(), "preprocessed", CODE_READING, basename(prepared.dir));
  const asks = Object.entries(units).map(([what, c]) => ({
    object: `fs/proc/${what}-${process.pid}.o`,
    command: c,
  }));
  for (const a of asks) rmSync(join(marks, `${a.object}.fail`), { force: true });
  const ask = () =>
    withBuildSession(prepared, (s) => saying(async () => ({ sums: await s.preprocessed(asks) })));
  const first = await ask();
  assert.match(first.said, /preprocessing 4 objects/);
  assert.equal(first.sums.size, 0);
  const again = await ask();
  assert.match(again.said, /preprocessing 3 objects/, "all but the one the compiler rejected");
  assert.equal(again.sums.size, 0, "a rejected unit has no digest: it is never equal to another");
  for (const a of asks) rmSync(join(marks, `${a.object}.fail`), { force: true });
  rmSync(dir, { recursive: true, force: true });
  assert.equal(treeState(kernel, prepared), before);
});

test("an update's header reaches an object only where reading it unpatched changes the object's code", async () => {
  // signal.o calls signalfd_notify, whose body the patch changes; mm.h gains
  // an inline function nothing calls. Both are changed headers signal.o includes.
  const object = "kernel/signal.o";
  const command = (await kbuildPlan(prepared, ["kernel/"])).get(object)!.command;
  const files = ["include/linux/mm.h", "include/linux/signalfd.h"];
  const reach = await withBuildSession(prepared, async (s) => {
    await s.applyPatch(fixture("reach-headers.patch"));
    return filesReaching(s, [{ object, command, files }], nodeHost);
  });
  assert.deepEqual(reach.get(object), ["include/linux/signalfd.h"]);
  // Without a command line, nothing can be read: every file reaches it.
  const blind = await withBuildSession(prepared, async (s) => {
    await s.applyPatch(fixture("reach-headers.patch"));
    return filesReaching(s, [{ object, files }], nodeHost);
  });
  assert.deepEqual(blind.get(object), files);
  // signal.c stops calling signalfd_notify: the patched unit reads the same
  // without signalfd.h's change, but the old one, which stays if signal.o is
  // left out, does not. It reaches signal.o.
  const dead = ["include/linux/signalfd.h", "kernel/signal.c"];
  const dropped = await withBuildSession(prepared, async (s) => {
    await s.applyPatch(fixture("reach-dead-header.patch"));
    return filesReaching(s, [{ object, command, files: dead }], nodeHost);
  });
  assert.deepEqual(dropped.get(object), dead);
  assert.equal(treeState(kernel, prepared), before);
});

test("a header whose change only moves the lines an object's WARNs record does not reach it", async () => {
  // thread_info.h gains a comment above check_copy_size, whose WARN_ON_ONCE
  // signal.o's copy_from_user inlines: its bug table entry records another
  // line, and the code nothing else. signal.c's own change reaches it.
  const object = "kernel/signal.o";
  const command = (await kbuildPlan(prepared, ["kernel/"])).get(object)!.command;
  const files = ["include/linux/thread_info.h", "kernel/signal.c"];
  // This reading's digests start from nothing: a new reading reads again.
  const reading = join(cacheRoot(), "preprocessed", `${CODE_READING}-no-lines`);
  for (const d of existsSync(reading) ? readdirSync(reading) : []) {
    if (d.startsWith(basename(prepared.dir))) rmSync(join(reading, d), { recursive: true });
  }
  const read = (lineBlind: boolean) =>
    withBuildSession(prepared, async (s) => {
      await s.applyPatch(fixture("reach-moved-lines.patch"));
      const asks = [[], ["include/linux/thread_info.h"]].map((reverted) => ({
        object,
        command,
        reverted,
      }));
      const [moved, unmoved] = [...(await s.preprocessed(asks, { lineBlind })).values()];
      return moved === unmoved;
    });
  assert.deepEqual([await read(false), await read(true)], [false, true], "the lines alone differ");
  const reach = await withBuildSession(prepared, async (s) => {
    await s.applyPatch(fixture("reach-moved-lines.patch"));
    return filesReaching(s, [{ object, command, files }], nodeHost);
  });
  assert.deepEqual(reach.get(object), ["kernel/signal.c"]);
  assert.equal(treeState(kernel, prepared), before);
});

test("kbuild's recipe from its plan compiles the object make would, and make takes over when a recipe fails", async () => {
  const object = "fs/proc/meminfo.o";
  const plan = await kbuildPlan(prepared, ["fs/proc/"]);
  const recipe = plan.get(object)?.recipe;
  assert.ok(recipe, "the directory's plan holds the object's recipe");
  // A tree of the user's own (-s) is never served from the ORIG cache: each compile really runs.
  const own = { ...prepared, source: { ...prepared.source, pkg: "tree" } };
  const compile = async (recipes?: Map<string, string>) => {
    const tally = compilerTime();
    const bytes = await withBuildSession(
      own,
      async (s) => {
        const [o] = await s.compile([object], "orig", recipes);
        return readFileSync(o!.file);
      },
      { compilerTime: tally },
    );
    return { bytes, tally };
  };
  const [byRecipe, byMake, afterFailure] = [
    await compile(new Map([[object, recipe!]])),
    await compile(),
    await compile(new Map([[object, "set -e; false"]])),
  ];
  assert.ok(byRecipe.bytes.equals(byMake.bytes), "byte-identical to make's");
  assert.ok(afterFailure.bytes.equals(byMake.bytes), "make compiled it after the recipe failed");
  // The build's figure counts each recipe's own time; what make compiled is counted, untimed.
  assert.deepEqual([byRecipe.tally.compile.runs, byRecipe.tally.compile.untimed], [1, 0]);
  assert.ok(byRecipe.tally.compile.seconds > 0.1, `${byRecipe.tally.compile.seconds} s`);
  for (const { tally } of [byMake, afterFailure]) {
    assert.deepEqual([tally.compile.runs, tally.compile.untimed], [0, 1]);
  }
});

test("with failures asked for, objects that compile are compiled and each one that does not is named", async () => {
  const good = "fs/proc/meminfo.o";
  const plan = await kbuildPlan(prepared, ["fs/proc/"]);
  const own = { ...prepared, source: { ...prepared.source, pkg: "tree" } };
  for (const recipes of [
    undefined,
    new Map([
      [good, plan.get(good)!.recipe!],
      ["fs/proc/no-such-file.o", "set -e; false"],
    ]),
  ]) {
    const failures = new Map<string, string>();
    const compiled = await withBuildSession(own, (s) =>
      s.compile([good, "fs/proc/no-such-file.o"], "orig", recipes, { failures }),
    );
    assert.deepEqual(
      compiled.map((o) => o.object),
      [good],
    );
    assert.deepEqual([...failures.keys()], ["fs/proc/no-such-file.o"]);
    assert.match(failures.get("fs/proc/no-such-file.o")!, /no-such-file/);
  }
});

test("a patch that does not apply names the file and hunk and changes nothing", async () => {
  const bad = join(buildPatches, "second-hunk-fails.patch");
  const pristine = readFileSync(join(prepared.source.dir, "fs/proc/meminfo.c"), "utf8");
  let dir = "";
  const err = await withBuildSession(prepared, async (s) => {
    dir = s.dir;
    const err = await s.applyPatch(bad).then(
      () => assert.fail("applied"),
      (e: unknown) => e,
    );
    // The first file of the patch applies, but the dry run kept it from being patched.
    const merged = await s.exec(`cat "$1/fs/proc/meminfo.c"`, [prepared.source.dir], {
      capture: true,
    });
    assert.equal(merged.stdout, pristine);
    assert.deepEqual(s.applied, []);
    const good = fixture("meminfo-string.patch");
    await s.applyPatch(good);
    await assert.rejects(
      s.applyPatch(good),
      /fs\/proc\/meminfo\.c: already applied \(or reversed\)/,
    );
    return err;
  });
  assert.ok(err instanceof KpatchError && err.kind === "input");
  assert.equal(
    err.message,
    `patch ${bad} does not apply to ${prepared.source.pkg} ${prepared.source.version}: fs/proc/version.c: hunk #2 FAILED at 23`,
  );
  assertHostUntouched(dir);
});

test("a failing body or compile removes the session and keeps its log", async () => {
  let dir = "";
  let log = "";
  const err = await withBuildSession(prepared, async (s) => {
    [dir, log] = [s.dir, s.log];
    await s.compile(["fs/proc/no-such-file.o"], "orig");
  }).then(
    () => assert.fail("compiled"),
    (e: unknown) => e,
  );
  assert.ok(err instanceof HostError);
  assert.match(
    err.message,
    /^compiling ORIG fs\/proc\/no-such-file\.o failed:\n.*No rule to make target/,
  );
  assert.equal(err.logFile, log);
  assert.ok(existsSync(log));
  rmSync(log);
  assertHostUntouched(dir);
});

/** Starts interrupt-child.js, and sends it `signal` while gcc compiles tcp.c in its session. */
async function interruptCompile(signal: NodeJS.Signals, t: TestContext, ...args: string[]) {
  const child = spawn(
    process.execPath,
    [fileURLToPath(new URL("./interrupt-child.js", import.meta.url)), ...args],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d));
  child.stderr.on("data", (d: Buffer) => (stderr += d));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.on("exit", (code, sig) => resolve(sig ?? code)),
  );
  const deadline = Date.now() + 120_000;
  while (!(stdout.endsWith("\n") && processesMentioning(tcp).length)) {
    assert.ok(Date.now() < deadline, `no compile started: ${stderr}`);
    await sleep(100);
  }
  const [dir, log] = stdout.trim().split("\n") as [string, string];
  t.diagnostic(`${signal} while ${processesMentioning(tcp).length} processes compile tcp.c`);
  child.kill(signal);
  return { dir, log, exit: await exited, stderr };
}

const tcp = join(prepared.source.dir, "net/ipv4/tcp.c");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("SIGINT during a compile stops make, removes the session and ends the process", async (t) => {
  const { dir, log, exit, stderr } = await interruptCompile("SIGINT", t);
  assert.equal(exit, "SIGINT", stderr);
  assert.match(stderr, /build: compiling ORIG net\/ipv4\/tcp\.o/);
  assert.deepEqual(processesMentioning(tcp), []);
  assert.ok(existsSync(log), `${log} kept`);
  rmSync(log);
  assertHostUntouched(dir);
});

test("SIGINT during a compile of several objects keeps those compiled before it, for the next run", async (t) => {
  const cache = join(cacheRoot(), "orig", basename(prepared.dir));
  for (const o of ["lib/bsearch.o", "net/ipv4/tcp.o"]) rmSync(join(cache, o), { force: true });
  const { dir, log, exit, stderr } = await interruptCompile("SIGINT", t, "recipes");
  assert.equal(exit, "SIGINT", stderr);
  assert.match(stderr, /build: 1 objects compiled before the stop kept/);
  assert.ok(existsSync(join(cache, "lib/bsearch.o")), "the finished object is kept");
  assert.ok(existsSync(join(cache, "lib/.bsearch.o.cmd")), "with its kbuild record");
  assert.ok(!existsSync(join(cache, "net/ipv4/tcp.o")), "the one cut short is not");
  rmSync(log, { force: true });
  assertHostUntouched(dir);
});

test("SIGKILL during a compile of several objects: those finished 10 s before are kept", async (t) => {
  const cache = join(cacheRoot(), "orig", basename(prepared.dir));
  for (const o of ["lib/bsearch.o", "lib/.bsearch.o.cmd", "net/ipv4/tcp.o", "net/ipv4/.tcp.o.cmd"])
    rmSync(join(cache, o), { force: true });
  // tcp.c's compile starts 12 s after bsearch.o's has ended: no cleanup code runs after the kill.
  const { dir, log, exit } = await interruptCompile("SIGKILL", t, "late");
  assert.equal(exit, "SIGKILL");
  assert.ok(existsSync(join(cache, "lib/bsearch.o")), "the finished object is kept as it finished");
  assert.ok(existsSync(join(cache, "lib/.bsearch.o.cmd")), "with its kbuild record");
  assert.ok(!existsSync(join(cache, "net/ipv4/tcp.o")), "the one cut short is not");
  for (let i = 0; i < 50 && processesMentioning(tcp).length; i++) await sleep(100);
  await withBuildSession(prepared, async () => {});
  rmSync(log, { force: true });
  assertHostUntouched(dir);
});

test("SIGKILL during a compile ends make too; the next session removes the scratch left behind", async (t) => {
  const { dir, log, exit } = await interruptCompile("SIGKILL", t);
  assert.equal(exit, "SIGKILL");
  // The kernel ends the step's PID namespace after the parent-death signal.
  for (let i = 0; i < 50 && processesMentioning(tcp).length; i++) await sleep(100);
  assert.deepEqual(processesMentioning(tcp), []);
  assert.deepEqual(cacheMounts(), []);
  assert.ok(existsSync(dir), "no cleanup code ran");
  await withBuildSession(prepared, async () => {});
  rmSync(log);
  assertHostUntouched(dir);
});
