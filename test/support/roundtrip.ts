// Reads and writes back objects with the project's ELF layer and reports every
// difference binutils can see between each input and its copy.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readElf } from "../../src/elf/reader.js";
import { writeElf } from "../../src/elf/writer.js";
import { disassembly, readelfViews } from "./binutils.js";

export interface RoundTripResult {
  files: number;
  bytes: number;
  /** One line per file that differs, naming the first difference. */
  mismatches: string[];
}

/** Round-trips `files` into `outDir` (flat, numbered names) and compares readelf and objdump views. */
export async function roundTrip(files: string[], outDir: string, batch = 64): Promise<RoundTripResult> {
  mkdirSync(outDir, { recursive: true });
  const result: RoundTripResult = { files: 0, bytes: 0, mismatches: [] };
  for (let i = 0; i < files.length; i += batch) {
    const inputs = files.slice(i, i + batch);
    const copies = inputs.map((f, j) => {
      const bytes = readFileSync(f);
      result.bytes += bytes.length;
      const copy = join(outDir, `${i + j}.o`);
      writeFileSync(copy, writeElf(readElf(bytes, f)));
      return copy;
    });
    const [va, vb, da, db] = await Promise.all([readelfViews(inputs), readelfViews(copies), disassembly(inputs), disassembly(copies)]);
    inputs.forEach((f, j) => {
      const a = va.get(f)!;
      const b = vb.get(copies[j]!)!;
      const why = firstDifference(a.text, b.text, "readelf")
        ?? [...a.contents].map(([nr, bytes]) => (b.contents.get(nr)?.equals(bytes) ? undefined : `contents of section [${nr}] differ`)).find(Boolean)
        ?? firstDifference(da.get(f)!, db.get(copies[j]!)!, "objdump -d -r");
      if (why) result.mismatches.push(`${f}: ${why}`);
    });
    result.files += inputs.length;
  }
  return result;
}

function firstDifference(a: string, b: string, tool: string): string | undefined {
  if (a === b) return undefined;
  const la = a.split("\n");
  const lb = b.split("\n");
  const i = la.findIndex((line, k) => line !== lb[k]);
  const at = i < 0 ? la.length : i;
  return `${tool} differs at line ${at + 1}: '${la[at]?.trim()}' vs '${lb[at]?.trim()}'`;
}
