// Kernel patch fixtures by name. Here rather than in test/support/, as the
// benchmarks build them too and import nothing from the tests.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
/** A patch by name: from examples/ (those the README and the demo show), else the fixtures. */
export const fixture = (p) => {
    const example = fileURLToPath(new URL(`../../../examples/${p}`, import.meta.url));
    return existsSync(example)
        ? example
        : fileURLToPath(new URL(`../../../test/fixtures/patches/${p}`, import.meta.url));
};
//# sourceMappingURL=patches.js.map