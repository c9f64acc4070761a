// The review report beside each module (and beside each refusal):
// NAME.review.md, NAME.review.html and NAME.review.json, written whole or
// not at all. A report that cannot be made is said, and the build stands.
import { join } from "node:path";
import { sha256, type Host } from "../host/host.js";
import { warn } from "../host/progress.js";
import { buildReview, type BuildFacts, type ReviewInput } from "../review/review.js";
import { reviewHtml, reviewMarkdown, summaryLines } from "../review/render.js";

export interface ReviewFiles {
  markdown: string;
  html: string;
  json: string;
  /** The lines kpatch-build prints. */
  summary: string[];
}

/** What a build knows of its target, for the report's last part. */
export function buildFacts(
  target: { release: string; source: string; config: string },
  options: Record<string, string | boolean>,
  phases: Record<string, number>,
  host: Host,
): BuildFacts {
  const config = host.readText(target.config);
  const get = (k: string) => new RegExp(`^${k}="?([^"\\n]*)"?$`, "m").exec(config)?.[1];
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

/** Writes the three reports for `name` into `outputDir`; undefined (with a warning) on failure. */
export async function writeReview(
  input: ReviewInput,
  outputDir: string,
  host: Host,
): Promise<ReviewFiles | undefined> {
  try {
    const review = await buildReview(input, host);
    const base = join(outputDir, `${input.name}.review`);
    const files = { markdown: `${base}.md`, html: `${base}.html`, json: `${base}.json` };
    host.writeFileAtomic(files.json, `${JSON.stringify(review, null, 2)}\n`);
    host.writeFileAtomic(files.markdown, reviewMarkdown(review));
    host.writeFileAtomic(files.html, reviewHtml(review));
    return { ...files, summary: summaryLines(review) };
  } catch (e) {
    warn("review", `the review report was not written: ${e instanceof Error ? e.message : e}`);
    return undefined;
  }
}
