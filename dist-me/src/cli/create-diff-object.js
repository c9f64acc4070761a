#!/usr/bin/env node
// kpatch-compatible entry point, so that kpatch's tooling and test corpora can
// drive this differ unchanged:
//   create-diff-object ORIG.o PATCHED.o PARENT-NAME PARENT-SYMTAB MODULE.SYMVERS
//     PATCH-NAME OUTPUT.o
// Exit status: 0 success, 1 error, 2 unsafe change, 3 no change. The output is
// in kpatch's intermediate form (.kpatch.funcs, .kpatch.symbols,
// .kpatch.relocations, .kpatch.strings), which kpatch-build links and turns
// into a livepatch module with its create-klp-module.
import { loadDecoderThrough } from "../arch/x86/decode.js";
import { diffFiles, entrySizesFromEnv } from "../diff/run.js";
import { nodeHost } from "../host/host.js";
import { exitWith } from "./errors.js";
const program = "create-diff-object";
const args = process.argv.slice(2).filter((a) => a !== "--debug" && a !== "-d");
if (args.length !== 7) {
    console.error(`usage: ${program} ORIG.o PATCHED.o PARENT-NAME PARENT-SYMTAB ` +
        "MODULE.SYMVERS PATCH-NAME OUTPUT.o");
    process.exit(1);
}
const [orig, patched, parent, symtab, symvers, , output] = args;
// kpatch-build runs this once per changed object: the decoder's compile would be paid each time.
loadDecoderThrough(nodeHost);
try {
    const r = diffFiles({
        orig,
        patched,
        output,
        object: parent,
        // Its objects are a kernel's, which traces what livepatch can redirect.
        traced: true,
        symbols: symtab,
        symvers,
        entrySizes: entrySizesFromEnv(process.env),
        kpatchIntermediate: true,
    });
    // kpatch's log lines: the object, then what it found.
    for (const w of r.warnings)
        console.log(`${patched}: WARNING: ${w}`);
    for (const c of r.changed)
        console.log(`${patched}: changed function: ${c.name}`);
    for (const c of r.added)
        console.log(`${patched}: new function: ${c.name}`);
}
catch (e) {
    exitWith(program, e);
}
//# sourceMappingURL=create-diff-object.js.map