// What kbuild records about an object it compiled.
import { basename, dirname, join } from "node:path";
/**
 * kbuild's record of how an object was made: <dir>/.<name>.o.cmd, with the
 * command, source and dependencies.
 */
export function cmdFile(buildDir, object) {
    return join(buildDir, dirname(object), `.${basename(object)}.cmd`);
}
/**
 * What kbuild compiled an object for, read from its compiler command line:
 * "vmlinux", or with -DMODULE the module's name as the kernel knows it
 * (KBUILD_MODNAME: '-' written '_'). Undefined if the line names no module.
 */
export function compiledFor(commandLine) {
    return /-DMODULE\b/.test(commandLine)
        ? /-DKBUILD_MODNAME='"([^"]+)"'/.exec(commandLine)?.[1]
        : "vmlinux";
}
//# sourceMappingURL=kbuild.js.map