// Pins that the ELF layer reads and writes back every relocatable object of a
// real kernel build without a difference readelf or objdump can see.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testKernel } from "../../src/kernel/testkernel.js";
import { buildObjects } from "../../src/kernel/objects.js";
import { roundTrip } from "../support/roundtrip.js";
test("every ELF64 object of the test kernel build round-trips unchanged", async () => {
    const kernel = await testKernel({ build: false });
    const { elf64, other } = buildObjects(kernel.buildDir);
    assert.ok(elf64.length > 1000, `expected over a thousand objects, found ${elf64.length}`);
    const out = mkdtempSync(join(tmpdir(), "kpatch-rt-"));
    try {
        const t0 = Date.now();
        const r = await roundTrip(elf64, out);
        console.log(`round trip: ${r.files} objects (${(r.bytes / 1e6).toFixed(0)} MB) in ${((Date.now() - t0) / 1000).toFixed(1)} s; ${other.length} non-ELF64 objects (boot/real-mode code) not in scope`);
        assert.deepEqual(r.mismatches, []);
        assert.equal(r.files, elf64.length);
    }
    finally {
        rmSync(out, { recursive: true, force: true });
    }
});
//# sourceMappingURL=elf-roundtrip.test.js.map