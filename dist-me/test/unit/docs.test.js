// Pins that the documentation holds together: every relative link between
// the README, docs/, the changelog and the man pages names a file that
// exists, and every #anchor a heading of that file, and every source file
// they name exists; the README stays a
// guide a user reads through, and keeps its two commands at the top.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
const root = fileURLToPath(new URL("../../../", import.meta.url));
const pages = [
    "README.md",
    "CHANGELOG.md",
    ...readdirSync(join(root, "docs"))
        .filter((f) => f.endsWith(".md"))
        .map((f) => `docs/${f}`),
];
/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
const slug = (heading) => heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");
function anchors(file) {
    const text = readFileSync(file, "utf8").replace(/^(`{3,})[^\n]*\n[\s\S]*?^\1$/gm, "");
    return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1])));
}
test("every relative link in the README, docs/ and the changelog resolves, anchors included", () => {
    const broken = [];
    for (const page of pages) {
        const text = readFileSync(join(root, page), "utf8").replace(/^(`{3,})[^\n]*\n[\s\S]*?^\1$/gm, "");
        for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
            if (/^[a-z]+:/.test(target))
                continue;
            const [path, anchor] = target.split("#");
            const file = path ? join(root, dirname(page), path) : join(root, page);
            if (!existsSync(file))
                broken.push(`${page}: ${target} (no ${relative(root, file)})`);
            else if (anchor && file.endsWith(".md") && !anchors(file).has(anchor))
                broken.push(`${page}: ${target} (no heading #${anchor})`);
        }
    }
    assert.deepEqual(broken, []);
});
test("every source file the README and docs/ name exists", () => {
    const missing = pages.flatMap((page) => [...readFileSync(join(root, page), "utf8").matchAll(/\b((?:src|test|bench)\/[\w./-]+\.ts)\b/g)]
        .map((m) => m[1])
        .filter((f) => !existsSync(join(root, f)))
        .map((f) => `${page}: ${f}`));
    assert.deepEqual(missing, []);
});
test("the README is a user's guide: its two commands first, at most about 400 lines", () => {
    const text = readFileSync(join(root, "README.md"), "utf8");
    assert.ok(text.split("\n").length <= 420, `${text.split("\n").length} lines`);
    const first = /```sh\n([\s\S]*?)```/.exec(text)?.[1] ?? "";
    assert.match(first, /^bash scripts\/setup\.sh && npm run demo$/m);
    assert.match(first, /^bash scripts\/setup\.sh && npm test$/m);
    // The CI script runs the README's test command.
    assert.match(readFileSync(join(root, ".ci/run"), "utf8"), /^npm test$/m);
    for (const doc of pages.filter((p) => p.startsWith("docs/"))) {
        assert.ok(text.includes(`](${doc})`), `the README points to ${doc}`);
    }
});
//# sourceMappingURL=docs.test.js.map