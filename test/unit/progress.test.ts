// Pins progress as an interface: the engine's events reach the reporter its
// caller installed, marked with the target of a build that runs beside
// others, and the text form is the phase line people have always read.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  countingDone,
  forTarget,
  progress,
  reportingTo,
  warn,
  type ProgressEvent,
} from "../../src/host/progress.js";

test("events go to the installed reporter, with their phase, level and target", async () => {
  const seen: ProgressEvent[] = [];
  await reportingTo(
    (e) => seen.push(e),
    async () => {
      progress("build", "compiling ORIG fs/proc/meminfo.o");
      await Promise.all(
        ["6.1.0-57-amd64", "6.12.117+deb12-amd64"].map((t) =>
          forTarget(t, async () => {
            await new Promise((r) => setTimeout(r, 5));
            warn("kpatch-build", `built for ${t}`);
          }),
        ),
      );
    },
  );
  assert.deepEqual(seen, [
    { phase: "build", level: "info", message: "compiling ORIG fs/proc/meminfo.o" },
    {
      phase: "kpatch-build",
      level: "warning",
      message: "built for 6.1.0-57-amd64",
      target: "6.1.0-57-amd64",
    },
    {
      phase: "kpatch-build",
      level: "warning",
      message: "built for 6.12.117+deb12-amd64",
      target: "6.12.117+deb12-amd64",
    },
  ]);
});

test("without a reporter, events are phase lines on stderr", async () => {
  const lines: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((s: string) => lines.push(s) > 0) as typeof process.stderr.write;
  try {
    progress("prepare", "done in 3 s");
    await forTarget("6.1.0-57-amd64", async () => warn("build", "ORIG objects not cached"));
  } finally {
    process.stderr.write = write;
  }
  assert.deepEqual(lines, [
    "prepare: done in 3 s\n",
    "[6.1.0-57-amd64] build: warning: ORIG objects not cached\n",
  ]);
});

test("long counted work says at most every 10 s how far it is and the time left at its pace", async (t) => {
  t.mock.timers.enable({ apis: ["Date"], now: 0 });
  const seen: string[] = [];
  await reportingTo(
    (e) => seen.push(e.message),
    async () => {
      const said = countingDone("build", 100, (n) => `preprocessed ${n} of 100`);
      t.mock.timers.tick(5_000);
      said(10); // too soon
      t.mock.timers.tick(5_000);
      said(20); // 20 in 10 s: 80 more take 40 s
      t.mock.timers.tick(2_000);
      said(25); // too soon again
      t.mock.timers.tick(68_000);
      said(40); // 40 in 80 s: 60 more take 2 min
      t.mock.timers.tick(20_000);
      said(100); // done: the caller says what it did
    },
  );
  assert.deepEqual(seen, [
    "preprocessed 20 of 100, about 40 s left",
    "preprocessed 40 of 100, about 2 min 0 s left",
  ]);
});

test("the time left is at this run's pace, not counting what an earlier run did", async (t) => {
  t.mock.timers.enable({ apis: ["Date"], now: 0 });
  const seen: string[] = [];
  await reportingTo(
    (e) => seen.push(e.message),
    async () => {
      const said = countingDone("build", 10_000, (n) => `listed ${n} of 10000`);
      t.mock.timers.tick(10_000);
      said(9_100, 9_000); // 100 in 10 s: 900 more take 90 s
    },
  );
  assert.deepEqual(seen, ["listed 9100 of 10000, about 1 min 30 s left"]);
});
