// Kernel patch fixtures, and variants the tests derive from them.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** A patch by name: from examples/ (those the README and the demo show), else the fixtures. */
export const fixture = (p: string) => {
  const example = fileURLToPath(new URL(`../../../examples/${p}`, import.meta.url));
  return existsSync(example)
    ? example
    : fileURLToPath(new URL(`../../../test/fixtures/patches/${p}`, import.meta.url));
};

/** shadow-callbacks.patch with a pre-patch callback that refuses (-EBUSY), written into `dir`. */
export function refusingCallbacksPatch(dir: string): string {
  const text = readFileSync(fixture("shadow-callbacks.patch"), "utf8");
  const failing = text.replace(
    'pre_patch\\n");\n+\treturn 0;',
    'pre_patch\\n");\n+\treturn -EBUSY;',
  );
  if (failing === text)
    throw new Error(
      "shadow-callbacks.patch no longer has the pre-patch callback this variant edits",
    );
  const file = join(dir, "shadow-callbacks-refused.patch");
  writeFileSync(file, failing);
  return file;
}
