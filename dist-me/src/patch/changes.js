// What the patches do to the C files they touch, read before anything is
// compiled from copies of those files the patches are applied to: the
// struct and union layouts they change, and where each file's lines moved.
import { dirname, join } from "node:path";
import { layoutChanges } from "./layout.js";
import { LineMap } from "./lines.js";
import { hunkOffsets, PATCH_OPTIONS } from "./patch.js";
/**
 * Applies each patch's `patches` sections in turn to copies of the `paths`
 * of `sourceDir` in a scratch directory. A patch that does not apply is left
 * for the build session to report.
 */
export async function readSourceChanges(sourceDir, patches, paths, host) {
    const scratch = host.makeTempDir(host.cacheRoot(), "layout-");
    const tmp = join(scratch, "tree");
    try {
        const files = paths.filter((f) => /\.[ch]$/.test(f));
        host.makeDirs(tmp);
        for (const f of files) {
            if (!host.exists(join(sourceDir, f)))
                continue;
            host.makeDirs(dirname(join(tmp, f)));
            host.copyFile(join(sourceDir, f), join(tmp, f));
        }
        // Each file's hunks, patch by patch (section by section), as patch(1) applied them.
        const steps = new Map(files.map((f) => [f, []]));
        for (const [i, sections] of patches.entries()) {
            const p = join(scratch, `${i}.patch`);
            host.writeFile(p, sections.map((s) => s.text).join(""));
            const r = await host.run("patch", [...PATCH_OPTIONS, "-d", tmp, "-i", p], {
                allowFailure: true,
            });
            if (r.code !== 0)
                return { layout: [], lineMaps: [] };
            const applied = hunkOffsets(r.stdout);
            for (const s of sections) {
                const step = s.file === undefined ? undefined : steps.get(s.file);
                // The offsets patch printed for this file's next section.
                const at = applied.findIndex((a) => a.file === s.file);
                const offsets = at < 0 ? undefined : applied.splice(at, 1)[0].offsets;
                step?.push(s.hunks.map((h, n) => ({ ...h, oldStart: h.oldStart + (offsets?.get(n + 1) ?? 0) })));
            }
        }
        const old = (f) => host.readIfExists(join(sourceDir, f));
        const changes = files.flatMap((f) => layoutChanges(f, old(f) ?? "", host.readIfExists(join(tmp, f)) ?? ""));
        if (changes.length)
            return { layout: changes, lineMaps: [] };
        const both = files.filter((f) => host.exists(join(sourceDir, f)) && host.exists(join(tmp, f)));
        const lineMaps = both.map((f) => LineMap.fromHunks(steps.get(f), old(f).replace(/\n$/, "").split("\n").length));
        return { layout: [], lineMaps };
    }
    finally {
        host.remove(scratch);
    }
}
//# sourceMappingURL=changes.js.map