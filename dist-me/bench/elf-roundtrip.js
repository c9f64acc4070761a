// Benchmark: read and write back every ELF64 object of the test kernel build
// in one process. Prints throughput and peak memory.
import { readFileSync } from "node:fs";
import { resourceUsage } from "node:process";
import { readElf } from "../src/elf/reader.js";
import { writeElf } from "../src/elf/writer.js";
import { buildObjects } from "../src/kernel/objects.js";
import { testKernel } from "../src/kernel/testkernel.js";
const kernel = await testKernel({ build: false });
const files = buildObjects(kernel.buildDir).elf64;
const inputs = files.map((f) => ({ f, bytes: readFileSync(f) }));
const total = inputs.reduce((n, i) => n + i.bytes.length, 0);
let readMs = 0;
let writeMs = 0;
let largest = { f: "", ms: 0, bytes: 0 };
for (const { f, bytes } of inputs) {
    const t0 = performance.now();
    const elf = readElf(bytes, f);
    const t1 = performance.now();
    writeElf(elf);
    const t2 = performance.now();
    readMs += t1 - t0;
    writeMs += t2 - t1;
    if (bytes.length > largest.bytes)
        largest = { f, ms: t2 - t0, bytes: bytes.length };
}
const secs = (readMs + writeMs) / 1000;
console.log(`objects:        ${files.length} (${(total / 1e6).toFixed(1)} MB)`);
console.log(`read:           ${readMs.toFixed(0)} ms`);
console.log(`write:          ${writeMs.toFixed(0)} ms`);
console.log(`throughput:     ${(files.length / secs).toFixed(0)} files/s, ` +
    `${(total / 1e6 / secs).toFixed(1)} MB/s`);
console.log(`largest object: ${largest.f.slice(kernel.buildDir.length + 1)} ` +
    `(${(largest.bytes / 1e6).toFixed(1)} MB) in ${largest.ms.toFixed(0)} ms`);
console.log(`peak RSS:       ${(resourceUsage().maxRSS / 1024).toFixed(0)} MB ` +
    `(inputs held in memory: ${(total / 1e6).toFixed(0)} MB)`);
//# sourceMappingURL=elf-roundtrip.js.map