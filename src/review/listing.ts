// Function listings for the review: each instruction of an object's
// functions as a reader compares them, with relocation targets by symbol
// name (and strings by their text), jumps inside the function by label, and
// the source lines it comes from, inlined callers included. binutils'
// objdump disassembles and reads the line tables; the differ's own decoder
// only needs lengths, and a reviewer needs mnemonics.
import type { Host } from "../host/host.js";
import type { ElfFile } from "../elf/model.js";

/** A source position; `fn` is the function whose code it is (an inlined callee's, maybe). */
export interface SourcePosition {
  file: string;
  line: number;
  fn: string;
}

export interface Instruction {
  offset: number;
  /** Mnemonic and operands, normalized so that equal code in ORIG and PATCHED reads equal. */
  text: string;
  /** Innermost first: the line of the code itself, then each line that inlined it. */
  at: SourcePosition[];
  /** The symbol its relocation names, if it has one (without the addend). */
  ref?: string;
}

export interface FunctionListing {
  name: string;
  section: string;
  instructions: Instruction[];
}

/** Lists every function of `file` (its ELF model `elf`, for string contents), by name. */
export async function listFunctions(
  file: string,
  elf: ElfFile,
  host: Host,
): Promise<Map<string, FunctionListing>> {
  const r = await host.run("objdump", [
    "-d",
    "-l",
    "-r",
    "--inlines",
    "--no-show-raw-insn",
    "-w",
    file,
  ]);
  return parseListing(r.stdout, elf);
}

export function parseListing(text: string, elf: ElfFile): Map<string, FunctionListing> {
  const functions = new Map<string, FunctionListing>();
  let section = "";
  let current: FunctionListing | undefined;
  let fn = "";
  let at: SourcePosition[] = [];
  let fresh = false;
  // Whether an instruction came since the last position line.
  let listed = false;
  for (const line of text.split("\n")) {
    let m: RegExpExecArray | null;
    if ((m = /^Disassembly of section (\S+):$/.exec(line))) {
      section = m[1]!;
      current = undefined;
    } else if ((m = /^[0-9a-f]{16} <([^>]+)>:$/.exec(line))) {
      // The padding before a function reads as "<name-0x10>": not a function.
      current = /[-+]0x[0-9a-f]+$/.test(m[1]!)
        ? undefined
        : { name: m[1]!, section, instructions: [] };
      if (current) functions.set(current.name, current);
      at = [];
    } else if ((m = /^([\w.$]+)\(\):$/.exec(line))) {
      fn = m[1]!;
      fresh = true;
    } else if ((m = /^inlined by (\S+):(\d+)(?: \(discriminator \d+\))? \(([^)]+)\)$/.exec(line))) {
      // objdump repeats a chain without its innermost line when only that stayed.
      if (listed) at = at.slice(0, 1);
      listed = false;
      at.push({ file: m[1]!, line: Number(m[2]), fn: m[3]! });
    } else if ((m = /^(\/\S+|\S+\.[chS]):(\d+)(?: \(discriminator \d+\))?$/.exec(line))) {
      // A new innermost position starts a new chain; "inlined by" lines extend it.
      at = [{ file: m[1]!, line: Number(m[2]), fn: fresh || !at.length ? fn : at[0]!.fn }];
      fresh = listed = false;
    } else if ((m = /^\s+([0-9a-f]+):\t(.*)$/.exec(line)) && current) {
      // With -w, a relocation follows its instruction on the same line.
      const [insn, reloc] = m[2]!.split(/\s+[0-9a-f]+: R_X86_64_\w+\s+/);
      const text = reloc ? withRelocation(insn!, reloc.trim(), elf) : insn!;
      const ref = reloc?.trim().replace(/[-+]0x[0-9a-f]+$/, "");
      current.instructions.push({ offset: parseInt(m[1]!, 16), text, at: [...at], ref });
      listed = true;
    }
  }
  for (const f of functions.values()) f.instructions = labelled(f);
  return functions;
}

/** The instruction with its relocation's target written in, objdump's placeholder dropped. */
function withRelocation(insn: string, target: string, elf: ElfFile): string {
  const shown = stringAt(target, elf) ?? target.replace(/-0x4$/, "");
  const bare = insn.replace(/\s+#.*$/, "");
  // call/jmp to a symbol: objdump shows the next instruction's address as the target.
  const branch = /^(call|jmp)\s+[0-9a-f]+ <[^>]+>$/.exec(bare);
  if (branch) return `${branch[1]} ${shown}`;
  return `${bare.replace(/\b0x0(?=\(|,|$)/, shown).replace(/\$0x0\b/, `$${shown}`)}`;
}

/** `"text"` for a relocation into a string section (.rodata.str1.1+0x45, .LC3), else undefined. */
function stringAt(target: string, elf: ElfFile): string | undefined {
  const m = /^(\.rodata[\w.]*\.str\d[\w.]*)([-+]0x[0-9a-f]+)?$/.exec(target);
  if (!m) return undefined;
  const data = elf.sections.find((s) => s.name === m[1])?.data;
  if (!data) return undefined;
  const addend = m[2] ? Number.parseInt(m[2].replace("0x", ""), 16) : 0;
  // PC-relative uses carry -4; the string starts where the byte before is NUL.
  const start = [addend + 4, addend].find((o) => o >= 0 && o < data.length && !data[o - 1]);
  if (start === undefined) return undefined;
  const end = data.indexOf(0, start);
  const s = Buffer.from(data.subarray(start, end < 0 ? data.length : end)).toString("latin1");
  return JSON.stringify(s.length > 48 ? `${s.slice(0, 45)}...` : s);
}

/** Jumps inside the function point at labels (L1, L2, ...), which move with the code. */
function labelled(f: FunctionListing): Instruction[] {
  const target = (insn: Instruction) => {
    const m = new RegExp(
      `^(j\\w+|call|loop\\w*)\\s+([0-9a-f]+) <${escape(f.name)}(\\+0x[0-9a-f]+)?>$`,
    ).exec(insn.text.replace(/\s+#.*$/, ""));
    return m ? { op: m[1]!, to: parseInt(m[2]!, 16) } : undefined;
  };
  const targets = [...new Set(f.instructions.flatMap((i) => target(i)?.to ?? []))].sort(
    (a, b) => a - b,
  );
  const label = new Map(targets.map((t, i) => [t, `L${i + 1}`]));
  return f.instructions.map((insn) => {
    const t = target(insn);
    const text = t
      ? `${t.op} ${label.get(t.to)}`
      : insn.text
          .replace(/\s+#.*$/, "")
          .replace(/\s+/g, " ")
          .trim();
    const here = label.get(insn.offset);
    return { ...insn, text: here ? `${here}: ${text}` : text };
  });
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
