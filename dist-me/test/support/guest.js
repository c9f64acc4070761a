// The kpatch command as a guest runs it: from a copy of this build under the
// cache, since the guest sees the host's files read-only except /tmp, which
// is its own (and a CI checkout may live under /tmp).
import { copyFileSync, cpSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
/** Copies the build into `dir`/app and returns the path of its kpatch command. */
export function kpatchForGuest(dir) {
    const app = join(dir, "app");
    rmSync(app, { recursive: true, force: true });
    cpSync(fileURLToPath(new URL("../../", import.meta.url)), join(app, "dist"), { recursive: true });
    copyFileSync(fileURLToPath(new URL("../../../package.json", import.meta.url)), join(app, "package.json"));
    return join(app, "dist", "src", "cli", "kpatch.js");
}
//# sourceMappingURL=guest.js.map