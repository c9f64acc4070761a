// Units read by threads beside the build: the digests are the ones this
// thread's reader gives, whichever thread reads which unit, and a failure
// to read is the unit's error, not a hang.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Readers } from "../../src/build/readers.js";
import { CodeReader, withoutLines } from "../../src/build/tokens.js";

const header = (n: number) =>
  `# 1 "h.h"\nstruct s${n} { int a; };\nstatic inline int f${n}(void) { return ${n}; }\n`;
const units = Array.from(
  { length: 7 },
  (_, i) =>
    `${header(i % 3)}${header(i % 2)}# 10 "u${i}.c"\n` +
    `int g${i}(void) { return f${i % 3}() + 10 + ${i}; }\n`,
);

test("reader threads give this thread's reader's digests, exact and blind to lines", async () => {
  const readers = new Readers(3);
  try {
    const [exact, blind] = await Promise.all(
      [false, true].map((b) => Promise.all(units.map((u) => readers.digest(u, b)))),
    );
    const reader = new CodeReader();
    assert.deepEqual(
      exact,
      units.map((u) => reader.digest(u)),
    );
    assert.deepEqual(
      blind,
      units.map((u) => reader.digest(withoutLines(u))),
    );
    // `10` is line 10's own number in u0.c: blind, it reads as __LINE__.
    assert.notEqual(blind[0], exact[0]);
  } finally {
    await readers.close();
  }
});

test("a unit a thread cannot read rejects with why; the threads read on", async () => {
  const readers = new Readers(1);
  try {
    await assert.rejects(
      readers.digest(undefined as unknown as string, false),
      /reading a preprocessed unit failed: /,
    );
    assert.equal(await readers.digest(units[0]!, false), new CodeReader().digest(units[0]!));
  } finally {
    await readers.close();
  }
});

test("units go to the thread with the fewest in hand; closing rejects what is still in hand", async () => {
  const readers = new Readers(2);
  // Thousands of distinct items: a unit that takes one thread a while.
  const big = Array.from({ length: 40_000 }, (_, i) => `int h${i}(void) { return ${i}; }\n`).join(
    "",
  );
  const slow = readers.digest(big, false).then(() => "big");
  await readers.digest(units[1]!, false);
  // Taken in turn, the next unit would wait behind the big one.
  const quick = readers.digest(units[2]!, false).then(() => "small");
  assert.equal(await Promise.race([slow, quick]), "small");
  await slow;
  const late = assert.rejects(readers.digest(big, false), /the readers were closed/);
  await readers.close();
  await late;
});
