// Build steps run in a mount namespace of their own (unshare --mount). The
// mounts they need exist only for that process tree and go away with it
// however it ends, even by SIGKILL, so no mount is ever left behind on the
// host. It also lets a tree be mounted at its own path: kbuild records the
// absolute paths of the source and build trees (in .cmd files and in the
// objtool build), and a tree seen at another path is largely rebuilt.
// A PID namespace tied to the caller's life (parent-death signal, then
// --kill-child) ends every process of the step if the caller is killed
// outright, when no cleanup code of its own can run.
import { dirname } from "node:path";
import { nodeHost } from "./host.js";
import { KpatchError } from "../errors.js";
/**
 * Runs `script` with sh -eu, `args` as $1..., after making `mounts` in order
 * in a private mount namespace.
 */
export function runWithMounts(mounts, script, args, opts = {}, host = nodeHost) {
    const lines = [...mounts.map(mountCommand), script];
    const unshare = ["unshare", "--mount", "--propagation", "private", "--pid", "--kill-child"];
    return host.run("setpriv", ["--pdeathsig", "KILL", ...unshare, "sh", "-euc", lines.join("\n"), "sh", ...args], opts);
}
/**
 * Shows scratch directory `tmp` at `dir`, the path it is to be published at
 * (kbuild records it). A tmpfs over dir's parent comes first, so that `dir`
 * can be mounted on without ever being a mount point on the host (renaming
 * the scratch into place would fail); it hides the parent's other entries,
 * so the scratch must be elsewhere.
 */
export function atFinalPath(tmp, dir) {
    return [
        { type: "tmpfs", at: dirname(dir) },
        { type: "bind", from: tmp, at: dir },
    ];
}
function mountCommand(m) {
    switch (m.type) {
        case "overlay": {
            // The option string cannot quote its separators.
            const paths = [m.lower, m.upper, m.work];
            const bad = paths.find((p) => /[,:]/.test(p));
            if (bad)
                throw new KpatchError("input", `cannot mount an overlay of ${bad}: the path contains ',' or ':'`);
            return ("mount -t overlay overlay -o " +
                `${shq(`lowerdir=${m.lower},upperdir=${m.upper},workdir=${m.work}`)} ${shq(m.at)}`);
        }
        case "bind":
            return `mkdir -p ${shq(m.at)} && mount --bind ${shq(m.from)} ${shq(m.at)}`;
        case "tmpfs":
            return `mount -t tmpfs tmpfs ${shq(m.at)}`;
    }
}
/** `s` as one word of sh. */
export function shq(s) {
    return `'${s.replaceAll("'", `'\\''`)}'`;
}
//# sourceMappingURL=namespace.js.map