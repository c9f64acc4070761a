// Every name a user or a patch gives that can reach a command line or a path
// is checked here, up front, before anything is downloaded, prepared or run:
// patched file paths, module names, release names. A patch is hostile input:
// a path like `--eval=$(shell id)/x.c` would be a make goal, and `../x.h` a
// file outside the tree. Each refusal names the rule that was broken.
import { basename, isAbsolute, normalize, resolve } from "node:path";
import { nodeHost, type Host } from "../host/host.js";
import { KpatchError } from "../errors.js";
import { MODULE_NAME_MAX, printable } from "../names.js";
import { patchedFiles } from "./patch.js";

export interface PatchInput {
  file: string;
  text: string;
  /** The source-relative paths it touches, each checked by checkSourcePath. */
  paths: string[];
}

/** Reads and checks patch files: each must be a unified diff whose paths stay inside the tree. */
export function readPatches(files: string[], host: Host = nodeHost): PatchInput[] {
  if (!files.length) throw new KpatchError("usage", "no patch given");
  return files.map((f) => {
    const file = resolve(f);
    let text: string;
    try {
      if (!host.stat(file).isFile())
        throw new KpatchError("input", `patch ${file} is not a regular file`);
      text = host.readText(file);
    } catch (e) {
      if (e instanceof KpatchError) throw e;
      throw new KpatchError(
        "input",
        `cannot read patch ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      );
    }
    // GNU patch also reads context diffs and git's copy headers: paths this parser would not see.
    const unread = /^(\*{15}$|copy (from|to) )/m.exec(text);
    if (unread)
      throw new KpatchError(
        "input",
        `${file}: '${unread[0]}...' lines are refused: ` +
          "give a unified diff (diff -u, git diff) without copies",
      );
    const paths = patchedFiles(text);
    if (!paths.length)
      throw new KpatchError(
        "input",
        `${file} is not a patch: it has no '--- a/FILE' / '+++ b/FILE' headers`,
      );
    for (const p of paths) checkSourcePath(p, file);
    return { file, text, paths };
  });
}

const PATH_RULES: [(p: string) => boolean, string][] = [
  [(p) => p.length > 0 && p.length <= 1024, "must be 1 to 1024 characters long"],
  [(p) => /^[A-Za-z0-9_.,+@/-]+$/.test(p), "may hold only letters, digits and _ . , + @ / -"],
  [
    (p) => !isAbsolute(p) && normalize(p) === p && !p.split("/").includes(".."),
    "must be a normalized path inside the tree (no leading /, no .., ./ or //)",
  ],
  [
    (p) => !p.split("/").some((c) => c.startsWith("-")),
    "must have no part starting with '-', which a command reads as an option",
  ],
];

/** Refuses a path a patch names unless it keeps every rule; returns it. */
export function checkSourcePath(path: string, patch: string): string {
  const broken = PATH_RULES.find(([ok]) => !ok(path));
  if (broken)
    throw new KpatchError(
      "input",
      `${patch}: the path '${printable(path)}' is refused: a patched path ${broken[1]}`,
    );
  return path;
}

/** Refuses what is not a CVE identifier (CVE-YYYY-NNNN...); returns it. */
export function checkCve(id: string): string {
  if (!/^CVE-\d{4}-\d{4,7}$/.test(id)) {
    throw new KpatchError(
      "usage",
      `--cve '${printable(id)}' is refused: a CVE identifier looks like CVE-2024-26925`,
    );
  }
  return id;
}

/** Refuses a description the module's .modinfo and a terminal should not carry; returns it. */
export function checkDescription(text: string): string {
  if (!/^[\x20-\x7e]{1,200}$/.test(text)) {
    throw new KpatchError(
      "usage",
      `--description '${printable(text)}' is refused: it may hold 1 to 200 printable ASCII ` +
        "characters",
    );
  }
  return text;
}

/** livepatch-<first patch's name>, made a valid module name and cut to the kernel's limit. */
export function defaultModuleName(patch: string): string {
  const base = basename(patch)
    .replace(/\.(patch|diff)$/, "")
    .replace(/[^A-Za-z0-9_-]+/g, "-");
  return `livepatch-${base}`.slice(0, MODULE_NAME_MAX).replace(/-+$/, "");
}
