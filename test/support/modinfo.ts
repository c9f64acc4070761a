// A file shaped as a patch module as far as kpatch and packaging read one:
// an ELF relocatable object with a .modinfo section and nothing else to trust.
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { EM_X86_64, ET_REL, SHF, SHT } from "../../src/elf/constants.js";
import { ElfFile } from "../../src/elf/model.js";
import { writeElf } from "../../src/elf/writer.js";

/** Writes dir/file with `info` as its .modinfo (key=value, in order) and returns its path. */
export function modinfoModule(
  dir: string,
  file: string,
  info: Record<string, string>,
  mode = 0o644,
): string {
  const ko = new ElfFile(file, {
    osabi: 0,
    abiversion: 0,
    type: ET_REL,
    machine: EM_X86_64,
    flags: 0,
  });
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
