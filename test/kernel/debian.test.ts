// The real Debian 12 kernel as a kpatch-build target: its symbol table, its
// exports, the exact source it was built from, and a tree prepared with its
// config whose modules carry its vermagic.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { run, nodeHost } from "../../src/host/host.js";
import { debianTarget } from "../../src/kernel/debian.js";
import { installedVersion } from "../../src/kernel/apt.js";
import { readElf } from "../../src/elf/reader.js";
import { STT } from "../../src/elf/constants.js";
import { parseReadelfSymtab, parseSymvers } from "../../src/symbols/symtab.js";
import { preparedTree } from "../../src/build/prepare.js";
import { withBuildSession } from "../../src/build/session.js";
import { incomplete, newest, some61 } from "../support/releases.js";
import { fixture } from "../../bench/support/patches.js";
import { resolveTarget } from "../../src/kpatch-build/targets.js";
import { kpatchBuild } from "../../src/kpatch-build/pipeline.js";
import { readPatches } from "../../src/patch/read.js";
import { verifyModule } from "../../src/module/verify.js";
import { KpatchError } from "../../src/errors.js";
import { findModule } from "../../src/kernel/modules.js";
import { hostWith, recordingRuns } from "../support/hosts.js";
import { loadSymtab } from "../../src/diff/run.js";

// An older release, whose source is not the installed linux-source-6.1, where the archive has one.
const { release, builtFrom, older } = await some61();

test("the Debian target: vmlinux with its full symbol table, Module.symvers, config, modules and the exact source, fetched by version; cached", async (t) => {
  // Where no older release is complete, the newest serves if its source is not the installed one.
  if (!older && builtFrom === (await installedVersion("linux-source-6.1")))
    return t.skip(
      "every complete 6.1 release in the package lists today is built from the installed " +
        "linux-source-6.1: none has its source fetched by version",
    );
  const t0 = Date.now();
  const target = await debianTarget(release);
  t.diagnostic(`debianTarget(${release}) (or the cache) in ${Date.now() - t0} ms`);
  assert.equal(target.release, release);
  assert.equal(target.builtFrom, builtFrom);
  assert.notEqual(builtFrom, await installedVersion("linux-source-6.1"));
  assert.equal(target.source.pkg, "linux-source-6.1");
  assert.equal(target.source.version, builtFrom);

  assert.match((await run("readelf", ["-hW", target.vmlinux])).stdout, /Type:\s+EXEC/);
  const t1 = Date.now();
  const symtab = parseReadelfSymtab((await run("readelf", ["-sW", target.vmlinux])).stdout);
  t.diagnostic(
    `vmlinux symbol table read in ${Date.now() - t1} ms: ${symtab.symbols.length} symbols`,
  );
  // A static function, attributed to its source file by the STT_FILE before it.
  assert.deepEqual(
    symtab.named("meminfo_proc_show").map((s) => [s.type, s.local, s.file]),
    [["func", true, "meminfo.c"]],
  );
  assert.ok(
    new Set(symtab.symbols.map((s) => s.file)).size > 1000,
    "STT_FILE symbols for every source file",
  );

  const exports = parseSymvers(readFileSync(target.symvers, "utf8"));
  assert.equal(exports.get("_printk"), "vmlinux");
  assert.equal(exports.get("p9_client_create"), "9pnet");
  assert.match(readFileSync(target.config, "utf8"), /^CONFIG_LIVEPATCH=y$/m);
  // Functions in modules are patched through the modules' own symbol tables.
  const ko = join(target.modulesDir, "kernel/fs/9p/9p.ko");
  assert.ok(
    readElf(readFileSync(ko), ko).symbols.some(
      (s) => s.type === STT.FUNC && s.name === "v9fs_vfs_lookup",
    ),
  );

  const again = recordingRuns();
  assert.deepEqual(await debianTarget(release, undefined, again), target);
  // A hit reads the cache: nothing is downloaded, extracted or indexed again.
  assert.deepEqual(
    again.ran.filter((r) => /^(apt-get download|dpkg-deb|tar|depmod|sh) /.test(r)),
    [],
    "the second call is a cache hit",
  );
});

test("a release whose packages the archive has dropped is refused by name, with the remedy, before anything is downloaded", async (t) => {
  const dropped = await incomplete();
  if (!dropped)
    return t.skip("every release in the package lists is complete today: none to refuse");
  const cache = mkdtempSync(join(tmpdir(), "kpatch-cache-"));
  try {
    const e = await debianTarget(dropped, undefined, hostWith({ cache })).then(
      () => undefined,
      (e: Error) => e,
    );
    assert.ok(e, `${dropped} refused`);
    // Dropped outright, or half-dropped (the -dbg package lagging behind the image).
    assert.match(
      e.message,
      /^\S+ .*(is not in Debian's archive any more .* needs it\. .*-s SRCDIR -c CONFIG -v VMLINUX instead of -k|the package lists disagree, run 'apt-get update')$/,
    );
    assert.match(e.message, new RegExp(`${dropped.replaceAll(".", "\\.")}`));
    // Only apt's look-ups were remembered.
    assert.deepEqual(readdirSync(join(cache, "debian")), ["apt"]);
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
});

test("a release with no Debian kernel package, or not shaped like one, is refused by name", async () => {
  await assert.rejects(
    debianTarget("6.1.0-999-amd64"),
    /^HostError: no Debian kernel package linux-image-6\.1\.0-999-amd64 .*; the archive has 6\.1\.0-\d+-amd64/,
  );
  await assert.rejects(
    debianTarget("6.1.0-57-bogus"),
    /^KpatchError: '6\.1\.0-57-bogus' is not a Debian x86-64 kernel release: they look like 6\.1\.0-57-amd64, /,
  );
});

test("with no target, kpatch-build builds for the running kernel as it presents itself: its release, and its Debian version", async () => {
  // /proc/sys/kernel/osrelease and /proc/version, shown another kernel's in a mount namespace.
  const dir = mkdtempSync(join(tmpdir(), "kpatch-running-"));
  const cli = fileURLToPath(new URL("../../src/cli/kpatch-build.js", import.meta.url));
  const asRunning = (version: string) => {
    nodeHost.writeFileAtomic(join(dir, "osrelease"), `${release}\n`);
    nodeHost.writeFileAtomic(
      join(dir, "version"),
      `Linux version ${release} (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0) #1 SMP PREEMPT_DYNAMIC Debian ${version} (2026-11-01)\n`,
    );
    return run(
      "unshare",
      [
        "-m",
        "sh",
        "-c",
        'mount --bind "$1/osrelease" /proc/sys/kernel/osrelease && mount --bind "$1/version" /proc/version && shift && exec node "$@"',
        "sh",
        dir,
        cli,
        "-o",
        dir,
        "-n",
        "livepatch-running",
        fixture("meminfo-string.patch"),
      ],
      { allowFailure: true },
    );
  };
  try {
    const r = await asRunning(builtFrom);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stderr.split("\n")[0],
      `target: the running kernel, ${release} (Debian ${builtFrom})`,
    );
    const vermagic = (await run("modinfo", ["-F", "vermagic", join(dir, "livepatch-running.ko")]))
      .stdout;
    assert.ok(vermagic.startsWith(`${release} `), vermagic);
    // Another upload of the same release, which the archive does not have: refused, not built for the candidate.
    const other = await asRunning(`${builtFrom}+b9`);
    assert.equal(other.code, 1);
    assert.match(
      other.stderr,
      new RegExp(
        `error: linux-image-${release.replaceAll(".", "\\.")} ${builtFrom.replaceAll(".", "\\.").replaceAll("+", "\\+")}\\+b9 is not in Debian's archive any more`,
      ),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a cloud-flavour release builds against its own config and symbols; it cannot boot here (no 9p), so its module is checked instead", async () => {
  const cloud = await newest("6.1", "cloud-amd64");
  const target = await resolveTarget({ kernel: cloud });
  // The runner shares the host's root and its run directory over virtio-9p, which cloud kernels leave out.
  assert.match(readFileSync(target.config, "utf8"), /^# CONFIG_NET_9P is not set$/m);
  const dir = mkdtempSync(join(tmpdir(), "kpatch-cloud-"));
  try {
    const r = await kpatchBuild({
      patches: readPatches([fixture("meminfo-string.patch")]),
      name: "livepatch-cloud",
      outputDir: dir,
      replace: true,
      skipCompilerCheck: false,
      target,
    });
    assert.ok(
      (await run("modinfo", ["-F", "vermagic", r.module])).stdout.startsWith(`${cloud} SMP `),
    );
    const ko = readElf(readFileSync(r.module), r.module);
    const vmlinux = parseReadelfSymtab((await run("readelf", ["-sW", target.symbols])).stdout);
    assert.deepEqual(
      verifyModule(ko, (o) => (o === "vmlinux" ? vmlinux : undefined)),
      [],
    );
    assert.deepEqual(
      r.objects.flatMap((o) => o.changed.map((c) => c.name)),
      ["meminfo_proc_show"],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a module whose shipped symbols name no source files: its statics are placed with the -dbg package's symbols, in the same order", async () => {
  const target = await resolveTarget({ kernel: release });
  const dir = mkdtempSync(join(tmpdir(), "kpatch-cifs-"));
  try {
    // SMB2_negotiate reads cifs's ratelimit states, _rs.N: 1,307 of them, one per cifs_dbg site.
    const r = await kpatchBuild({
      patches: readPatches([fixture("cifs-neg-contexts.patch")]),
      name: "livepatch-cifs",
      outputDir: dir,
      replace: true,
      skipCompilerCheck: false,
      target,
    });
    assert.deepEqual(
      r.objects.flatMap((o) => o.changed.map((c) => c.name)),
      ["SMB2_negotiate"],
    );
    assert.ok(
      r.objects[0]!.klp.some((k) => /^_rs\.\d+$/.test(k.name) && k.pos > 0),
      JSON.stringify(r.objects[0]!.klp),
    );
    // Livepatch counts positions in the loaded (shipped) module: its named symbols must come in the same order.
    const named = (file: string) =>
      readElf(readFileSync(file), file, { relocations: false })
        .symbols.filter((s) => s.name && s.type !== STT.FILE && s.type !== STT.SECTION)
        .map((s) => s.name);
    const shipped = findModule(target.modulesDir!, "cifs")!;
    const debug = (await target.moduleSymbols!("cifs"))!;
    assert.deepEqual(named(debug), named(shipped));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("Debian 6.12 seals for IBT: its tables mark each sealed function, and a patch that takes the address of one is refused by name", async () => {
  const latest = await newest("6.12");
  const target = await resolveTarget({ kernel: latest });
  // vmlinux holds each entry resolved: every one lands on a function's entry.
  const vmlinux = loadSymtab(target.symbols!);
  const size = /\.ibt_endbr_seal\s+PROGBITS\s+\S+\s+\S+\s+([0-9a-f]+)/.exec(
    (await run("readelf", ["-SW", target.symbols!])).stdout,
  )?.[1];
  const sealedAt = new Set(vmlinux.symbols.filter((s) => s.sealed).map((s) => s.value));
  assert.ok(sealedAt.size > 1000);
  assert.equal(sealedAt.size * 4, Number.parseInt(size ?? "0", 16));
  // A module's are relocations: binutils' reading of them names the same functions.
  const ko = findModule(target.modulesDir!, "nfsd")!;
  const [sections, relocs, symbols] = await Promise.all(
    ["-SW", "-rW", "-sW"].map(async (o) => (await run("readelf", [o, ko])).stdout),
  );
  const index = new Map(
    [...sections!.matchAll(/^\s*\[\s*(\d+)\] (\S+)/gm)].map((m) => [m[2]!, m[1]!]),
  );
  const table = relocs!.split("Relocation section '.rela.ibt_endbr_seal'")[1]!.split("\n\n")[0]!;
  const places = new Set(
    [...table.matchAll(/R_X86_64_PC32\s+0+ (\S+) \+ ([0-9a-f]+)/g)].map(
      (m) => `${index.get(m[1]!)}:${BigInt(`0x${m[2]}`)}`,
    ),
  );
  const binutils = [
    ...symbols!.matchAll(/^\s*\d+: ([0-9a-f]+)\s+\d+ FUNC\s+\S+\s+\S+\s+(\d+) (\S+)/gm),
  ]
    .filter((m) => places.has(`${m[2]}:${BigInt(`0x${m[1]}`)}`))
    .map((m) => m[3]!)
    .sort();
  assert.ok(binutils.length > 50);
  assert.deepEqual(
    loadSymtab(ko)
      .symbols.filter((s) => s.sealed)
      .map((s) => s.name)
      .sort(),
    binutils,
  );
  // arch_report_meminfo: x86's is called directly only, so the kernel seals it.
  assert.ok(vmlinux.named("arch_report_meminfo")[0]?.sealed);
  const dir = mkdtempSync(join(tmpdir(), "kpatch-sealed-"));
  try {
    await assert.rejects(
      kpatchBuild({
        patches: readPatches([fixture("meminfo-sealed.patch")]),
        name: "livepatch-sealed",
        outputDir: dir,
        replace: true,
        skipCompilerCheck: false,
        target,
      }),
      (e: Error) =>
        e instanceof KpatchError &&
        e.kind === "unsafe" &&
        e.details.some((d) =>
          /^vmlinux:arch_report_meminfo: the patch takes its address \(\.text\.meminfo_proc_show\+0x[0-9a-f]+\), but vmlinux seals its endbr64/.test(
            d,
          ),
        ),
    );
    // The review of the refusal names the function, for the patch's author.
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.endsWith(".ko")),
      [],
      "no module written",
    );
    const review = readFileSync(join(dir, "livepatch-sealed.review.md"), "utf8");
    assert.match(review, /arch_report_meminfo/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a blank line at the top of kvm's x86.c moves only quoted source positions and WARN lines: nothing to patch", async () => {
  const dir = mkdtempSync(join(tmpdir(), "kpatch-blank-"));
  try {
    await assert.rejects(
      kpatchBuild({
        patches: readPatches([fixture("kvm-blank-line.patch")]),
        name: "livepatch-blank",
        outputDir: dir,
        replace: true,
        skipCompilerCheck: false,
        target: await resolveTarget({ kernel: release }),
      }),
      (e: Error) =>
        e instanceof KpatchError &&
        e.kind === "no-change" &&
        /only __LINE__ numbers changed \(prepare_emulation_failure_exit\)/.test(e.message),
    );
    assert.deepEqual(readdirSync(dir), [], "no module written");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a kfunc's flags are refused by the set's name; one more __COUNTER__ above the kfunc sets changes nothing", async () => {
  // kernel/bpf/helpers.c's BTF sets: every slot's name holds __COUNTER__, and the
  // running kernel registered the sets' members and flags at boot.
  const target = await resolveTarget({ kernel: await newest("6.12") });
  const dir = mkdtempSync(join(tmpdir(), "kpatch-btf-"));
  const build = (patch: string) =>
    kpatchBuild({
      patches: readPatches([fixture(patch)]),
      name: "livepatch-btf",
      outputDir: dir,
      replace: true,
      skipCompilerCheck: false,
      target,
    });
  try {
    await assert.rejects(
      build("bpf-counter.patch"),
      (e: Error) =>
        e instanceof KpatchError &&
        e.kind === "no-change" &&
        /helpers\.o: no function changed/.test(e.message),
    );
    await assert.rejects(
      build("bpf-kfunc-flags.patch"),
      (e: Error) =>
        e instanceof KpatchError &&
        e.kind === "unsafe" &&
        e.details.some((d) => /^BTF IDs generic_btf_ids \(\.BTF_ids\) changed/.test(d)),
    );
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.endsWith(".ko")),
      [],
      "no module written",
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a fix near the top of igmp.c patches its function and callers, not the WARN_ONCE sites it moved", async () => {
  // Each ASSERT_RTNL() below the fix passes its __LINE__ to __warn_printk: 14 functions
  // were patched for nothing before the patch's own line map told moved lines from changed ones.
  const dir = mkdtempSync(join(tmpdir(), "kpatch-igmp-"));
  try {
    const built = await kpatchBuild({
      patches: readPatches([fixture("igmp-clear-all.patch")]),
      name: "livepatch-igmp",
      outputDir: dir,
      replace: true,
      skipCompilerCheck: false,
      target: await resolveTarget({ kernel: release }),
    });
    const [igmp] = built.objects;
    const changed = igmp!.changed.map((c) => c.name);
    const lineOnly = igmp!.lineOnly.map((c) => c.name);
    assert.ok(changed.includes("igmpv3_clear_delrec"), changed.join(" "));
    for (const f of ["ip_mc_down", "ip_mc_up", "ip_mc_leave_group", "ip_mc_init_dev"]) {
      assert.ok(lineOnly.includes(f) && !changed.includes(f), `${f}: changed ${changed.join(" ")}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a file that another directory's Makefile compiles (kvm's ../../../virt/kvm/kvm_main.o) is built from kbuild's recipe", async () => {
  const dir = mkdtempSync(join(tmpdir(), "kpatch-kvm-main-"));
  try {
    const built = await kpatchBuild({
      patches: readPatches([fixture("kvm-main.patch")]),
      name: "livepatch-kvm-main",
      outputDir: dir,
      replace: true,
      skipCompilerCheck: false,
      target: await resolveTarget({ kernel: release }),
    });
    assert.deepEqual(
      built.objects.map((o) => [o.object, o.changed.map((c) => c.name)]),
      [["kvm", ["kvm_dev_ioctl"]]],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a tree prepared with the Debian config and release builds modules with the target's vermagic and CRCs, also after a session compile", async (t) => {
  const target = await debianTarget(release);
  const t0 = Date.now();
  const prepared = await preparedTree(target.source, target.config, { release });
  t.diagnostic(`prepared (or found in the cache) in ${Date.now() - t0} ms: ${prepared.dir}`);
  assert.equal(prepared.release, release);
  // kbuild 6.1 writes the KERNELRELEASE it is given to utsrelease.h, where
  // vermagic comes from; kernel.release stays the source's, as in Debian's
  // own linux-headers package.
  assert.equal(
    readFileSync(join(prepared.dir, "include/generated/utsrelease.h"), "utf8"),
    `#define UTS_RELEASE "${release}"\n`,
  );

  const ko = join(target.modulesDir, "kernel/fs/9p/9p.ko");
  const vermagic = (await run("modinfo", ["-F", "vermagic", ko])).stdout;
  assert.match(
    vermagic,
    new RegExp(`^${release.replaceAll(".", "\\.")} SMP preempt mod_unload modversions`),
  );
  const printkCrc = /^(0x[0-9a-f]+)\t_printk\t/m.exec(readFileSync(target.symvers, "utf8"))?.[1];
  await withBuildSession(prepared, async (s) => {
    const dir = join(s.dir, "hello");
    nodeHost.writeFileAtomic(
      join(dir, "hello.c"),
      `#include <linux/module.h>\nstatic int __init hello_init(void) { printk(KERN_INFO "hello\\n"); return 0; }\nmodule_init(hello_init);\nMODULE_LICENSE("GPL");\n`,
    );
    nodeHost.writeFileAtomic(join(dir, "Kbuild"), "obj-m := hello.o\n");
    await s.exec(`cp "$1" "$2/Module.symvers"`, [target.symvers, prepared.dir]);
    const build = async () => {
      await s.exec(`make -C "$1" O="$2" M="$3" modules`, [prepared.source.dir, prepared.dir, dir]);
      const hello = join(dir, "hello.ko");
      assert.equal((await run("modinfo", ["-F", "vermagic", hello])).stdout, vermagic);
      assert.match(
        (await run("modprobe", ["--dump-modversions", hello])).stdout,
        new RegExp(`^${printkCrc}\t_printk$`, "m"),
      );
    };
    await build();
    // A single-object compile runs kbuild's prepare again: it must keep the release.
    await s.compile(["fs/proc/meminfo.o"], "orig");
    await build();
  });
});

test("--sign-key/--sign-cert: the module carries a signature made by the target tree's sign-file; a tree that checks none refuses to sign", async () => {
  const dir = mkdtempSync(join(tmpdir(), "kpatch-sign-"));
  try {
    const [key, cert] = [join(dir, "key.pem"), join(dir, "cert.der")];
    await run("openssl", [
      "req",
      "-new",
      "-nodes",
      "-utf8",
      "-sha256",
      "-days",
      "1",
      "-batch",
      "-x509",
      "-subj",
      "/CN=kpatch-ts test signing key",
      "-outform",
      "DER",
      "-keyout",
      key,
      "-out",
      cert,
    ]);
    const r = await kpatchBuild({
      patches: readPatches([fixture("meminfo-string.patch")]),
      name: "livepatch-signed",
      outputDir: dir,
      replace: true,
      skipCompilerCheck: false,
      target: await resolveTarget({ kernel: release }),
      sign: { key, cert },
    });
    const bytes = readFileSync(r.module);
    assert.equal(bytes.subarray(-28).toString("latin1"), "~Module signature appended~\n");
    assert.equal(
      (await run("modinfo", ["-F", "signer", r.module])).stdout,
      "kpatch-ts test signing key\n",
    );
    // The signed module is still the verified one: the signature only follows the ELF image.
    assert.deepEqual(verifyModule(readElf(bytes, r.module)), []);
    const test = await resolveTarget({ kernel: "test" });
    await assert.rejects(
      kpatchBuild({
        patches: readPatches([fixture("meminfo-string.patch")]),
        name: "livepatch-unsignable",
        outputDir: dir,
        replace: true,
        skipCompilerCheck: false,
        target: test,
        sign: { key, cert },
      }),
      (e: unknown) =>
        e instanceof KpatchError && e.kind === "usage" && /no scripts\/sign-file/.test(e.message),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("--update refuses an unknown version, an older one, has nothing to do on the newest, and serves a fleet", async () => {
  const kpatchBuild = fileURLToPath(new URL("../../src/cli/kpatch-build.js", import.meta.url));
  const cases: [string[], number, RegExp][] = [
    [
      ["--update", "-k", release, "--to", "0.1-1"],
      1,
      /error: linux-source-6\.1 0\.1-1 is not in the apt package lists: name a version/,
    ],
    [["--update", "--list", "-k", release], 0, new RegExp(`^installed: ${builtFrom}$`, "m")],
  ];
  const latest = await newest("6.1");
  const source = (await debianTarget(latest)).builtFrom;
  if (older) {
    cases.push([
      ["--update", "-k", latest, "--to", builtFrom],
      1,
      new RegExp(
        `error: --to ${builtFrom} is older than ${source}, which ${latest} was built from`,
      ),
    ]);
  }
  // A fleet: a row per release, and one release's failure stops no other.
  cases.push([
    ["--update", "--list", "-k", release, "-k", latest],
    0,
    new RegExp(`^release: +${release}\n[^]*^release: +${latest}\n`, "m"),
  ]);
  cases.push([
    ["--update", "--list", "-k", "5.10.0-99-amd64", "-k", latest],
    1,
    new RegExp(`^release: +5\\.10\\.0-99-amd64\nerror: [^]*^release: +${latest}\ninstalled: `, "m"),
  ]);
  cases.push([
    ["--update", "-k", release, "-k", latest, "--to", "0.1-1", "-o", tmpdir()],
    1,
    /0\.1-1 is not in the apt package lists[^]*0\.1-1 is not in the apt[^]*0 of 2 releases built/,
  ]);
  cases.push([
    ["--update", "-k", latest, "-o", mkdtempSync(join(tmpdir(), "kpatch-update-"))],
    3,
    new RegExp(`${latest} is built from ${source}, the newest the archive has: no update to patch`),
  ]);
  for (const [args, code, said] of cases) {
    const r = await run("node", [kpatchBuild, ...args], { allowFailure: true });
    assert.equal(r.code, code, `${args.join(" ")}: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout + r.stderr, said, args.join(" "));
    assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
  }
});
