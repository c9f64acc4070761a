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
  /** The label of a jump target inside the function (L1, L2, ...). */
  label?: string;
  /** Innermost first: the line of the code itself, then each line that inlined it. */
  at: SourcePosition[];
  /** The symbols its relocations name, without addends. */
  refs: string[];
}

/** An instruction as the side-by-side diff shows it: with its label. */
export const shown = (i: Instruction) => (i.label ? `${i.label}: ${i.text}` : i.text);

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
  const relocations = new Map<Instruction, Relocation[]>();
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
      // With -w, an instruction's first relocation follows it on the same line.
      const r = /^(.*?)\s+([0-9a-f]+): (R_X86_64_\w+)\s+(\S+)$/.exec(m[2]!);
      // The chain is shared, not copied: it is only ever replaced once an instruction holds it.
      const insn = { offset: parseInt(m[1]!, 16), text: r ? r[1]! : m[2]!, at, refs: [] };
      current.instructions.push(insn);
      relocations.set(insn, r ? [{ offset: parseInt(r[2]!, 16), type: r[3]!, target: r[4]! }] : []);
      listed = true;
    } else if ((m = /^\s+([0-9a-f]+): (R_X86_64_\w+)\s+(\S+)$/.exec(line)) && current) {
      // Its further relocations (an immediate and a displacement) on lines of their own.
      const last = current.instructions.at(-1);
      if (last)
        relocations.get(last)?.push({ offset: parseInt(m[1]!, 16), type: m[2]!, target: m[3]! });
    }
  }
  // A PC-relative field counts from the next instruction: each is written in once all are read.
  for (const f of functions.values()) {
    f.instructions.forEach((insn, k) => {
      const next = f.instructions[k + 1]?.offset;
      for (const r of relocations.get(insn) ?? [])
        relocate(insn, r, (next ?? r.offset + 4) - r.offset, elf);
    });
  }
  for (const f of functions.values()) f.instructions = labelled(f);
  return functions;
}

/**
 * Writes a relocation's target into the instruction in place of objdump's
 * 0x0 placeholder: a PC-relative one is the call's target or the %rip
 * displacement, an absolute one the immediate, else the displacement.
 */
interface Relocation {
  offset: number;
  type: string;
  target: string;
}

function relocate(insn: Instruction, r: Relocation, toNext: number, elf: ElfFile): void {
  const { type, target } = r;
  const pcRelative = /PC32|PLT32|GOTPCREL/.test(type);
  const addend = /([-+])0x([0-9a-f]+)$/.exec(target);
  const value = addend ? (addend[1] === "-" ? -1 : 1) * parseInt(addend[2]!, 16) : 0;
  const symbol = target.replace(/[-+]0x[0-9a-f]+$/, "");
  insn.refs.push(symbol);
  // A PC-relative addend counts from the field, the CPU from the next instruction.
  const at = value + (pcRelative ? toNext : 0);
  const name =
    stringAt(symbol, at, elf) ??
    (at ? `${symbol}${at > 0 ? "+" : "-"}0x${Math.abs(at).toString(16)}` : symbol);
  const bare = insn.text.replace(/\s+#.*$/, "");
  // call/jmp to a symbol: objdump shows the next instruction's address as the target.
  const branch = /^(call|jmp)\s+[0-9a-f]+ <[^>]+>$/.exec(bare);
  if (branch && pcRelative) insn.text = `${branch[1]} ${name}`;
  else if (pcRelative) insn.text = bare.replace(/\b0x0(?=\(%rip\))/, name);
  else if (/\$0x0\b/.test(bare)) insn.text = bare.replace(/\$0x0\b/, `$${name}`);
  else insn.text = bare.replace(/\b0x0(?=\(|,|$)/, name);
}

/** `"text"` for the string at `offset` of a string section (.rodata.str1.1), else undefined. */
function stringAt(section: string, offset: number, elf: ElfFile): string | undefined {
  if (!/^\.rodata[\w.]*\.str\d[\w.]*$/.test(section)) return undefined;
  const data = elf.sections.find((s) => s.name === section)?.data;
  if (!data || offset < 0 || offset >= data.length) return undefined;
  const start = offset;
  const end = data.indexOf(0, start);
  const s = Buffer.from(data.subarray(start, end < 0 ? data.length : end)).toString("latin1");
  return JSON.stringify(s.length > 48 ? `${s.slice(0, 45)}...` : s);
}

/** Jumps inside the function point at labels (L1, L2, ...), which move with the code. */
function labelled(f: FunctionListing): Instruction[] {
  const jump = new RegExp(
    `^(j\\w+|call|loop\\w*)\\s+([0-9a-f]+) <${escapeRegExp(f.name)}(\\+0x[0-9a-f]+)?>$`,
  );
  const jumps = f.instructions.map((insn) => {
    const m = jump.exec(insn.text.replace(/\s+#.*$/, ""));
    return m ? { op: m[1]!, to: parseInt(m[2]!, 16) } : undefined;
  });
  const targets = [...new Set(jumps.flatMap((j) => j?.to ?? []))].sort((a, b) => a - b);
  const label = new Map(targets.map((t, i) => [t, `L${i + 1}`]));
  return f.instructions.map((insn, k) => {
    const t = jumps[k];
    const text = t
      ? `${t.op} ${label.get(t.to)}`
      : insn.text
          .replace(/\s+#.*$/, "")
          .replace(/\s+/g, " ")
          .trim();
    return { ...insn, text, label: label.get(insn.offset) };
  });
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
