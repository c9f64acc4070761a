// A file shaped as a patch module as far as kpatch and packaging read one:
// an ELF relocatable object with a .modinfo section and nothing else to trust.
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SHF, SHT } from "../../src/elf/constants.js";
import { x86Object } from "./elf.js";
import { writeElf } from "../../src/elf/writer.js";
/** Writes dir/file with `info` as its .modinfo (key=value, in order) and returns its path. */
export function modinfoModule(dir, file, info, mode = 0o644) {
    const ko = x86Object(file);
    const text = Object.entries(info)
        .map(([k, v]) => `${k}=${v}\0`)
        .join("");
    ko.addSection({
        name: ".modinfo",
        type: SHT.PROGBITS,
        flags: SHF.ALLOC,
        data: new TextEncoder().encode(text),
    });
    const path = join(dir, file);
    writeFileSync(path, writeElf(ko));
    chmodSync(path, mode);
    return path;
}
//# sourceMappingURL=modinfo.js.map