// SIGINT and SIGTERM during a build step: stop the processes it runs, let its
// cleanup run, then die of the same signal, as the caller asked.
import { AsyncLocalStorage } from "node:async_hooks";
import { HostError } from "../errors.js";
const signals = ["SIGINT", "SIGTERM"];
// Once caught, a signal holds for the rest of the process: a scope that starts
// afterwards (the next release of -k A -k B) starts aborted.
let caughtSignal;
// The signal of the innermost interruptible scope, per asynchronous flow
// (scopes may run side by side): every program started inside it is ended
// when it aborts, wherever it was started.
const ambient = new AsyncLocalStorage();
/** The signal that ends the programs started here and now, if any. */
export function ambientSignal() {
    return ambient.getStore();
}
/** The signal that interrupted this process, if one did. */
export function interruption() {
    return caughtSignal;
}
/**
 * Runs `body` with a signal that aborts on SIGINT/SIGTERM; the signal is
 * re-raised once `body` settles.
 */
export async function interruptible(body) {
    const controller = new AbortController();
    let caught;
    const onSignal = (sig) => {
        caught ??= sig;
        caughtSignal ??= sig;
        controller.abort(new HostError(`interrupted by ${sig}`));
    };
    for (const s of signals)
        process.on(s, onSignal);
    if (caughtSignal)
        onSignal(caughtSignal);
    try {
        return await ambient.run(controller.signal, () => body(controller.signal));
    }
    finally {
        for (const s of signals)
            process.off(s, onSignal);
        // With no listener left, the default action ends the process.
        if (caught && process.listenerCount(caught) === 0)
            process.kill(process.pid, caught);
    }
}
//# sourceMappingURL=interrupt.js.map