// Compiles C fixtures at test time the way the kernel shapes its code:
// per-function and per-object sections, no unwind tables, the kernel code
// model, and fentry calls recorded in __mcount_loc.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../../src/host/host.js";
export const KERNEL_CFLAGS = [
    "-O2",
    "-ffunction-sections",
    "-fdata-sections",
    "-fno-asynchronous-unwind-tables",
    "-fno-pie",
    "-mcmodel=kernel",
    "-mno-red-zone",
    "-pg",
    "-mfentry",
    "-mrecord-mcount",
];
/** A scratch directory removed when the test process exits. */
export function scratchDir(prefix) {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
    return dir;
}
let count = 0;
/**
 * Compiles `source` into a new object in `dir` and returns its path. Each
 * compile gets a directory of its own, so ORIG and PATCHED can share a file
 * name, as they do in a kernel tree (the name is in the object's STT_FILE).
 */
export async function compileC(dir, source, name = "fixture", compiler = "gcc", extra = []) {
    const sub = join(dir, String(count++));
    mkdirSync(sub);
    const base = join(sub, name);
    writeFileSync(`${base}.c`, source);
    // clang records fentry call sites differently (objtool does it for the kernel).
    const flags = compiler === "gcc" ? KERNEL_CFLAGS : KERNEL_CFLAGS.filter((f) => f !== "-mrecord-mcount");
    await run(compiler, [...flags, ...extra, "-c", `${base}.c`, "-o", `${base}.o`]);
    return `${base}.o`;
}
//# sourceMappingURL=cc.js.map