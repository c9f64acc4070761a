// Pins what the VM runner refuses before it starts QEMU.
import { test } from "node:test";
import assert from "node:assert/strict";
import { HostError } from "../../src/errors.js";
import { runInGuest } from "../../src/vm/qemu.js";
import { mkdtempSync, rmSync } from "node:fs";
import { hostWith } from "../support/hosts.js";
test("a cache under /tmp is refused before a guest boots: the guest's /tmp is its own", async () => {
    const cache = mkdtempSync("/tmp/kpatch-cache-");
    try {
        await assert.rejects(runInGuest({ kernel: "/nonexistent", script: "true", timeoutMs: 1000 }, hostWith({ cache })), (e) => e instanceof HostError &&
            /^the cache \/tmp\/.* is under \/tmp, .*set KPATCH_CACHE to a directory elsewhere$/.test(e.message));
    }
    finally {
        rmSync(cache, { recursive: true, force: true });
    }
});
//# sourceMappingURL=guest.test.js.map