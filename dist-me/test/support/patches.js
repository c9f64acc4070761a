// Variants the tests derive from the kernel patch fixtures.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fixture } from "../../bench/support/patches.js";
/** shadow-callbacks.patch with a pre-patch callback that refuses (-EBUSY), written into `dir`. */
export function refusingCallbacksPatch(dir) {
    const text = readFileSync(fixture("shadow-callbacks.patch"), "utf8");
    const failing = text.replace('pre_patch\\n");\n+\treturn 0;', 'pre_patch\\n");\n+\treturn -EBUSY;');
    if (failing === text)
        throw new Error("shadow-callbacks.patch no longer has the pre-patch callback this variant edits");
    const file = join(dir, "shadow-callbacks-refused.patch");
    writeFileSync(file, failing);
    return file;
}
//# sourceMappingURL=patches.js.map