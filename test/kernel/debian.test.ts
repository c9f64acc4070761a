// The real Debian 12 kernel as a kpatch-build target: its symbol table, its
// exports, the exact source it was built from, and a tree prepared with its
// config whose modules carry its vermagic.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { run, writeFileAtomic } from "../../src/host/host.js";
import { debianTarget } from "../../src/kernel/debian.js";
import { packageVersion } from "../../src/kernel/source.js";
import { readElf } from "../../src/elf/reader.js";
import { STT } from "../../src/elf/constants.js";
import { parseReadelfSymtab, parseSymvers } from "../../src/symbols/symtab.js";
import { preparedTree } from "../../src/build/prepare.js";
import { withBuildSession } from "../../src/build/session.js";

const release = "6.1.0-56-amd64";

test("the Debian target: vmlinux with its full symbol table, Module.symvers, config, modules and the exact source; cached", async (t) => {
  const t0 = Date.now();
  const target = await debianTarget(release);
  t.diagnostic(`debianTarget (or the cache) in ${Date.now() - t0} ms`);
  assert.equal(target.release, release);
  assert.equal(target.source.pkg, "linux-source-6.1");
  assert.equal(target.source.version, target.builtFrom);

  assert.match((await run("readelf", ["-hW", target.vmlinux])).stdout, /Type:\s+EXEC/);
  const t1 = Date.now();
  const symtab = parseReadelfSymtab((await run("readelf", ["-sW", target.vmlinux])).stdout);
  t.diagnostic(`vmlinux symbol table read in ${Date.now() - t1} ms: ${symtab.symbols.length} symbols`);
  // A static function, attributed to its source file by the STT_FILE before it.
  assert.deepEqual(symtab.named("meminfo_proc_show").map((s) => [s.type, s.local, s.file]), [["func", true, "meminfo.c"]]);
  assert.ok(new Set(symtab.symbols.map((s) => s.file)).size > 1000, "STT_FILE symbols for every source file");

  const exports = parseSymvers(readFileSync(target.symvers, "utf8"));
  assert.equal(exports.get("_printk"), "vmlinux");
  assert.equal(exports.get("p9_client_create"), "9pnet");
  assert.match(readFileSync(target.config, "utf8"), /^CONFIG_LIVEPATCH=y$/m);
  // Functions in modules are patched through the modules' own symbol tables.
  const ko = join(target.modulesDir, "kernel/fs/9p/9p.ko");
  assert.ok(readElf(readFileSync(ko), ko).symbols.some((s) => s.type === STT.FUNC && s.name === "v9fs_vfs_lookup"));

  const t2 = Date.now();
  assert.deepEqual(await debianTarget(release), target);
  assert.ok(Date.now() - t2 < 2000, `the second call is a cache hit (${Date.now() - t2} ms)`);
});

test("a kernel built from another revision of the source is refused, naming both versions", async (t) => {
  const installed = await packageVersion("linux-source-6.1");
  // 6.1.0-55 was built from linux 6.1.192-1; the apt lists may drop it one day.
  const e = await debianTarget("6.1.0-55-amd64").then(() => undefined, (e: Error) => e);
  if (e && /^no Debian kernel package/.test(e.message)) return t.skip("linux-image-6.1.0-55-amd64 is gone from the apt lists");
  assert.ok(e, "refused");
  const built = /was built from linux (\S+),/.exec(e.message)?.[1];
  assert.ok(built && built !== installed, e.message);
  assert.equal(e.message, `linux-image-6.1.0-55-amd64 was built from linux ${built}, but linux-source-6.1 ${installed} is installed: kpatch-build needs that exact source ('apt-get install linux-source-6.1=${built}')`);
});

test("a release with no Debian kernel package is refused by name", async () => {
  await assert.rejects(debianTarget("6.1.0-999-bogus"), /^HostError: no Debian kernel package linux-image-6\.1\.0-999-bogus /);
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
  assert.equal(readFileSync(join(prepared.dir, "include/generated/utsrelease.h"), "utf8"), `#define UTS_RELEASE "${release}"\n`);

  const ko = join(target.modulesDir, "kernel/fs/9p/9p.ko");
  const vermagic = (await run("modinfo", ["-F", "vermagic", ko])).stdout;
  assert.match(vermagic, new RegExp(`^${release.replaceAll(".", "\\.")} SMP preempt mod_unload modversions`));
  const printkCrc = /^(0x[0-9a-f]+)\t_printk\t/m.exec(readFileSync(target.symvers, "utf8"))?.[1];
  await withBuildSession(prepared, async (s) => {
    const dir = join(s.dir, "hello");
    writeFileAtomic(join(dir, "hello.c"), `#include <linux/module.h>\nstatic int __init hello_init(void) { printk(KERN_INFO "hello\\n"); return 0; }\nmodule_init(hello_init);\nMODULE_LICENSE("GPL");\n`);
    writeFileAtomic(join(dir, "Kbuild"), "obj-m := hello.o\n");
    await s.exec(`cp "$1" "$2/Module.symvers"`, [target.symvers, prepared.dir]);
    const build = async () => {
      await s.exec(`make -C "$1" O="$2" M="$3" modules`, [prepared.source.dir, prepared.dir, dir]);
      const hello = join(dir, "hello.ko");
      assert.equal((await run("modinfo", ["-F", "vermagic", hello])).stdout, vermagic);
      assert.match((await run("modprobe", ["--dump-modversions", hello])).stdout, new RegExp(`^${printkCrc}\t_printk$`, "m"));
    };
    await build();
    // A single-object compile runs kbuild's prepare again: it must keep the release.
    await s.compile(["fs/proc/meminfo.o"], "orig");
    await build();
  });
});
