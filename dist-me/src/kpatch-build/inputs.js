// kpatch-build's options that end in the module's .modinfo and its name
// (CVE identifiers, the description), checked up front, before anything
// runs; each refusal names the rule that was broken. Patches are checked as
// they are read (src/patch/read.ts).
import { basename } from "node:path";
import { KpatchError } from "../errors.js";
import { MODULE_NAME_MAX, printable } from "../names.js";
/** Refuses what is not a CVE identifier (CVE-YYYY-NNNN...); returns it. */
export function checkCve(id) {
    if (!/^CVE-\d{4}-\d{4,7}$/.test(id)) {
        throw new KpatchError("usage", `--cve '${printable(id)}' is refused: a CVE identifier looks like CVE-2024-26925`);
    }
    return id;
}
/** Refuses a description the module's .modinfo and a terminal should not carry; returns it. */
export function checkDescription(text) {
    if (!/^[\x20-\x7e]{1,200}$/.test(text)) {
        throw new KpatchError("usage", `--description '${printable(text)}' is refused: it may hold 1 to 200 printable ASCII ` +
            "characters");
    }
    return text;
}
/** livepatch-<first patch's name>, made a valid module name and cut to the kernel's limit. */
export function defaultModuleName(patch) {
    const base = basename(patch)
        .replace(/\.(patch|diff)$/, "")
        .replace(/[^A-Za-z0-9_-]+/g, "-");
    return `livepatch-${base}`.slice(0, MODULE_NAME_MAX).replace(/-+$/, "");
}
//# sourceMappingURL=inputs.js.map