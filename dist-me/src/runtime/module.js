// What a patch module says of itself, from its .modinfo: its name, the
// release it is for, what it fixes. Every command that takes a module file
// reads it here first.
import { readElf } from "../elf/reader.js";
import { modinfo } from "../elf/model.js";
import { nodeHost } from "../host/host.js";
import { KpatchError } from "../errors.js";
import { moduleName } from "../kernel/modules.js";
import { readTrusted } from "../host/trusted.js";
import { checkModuleName, escaped } from "../names.js";
/** uname -r */
export const runningRelease = (host = nodeHost) => host.runningKernel().release;
/** A patch module named by path, read once (see readTrusted). */
export function readModule(file) {
    return moduleInfo(file, readTrusted(file));
}
/** What patch module `bytes` says of itself; `file` names it. */
export function moduleInfo(file, bytes) {
    // Sections only: a hostile module's symbol table is never parsed.
    const info = modinfo(readElf(bytes, file, { symbols: false }));
    const get = (k) => info.find(([key]) => key === k)?.[1];
    if (get("livepatch") !== "Y")
        throw new KpatchError("input", `${escaped(file)} is not a livepatch module (no livepatch=Y in its modinfo)`);
    // The name reaches sysfs paths, rmmod and the terminal.
    const name = checkModuleName(get("name") ?? moduleName(file), "input");
    return {
        file,
        name,
        release: (get("vermagic") ?? "").split(" ")[0],
        modinfo: info,
        functions: info.filter(([k]) => k === "kpatch_func").map(([, v]) => v),
        description: get("description") ?? "",
        cves: cvesOf(info, "kpatch_cve"),
        ...updateInfo(get, cvesOf(info, "kpatch_update_cve")),
    };
}
/** Only what is shaped like one: the values reach terminals and scanners. */
function cvesOf(info, key) {
    return info
        .filter(([k, v]) => k === key && /^CVE-\d{4}-\d{4,7}$/.test(v))
        .map(([, v]) => v)
        .sort();
}
/** The update a module carries, when every field is there and shaped as kpatch-build writes it. */
function updateInfo(get, cves) {
    const [version, from, live, changes] = ["", "_from", "_live", "_changes"].map((k) => get(`kpatch_update${k}`));
    const debian = /^[0-9][A-Za-z0-9.+~-]{0,63}$/;
    const count = /^\d{1,6}$/;
    if (!version || !from || !live || !changes)
        return {};
    if (!debian.test(version) || !debian.test(from) || !count.test(live) || !count.test(changes)) {
        return {};
    }
    return { update: { version, from, live: Number(live), changes: Number(changes), cves } };
}
//# sourceMappingURL=module.js.map