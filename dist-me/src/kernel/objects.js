// The object files of a kernel build directory.
import { basename, dirname, join } from "node:path";
import { nodeHost } from "../host/host.js";
export function buildObjects(buildDir, host = nodeHost) {
    const result = { elf64: [], other: [] };
    const paths = host
        .readDir(buildDir, { recursive: true })
        .filter((p) => p.endsWith(".o"))
        .sort();
    for (const rel of paths) {
        const path = join(buildDir, rel);
        const head = host.readHead(path, 18);
        // EI_CLASS 2 (64-bit), EI_DATA 1 (little-endian), e_type ET_REL.
        const isRel64 = head.length === 18 &&
            head.readUInt32BE(0) === 0x7f454c46 &&
            head[4] === 2 &&
            head[5] === 1 &&
            head.readUInt16LE(16) === 1;
        (isRel64 ? result.elf64 : result.other).push(path);
    }
    return result;
}
/**
 * Objects kbuild compiled from one source file for the kernel: their .cmd
 * names a source_ and passes -D__KERNEL__. That leaves out host tools,
 * linked objects (vmlinux.o, multi-file modules) that only repeat their
 * parts, and generated ones without a .cmd (the kallsyms tables).
 */
export function translationUnits(objects, host = nodeHost) {
    const result = { units: [], linked: 0, host: 0 };
    for (const obj of objects) {
        const cmdFile = join(dirname(obj), `.${basename(obj)}.cmd`);
        const cmd = host.readIfExists(cmdFile) ?? "";
        if (!/^source_\S+ :=/m.test(cmd))
            result.linked++;
        else if (!cmd.includes(" -D__KERNEL__ "))
            result.host++;
        else
            result.units.push(obj);
    }
    return result;
}
//# sourceMappingURL=objects.js.map