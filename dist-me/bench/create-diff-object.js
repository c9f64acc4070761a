// Benchmark: the create-diff-object process, as kpatch-build runs it once per
// changed object: start-up, reading both objects and the target's symbol
// table, the diff, writing the output. Prints the wall time and peak RSS of
// several runs on a ~300 KB kernel object and a patched twin (one byte of its
// largest function changed), beside Node's own start-up (`node -e 0`) and
// kpatch's C tool (0.14 s and 11 MB on such an object, as issue 23 measured
// it: its tools are not in Debian 12).
//
// The object: a kpatch-build ORIG object of meminfo.c from the cache (built
// with -ffunction-sections, as kpatch-build builds), else the test kernel's,
// else a generated C file of that size compiled with the kernel's flags. The
// table and Module.symvers: those of the object's Debian kernel if the cache
// has its -dbg and headers packages, else the test kernel's, else none.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { readElf } from "../src/elf/reader.js";
import { writeElf } from "../src/elf/writer.js";
import { STT } from "../src/elf/constants.js";
import { cacheRoot, run } from "../src/host/host.js";
const RUNS = 10;
const KPATCH = { s: 0.14, mb: 11 };
const cli = fileURLToPath(new URL("../src/cli/create-diff-object.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "kpatch-bench-cdo-"));
/** A built test kernel, without fetching its source to learn which one. */
function testKernel() {
    const kernels = join(cacheRoot(), "kernels");
    const trees = existsSync(kernels) ? readdirSync(kernels).sort() : [];
    const built = trees.find((t) => t.startsWith("test-") && existsSync(join(kernels, t, ".kpatch-built")));
    const tree = built && join(kernels, built);
    return tree
        ? {
            vmlinux: join(tree, "vmlinux"),
            symvers: join(tree, "Module.symvers"),
            what: "the test kernel's",
        }
        : undefined;
}
/**
 * Debian's vmlinux (from its -dbg package) and Module.symvers (from its
 * headers) of the release an ORIG tree was built from, if the cache has both.
 */
function debianKernel(tree) {
    const version = /^linux-source-[\d.]+_(.+)-[0-9a-f]+$/.exec(tree)?.[1];
    const debian = join(cacheRoot(), "debian");
    if (!version || !existsSync(debian))
        return undefined;
    const dirs = readdirSync(debian).sort();
    for (const d of dirs) {
        const release = /^linux-image-(.+-amd64)-dbg_(.+)-[0-9a-f]+$/.exec(d);
        if (release?.[2] !== version || release[1].includes("cloud"))
            continue;
        const vmlinux = join(debian, d, "root/usr/lib/debug/boot", `vmlinux-${release[1]}`);
        const symvers = dirs
            .filter((h) => h.startsWith(`linux-headers-${release[1]}_${version}-`))
            .map((h) => join(debian, h, "root/usr/src", `linux-headers-${release[1]}`, "Module.symvers"))
            .find(existsSync);
        if (existsSync(vmlinux) && symvers)
            return { vmlinux, symvers, what: `Debian's ${release[1]}` };
    }
    return undefined;
}
/** A kpatch-build ORIG meminfo.o in the cache, else the test kernel's, else a fixture. */
async function object() {
    const orig = join(cacheRoot(), "orig");
    for (const tree of existsSync(orig) ? readdirSync(orig).sort() : []) {
        const file = join(orig, tree, "fs/proc/meminfo.o");
        if (existsSync(file))
            return { file, from: `kpatch-build's ORIG object of ${tree}`, kernel: debianKernel(tree) };
    }
    const kernel = testKernel();
    if (kernel) {
        const file = join(dirname(kernel.vmlinux), "fs/proc/meminfo.o");
        return { file, from: "the test kernel", kernel };
    }
    // Many small functions with strings and branches, and debug info, as a kernel file has.
    const n = 150;
    const decls = Array.from({ length: n }, (_, i) => `int f${i}(int x, const char *s)`);
    const src = `extern int printk(const char *, ...);\n${decls.join(";\n")};\n${decls
        .map((d, i) => `${d} {
  if (x > ${i}) return printk("f${i}: %s %d\\n", s, x) + f${(i + 1) % n}(x - 1, s);
  switch (x & 7) { case 1: return x * ${i}; case 2: return x ^ ${i}; default: return -x; }
}`)
        .join("\n")}\n`;
    const c = join(dir, "meminfo.c");
    const file = join(dir, "meminfo.o");
    writeFileSync(c, src);
    // What kpatch-build's compiles shape code with: sections per function, fentry, the kernel model.
    const flags = ["-O2", "-g", "-ffunction-sections", "-fdata-sections", "-fno-pie"];
    flags.push("-mcmodel=kernel", "-mno-red-zone", "-pg", "-mfentry", "-mrecord-mcount");
    await run("gcc", [...flags, "-c", c, "-o", file]);
    return { file, from: "a generated C file" };
}
const { file, from, kernel } = await object();
const origFile = join(dir, "orig.o");
const patchedFile = join(dir, "patched.o");
const bytes = readFileSync(file);
writeFileSync(origFile, bytes);
const elf = readElf(Uint8Array.from(bytes), file);
const fn = elf.symbols
    .filter((s) => s.type === STT.FUNC && s.section && s.size > 8n)
    .sort((a, b) => Number(b.size - a.size))[0];
fn.section.data[Number(fn.value + fn.size / 3n)] ^= 0x01;
writeFileSync(patchedFile, writeElf(elf));
// kpatch-build hands it vmlinux's table as readelf prints it: the object's own kernel's if
// the cache has it, else the test kernel's.
const target = kernel ?? testKernel();
const symtab = join(dir, "symtab");
writeFileSync(symtab, (await run("readelf", ["-s", "--wide", target?.vmlinux ?? origFile])).stdout);
const symvers = target?.symvers ?? "/dev/null";
// With NODE_EXTRA_CA_CERTS set, every node process parses that file of certificates as it
// starts (nodejs/node#40524), whatever it runs: this machine's cost, not the tool's.
const { NODE_EXTRA_CA_CERTS: caCerts, ...environment } = process.env;
const env = {
    ...environment,
    BUG_STRUCT_SIZE: "12",
    EX_STRUCT_SIZE: "12",
    JUMP_STRUCT_SIZE: "16",
    ALT_STRUCT_SIZE: "12",
    PARA_STRUCT_SIZE: "16",
    STATIC_CALL_STRUCT_SIZE: "8",
    PRINTK_INDEX_STRUCT_SIZE: "8",
};
const args = [cli, origFile, patchedFile, "vmlinux", symtab, symvers, "livepatch-bench"];
// Peak RSS from inside the child, at its exit: Node reports no child's rusage.
const rss = join(dir, "rss.cjs");
writeFileSync(rss, 'process.on("exit", () => process.stderr.write(`maxrss ${process.resourceUsage().maxRSS}\\n`));');
/** Median and fastest wall time of RUNS runs, and the peak RSS of one more. */
function measure(argv, env) {
    const times = [];
    for (let i = 0; i < RUNS; i++) {
        const t0 = performance.now();
        const r = spawnSync(process.execPath, [...argv, join(dir, `out${i}.o`)], { env });
        times.push((performance.now() - t0) / 1000);
        if (r.status !== 0)
            throw new Error(`${argv.join(" ")}: exit ${r.status}\n${r.stderr}`);
    }
    const r = spawnSync(process.execPath, ["-r", rss, ...argv, join(dir, "out.o")], { env });
    const kb = Number(/maxrss (\d+)/.exec(String(r.stderr))?.[1]);
    times.sort((a, b) => a - b);
    return { median: times[RUNS >> 1], min: times[0], mb: kb / 1024 };
}
try {
    const ours = measure(args, env);
    const floor = measure(["-e", "0", "--"], env);
    const row = (what, m) => console.log(`  ${what.padEnd(20)} ${m.median.toFixed(3)} s median, ${m.min.toFixed(3)} s fastest, ` +
        `${m.mb.toFixed(0)} MB peak RSS`);
    console.log(`create-diff-object on ${(bytes.length / 1024).toFixed(0)} KB (${from}), ` +
        `${RUNS} runs each, ${target ? `${target.what} vmlinux` : "the object"}'s symbol table`);
    row("create-diff-object", ours);
    row("node -e 0", floor);
    if (caCerts)
        row("node -e 0, CA file", measure(["-e", "0", "--"], { ...env, NODE_EXTRA_CA_CERTS: caCerts }));
    console.log(`  against node's floor: ${(ours.median / floor.median).toFixed(2)}x time, ` +
        `${(ours.mb / floor.mb).toFixed(2)}x memory`);
    console.log(`  against kpatch's ${KPATCH.s} s / ${KPATCH.mb} MB: ${(ours.median / KPATCH.s).toFixed(2)}x ` +
        `time (goal 1.5x), ${(ours.mb / KPATCH.mb).toFixed(1)}x memory`);
}
finally {
    rmSync(dir, { recursive: true, force: true });
}
//# sourceMappingURL=create-diff-object.js.map