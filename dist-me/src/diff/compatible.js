// Refuses object pairs the differ cannot compare: another machine, not a
// relocatable object, or ORIG and PATCHED built by different compilers or
// with different options (another config).
import { EM_X86_64, ET_REL } from "../elf/constants.js";
import { KpatchError } from "../errors.js";
export function checkCompatible(orig, patched) {
    for (const elf of [orig, patched]) {
        if (elf.header.machine !== EM_X86_64) {
            throw new KpatchError("input", `machine ${elf.header.machine} is not x86-64`, {
                file: elf.file,
            });
        }
        if (elf.header.type !== ET_REL) {
            throw new KpatchError("input", `not a relocatable object (ELF type ${elf.header.type})`, {
                file: elf.file,
            });
        }
    }
    const compiler = (elf) => new TextDecoder()
        .decode(elf.section(".comment")?.data ?? new Uint8Array())
        .replace(/\0+/g, " ")
        .trim();
    const [a, b] = [compiler(orig), compiler(patched)];
    if (a !== b) {
        throw new KpatchError("input", `ORIG and PATCHED were built by different compilers: '${a}' vs '${b}'`);
    }
    // The debug info records the options each object was compiled with: a
    // different config mostly shows as different options.
    const [fa, fb] = [producer(orig), producer(patched)];
    if (fa && fb && fa !== fb) {
        const [ta, tb] = [new Set(fa.split(" ")), new Set(fb.split(" "))];
        const only = (x, y) => [...x].filter((t) => !y.has(t)).join(" ") || "-";
        throw new KpatchError("input", "ORIG and PATCHED were compiled with different options " +
            `(another config?): ORIG only ${only(ta, tb)}; PATCHED only ${only(tb, ta)}`);
    }
}
/** DW_AT_producer, as gcc and clang write it to the debug strings: compiler and options. */
function producer(elf) {
    const strings = elf.section(".debug_str")?.data;
    if (!strings)
        return undefined;
    const text = Buffer.from(strings.buffer, strings.byteOffset, strings.length).toString("latin1");
    return /(?:^|\0)((?:GNU C|GNU C\+\+|clang version)[^\0]*)/.exec(text)?.[1];
}
//# sourceMappingURL=compatible.js.map