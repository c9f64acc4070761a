// Changes Debian's own updates made, as patches: what a user would want live
// on the release before the update. Chosen from the package lists on the
// day, never named by release.
import { join } from "node:path";
import { debianUpdates } from "../../src/kernel/debian.js";
import { kernelSource } from "../../src/kernel/source.js";
import { run } from "../../src/host/host.js";
/**
 * The newest update of `series` that changed `file`, with that change as a
 * -p1 patch; undefined when no update the archive still has changed it.
 */
export async function updateChange(series, file) {
    for (const update of await debianUpdates(series)) {
        const [a, b] = await Promise.all([
            kernelSource(series, update.from),
            kernelSource(series, update.to),
        ]);
        const diff = await run("diff", ["-u", "--label", `a/${file}`, "--label", `b/${file}`, join(a.dir, file), join(b.dir, file)], { allowFailure: true });
        if (diff.code === 1)
            return { ...update, patch: diff.stdout };
    }
    return undefined;
}
//# sourceMappingURL=updates.js.map