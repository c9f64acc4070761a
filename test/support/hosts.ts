// This machine's host as a test needs to see it: through its own cache or
// environment (so that the test changes neither for the rest of its
// process), or with a record of the programs it ran.
import { checkCacheRoot, nodeHost, type Host } from "../../src/host/host.js";

/** `host` with cache root `cache` (checked as nodeHost checks its own) and `env` over its own. */
export function hostWith(
  over: { cache?: string; env?: Record<string, string> },
  host: Host = nodeHost,
): Host {
  const { cache, env = {} } = over;
  if (cache !== undefined) checkCacheRoot(cache);
  return {
    ...host,
    env: (name) => env[name] ?? host.env(name),
    cacheRoot: cache === undefined ? () => host.cacheRoot() : () => cache,
  };
}

/** `host`, recording each program it runs as "cmd arg arg" in `ran`. */
export function recordingRuns(host: Host = nodeHost): Host & { ran: string[] } {
  const ran: string[] = [];
  return {
    ...host,
    ran,
    run: (cmd, args, options) => {
      ran.push([cmd, ...args].join(" "));
      return host.run(cmd, args, options);
    },
  };
}
