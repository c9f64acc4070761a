// A planned compile command asked for something other than its object: its
// dependency file dropped, and `-c -o OBJ SRC` at its end replaced, as the
// preprocessor's questions (gcc -MM, gcc -E) and the benchmarks need it.
/**
 * `command` with `-c -o OBJ SRC` replaced by what `ask` makes of SRC;
 * undefined when the command does not end so (it would run the compile).
 */
export function compileAs(command, ask) {
    const bare = command.replace(/ -Wp,-MMD,\S+/, "");
    const tail = / -c -o \S+ (\S+)$/;
    // A function, not a string: "$1" in a replacement string is the pattern's group.
    return tail.test(bare) ? bare.replace(tail, (_, source) => ` ${ask(source)}`) : undefined;
}
//# sourceMappingURL=command.js.map