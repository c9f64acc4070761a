// Small x86-64 relocatable objects the unit tests make by hand: an empty one,
// and a code section in it.
import { EM_X86_64, ET_REL, SHF, SHT } from "../../src/elf/constants.js";
import { ElfFile } from "../../src/elf/model.js";
/** An empty x86-64 relocatable object named `file`. */
export const x86Object = (file) => new ElfFile(file, { osabi: 0, abiversion: 0, type: ET_REL, machine: EM_X86_64, flags: 0 });
/** An allocated, executable PROGBITS section holding `code`. */
export const addCode = (elf, name, code) => elf.addSection({ name, type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.EXECINSTR, data: code });
//# sourceMappingURL=elf.js.map