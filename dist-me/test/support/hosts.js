// This machine's host as a test needs to see it: through its own cache or
// environment (so that the test changes neither for the rest of its
// process), or with a record of the programs it ran.
import { checkCacheRoot, nodeHost } from "../../src/host/host.js";
/** `host` with cache root `cache` (checked as nodeHost checks its own) and `env` over its own. */
export function hostWith(over, host = nodeHost) {
    const { cache, env = {} } = over;
    if (cache !== undefined)
        checkCacheRoot(cache);
    return {
        ...host,
        env: (name) => env[name] ?? host.env(name),
        cacheRoot: cache === undefined ? () => host.cacheRoot() : () => cache,
    };
}
/** `host`, recording each program it runs as "cmd arg arg" in `ran`. */
export function recordingRuns(host = nodeHost) {
    const ran = [];
    return {
        ...host,
        ran,
        run: (cmd, args, options) => {
            ran.push([cmd, ...args].join(" "));
            return host.run(cmd, args, options);
        },
    };
}
//# sourceMappingURL=hosts.js.map