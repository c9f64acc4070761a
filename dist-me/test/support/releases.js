// The Debian kernels the tests run on, chosen from the package lists on the
// day they run: the archive moves, so no test names a release.
import { availableTarget, debianReleases, newestRelease } from "../../src/kernel/debian.js";
import { installedVersion } from "../../src/kernel/apt.js";
/** The newest release of `series` in a flavour (amd64, cloud-amd64, rt-amd64). */
export const newest = (series, flavour = "amd64") => newestRelease(series, flavour);
/**
 * An older release of `series`, the newest one that the archive still has
 * whole and that was built from another linux-source version than the
 * installed one (if any), so that distro mode must fetch its source by
 * version; undefined on a day the archive has none (just after it dropped
 * the rest).
 */
export async function olderRelease(series) {
    const installed = await installedVersion(`linux-source-${series}`);
    const all = await debianReleases({ series, flavour: "amd64" });
    for (const { release } of all.slice(0, -1).reverse()) {
        const t = await availableTarget(release).catch(() => undefined);
        if (t && t.builtFrom !== installed)
            return { release, builtFrom: t.builtFrom };
    }
    return undefined;
}
/**
 * The release of `series` most tests run on: an older one where the archive
 * has it, else the newest.
 */
export async function someRelease(series) {
    const older = await olderRelease(series);
    if (older)
        return { ...older, older: true };
    const release = await newest(series);
    return { release, builtFrom: (await availableTarget(release)).builtFrom, older: false };
}
/** The 6.1 release most tests run on. */
export const some61 = () => someRelease("6.1");
/**
 * A release listed in the archive whose packages for distro mode are not all
 * there any more (Debian drops old -dbg packages and source versions), if any.
 */
export async function incomplete() {
    for (const { release } of await debianReleases({ flavour: "amd64" })) {
        if (!(await availableTarget(release).then(() => true, () => false)))
            return release;
    }
    return undefined;
}
//# sourceMappingURL=releases.js.map