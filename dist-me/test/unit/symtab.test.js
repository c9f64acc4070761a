// Pins how a replaced or referenced symbol is found in the target and which
// position livepatch gets for it: by source file among same-named locals,
// counted in kallsyms order (by address in vmlinux, table order in modules).
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseReadelfSymtab, parseSymvers, symversNamespaces, TargetSymtab, } from "../../src/symbols/symtab.js";
import { join } from "node:path";
import { loadSymtab } from "../../src/diff/run.js";
import { run } from "../../src/host/host.js";
import { compileC, scratchDir } from "../support/cc.js";
const table = (base, aValue, bValue) => `
Symbol table '.symtab' contains 6 entries:
   Num:    Value          Size Type    Bind   Vis      Ndx Name
     0: 0000000000000000     0 NOTYPE  LOCAL  DEFAULT  UND
     1: 0000000000000000     0 FILE    LOCAL  DEFAULT  ABS a.c
     2: ${base}${aValue}    16 FUNC    LOCAL  DEFAULT    1 helper
     3: 0000000000000000     0 FILE    LOCAL  DEFAULT  ABS b.c
     4: ${base}${bValue}    16 FUNC    LOCAL  DEFAULT    1 helper
     5: ${base}00000300    16 FUNC    GLOBAL DEFAULT    1 show
`;
test("same-named locals are told apart by source file and counted by address in a linked kernel", () => {
    // a.c's helper comes first in the table but sits higher in memory.
    const t = parseReadelfSymtab(table("ffffffff", "81000200", "81000100"));
    assert.deepEqual(t.position("helper", { name: "a.c", locals: new Set(["helper"]) }), {
        name: "helper",
        pos: 2,
    });
    assert.deepEqual(t.position("helper", { name: "b.c", locals: new Set(["helper"]) }), {
        name: "helper",
        pos: 1,
    });
    assert.deepEqual(t.position("show", undefined), { name: "show", pos: 0 });
});
test("a table kept in the cache answers as the one read from the file: same symbols, same positions", () => {
    for (const base of ["ffffffff", "00000000"]) {
        const t = parseReadelfSymtab(table(base, "81000200", "81000100"));
        const kept = TargetSymtab.deserialize(t.serialize());
        assert.deepEqual(kept.symbols, t.symbols);
        for (const file of ["a.c", "b.c"]) {
            const source = { name: file, locals: new Set(["helper"]) };
            assert.deepEqual(kept.position("helper", source), t.position("helper", source));
        }
    }
});
test("in a module's table (offsets, not addresses) positions follow table order", () => {
    const t = parseReadelfSymtab(table("00000000", "00000200", "00000100"));
    assert.deepEqual(t.position("helper", { name: "a.c", locals: new Set(["helper"]) }), {
        name: "helper",
        pos: 1,
    });
});
test("a renumbered static local is found by its base name in its own file; an ambiguous one is refused", () => {
    const t = parseReadelfSymtab(`
Symbol table '.symtab' contains 5 entries:
   Num:    Value          Size Type    Bind   Vis      Ndx Name
     1: 0000000000000000     0 FILE    LOCAL  DEFAULT  ABS a.c
     2: ffffffff81000200     4 OBJECT  LOCAL  DEFAULT    2 calls.3
     3: 0000000000000000     0 FILE    LOCAL  DEFAULT  ABS b.c
     4: ffffffff81000300     4 OBJECT  LOCAL  DEFAULT    2 calls.7
     5: ffffffff81000304     4 OBJECT  LOCAL  DEFAULT    2 calls.8
`);
    assert.deepEqual(t.position("calls.4", { name: "a.c", locals: new Set() }), {
        name: "calls.3",
        pos: 0,
    });
    assert.ok("error" in t.position("calls.9", { name: "b.c", locals: new Set() }));
});
test("a table read for some names answers as one read whole, and names not asked still answer", () => {
    // .dynsym is not the table kallsyms is built from; versions, UND and sections are not symbols.
    const text = `
Symbol table '.dynsym' contains 2 entries:
   Num:    Value          Size Type    Bind   Vis      Ndx Name
     0: 0000000000000000     0 FILE    LOCAL  DEFAULT  ABS z.c
     1: ffffffff81000900    16 FUNC    LOCAL  DEFAULT    1 helper
${table("ffffffff", "81000200", "81000100").trim()}
     6: ffffffff81000400     8 OBJECT  GLOBAL DEFAULT    2 vfoo@@VER_1
     7: 0000000000000000     0 NOTYPE  GLOBAL DEFAULT  UND kmalloc
     8: ffffffff81000000     0 SECTION LOCAL  DEFAULT    1 .text
     9: ffffffff81000500    16 FUNC    GLOBAL DEFAULT    1 kmalloc
`;
    const whole = parseReadelfSymtab(text);
    assert.equal(whole.symbols.length, 5);
    const some = parseReadelfSymtab(text);
    some.want(["helper", "vfoo", "absent"]);
    for (const name of ["helper", "vfoo", "absent", "show", "kmalloc", ".text"]) {
        assert.deepEqual(some.named(name), whole.named(name), name);
        for (const file of ["a.c", "b.c", "z.c", undefined]) {
            const source = file ? { name: file, locals: new Set(["helper"]) } : undefined;
            assert.deepEqual(some.position(name, source), whole.position(name, source), name);
        }
    }
    assert.deepEqual(some.symbols, whole.symbols);
});
test("Module.symvers read for some names gives each its exporter and namespace, as read whole", () => {
    const text = [
        "0x1\t_printk\tvmlinux\tEXPORT_SYMBOL\t",
        "0x2\tp9_client_create\tnet/9p/9pnet\tEXPORT_SYMBOL_GPL\t",
        "0x3\tcxl_bus_type\tdrivers/cxl/core/cxl_core\tEXPORT_SYMBOL_NS_GPL\tCXL",
        "0x4\tprintk\tvmlinux\tEXPORT_SYMBOL\t",
        "",
    ].join("\n");
    const some = new Set(["p9_client_create", "cxl_bus_type", "printk", "absent"]);
    assert.deepEqual(parseSymvers(text, some), new Map([
        ["p9_client_create", "9pnet"],
        ["cxl_bus_type", "cxl_core"],
        ["printk", "vmlinux"],
    ]));
    assert.equal(parseSymvers(text).get("_printk"), "vmlinux");
    assert.deepEqual(symversNamespaces(text, some), new Map([["cxl_bus_type", "CXL"]]));
    assert.deepEqual(symversNamespaces(text), symversNamespaces(text, some));
});
test("seals are read from .ibt_endbr_seal: a module's relocations, a linked kernel's offsets, and kept in the cache", async () => {
    // objtool's table, as it writes one: an s32 from each entry to a sealed endbr64.
    const source = `
void sealed_one(void) { asm volatile("endbr64"); }
void open_one(void) { asm volatile("endbr64"); }
void sealed_two(void) { asm volatile("endbr64"); }
/* Statics sharing a section: as objtool writes them, section symbol and offset. */
static __attribute__((section(".text.shared"), used)) void shared_open(void) { asm("endbr64"); }
static __attribute__((section(".text.shared"), used)) void shared_sealed(void) { asm("endbr64"); }
asm(".pushsection .ibt_endbr_seal, \\"a\\"\\n.long sealed_one - .\\n.long sealed_two - .\\n"
    ".long shared_sealed - .\\n.popsection\\n.globl __fentry__\\n__fentry__: ret");
`;
    const dir = scratchDir("seals-");
    const object = await compileC(dir, source, "seals");
    const linked = join(dir, "seals");
    await run("ld", ["-e", "open_one", "-o", linked, object]);
    const sealed = (t) => t.symbols
        .filter((s) => s.sealed)
        .map((s) => s.name)
        .sort();
    for (const file of [object, linked]) {
        const t = loadSymtab(file);
        assert.deepEqual(sealed(t), ["sealed_one", "sealed_two", "shared_sealed"], file);
        assert.deepEqual(sealed(TargetSymtab.deserialize(t.serialize())), sealed(t));
    }
});
//# sourceMappingURL=symtab.test.js.map