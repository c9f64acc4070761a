// Names that arrive from outside (a patch, a module, a command line) and
// become module names or directory names are checked here, by every command
// that takes one; and anything from outside that is shown (a name, a
// process's comm, a tool's output) is shown with its control characters
// escaped, so that it cannot move a terminal's cursor, retitle it or hide a
// line. Below both kpatch-build and the runtime, which share these.
import { KpatchError } from "./errors.js";
/** The kernel's MODULE_NAME_LEN (64 - sizeof(unsigned long) on x86-64) less its NUL. */
export const MODULE_NAME_MAX = 55;
/** Refuses a module name the kernel or kbuild would not take as it is; returns it. */
export function checkModuleName(name, kind = "usage") {
    if (!/^[A-Za-z0-9_-]+$/.test(name) || name.startsWith("-")) {
        throw new KpatchError(kind, `module name '${printable(name)}' is refused: ` +
            "it may hold only letters, digits, _ and -, and not start with -");
    }
    if (name.length > MODULE_NAME_MAX) {
        throw new KpatchError(kind, `module name '${name}' is refused: it has ${name.length} characters, ` +
            `the kernel takes at most ${MODULE_NAME_MAX}`);
    }
    return name;
}
/** A kernel release that names a directory (KPATCH_DIR/RELEASE): one plain path component. */
export function checkRelease(release, where) {
    if (!/^[A-Za-z0-9_+~][A-Za-z0-9._+~-]{0,63}$/.test(release)) {
        throw new KpatchError("input", `${where}: kernel release '${printable(release)}' is refused: ` +
            "it may hold only letters, digits and . _ + ~ -, " +
            "start with a letter, digit, _, + or ~, and be at most 64 characters");
    }
    return release;
}
// C0 but tab and newline, DEL, and C1, whose CSI (U+009B) some terminals obey as ESC [.
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;
/**
 * Text quoted whole, such as a tool's output: its lines as they are, every
 * other control character written \u00XX (valid in JSON too).
 */
export function displayed(text) {
    return text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
/** A name on one line: every control character escaped, newline and tab too, as JSON does. */
export function escaped(name) {
    return displayed(JSON.stringify(name).slice(1, -1));
}
/** A name as it may be shown in a message about it: escaped, cut short. */
export function printable(s) {
    const shown = escaped(s);
    return shown.length > 120 ? `${shown.slice(0, 117)}...` : shown;
}
//# sourceMappingURL=names.js.map