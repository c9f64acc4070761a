// What the build tests share: the test kernel's prepared tree, and evidence
// that a test left the host as it found it.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cacheRoot, sha256 } from "../../src/host/host.js";
import { testKernel } from "../../src/kernel/testkernel.js";
import { preparedTree } from "../../src/build/prepare.js";
/** Patches only these tests need. */
export const buildPatches = fileURLToPath(new URL("../../../test/kpatch-build/patches/", import.meta.url));
export async function testTree() {
    const kernel = await testKernel({ build: false });
    return { kernel, prepared: await preparedTree(kernel.source, kernel.configFile) };
}
/**
 * Contents and mtimes of the files a build session could touch in the
 * pristine source, the prepared tree and the test kernel's build, and the
 * mtimes of their directories.
 */
export function treeState(kernel, prepared) {
    const paths = [
        ...["", "fs/proc", "fs/proc/meminfo.c", "fs/proc/version.c", "net/ipv4/tcp.c", "Makefile"].map((p) => join(prepared.source.dir, p)),
        ...["", ".config", "Makefile", "include/generated/autoconf.h", "tools/objtool/objtool"].map((p) => join(prepared.dir, p)),
        ...["", "fs/proc", "fs/proc/meminfo.o", "fs/proc/.meminfo.o.cmd", "net/ipv4/tcp.o"].map((p) => join(kernel.buildDir, p)),
    ];
    return paths
        .map((p) => {
        const st = statSync(p);
        return `${p} ${st.mtimeMs} ${st.isFile() ? sha256(readFileSync(p)) : readdirSync(p).length}`;
    })
        .join("\n");
}
/** Mounts on the host that involve the cache: there must never be any. */
export function cacheMounts() {
    return readFileSync("/proc/mounts", "utf8")
        .split("\n")
        .filter((l) => l.includes(cacheRoot()));
}
/** Processes whose command line mentions `text` (a session directory). */
export function processesMentioning(text) {
    const found = [];
    for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
        const cmdline = readIfReadable(join("/proc", pid, "cmdline"));
        if (cmdline.includes(text))
            found.push(`${pid}: ${cmdline.replaceAll("\0", " ").slice(0, 200)}`);
    }
    return found;
}
function readIfReadable(file) {
    try {
        return readFileSync(file, "utf8");
    }
    catch {
        return ""; // the process ended meanwhile
    }
}
//# sourceMappingURL=support.js.map