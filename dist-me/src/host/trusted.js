// Files that kpatch acts on as root but takes by a path others may reach
// (patch modules): each is opened once, without following a symlink, the
// open descriptor is checked and read whole, and what is checked is what is
// used. A private copy gives a program (insmod) a path to those same bytes:
// the original path may be pointed elsewhere the moment after it is read.
import { closeSync, constants, fstatSync, mkdtempSync, openSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync, } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KpatchError } from "../errors.js";
import { escaped } from "../names.js";
import { octalMode } from "./host.js";
/** Root, and whoever runs this: only what they wrote is theirs to load. */
const trustedOwner = (uid) => uid === 0 || uid === process.getuid?.();
/**
 * The contents of `file`, if it is a regular file that only root (or the
 * caller) can have written: not a symlink, owned by one of them, writable by
 * no group or other. Anything else is refused, naming the file, what is
 * wrong and the remedy.
 */
export function readTrusted(file) {
    const name = escaped(file);
    let fd;
    try {
        // O_NONBLOCK: a FIFO put in the module's place would hang the open.
        fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    }
    catch (e) {
        const code = e.code;
        if (code === "ENOENT")
            throw new KpatchError("input", `${name} does not exist`);
        if (code === "ELOOP")
            throw new KpatchError("input", `${name}: not a regular file (a symlink): name the file it points to`);
        throw e;
    }
    try {
        const st = fstatSync(fd);
        if (!st.isFile())
            throw new KpatchError("input", `${name}: not a regular file ` +
                `(${st.isDirectory() ? "a directory" : "a device, FIFO or socket"})`);
        if (!trustedOwner(st.uid))
            throw new KpatchError("input", `${name} is owned by uid ${st.uid}, not root: its owner could have changed it; ` +
                `if it is what you mean to load, chown root ${name}`);
        if (st.mode & 0o022)
            throw new KpatchError("input", `${name} is writable by group or others (mode ${octalMode(st.mode)}): they could ` +
                `have changed it; if it is what you mean to load, chmod go-w ${name}`);
        return readFileSync(fd);
    }
    finally {
        closeSync(fd);
    }
}
/**
 * Reads `file` as readTrusted does and copies it into a new directory in
 * `parent` (the temporary directory by default), which must be one that no
 * other user can rename entries of: root's or the caller's, and writable
 * by no group or other unless sticky (/tmp).
 */
export function privateCopy(file, parent = tmpdir()) {
    const bytes = readTrusted(file);
    const real = realpathSync(parent);
    const st = statSync(real);
    const shared = (st.mode & 0o022) !== 0 && (st.mode & 0o1000) === 0;
    if (!st.isDirectory() || !trustedOwner(st.uid) || shared)
        throw new KpatchError("host", `${escaped(parent)} is no place for a private copy: it must be a directory of root's ` +
            "that others cannot write, or a sticky one like /tmp (set TMPDIR)");
    // mkdtemp: a new name, made 0700 or not at all, never through a planted symlink.
    const dir = mkdtempSync(join(real, "kpatch-"));
    const path = join(dir, "module.ko");
    try {
        writeFileSync(path, bytes, { flag: "wx", mode: 0o600 });
    }
    catch (e) {
        rmSync(dir, { recursive: true, force: true });
        throw e;
    }
    return { path, bytes, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
//# sourceMappingURL=trusted.js.map