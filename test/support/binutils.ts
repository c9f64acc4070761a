// What binutils see in an object, normalised for comparing an input object
// with the same object after a read/write round trip: file offsets and the
// sizes of rebuilt string tables are layout, not meaning, and are dropped.
import { readFileSync } from "node:fs";
import { run } from "../../src/host/host.js";

export interface ObjectView {
  /** readelf -W -S -s -r -g text, normalised. */
  text: string;
  /** Bytes of each section whose contents the writer copies as they are, by section number. */
  contents: Map<number, Buffer>;
}

// [Nr] Name Type Address Off Size ES Flg Lk Inf Al; one type name has spaces.
const SHDR_LINE = /^(\s*\[\s*(\d+)\]\s+(\S*)\s+(SYMTAB SECTION INDICES|\S+)\s+[0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)(\s.*)$/;

/** Runs readelf once over many files; returns each file's normalised view. */
export async function readelfViews(files: string[]): Promise<Map<string, ObjectView>> {
  const out = await run("readelf", ["-W", "-S", "-s", "-r", "-g", ...files], { allowFailure: true });
  if (out.stderr.trim()) throw new Error(`readelf complained: ${out.stderr.trim().split("\n").slice(0, 5).join("\n")}`);
  const views = new Map<string, ObjectView>();
  for (const [file, body] of splitByFile(out.stdout, files, /^File: (.*)$/m)) {
    const bytes = readFileSync(file);
    const contents = new Map<number, Buffer>();
    const lines = body.split("\n").map((line) => {
      const m = SHDR_LINE.exec(line);
      if (!m) return line.replace(/ at offset 0x[0-9a-f]+/, "").replace(/starting at offset 0x[0-9a-f]+/, "");
      const [, head, nr, , type, off, size, tail] = m;
      const rebuilt = type === "STRTAB" || type === "SYMTAB";
      if (!rebuilt && type !== "NOBITS") {
        const o = parseInt(off!, 16);
        contents.set(Number(nr), bytes.subarray(o, o + parseInt(size!, 16)));
      }
      return `${head} ${rebuilt && type === "STRTAB" ? "-" : size}${tail}`;
    });
    views.set(file, { text: lines.join("\n"), contents });
  }
  return views;
}

/** objdump -d -r over many files: each file's disassembly with its file name line removed. */
export async function disassembly(files: string[]): Promise<Map<string, string>> {
  const out = await run("objdump", ["-d", "-r", ...files], { allowFailure: true });
  return splitByFile(out.stdout, files, /^(.*):\s+file format .*$/m);
}

function splitByFile(text: string, files: string[], header: RegExp): Map<string, string> {
  const result = new Map<string, string>();
  const global = new RegExp(header.source, "gm");
  const marks = [...text.matchAll(global)];
  // readelf names the file only when given several.
  if (marks.length === 0 && files.length === 1) return new Map([[files[0]!, text]]);
  marks.forEach((m, i) => {
    const end = i + 1 < marks.length ? marks[i + 1]!.index! : text.length;
    result.set(m[1]!, text.slice(m.index! + m[0].length, end));
  });
  for (const f of files) if (!result.has(f)) throw new Error(`no output for ${f}`);
  return result;
}
