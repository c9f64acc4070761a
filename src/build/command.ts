// A planned compile command asked for something other than its object: its
// dependency file dropped, and `-c -o OBJ SRC` at its end replaced, as the
// preprocessor's questions (gcc -MM, gcc -E) and the benchmarks need it.

/**
 * `command` with `-c -o OBJ SRC` replaced by what `ask` makes of SRC;
 * undefined when the command does not end so (it would run the compile).
 */
export function compileAs(command: string, ask: (source: string) => string): string | undefined {
  const bare = command.replace(/ -Wp,-MMD,\S+/, "");
  const tail = / -c -o \S+ (\S+)$/;
  // A function, not a string: "$1" in a replacement string is the pattern's group.
  return tail.test(bare) ? bare.replace(tail, (_, source: string) => ` ${ask(source)}`) : undefined;
}

/**
 * The compiler's own time over a build, added up as its runs end: each
 * run's wall seconds, preprocessing (gcc -MM, gcc -E) and compiling apart.
 * Against the build's wall time on its jobs, it says how compile-bound the
 * build was.
 */
export interface CompilerTime {
  preprocess: { runs: number; seconds: number };
  /** `untimed`: objects make compiled (a fallback, or no recipes), its runs not timed one by one. */
  compile: { runs: number; seconds: number; untimed: number };
}

export function compilerTime(): CompilerTime {
  return { preprocess: { runs: 0, seconds: 0 }, compile: { runs: 0, seconds: 0, untimed: 0 } };
}

/** How compile-bound a build of `seconds` was, for people. */
export function compileBound(t: CompilerTime & { jobs: number }, seconds: number): string {
  const { preprocess: p, compile: c, jobs } = t;
  const untimed = c.untimed ? `; ${c.untimed} objects compiled by make, not timed` : "";
  if (!p.runs && !c.runs) return `the compiler's own time: none timed${untimed || " (all cached)"}`;
  const perJob = (p.seconds + c.seconds) / jobs;
  return (
    `the compiler's own time ${perJob.toFixed(1)} s per job on ${jobs} ` +
    `(${p.runs} preprocessor runs ${p.seconds.toFixed(1)} s, ${c.runs} compiles ` +
    `${c.seconds.toFixed(1)} s${untimed}): the build took ${(seconds / perJob).toFixed(2)}× that`
  );
}
