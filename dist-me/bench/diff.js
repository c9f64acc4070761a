// Benchmark: the differ over every translation unit of the test kernel, each
// against a patched twin (the same object with one byte of its largest
// function changed), in one process. Prints pairs/s, the slowest pair and
// peak memory. Node start-up is paid once, not per object.
import { readFileSync } from "node:fs";
import { resourceUsage } from "node:process";
import { readElf } from "../src/elf/reader.js";
import { STT } from "../src/elf/constants.js";
import { diffObjects } from "../src/diff/diff.js";
import { KpatchError } from "../src/errors.js";
import { buildObjects, translationUnits } from "../src/kernel/objects.js";
import { testKernel } from "../src/kernel/testkernel.js";
import { entrySizes } from "./entry-sizes.js";
const kernel = await testKernel({ build: false });
const files = translationUnits(buildObjects(kernel.buildDir).elf64).units;
const outcomes = new Map();
let total = 0;
let slowest = { file: "", ms: 0, bytes: 0 };
for (const file of files) {
    const bytes = readFileSync(file);
    const t0 = performance.now();
    const orig = readElf(bytes, file);
    const patched = readElf(Uint8Array.from(bytes), file);
    const fn = patched.symbols
        .filter((s) => s.type === STT.FUNC && s.section && s.size > 8n)
        .sort((a, b) => Number(b.size - a.size))[0];
    if (fn)
        fn.section.data[Number(fn.value + fn.size / 2n)] ^= 0x01;
    let outcome = "patch";
    try {
        diffObjects(orig, patched, { entrySizes });
    }
    catch (e) {
        if (!(e instanceof KpatchError))
            throw e;
        outcome =
            e.kind === "input" ? `error: ${e.message.split("\n")[0].replace(/^\S+: /, "")}` : e.kind;
    }
    const ms = performance.now() - t0;
    total += ms;
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    if (ms > slowest.ms)
        slowest = { file, ms, bytes: bytes.length };
}
console.log(`pairs:          ${files.length} translation units of the test kernel`);
console.log(`time:           ${(total / 1000).toFixed(1)} s ` +
    `(${(files.length / (total / 1000)).toFixed(0)} pairs/s, reading included)`);
console.log(`slowest pair:   ${slowest.file.slice(kernel.buildDir.length + 1)} ` +
    `(${(slowest.bytes / 1e6).toFixed(1)} MB) in ${slowest.ms.toFixed(0)} ms`);
console.log(`peak RSS:       ${(resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
for (const [o, n] of [...outcomes].sort((a, b) => b[1] - a[1]))
    console.log(`  ${String(n).padStart(5)}  ${o}`);
//# sourceMappingURL=diff.js.map