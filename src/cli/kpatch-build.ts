#!/usr/bin/env node
// kpatch-build: source patch in, livepatch module out.
//   kpatch-build -k test [-n NAME] [-o DIR] [-R] [--json] PATCH...
//   kpatch-build diff ORIG.o PATCHED.o -o OUT.o [...]   (the object differ alone)
import { parseArgs } from "node:util";
import { join, resolve } from "node:path";
import { diffFiles, entrySizesFromEnv, symbolFiles, targetSymbols } from "../diff/run.js";
import { kpatchBuild, type KpatchBuildResult } from "../kpatch-build/pipeline.js";
import { buildUpdate, planUpdate } from "../update/update.js";
import { compileBound } from "../build/command.js";
import { reviewSession } from "../kpatch-build/review.js";
import { resolveTarget, type Target } from "../kpatch-build/targets.js";
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { ensureWritableDir } from "../host/host.js";
import { forTarget, jsonReporter, progress, reportingTo, textReporter } from "../host/progress.js";
import { KpatchError } from "../errors.js";
import { readElf } from "../elf/reader.js";
import { ElfError } from "../elf/model.js";
import { verifyModule } from "../module/verify.js";
import { debianReleases } from "../kernel/debian.js";
import { errorsAsJsonIfAsked, exitWith, exitWithUsage } from "./errors.js";
import {
  buildOptions,
  diffOptions,
  packageOptions,
  reviewOptions,
  verifyOptions,
} from "./options.js";
import { patchDeb } from "../package/patch.js";
import { runtimeDeb } from "../package/runtime.js";
import { interruptible, interruption } from "../host/interrupt.js";
import { checkCve, checkDescription, defaultModuleName } from "../kpatch-build/inputs.js";
import { readPatches } from "../patch/read.js";
import { checkModuleName } from "../names.js";

const program = "kpatch-build";
const usage = `usage: ${program} [TARGET] [OPTION]... PATCH...
  Builds a livepatch module from kernel source patches (-p1, as git makes them).
  TARGET is one of:
  -k, --kernel test     the project's test kernel (its source, config, vmlinux and build)
  -k, --kernel RELEASE  a Debian kernel (uname -r: 6.1.0-57-amd64, 6.12.117+deb12-cloud-amd64):
             its exact linux-source, config, vmlinux (-dbg package),
             Module.symvers and modules, downloaded from Debian's archive at
             the versions that kernel was built from (never installed);
             -k A -k B ... builds one module per release, in -o DIR/RELEASE/
  (none)     the running kernel, if it is one of Debian's
  -s, --sourcedir DIR -c, --config CONFIG (-v, --vmlinux VMLINUX | --symbols System.map)
      [--symvers FILE] [--build-dir DIR]
             a kernel tree (never written), its config and symbols; --build-dir
             names a complete build of it, for exact header dependencies
             (else found by kbuild's plan and the preprocessor) and modules
  OPTIONs:
  -n, --name NAME       module name (default: livepatch-<first patch name>)
  -o, --output DIR      where to write NAME.ko and its review (default: .)
  -R, --non-replace     do not replace earlier patches (default: an atomic, cumulative replace)
  --cve ID              a CVE the patch fixes (repeatable), recorded in the module's .modinfo
  --description TEXT    what the patch is for (its MODULE_DESCRIPTION)
  --sign-key KEY --sign-cert CERT
                        sign the module (sha256, the target tree's scripts/sign-file) for
                        kernels that enforce signatures: KEY.pem, CERT in PEM or DER
  -j, --jobs N          compile with N jobs (default: one per CPU)
  --skip-compiler-check build with another gcc than the target's CONFIG_GCC_VERSION
  --skip-cleanup        keep the build session (ORIG/PATCHED objects, diffs, module build)
  -d, --debug           keep the build session and its log
  --json                the result as JSON on stdout, progress and errors as JSON lines
  -h, --help            this text
  Exit status: 0 module written, 1 error, 2 unsafe change (refused), 3 no change.

       ${program} verify MODULE.ko [-k, --kernel RELEASE|test | -v, --vmlinux VMLINUX
         [--modules DIR]] [--json]
  Checks a patch module as the kernel will read it: every relocation (type,
  place, zeroed field, applied once), no special-section entry left for the
  livepatch core to fill after the kernel read it, and, given a target, every
  livepatch symbol and replaced function at its position. Exit status 0 sound,
  2 defects found (listed), 1 error.

       ${program} review SESSION-DIR [-o, --output DIR] [--json]
  Writes the review report (NAME.review.md, .html, .json) again from a build
  session kept with --skip-cleanup.

       ${program} package MODULE.ko [--version VERSION] [--package-name NAME]
         [-o, --output DIR] [--json]
       ${program} package --runtime [-o, --output DIR] [--json]
  Makes a Debian package of a patch module, for apt to roll out: it depends
  on the runtime and on linux-image-RELEASE, installs the module in
  /var/lib/kpatch/RELEASE/, loads it when that kernel runs and unloads it on
  removal. A cumulative patch is named kpatch-patch-RELEASE, so that its next
  VERSION upgrades it (an atomic replace) and a downgrade rolls back; a
  --non-replace one kpatch-patch-MODULE-RELEASE. --runtime makes the
  runtime's package, kpatch-ts_VERSION_all.deb (kpatch, its boot unit and
  man page, run by Debian's nodejs). An update's module (--update) takes
  the update's version unless --version says another.

       ${program} --update [-k RELEASE]... [--to VERSION] [-n NAME] [-o DIR] [--json]
       ${program} --update --list [-k RELEASE]... [--json]
  Builds Debian's kernel update that the target (by default the running
  kernel) has not rebooted into as one cumulative live patch: the whole
  difference between the linux-source the target was built from and VERSION
  (default: the newest of its series in the apt lists), grouped so that no
  change goes in half-applied. The review report says what became of every
  changed file, and which changes need a reboot. --list shows the versions.
  Several -k: one module per release, in DIR/RELEASE/ (a fleet).

       ${program} --list-releases [--json]
  Lists the Debian kernel releases the archive carries (apt's package lists).

       ${program} diff ORIG.o PATCHED.o -o, --output OUT.o [--object vmlinux|MODULE]
         [--symbols vmlinux|FILE.ko|readelf-s.txt|System.map] [--symvers Module.symvers]
         [--entry-size SECTION=BYTES]... [--json]
  Prints each changed and new function. Exit status: 0 patch written,
  1 error, 2 unsafe change (refused), 3 no function changed.`;

async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  if (cmd === "verify") return verify(rest);
  if (cmd === "review") return review(rest);
  if (cmd === "package") return makePackage(rest);
  if (cmd !== "diff") return build(argv);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: diffOptions,
  });
  if (positionals.length !== 2 || !values.output) {
    exitWithUsage(usage);
  }
  const entrySizes = entrySizesFromEnv(process.env);
  for (const e of values["entry-size"] ?? []) {
    const m = /^(.+)=(\d+)$/.exec(e);
    if (!m) throw new KpatchError("usage", `--entry-size takes SECTION=BYTES, not ${e}`);
    entrySizes[m[1]!] = Number(m[2]);
  }
  const r = diffFiles({
    orig: positionals[0]!,
    patched: positionals[1]!,
    output: values.output,
    object: values.object!,
    traced: true,
    symbols: values.symbols,
    symvers: values.symvers,
    entrySizes,
  });
  if (values.json) {
    console.log(JSON.stringify(r, null, 2));
    return;
  }
  for (const c of r.changed) console.log(`changed function: ${c.name}`);
  for (const c of r.added) console.log(`new function:     ${c.name}`);
  for (const c of r.addedData) console.log(`new data:         ${c.name}`);
  for (const c of r.lineOnly) console.log(`line numbers only (not patched): ${c.name}`);
  for (const w of r.warnings) console.error(`${program}: warning: ${w}`);
  for (const k of r.klp) console.log(`livepatch symbol: ${k.object}:${k.name},${k.pos}`);
  console.log(`output: ${r.output}`);
}

async function build(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: buildOptions,
  });
  const jobs = values.jobs === undefined ? undefined : Number(values.jobs);
  if (jobs !== undefined && !(Number.isInteger(jobs) && jobs > 0)) {
    throw new KpatchError("usage", `-j takes a positive whole number, not ${values.jobs}`);
  }
  if (values["list-releases"]) return listReleases(values.json!);
  if (values.help) return console.log(usage);
  if (values.update) return update(values, positionals, jobs);
  for (const [flag, given] of [
    ["--to", values.to],
    ["--list", values.list],
  ] as const) {
    if (given) throw new KpatchError("usage", `${flag} goes with --update`);
  }
  if (!positionals.length) {
    exitWithUsage(usage);
  }
  // With --json, stdout holds the result and stderr a JSON event per line.
  return reportingTo(values.json ? jsonReporter : textReporter, async () => {
    // Hostile input is refused before anything is downloaded or run.
    const patches = readPatches(positionals);
    const name = checkModuleName(values.name ?? defaultModuleName(patches[0]!.file));
    const cves = [...new Set((values.cve ?? []).map(checkCve))];
    const description =
      values.description === undefined ? undefined : checkDescription(values.description);
    const sign = signing(values);
    const output = resolve(values.output!);
    ensureWritableDir(output, "-o");
    // One build per release: two of one name would write the same output side by side.
    const kernels = [...new Set(values.kernel ?? [])];
    const targetOf = (kernel: string | undefined) =>
      resolveTarget({
        kernel,
        sourcedir: values.sourcedir,
        config: values.config,
        vmlinux: values.vmlinux,
        symbols: values.symbols,
        symvers: values.symvers,
        buildDir: values["build-dir"],
      });
    const build = async (target: Target, outputDir: string, head = "") => {
      const t0 = Date.now();
      const r = await kpatchBuild({
        patches,
        name,
        outputDir,
        replace: !values["non-replace"],
        cves,
        description,
        sign,
        skipCompilerCheck: values["skip-compiler-check"]!,
        target,
        session: { jobs, keep: values["skip-cleanup"] || values.debug },
      });
      if (!values.json) printBuild(r, t0, head);
      return r;
    };
    await forReleases(kernels, output, values.json!, targetOf, build);
  });
}

/**
 * One build, or a fleet's: one module per release, in OUTPUT/RELEASE/, one
 * failing not stopping the others. Targets are resolved one after the other
 * (downloads and extraction share the cache), then built side by side, one
 * per CPU: most of a build is a single process at a time (make, the differ),
 * so releases overlap well.
 */
async function forReleases(
  kernels: string[],
  output: string,
  json: boolean,
  targetOf: (kernel: string | undefined) => Promise<Target>,
  build: (target: Target, outputDir: string, head?: string) => Promise<unknown>,
): Promise<void> {
  if (kernels.length <= 1) {
    const r = await build(await targetOf(kernels[0]), output);
    if (json) console.log(JSON.stringify(r, null, 2));
    return;
  }
  const results: { release: string; result?: unknown; error?: string }[] = [];
  let failed: unknown;
  const attempt = async (release: string, body: () => Promise<unknown>) => {
    try {
      return await body();
    } catch (e) {
      if (interruption()) throw e;
      failed ??= e;
      const error = e instanceof Error ? e.message : String(e);
      results.push({ release, error });
      progress("kpatch-build", `${release}: ${error}`);
      return undefined;
    }
  };
  const targets: [string, Target][] = [];
  for (const [i, release] of kernels.entries()) {
    progress("kpatch-build", `release ${i + 1} of ${kernels.length}: ${release}`);
    const target = (await attempt(release, () => targetOf(release))) as Target | undefined;
    if (target) targets.push([release, target]);
  }
  let next = 0;
  const worker = async () => {
    for (let t = targets[next++]; t; t = targets[next++]) {
      const [release, target] = t;
      await forTarget(release, () =>
        attempt(release, async () => {
          results.push({
            release,
            result: await build(target, join(output, release), `[${release}] `),
          });
        }),
      );
    }
  };
  // Every worker ends, and cleans up, before the first interruption is reported.
  const ended = await Promise.allSettled(
    Array.from({ length: Math.min(cpus().length, targets.length) }, worker),
  );
  const stopped = ended.find((e) => e.status === "rejected");
  if (stopped) throw stopped.reason;
  results.sort((a, b) => kernels.indexOf(a.release) - kernels.indexOf(b.release));
  if (json) console.log(JSON.stringify(results, null, 2));
  const ok = results.filter((r) => !r.error).length;
  progress("kpatch-build", `${ok} of ${kernels.length} releases built`);
  if (failed) exitWith(program, failed);
}

/** What a build made, for people: functions, phases, the module and its review. */
function printBuild(r: KpatchBuildResult, t0: number, head = ""): void {
  for (const o of r.objects) {
    for (const c of o.changed) console.log(`${head}changed function: ${c.name} (${o.object})`);
    for (const c of o.added) console.log(`${head}new function:     ${c.name} (${o.object})`);
  }
  progress(
    "kpatch-build",
    "phases " +
      `${Object.entries(r.phases)
        .map(([k, v]) => `${k} ${v.toFixed(1)}s`)
        .join(", ")}; ` +
      `total ${((Date.now() - t0) / 1000).toFixed(1)}s`,
  );
  progress("kpatch-build", compileBound(r.compiler, (Date.now() - t0) / 1000));
  console.log(
    `${head}module: ${r.module} (${r.klp.symbols} livepatch symbols, ` +
      `${r.klp.relocations} livepatch relocations)`,
  );
  for (const line of r.review?.summary ?? []) console.log(`${head}review: ${line}`);
  if (r.review) console.log(`${head}review report: ${r.review.html} (and .md, .json)`);
}

type BuildValues = ReturnType<typeof parseArgs<{ options: typeof buildOptions }>>["values"];

function signing(values: BuildValues): { key: string; cert: string } | undefined {
  const [key, cert] = [values["sign-key"], values["sign-cert"]];
  if (!key !== !cert) throw new KpatchError("usage", "--sign-key and --sign-cert go together");
  return key && cert ? { key: resolve(key), cert: resolve(cert) } : undefined;
}

/**
 * kpatch-build --update: each target's Debian update as one cumulative
 * module (a fleet's releases each in -o/RELEASE/), or --list.
 */
async function update(values: BuildValues, positionals: string[], jobs?: number): Promise<void> {
  const refused = [
    positionals.length && "patches (the update is the patch)",
    values.sourcedir && "-s (Debian's kernels only)",
    values.cve && "--cve (the update's changelog names them)",
    values["non-replace"] && "-R (an update's module is cumulative)",
  ].filter(Boolean);
  if (refused.length) throw new KpatchError("usage", `--update takes no ${refused.join(", ")}`);
  const kernels = [...new Set(values.kernel ?? [])];
  return reportingTo(values.json ? jsonReporter : textReporter, async () => {
    if (values.list) return listUpdates(kernels, values.to, values.json!);
    const output = resolve(values.output!);
    ensureWritableDir(output, "-o");
    const name = values.name === undefined ? undefined : checkModuleName(values.name);
    const description =
      values.description === undefined ? undefined : checkDescription(values.description);
    const sign = signing(values);
    const build = async (target: Target, outputDir: string, head = "") => {
      const t0 = Date.now();
      const r = await buildUpdate({
        target,
        plan: await planUpdate(target, values.to),
        ...(name ? { name } : {}),
        outputDir,
        description,
        sign,
        skipCompilerCheck: values["skip-compiler-check"]!,
        session: { jobs, keep: values["skip-cleanup"] || values.debug },
      });
      if (!values.json) printBuild(r, t0, head);
      return r;
    };
    await forReleases(kernels, output, values.json!, (kernel) => resolveTarget({ kernel }), build);
  });
}

/** --update --list: a row per release; one release's failure stops no other. */
async function listUpdates(kernels: string[], to: string | undefined, json: boolean) {
  const rows = [];
  let failed: unknown;
  for (const kernel of kernels.length ? kernels : [undefined]) {
    try {
      const plan = await planUpdate(await resolveTarget({ kernel }), to);
      rows.push({
        release: plan.release,
        installed: plan.from,
        newest: plan.to,
        date: plan.changelog[0]?.date ?? "",
        cves: [...new Set(plan.changelog.flatMap((e) => e.cves))].sort(),
      });
    } catch (e) {
      if (kernels.length <= 1 || interruption()) throw e;
      failed ??= e;
      rows.push({ release: kernel!, error: e instanceof Error ? e.message : String(e) });
    }
  }
  if (json) console.log(JSON.stringify(kernels.length > 1 ? rows : rows[0], null, 2));
  else {
    for (const row of rows) {
      console.log(`release:   ${row.release}`);
      if ("error" in row) {
        console.log(`error:     ${row.error}`);
        continue;
      }
      console.log(`installed: ${row.installed}`);
      console.log(`newest:    ${row.newest}${row.date ? ` (${row.date})` : " (the same)"}`);
      if (row.cves.length) console.log(`CVEs:      ${row.cves.join(" ")}`);
    }
  }
  if (failed) exitWith(program, failed);
}

async function verify(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: verifyOptions,
  });
  if (positionals.length !== 1) {
    exitWithUsage(usage);
  }
  const file = resolve(positionals[0]!);
  let symbols = values.vmlinux;
  let modulesDir = values.modules;
  if (values.kernel) ({ symbols, modulesDir } = await resolveTarget({ kernel: values.kernel }));
  const symbolsOf = targetSymbols(symbolFiles(symbols, modulesDir));
  let elf;
  try {
    elf = readElf(readFileSync(file), file);
  } catch (e) {
    throw e instanceof ElfError ? e : new KpatchError("input", `${file}: ${(e as Error).message}`);
  }
  const problems = verifyModule(elf, symbols ? symbolsOf : undefined);
  if (values.json) {
    console.log(JSON.stringify({ module: file, symbolsChecked: !!symbols, problems }, null, 2));
  } else {
    for (const p of problems) console.log(p);
    console.error(
      `${program}: ${file}: ` +
        `${problems.length ? `${problems.length} defects` : "sound"}` +
        `${symbols ? "" : " (livepatch symbols not checked: no target given)"}`,
    );
  }
  if (problems.length) process.exit(2);
}

async function review(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: reviewOptions,
  });
  if (positionals.length !== 1) {
    exitWithUsage(usage);
  }
  const output = resolve(values.output!);
  ensureWritableDir(output, "-o");
  const reporter = values.json ? jsonReporter : textReporter;
  const files = await reportingTo(reporter, () => reviewSession(resolve(positionals[0]!), output));
  if (values.json) {
    console.log(JSON.stringify(files, null, 2));
    return;
  }
  for (const line of files.summary) console.log(`review: ${line}`);
  console.log(`review report: ${files.html} (and .md, .json)`);
}

async function makePackage(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: packageOptions,
  });
  const output = resolve(values.output!);
  if (values.runtime) {
    if (positionals.length || values.version || values["package-name"])
      throw new KpatchError(
        "usage",
        `package --runtime takes no module, version or name\n${usage}`,
      );
    ensureWritableDir(output, "-o");
    const deb = await runtimeDeb(output);
    console.log(values.json ? JSON.stringify({ deb }, null, 2) : `package: ${deb}`);
    return;
  }
  if (positionals.length !== 1)
    throw new KpatchError("usage", `package takes one MODULE.ko\n${usage}`);
  ensureWritableDir(output, "-o");
  const p = await patchDeb(
    resolve(positionals[0]!),
    {
      ...(values.version ? { version: values.version } : {}),
      ...(values["package-name"] ? { name: values["package-name"] } : {}),
    },
    output,
  );
  if (values.json) console.log(JSON.stringify(p, null, 2));
  else console.log(`package: ${p.deb} (${p.name} ${p.version}, installs ${p.installedAs})`);
}

async function listReleases(json: boolean): Promise<void> {
  const releases = await debianReleases();
  if (json) {
    console.log(JSON.stringify(releases, null, 2));
    return;
  }
  for (const r of releases) console.log(r.release);
}

// SIGINT or SIGTERM ends every program it started, lets cleanup run, then ends it.
const argv = process.argv.slice(2);
errorsAsJsonIfAsked(argv);
interruptible(() => main(argv)).catch((e: unknown) => exitWith(program, e));
