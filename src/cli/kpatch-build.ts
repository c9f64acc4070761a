#!/usr/bin/env node
// kpatch-build: source patch in, livepatch module out. For now the object
// differ alone:
//   kpatch-build diff ORIG.o PATCHED.o -o OUT.o [--object vmlinux|MODULE]
//     [--symbols FILE] [--symvers FILE] [--entry-size SECTION=BYTES]... [--json]
import { parseArgs } from "node:util";
import { diffFiles, entrySizesFromEnv } from "../diff/run.js";
import { exitWith } from "./errors.js";

const program = "kpatch-build";
const usage = `usage: ${program} diff ORIG.o PATCHED.o -o OUT.o [--object vmlinux|MODULE]
         [--symbols vmlinux|FILE.ko|readelf-s.txt|System.map] [--symvers Module.symvers]
         [--entry-size SECTION=BYTES]... [--json]
  Prints each changed and new function. Exit status: 0 patch written,
  1 error, 2 unsafe change (refused), 3 no function changed.`;

function main(argv: string[]): void {
  const [cmd, ...rest] = argv;
  if (cmd !== "diff") {
    console.error(usage);
    process.exit(1);
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      output: { type: "string", short: "o" },
      object: { type: "string", default: "vmlinux" },
      symbols: { type: "string" },
      symvers: { type: "string" },
      "entry-size": { type: "string", multiple: true },
      json: { type: "boolean", default: false },
    },
  });
  if (positionals.length !== 2 || !values.output) {
    console.error(usage);
    process.exit(1);
  }
  const entrySizes = entrySizesFromEnv(process.env);
  for (const e of values["entry-size"] ?? []) {
    const m = /^(.+)=(\d+)$/.exec(e);
    if (!m) {
      console.error(`${program}: --entry-size takes SECTION=BYTES, not ${e}`);
      process.exit(1);
    }
    entrySizes[m[1]!] = Number(m[2]);
  }
  const r = diffFiles({
    orig: positionals[0]!, patched: positionals[1]!, output: values.output, object: values.object!,
    symbols: values.symbols, symvers: values.symvers, entrySizes,
  });
  if (values.json) {
    console.log(JSON.stringify(r, null, 2));
    return;
  }
  for (const c of r.changed) console.log(`changed function: ${c.name}`);
  for (const c of r.added) console.log(`new function:     ${c.name}`);
  for (const c of r.addedData) console.log(`new data:         ${c.name}`);
  for (const c of r.lineOnly) console.log(`line numbers only (not patched): ${c.name}`);
  for (const k of r.klp) console.log(`livepatch symbol: ${k.object}:${k.name},${k.pos}`);
  console.log(`output: ${r.output}`);
}

try {
  main(process.argv.slice(2));
} catch (e) {
  exitWith(program, e);
}
