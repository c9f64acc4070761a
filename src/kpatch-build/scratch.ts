// Scratch directories carry the id of the process that owns them, so that
// what a killed process left behind is recognised and removed by the next one.
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";

/** A new directory parent/PID-name-XXXXXX, after removing those of processes that are gone. */
export function scratchDir(parent: string, name: string): string {
  mkdirSync(parent, { recursive: true });
  for (const entry of readdirSync(parent)) {
    const pid = Number(/^(\d+)-/.exec(entry)?.[1]);
    if (pid && !alive(pid)) rmSync(join(parent, entry), { recursive: true, force: true });
  }
  return mkdtempSync(join(parent, `${process.pid}-${name}-`));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
