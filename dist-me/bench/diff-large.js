// Benchmark: the differ on the largest objects of the tree, compiled with
// Debian's full 6.1 config and -ffunction-sections as kpatch-build compiles
// them, each against a patched twin (one byte of its largest function
// changed). Prints milliseconds per pair and peak memory.
import { readFileSync } from "node:fs";
import { resourceUsage } from "node:process";
import { readElf } from "../src/elf/reader.js";
import { STT } from "../src/elf/constants.js";
import { diffObjects } from "../src/diff/diff.js";
import { debianTarget, newestRelease } from "../src/kernel/debian.js";
import { preparedTree } from "../src/build/prepare.js";
import { withBuildSession } from "../src/build/session.js";
import { entrySizes } from "./entry-sizes.js";
const OBJECTS = ["kernel/sched/core.o", "mm/page_alloc.o", "fs/ext4/inode.o", "net/ipv4/tcp.o"];
const target = await debianTarget(process.argv[2] ?? (await newestRelease("6.1")));
const prepared = await preparedTree(target.source, target.config);
await withBuildSession(prepared, async (session) => {
    const compiled = await session.compile(OBJECTS, "orig");
    for (const o of compiled) {
        const bytes = readFileSync(o.file);
        const t0 = performance.now();
        const orig = readElf(bytes, o.file);
        const patched = readElf(Uint8Array.from(bytes), o.file);
        const fn = patched.symbols
            .filter((s) => s.type === STT.FUNC && s.section)
            .sort((a, b) => Number(b.size - a.size))[0];
        fn.section.data[Number(fn.value + fn.size / 2n)] ^= 0x01;
        const r = diffObjects(orig, patched, { entrySizes });
        const ms = performance.now() - t0;
        const funcs = orig.symbols.filter((s) => s.type === STT.FUNC).length;
        console.log(`${o.object.padEnd(22)} ${(bytes.length / 1e6).toFixed(1).padStart(5)} MB ` +
            `${String(funcs).padStart(5)} functions  ${ms.toFixed(0).padStart(5)} ms  ` +
            `(changed: ${r.changed.map((c) => c.name).join(", ")})`);
    }
});
console.log(`peak RSS: ${(resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
//# sourceMappingURL=diff-large.js.map