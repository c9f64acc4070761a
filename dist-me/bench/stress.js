// Benchmark: load/unload cycles of a patch (the cmdline fixture) on the
// test kernel under QEMU while a reader on every guest CPU reads the file
// the patched function makes, in a tight loop. Prints the cycles, the time
// of each transition (enable to done, and back) and the worst, and the
// reads with any wrong result. Arguments: cycles (100), CPUs (2).
import { stress } from "./support/stress.js";
const cycles = Number(process.argv[2] ?? 100);
const cpus = Number(process.argv[3] ?? 2);
const t0 = Date.now();
const r = await stress(cycles, cpus);
const stats = (ms) => {
    const sorted = [...ms].sort((a, b) => a - b);
    const mean = ms.reduce((a, b) => a + b, 0) / ms.length;
    return (`mean ${mean.toFixed(0)} ms, median ${sorted[sorted.length >> 1]} ms, ` +
        `worst ${sorted.at(-1)} ms (cycle ${ms.indexOf(sorted.at(-1)) + 1})`);
};
console.log(`stress: ${r.load.length} load/unload cycles on ${r.cpus} CPUs under QEMU TCG`);
console.log(`  load transition:   ${stats(r.load)}`);
console.log(`  unload transition: ${stats(r.unload)}`);
console.log(`  reads of /proc/cmdline: ${r.reads}, wrong: ${r.wrong}`);
for (const l of r.wrongLines)
    console.log(`    ${l}`);
console.log(`  whole run: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
if (r.wrong)
    process.exitCode = 1;
//# sourceMappingURL=stress.js.map