// Pins the differ's command-line contract: exit statuses tools rely on
// (0 patch, 1 error, 2 unsafe, 3 no change), no output left behind when no
// patch is made, --json for scripts, and kpatch's create-diff-object form.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, chownSync, copyFileSync, existsSync, readFileSync, symlinkSync, writeFileSync, } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "../../src/host/host.js";
import { compileC, scratchDir } from "../support/cc.js";
import { readElf } from "../../src/elf/reader.js";
import { modinfo } from "../../src/elf/model.js";
import { modinfoModule } from "../support/modinfo.js";
const dir = scratchDir("kpatch-cli-");
const cli = (name) => fileURLToPath(new URL(`../../src/cli/${name}.js`, import.meta.url));
const kpatchBuild = (args) => run("node", [cli("kpatch-build"), ...args], { allowFailure: true });
const SRC = `
extern int printk(const char *fmt, ...);
static __attribute__((noinline)) int helper(int x) { return printk("%d", x); }
int data = 1;
int show(int x) { printk("value: %d\\n", x); return helper(x); }
`;
/** ORIG and PATCHED objects of `src`, and ORIG's symbols as readelf shows them (the target). */
async function pairWithSymtab(src, patchedSrc, name) {
    const orig = await compileC(dir, src);
    const patched = await compileC(dir, patchedSrc);
    const symtab = join(dir, `${name}.symtab`);
    writeFileSync(symtab, (await run("readelf", ["-s", "--wide", orig])).stdout);
    return { orig, patched, symtab };
}
/** kpatch-build's create-diff-object command line for a vmlinux object, no exports known. */
const cdoArgs = (orig, patched, symtab, out) => [
    cli("create-diff-object"),
    orig,
    patched,
    "vmlinux",
    symtab,
    "/dev/null",
    "livepatch-test",
    out,
];
test("exit statuses: 0 patch, 3 no change, 2 unsafe, 1 bad input; output only on success", async () => {
    const orig = await compileC(dir, SRC);
    const cases = [
        ["patch", await compileC(dir, SRC.replace("value", "VALUE")), 0, /changed function: show/],
        ["same", await compileC(dir, SRC), 3, /no changed functions/],
        [
            "unsafe",
            await compileC(dir, SRC.replace("int data = 1", "int data = 2")),
            2,
            /unsafe change: [^]*data object data \(\.data\.data\) changed/,
        ],
    ];
    const truncated = join(dir, "truncated.o");
    writeFileSync(truncated, readFileSync(orig).subarray(0, 200));
    cases.push(["truncated", truncated, 1, /error: .*truncated\.o: .*truncated or corrupt/]);
    const notElf = join(dir, "notelf.o");
    writeFileSync(notElf, "this is not an object file, just some text that is long enough to look at\n");
    cases.push(["not-elf", notElf, 1, /error: .*not an ELF file/]);
    cases.push(["missing", join(dir, "missing.o"), 1, /error: .*missing\.o/]);
    for (const [what, patched, status, message] of cases) {
        const out = join(dir, `${what}-out.o`);
        const r = await kpatchBuild(["diff", orig, patched, "-o", out]);
        assert.equal(r.code, status, `${what}: ${r.stderr}`);
        assert.match(r.stdout + r.stderr, message, what);
        assert.equal(existsSync(out), status === 0, `${what}: output ${status === 0 ? "missing" : "left behind"}`);
        assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, `${what}: no stack traces`);
    }
});
test("--json reports changed functions and livepatch symbols with their positions", async () => {
    // The target: the original object linked as it would be in the kernel, as readelf shows it.
    const { orig, patched, symtab } = await pairWithSymtab(SRC, SRC.replace("value", "VALUE"), "parent");
    const r = await kpatchBuild([
        "diff",
        orig,
        patched,
        "-o",
        join(dir, "json-out.o"),
        "--symbols",
        symtab,
        "--json",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.deepEqual(report.changed.map((c) => c.name), ["show"]);
    assert.deepEqual(report.klp, [{ name: "helper", object: "vmlinux", pos: 0 }]);
    const syms = (await run("readelf", ["-sW", join(dir, "json-out.o")])).stdout;
    assert.match(syms, /UND \.klp\.sym\.vmlinux\.helper,0$/m);
});
test("a local is placed among same-named files by the locals the linker keeps, not __ADDRESSABLE()'s or .modinfo's", async () => {
    // net/ipv4/fib_rules.c: EXPORT_SYMBOL's __UNIQUE_ID___addressable_* sits in .discard.addressable.
    const src = `
extern int printk(const char *fmt, ...);
static int counter;
static __attribute__((noinline)) int helper(int x) { return printk("%d", x + counter++); }
static void *__attribute__((used, section(".discard.addressable"))) __UNIQUE_ID___addressable_helper1 = (void *)&helper;
static const char __attribute__((used, section(".modinfo"))) __UNIQUE_ID_license2[] = "license=GPL";
int show(int x) { printk("value: %d\\n", x); return helper(x); }
`;
    const orig = await compileC(dir, src);
    const patched = await compileC(dir, src.replace("value", "VALUE"));
    // Two files named fixture.c in the kernel; only the first has both of our locals.
    const row = (n, value, type, bind, ndx, name) => `${String(n).padStart(6)}: ${value}    10 ${type.padEnd(7)} ${bind.padEnd(6)} DEFAULT  ${ndx.padStart(3)} ${name}`;
    const symtab = join(dir, "discard.symtab");
    writeFileSync(symtab, [
        "Symbol table '.symtab' contains 8 entries:",
        "   Num:    Value          Size Type    Bind   Vis      Ndx Name",
        row(0, "0000000000000000", "NOTYPE", "LOCAL", "UND", ""),
        row(1, "0000000000000000", "FILE", "LOCAL", "ABS", "fixture.c"),
        row(2, "ffffffff81000000", "FUNC", "LOCAL", "1", "helper"),
        row(3, "ffffffff82000000", "OBJECT", "LOCAL", "2", "counter"),
        row(4, "0000000000000000", "FILE", "LOCAL", "ABS", "fixture.c"),
        row(5, "ffffffff81000100", "FUNC", "LOCAL", "1", "helper"),
        row(6, "ffffffff81000200", "FUNC", "GLOBAL", "1", "show"),
        row(7, "ffffffff81000300", "FUNC", "GLOBAL", "1", "printk"),
        "",
    ].join("\n"));
    const r = await kpatchBuild([
        "diff",
        orig,
        patched,
        "-o",
        join(dir, "discard-out.o"),
        "--symbols",
        symtab,
        "--json",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const klp = JSON.parse(r.stdout).klp;
    assert.deepEqual(klp.find((k) => k.name === "helper"), { name: "helper", object: "vmlinux", pos: 1 });
});
test("a call to a symbol exported into a namespace imports that namespace (built-in CXL code)", async () => {
    const src = `extern int cxl_send(int);\n${SRC}int fix(int x) { return cxl_send(x); }\n`;
    const { orig, patched, symtab } = await pairWithSymtab(src, src.replace("cxl_send(x)", "cxl_send(x + 1)"), "ns");
    const symvers = join(dir, "ns.symvers");
    writeFileSync(symvers, "0x00000000\tcxl_send\tvmlinux\tEXPORT_SYMBOL_GPL\tCXL\n0x00000000\tprintk\tvmlinux\tEXPORT_SYMBOL\t\n");
    const out = join(dir, "ns-out.o");
    const r = await kpatchBuild([
        "diff",
        orig,
        patched,
        "-o",
        out,
        "--symbols",
        symtab,
        "--symvers",
        symvers,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(modinfo(readElf(readFileSync(out), out)), [["import_ns", "CXL"]]);
});
test("create-diff-object takes kpatch's seven arguments and *_STRUCT_SIZE variables", async () => {
    const { orig, patched, symtab } = await pairWithSymtab(SRC, SRC.replace("value", "VALUE"), "cdo");
    const out = join(dir, "cdo-out.o");
    const args = cdoArgs(orig, patched, symtab, out);
    const ok = await run("node", args, { allowFailure: true, env: { ALT_STRUCT_SIZE: "12" } });
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /changed function: show/);
    const bad = await run("node", args, { allowFailure: true, env: { BUG_STRUCT_SIZE: "twelve" } });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /BUG_STRUCT_SIZE=twelve is not a positive whole number/);
    const usage = await run("node", [cli("create-diff-object"), orig], { allowFailure: true });
    assert.equal(usage.code, 1);
    assert.match(usage.stderr, /usage: create-diff-object ORIG\.o PATCHED\.o PARENT-NAME/);
    const noSymtab = await run("node", [cli("create-diff-object"), orig, patched, "vmlinux", "/dev/null", "/dev/null", "p", out], { allowFailure: true });
    assert.equal(noSymtab.code, 1);
    assert.match(noSymtab.stderr, /\/dev\/null: not an ELF file, readelf -s output or System\.map/);
});
test("create-diff-object writes kpatch's intermediate form: the same livepatch relocations as .kpatch.* records", async () => {
    const { orig, patched, symtab } = await pairWithSymtab(SRC, SRC.replace("value", "VALUE"), "inter");
    const [klpOut, kpatchOut] = [join(dir, "inter-klp.o"), join(dir, "inter-kpatch.o")];
    assert.equal((await kpatchBuild(["diff", orig, patched, "-o", klpOut, "--symbols", symtab])).code, 0);
    const cdo = await run("node", cdoArgs(orig, patched, symtab, kpatchOut), { allowFailure: true });
    assert.equal(cdo.code, 0, cdo.stderr);
    // What the klp form says, relocation by relocation: where, how, and to which symbol.
    const klp = readElf(readFileSync(klpOut), klpOut);
    const direct = klp.sections.flatMap((rela) => rela.relocations
        .filter((r) => r.symbol?.name.startsWith(".klp.sym."))
        .map((r) => `${rela.infoSection.name}+${r.offset} type ${r.type} addend ${r.addend} ${r.symbol.name}`));
    assert.equal(direct.length, 1, "the fixture calls one non-exported function");
    // The same, read back from kpatch's records as its create-klp-module reads them.
    const k = readElf(readFileSync(kpatchOut), kpatchOut);
    assert.ok(!k.symbols.some((s) => s.name.startsWith(".klp.sym.")), "no .klp.sym.* symbol is left");
    const strings = k.section(".kpatch.strings").data;
    const text = (r) => {
        assert.equal(r?.symbol?.section?.name, ".kpatch.strings");
        const at = Number(r.addend);
        return Buffer.from(strings.subarray(at, strings.indexOf(0, at))).toString();
    };
    const relocsOf = (name) => k.relocationsFor(k.section(name)).relocations;
    const field = (list, at) => list.find((r) => Number(r.offset) === at);
    const syms = k.section(".kpatch.symbols");
    const krelas = k.section(".kpatch.relocations");
    assert.equal(syms.entsize, 40n);
    assert.equal(krelas.data.length, 40 * direct.length);
    const view = new DataView(krelas.data.buffer, krelas.data.byteOffset, krelas.data.length);
    const symView = new DataView(syms.data.buffer, syms.data.byteOffset, syms.data.length);
    const decoded = direct.map((_, i) => {
        const at = i * 40;
        const dest = field(relocsOf(".kpatch.relocations"), at);
        const ksym = field(relocsOf(".kpatch.relocations"), at + 32);
        assert.equal(ksym.symbol?.section?.name, ".kpatch.symbols");
        const s = Number(ksym.addend);
        const name = text(field(relocsOf(".kpatch.symbols"), s + 24));
        const object = text(field(relocsOf(".kpatch.symbols"), s + 32));
        assert.equal(text(field(relocsOf(".kpatch.relocations"), at + 24)), "vmlinux");
        return (`${dest.symbol.section.name}+${dest.addend} type ${view.getUint32(at + 8, true)} ` +
            `addend ${view.getBigInt64(at + 16, true)} .klp.sym.${object}.${name},${symView.getBigUint64(s + 8, true)}`);
    });
    assert.deepEqual(decoded, direct);
    // One replaced function, named with its object, its new code at new_addr.
    const funcs = relocsOf(".kpatch.funcs");
    assert.equal(k.section(".kpatch.funcs").data.length, 56);
    assert.equal(field(funcs, 0)?.symbol?.name, "show");
    assert.deepEqual([text(field(funcs, 40)), text(field(funcs, 48))], ["show", "vmlinux"]);
    await run("ld", ["-r", kpatchOut, "-o", `${kpatchOut}.linked`]);
});
test("kpatch refuses what is not a livepatch module, and an unknown command, before touching the kernel", async () => {
    const kpatch = (args) => run("node", [cli("kpatch"), ...args], { allowFailure: true, env: { KPATCH_DIR: dir } });
    const plain = await compileC(dir, SRC);
    const plainKo = join(dir, "plain.ko");
    copyFileSync(plain, plainKo);
    const cases = [
        [["info", join(dir, "missing.ko")], 1, /kpatch: error: .*missing\.ko does not exist/],
        [
            ["load", plain],
            1,
            /kpatch: error: .* is not a livepatch module \(no livepatch=Y in its modinfo\)/,
        ],
        [["install", plain], 1, /only a \.ko file with a plain name/],
        [["install", plainKo], 1, /is not a livepatch module/],
        [["unload"], 1, /unload takes one module/],
        [["frobnicate"], 1, /usage: kpatch COMMAND/],
        [["version"], 0, /^kpatch \d+\.\d+\.\d+\n$/],
    ];
    for (const [args, code, text] of cases) {
        const r = await kpatch(args);
        assert.equal(r.code, code, `${args.join(" ")}: ${r.stdout}${r.stderr}`);
        assert.match(r.stdout + r.stderr, text, args.join(" "));
    }
});
test("usage errors and unwritable places are said in one line, exit 1, no stack trace, no spinning", async () => {
    const patch = fileURLToPath(new URL("../../../examples/meminfo-string.patch", import.meta.url));
    const cases = [
        [
            "kpatch-build",
            ["--bogus", patch],
            /^kpatch-build: Unknown option '--bogus' \(see kpatch-build --help\)\n$/,
        ],
        [
            "kpatch-build",
            ["-k"],
            /^kpatch-build: Option '-k, --kernel <value>' argument missing \(see kpatch-build --help\)\n$/,
        ],
        ["kpatch", ["load", "--timeout"], /^kpatch: Option '--timeout <value>' argument missing/],
        // Node's recursive mkdir spun forever here, deaf to SIGTERM.
        [
            "kpatch-build",
            ["-k", "test", "-o", "/proc/x", patch],
            /^kpatch-build: error: -o \/proc\/x: cannot write there \(ENOENT\)\n$/,
        ],
        [
            "kpatch-build",
            ["-k", "test", "--symvers", "/nonexistent", patch],
            /^kpatch-build: error: --symvers describes a kernel tree: name it with -s SOURCEDIR\n$/,
        ],
        // An update is its own patch, for Debian's kernels, cumulative, its CVEs its changelog's.
        [
            "kpatch-build",
            ["--update", "-s", "/usr/src", "-R", "--cve", "CVE-2026-0001", patch],
            /^kpatch-build: error: --update takes no patches \(the update is the patch\), -s \(Debian's kernels only\), --cve \(the update's changelog names them\), -R \(an update's module is cumulative\)\n$/,
        ],
        [
            "kpatch-build",
            ["--to", "6.1.192-3", patch],
            /^kpatch-build: error: --to goes with --update\n$/,
        ],
    ];
    for (const [command, args, message] of cases) {
        const r = await run("node", [cli(command), ...args], { allowFailure: true, timeoutMs: 30_000 });
        assert.equal(r.code, 1, `${args.join(" ")}: ${r.stderr}`);
        assert.match(r.stderr, message, args.join(" "));
    }
});
test("with --json anywhere before --, usage errors too are one JSON error event, exit 1", async () => {
    const cases = [
        [
            "kpatch-build",
            ["--json", "--bogus"],
            /^Unknown option '--bogus' \(see kpatch-build --help\)$/,
        ],
        [
            "kpatch-build",
            ["-k", "--json"],
            /^Option '-k' argument is ambiguous \(see kpatch-build --help\)$/,
        ],
        ["kpatch-build", ["--json", "-k"], /^Option '-k, --kernel <value>' argument missing/],
        ["kpatch-build", ["--json"], /^usage: kpatch-build \[TARGET\]/],
        ["kpatch-build", ["diff", "a.o", "--json"], /^usage: kpatch-build/],
        ["kpatch-build", ["verify", "--json", "--nope"], /^Unknown option '--nope'/],
        ["kpatch", ["load", "--json", "--timeout"], /^Option '--timeout <value>' argument missing/],
        ["kpatch", ["--json"], /^usage: kpatch COMMAND/],
        ["kpatch", ["info", "--json", "a.ko", "b.ko"], /^info takes one module\nusage: kpatch/],
    ];
    for (const [command, args, message] of cases) {
        const r = await run("node", [cli(command), ...args], { allowFailure: true, timeoutMs: 30_000 });
        assert.equal(r.code, 1, `${args.join(" ")}: ${r.stderr}`);
        const lines = r.stderr.trimEnd().split("\n");
        assert.equal(lines.length, 1, `${args.join(" ")}: one line: ${r.stderr}`);
        const { message: said, ...event } = JSON.parse(lines[0]);
        assert.deepEqual(event, { event: "error", kind: "usage", status: 1 });
        assert.match(said, message, args.join(" "));
    }
    // After --, --json is a patch's name.
    const r = await run("node", [cli("kpatch-build"), "-k", "test", "--", "--json"], {
        allowFailure: true,
        timeoutMs: 30_000,
    });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^kpatch-build: error: cannot read patch .*\/--json: ENOENT\n$/);
});
test("kpatch reads a module only if root alone could have written it: info --review, load --dry-run and install refuse others' files by name, with the remedy, and show a name's control characters escaped", async () => {
    const kpatch = (args) => run("node", [cli("kpatch"), ...args], { allowFailure: true, env: { KPATCH_DIR: dir } });
    const module = (file) => modinfoModule(dir, file, { livepatch: "Y", name: "livepatch_x", vermagic: "6.1.0 SMP" });
    const group = module("group.ko");
    chmodSync(group, 0o664);
    const theirs = module("theirs.ko");
    chownSync(theirs, 65534, 65534);
    const link = join(dir, "link.ko");
    symlinkSync(module("target.ko"), link);
    const odd = join(dir, "odd\u001b[2J\u009b31m.ko");
    const cases = [
        [
            ["info", "--review", group],
            `kpatch: error: ${group} is writable by group or others (mode 0664): they could have ` +
                `changed it; if it is what you mean to load, chmod go-w ${group}\n`,
        ],
        [
            ["load", "--dry-run", theirs],
            `kpatch: error: ${theirs} is owned by uid 65534, not root: its owner could have changed ` +
                `it; if it is what you mean to load, chown root ${theirs}\n`,
        ],
        [
            ["install", link],
            `kpatch: error: ${link}: not a regular file (a symlink): name the file it points to\n`,
        ],
        [["load", odd], `kpatch: error: ${dir}/odd\\u001b[2J\\u009b31m.ko does not exist\n`],
    ];
    for (const [args, message] of cases) {
        const r = await kpatch(args);
        assert.equal(r.code, 1, `${args.join(" ")}: ${r.stderr}`);
        assert.equal(r.stderr, message, args.join(" "));
    }
});
//# sourceMappingURL=cli.test.js.map