// What Debian says an update fixes: the entries of linux-source's
// changelog.Debian after the running kernel's source version, up to the
// update's, with the CVEs they name. The changelog comes from the update's
// own linux-source package (only that member is extracted), as the archive
// carries no other record of what changed between two uploads.
import { gunzipSync } from "node:zlib";
import { join } from "node:path";
import { nodeHost } from "../host/host.js";
import { KpatchError } from "../errors.js";
import { aptLookup, extracted, gone } from "../kernel/apt.js";
const HEADER = /^(\S+) \(([^()\s]+)\) ([^;]+);/;
const TRAILER = /^ -- .+?  (.+)$/;
/** Every entry of a changelog.Debian, newest first, as dpkg-parsechangelog reads them. */
export function parseChangelog(text) {
    const entries = [];
    let entry;
    for (const line of text.split("\n")) {
        const head = HEADER.exec(line);
        if (head) {
            entry = { version: head[2], distribution: head[3], date: "", changes: [], cves: [] };
            entries.push(entry);
            continue;
        }
        if (!entry)
            continue;
        const tail = TRAILER.exec(line);
        if (tail)
            entry.date = tail[1].trim();
        else if (/^\s+[*-] /.test(line))
            entry.changes.push(line.trim());
        else if (/^\s{4,}\S/.test(line) && entry.changes.length) {
            entry.changes[entry.changes.length - 1] += ` ${line.trim()}`;
        }
    }
    for (const e of entries) {
        e.cves = [...new Set(e.changes.join(" ").match(/\bCVE-\d{4}-\d{4,7}\b/g) ?? [])].sort();
    }
    return entries;
}
/**
 * The entries newer than `from`, up to and including `to`; refused unless
 * both are in the changelog, `to` first: an update's changelog goes back
 * through every version it descends from.
 */
export function entriesBetween(entries, from, to) {
    const [i, j] = [
        entries.findIndex((e) => e.version === to),
        entries.findIndex((e) => e.version === from),
    ];
    if (i < 0 || j < 0 || j < i) {
        throw new KpatchError("input", `linux-source ${to}'s changelog does not descend from ${from}: ` +
            "the two are not one series' update of the other");
    }
    return entries.slice(i, j);
}
/** linux-source-SERIES's changelog at `version`, from its package in the archive. */
export async function sourceChangelog(series, version, host = nodeHost) {
    const pkg = `linux-source-${series}`;
    const p = await aptLookup(pkg, version, host);
    if (!p)
        throw new KpatchError("input", gone(`${pkg} ${version}`, "the update's changelog"));
    const member = `usr/share/doc/${pkg}/changelog.Debian.gz`;
    const root = await extracted(p, { members: [member] }, host);
    return parseChangelog(gunzipSync(host.readFile(join(root, member))).toString("utf8"));
}
//# sourceMappingURL=changelog.js.map