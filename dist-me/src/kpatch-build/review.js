// The review report beside each module (and beside each refusal):
// NAME.review.md, NAME.review.html and NAME.review.json, each written whole
// or not at all, and its summary in the module's .modinfo. A review that
// cannot be made is said, and the build stands.
import { isAbsolute, join, relative, resolve } from "node:path";
import { nodeHost, sha256 } from "../host/host.js";
import { progress, warn } from "../host/progress.js";
import { KpatchError } from "../errors.js";
import { checkModuleName } from "../names.js";
import { parsePatch } from "../patch/read.js";
import { buildReview } from "../review/review.js";
import { reviewHtml, reviewMarkdown, summaryLines } from "../review/render.js";
/** What a build knows of its target, for the report's last part. */
export function buildFacts(target, options, phases, host) {
    const config = host.readText(target.config);
    const get = (k) => new RegExp(`^${k}="?([^"\\n]*)"?$`, "m").exec(config)?.[1];
    return {
        release: target.release,
        source: target.source,
        configSha256: sha256(config),
        compiler: get("CONFIG_CC_VERSION_TEXT") ?? "(not recorded in the config)",
        options,
        phases,
        date: new Date().toISOString(),
    };
}
/** The review of a build, or undefined (with a warning) when it cannot be made. */
export async function makeReview(input, host) {
    try {
        return await buildReview(input(), host);
    }
    catch (e) {
        warn("review", `the review report was not made: ${e instanceof Error ? e.message : e}`);
        return undefined;
    }
}
/** Runs `step` of the review, saying it failed and why, instead of failing the build. */
export function safely(failed, step) {
    try {
        return step();
    }
    catch (e) {
        warn("review", `the review report: ${failed}: ${e instanceof Error ? e.message : e}`);
        return undefined;
    }
}
/** Writes the three forms of `review` into `outputDir`, as NAME.review.*. */
export function writeReview(review, outputDir, host) {
    const base = join(outputDir, `${review.name}.review`);
    const files = { markdown: `${base}.md`, html: `${base}.html`, json: `${base}.json` };
    // Rendered first: a page that fails to render leaves none of the three behind.
    const pages = [
        [files.json, `${JSON.stringify(review, null, 2)}\n`],
        [files.markdown, reviewMarkdown(review)],
        [files.html, reviewHtml(review)],
    ];
    for (const [file, text] of pages)
        host.writeFileAtomic(file, text);
    if (review.outcome === "refused") {
        progress("review", `the refusal's review: ${files.html} (and .md, .json)`);
    }
    return { ...files, summary: summaryLines(review) };
}
/**
 * What the module carries of its review (kpatch_review in .modinfo, shown
 * by `kpatch info --review`): the summary, each transition risk and each
 * question, in printable ASCII, each after its number.
 */
export function reviewModinfo(review) {
    const fns = review.objects.flatMap((o) => o.functions.map((f) => ({ o, f })));
    const lines = [
        ...summaryLines(review),
        ...fns.flatMap(({ o, f }) => f.risks.map((r) => `risk: ${o.object}: ${f.name}: ${r}`)),
        ...review.verdict.questions.map((q) => `question: ${q.function}: ${q.question}`),
    ];
    // Numbered: the compiler does not keep .modinfo entries in the order written.
    return lines
        .slice(0, 1000)
        .map((l, i) => [
        "kpatch_review",
        `${String(i + 1).padStart(4, "0")} ${l.replace(/[^\x20-\x7e]/g, "_")}`,
    ]);
}
// Kept with a session (--skip-cleanup), for `kpatch-build review SESSION-DIR`.
const INPUT = "review-input.json";
/** Keeps what the review is made of in the session, object paths relative to it. */
export function saveReviewInput(input, sessionDir, host) {
    const inside = (p) => (p.startsWith(`${sessionDir}/`) ? relative(sessionDir, p) : p);
    const objects = input.objects.map((o) => ({
        ...o,
        orig: inside(o.orig),
        patched: inside(o.patched),
    }));
    host.writeFileAtomic(join(sessionDir, INPUT), JSON.stringify({ ...input, objects }));
}
/** Makes the review again from a session kept with --skip-cleanup. */
export async function reviewSession(sessionDir, outputDir, host = nodeHost) {
    const file = join(sessionDir, INPUT);
    if (!host.exists(file)) {
        throw new KpatchError("input", `${sessionDir} holds no ${INPUT}: name a session kpatch-build kept (--skip-cleanup)`);
    }
    let input;
    try {
        input = JSON.parse(host.readText(file));
        if (!isReviewInput(input))
            throw new Error("shape");
    }
    catch {
        throw new KpatchError("input", `${file} is not a review input kpatch-build wrote`);
    }
    // The name makes the output's file names.
    checkModuleName(input.name, "input");
    // The patches as the build read them: from their text, not from what the file says it parsed.
    input.patches = input.patches.map((p) => parsePatch(p.file, p.text));
    const within = (p) => (isAbsolute(p) ? p : resolve(sessionDir, p));
    input.objects = input.objects.map((o) => ({
        ...o,
        orig: within(o.orig),
        patched: within(o.patched),
    }));
    return writeReview(await buildReview(input, host), outputDir, host);
}
/** Whether a parsed review-input.json has the shape buildReview reads (it may be hostile). */
function isReviewInput(x) {
    const o = x;
    const strings = (v) => Array.isArray(v) && v.every((s) => typeof s === "string");
    const each = (v, ok) => Array.isArray(v) && v.every((e) => typeof e === "object" && e !== null && ok(e));
    const b = o?.build;
    return (typeof o === "object" &&
        o !== null &&
        typeof o.name === "string" &&
        each(o.patches, (p) => typeof p.file === "string" && typeof p.text === "string") &&
        each(o.objects, (p) => typeof p.object === "string" &&
            typeof p.orig === "string" &&
            typeof p.patched === "string" &&
            (p.report === undefined || typeof p.report === "object")) &&
        each(o.skipped, (p) => typeof p.file === "string" && typeof p.why === "string") &&
        (o.refusal === undefined ||
            (typeof o.refusal.message === "string" &&
                strings(o.refusal.details))) &&
        each(o.layout, (l) => typeof l.type === "string" &&
            strings(l.added) &&
            strings(l.removed) &&
            strings(l.moved) &&
            Array.isArray(l.changed) &&
            l.changed.every((p) => strings(p) && p.length === 2)) &&
        typeof b === "object" &&
        b !== null &&
        ["release", "source", "configSha256", "compiler", "date"].every((k) => typeof b[k] === "string") &&
        Object.values((b.phases ?? {})).every((v) => typeof v === "number"));
}
//# sourceMappingURL=review.js.map