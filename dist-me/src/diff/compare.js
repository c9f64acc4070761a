// Decides, for each paired unit, whether it really changed: same size, same
// bytes outside relocated fields, and relocations that point at equivalent
// targets (paired units at the same offset, strings with the same text,
// external symbols with the same name). A function whose only differences
// are __LINE__ immediates passed to a call (to a line-taking kernel function;
// to a reporting one when the patches moved that very line there, or, with no
// patch to say, by kpatch's rule), or the line in a quoted source position, is
// reported as unchanged: patching it would change nothing at run time.
import { relocWidth, SHF, SHT } from "../elf/constants.js";
import { isCompilerData, isFunctionName, isText, isCallSiteMetadata, } from "./units.js";
import { lineMoved } from "../patch/lines.js";
/** Kernel functions that take __LINE__ (with __FILE__) as an argument, and nothing else numeric. */
const LINE_TAKERS = new Set([
    "__might_sleep",
    "__might_resched",
    "__might_fault",
    "__cant_sleep",
    "__cant_migrate",
    "lockdep_rcu_suspicious",
    "warn_slowpath_fmt",
]);
/** How many instructions after a line-number load the call may come. */
const LINE_CALL_WINDOW = 8;
/**
 * What kpatch's create-diff-object takes a differing `mov $imm, %esi/%edx` to
 * be a line for, when nothing else says where lines moved: WARN's and
 * printk's callees, and its line-takers (btrfs's take an errno after the line,
 * which the two registers leave out).
 */
const KPATCH_LINE_CALLS = /^(warn_slowpath_\w+|__warn_printk|_?printk|_{2,3}might_sleep|__might_fault|lockdep_rcu_suspicious|__btrfs_(abort_transaction|handle_fs_error|panic))$/;
/** %rsi and %rdx: the second and third arguments, where kpatch looks for a line. */
const KPATCH_LINE_REGISTERS = new Set([6, 2]);
/** What may come between kpatch's line load and its call: strings and WARN's once flags. */
function warnOperand(t) {
    return (t.kind === "string" ||
        (t.kind === "unit" &&
            (isFunctionName(t.unit) ||
                t.unit.section.name === ".data.once" ||
                /(^|\.)(__warned|__already_done)(\.|$)/.test(t.unit.name))));
}
/**
 * Strings that differ only in the line of a source position they quote
 * (`__FILE__ ":" __stringify(__LINE__)`, as FORTIFY's field-spanning
 * memcpy warning has): what they print moved, not what the code does.
 */
function sameButLine(p, o) {
    const at = (t) => t.kind === "string" ? t.text.replace(/(\.[chS]):\d+\b/g, "$1:#") : undefined;
    return p.kind === "string" && o.kind === "string" && at(p) === at(o);
}
/**
 * A string with the names __COUNTER__ made read as one: WARN_ON's message
 * quotes its condition expanded, READ_ONCE's `__compiletime_assert_561`
 * and min()'s `__UNIQUE_ID_x_123` included, and a header that counts one
 * more above renumbers them all. The code prints another number, nothing
 * else.
 */
const uncounted = (text) => text.replace(/\b(__compiletime_assert_|__UNIQUE_ID_\w*?)\d+\b/g, "$1#");
const isCompilerTarget = (t) => t.kind === "unit" && isCompilerData(t.unit.section);
/**
 * UBSAN's writable site data starts with its source location: the file's
 * name (relocated), then the line and the column, 4 bytes each.
 */
const isSourceLocation = (u) => (u.section.flags & SHF.WRITE) !== 0n && u.start === 0 && u.relocs[0]?.offset === 0n;
function targetsEqual(p, o) {
    switch (p.kind) {
        case "unit":
            return o.kind === "unit" && p.unit.twin === o.unit && p.offset === o.offset;
        case "string":
            return o.kind === "string" && (p.text === o.text || uncounted(p.text) === uncounted(o.text));
        case "extern":
            return o.kind === "extern" && p.name === o.name;
        case "none":
            return o.kind === "none";
    }
}
export class Comparer {
    ctx;
    constructor(ctx) {
        this.ctx = ctx;
    }
    status(p) {
        const o = p.twin;
        if (!o)
            return "new";
        if (p.end - p.start !== o.end - o.start || p.relocs.length !== o.relocs.length) {
            return "changed";
        }
        const pt = this.ctx.patchedTargets.of(p);
        const ot = this.ctx.origTargets.of(o);
        let lines = false;
        for (let i = 0; i < p.relocs.length; i++) {
            const pr = p.relocs[i];
            const or = o.relocs[i];
            if (pr.type !== or.type || Number(pr.offset) - p.start !== Number(or.offset) - o.start) {
                return "changed";
            }
            // Per-site data is told by content alone: a user whose copy's name
            // stayed put uses changed data as surely as one that was renumbered.
            if (isCompilerTarget(pt[i]) && isCompilerTarget(ot[i])) {
                if (this.sameCompilerData(pt[i], ot[i]))
                    continue;
                return "changed";
            }
            if (targetsEqual(pt[i], ot[i])) {
                if (this.callSiteChanged(pt[i], ot[i]))
                    return "changed";
                continue;
            }
            if (!sameButLine(pt[i], ot[i]))
                return "changed";
            lines = true;
        }
        const code = p.kind === "func" && isText(p.section);
        if (lines && !code)
            return "changed";
        const diffs = differingBytes(p, o);
        if (diffs.length === 0)
            return lines ? "line-only" : "same";
        return code && this.lineOnly(p, o, diffs) ? "line-only" : "changed";
    }
    /**
     * Whether a call-site descriptor the code passes (a pr_debug's, in
     * __dyndbg) says something else now: its format, function or file. Its
     * line number alone does not count, and its bytes (line, flags) are not
     * compared: what the site prints is in what it points to.
     */
    callSiteChanged(p, o) {
        if (p.kind !== "unit" || o.kind !== "unit" || !isCallSiteMetadata(p.unit.section)) {
            return false;
        }
        const [pu, ou] = [p.unit, o.unit];
        if (pu.relocs.length !== ou.relocs.length)
            return true;
        const [pt, ot] = [this.ctx.patchedTargets.of(pu), this.ctx.origTargets.of(ou)];
        return pu.relocs.some((r, i) => Number(r.offset) - pu.start !== Number(ou.relocs[i].offset) - ou.start ||
            !(targetsEqual(pt[i], ot[i]) || sameButLine(pt[i], ot[i])));
    }
    /**
     * Compiler-made per-site data (isCompilerData) of the same content, whatever
     * its number, but for the line and column of a UBSAN source location: a
     * moved site reports another line, as a moved __LINE__ does.
     */
    sameCompilerData(p, o) {
        if (p.kind !== "unit" || o.kind !== "unit" || p.offset !== o.offset)
            return false;
        const [pu, ou] = [p.unit, o.unit];
        if (pu.end - pu.start !== ou.end - ou.start || pu.relocs.length !== ou.relocs.length) {
            return false;
        }
        const position = isSourceLocation(pu) && isSourceLocation(ou);
        if (differingBytes(pu, ou).some((b) => !position || b - pu.start < 8 || b - pu.start >= 16)) {
            return false;
        }
        const [pt, ot] = [this.ctx.patchedTargets.of(pu), this.ctx.origTargets.of(ou)];
        return pu.relocs.every((r, i) => Number(r.offset) - pu.start === Number(ou.relocs[i].offset) - ou.start &&
            (isCompilerTarget(pt[i]) && isCompilerTarget(ot[i])
                ? this.sameCompilerData(pt[i], ot[i])
                : targetsEqual(pt[i], ot[i])));
    }
    /**
     * True when every differing byte lies in an immediate loaded into a register
     * or argument slot (a mov: `cmp $64` is a condition, not a line) for a call:
     * a call nearby to a line-taking function, or any later call where the
     * patches moved the line the immediate held to the line it holds now (a
     * `printk("%s:%d", __func__, __LINE__)`, WARN_ONCE's `__warn_printk`).
     * With no patch to read moves from, kpatch's rule stands in for the map.
     */
    lineOnly(p, o, diffs) {
        const pi = rangeInsns(this.ctx.patched.insns(p.section), p);
        const oi = rangeInsns(this.ctx.orig.insns(o.section), o);
        if (pi.length !== oi.length)
            return false;
        const targets = this.ctx.patchedTargets.of(p);
        // The targets of the calls within `window` instructions after `idx`, the first `most`.
        const callees = (idx, window, most = Infinity) => {
            const out = [];
            const end = Math.min(pi.length, idx + 1 + window);
            for (let j = idx + 1; j < end && out.length < most; j++) {
                const insn = pi[j];
                // A call, or a tail call as the function's last act.
                if (insn.flow !== "call" && insn.flow !== "jump")
                    continue;
                const k = p.relocs.findIndex((r) => Number(r.offset) > insn.offset && Number(r.offset) < insn.offset + insn.length);
                if (targets[k])
                    out.push(targets[k]);
            }
            return out;
        };
        let d = 0;
        for (let idx = 0; idx < pi.length && d < diffs.length; idx++) {
            const a = pi[idx];
            const b = oi[idx];
            if (a.offset - p.start !== b.offset - o.start || a.length !== b.length)
                return false;
            let touched = false;
            while (d < diffs.length && diffs[d] - p.start < a.offset - p.start + a.length) {
                const at = diffs[d] - a.offset;
                if (a.mnemonic !== "mov" ||
                    a.immSize === 0 ||
                    at < a.immOffset ||
                    at >= a.immOffset + a.immSize)
                    return false;
                touched = true;
                d++;
            }
            if (!touched)
                continue;
            const lineTaker = callees(idx, LINE_CALL_WINDOW).some((t) => t.kind === "extern" && LINE_TAKERS.has(t.name));
            // A line the patches moved there, loaded into a register for the next call
            // (gcc schedules the load of mlog()'s line above the prologue's pushes):
            // only when that call reports (printk, WARN, mlog), whose arguments only
            // make the log's text. A constant that happens to move by as many lines as
            // the code above it (msleep(100) to msleep(102)) is a change.
            const moved = (maps) => {
                const [next] = callees(idx, pi.length, 1);
                return (movedRegister(p.section.data, a) !== undefined &&
                    next?.kind === "extern" &&
                    (LINE_TAKERS.has(next.name) || REPORTING.test(next.name)) &&
                    lineMoved(maps, immediate(o.section.data, b), immediate(p.section.data, a)));
            };
            // kpatch's: a mov into %esi or %edx whose next reference, past strings
            // and WARN's flags, is a call that takes a line.
            const kpatchLine = () => {
                const reg = movedRegister(p.section.data, a);
                const next = p.relocs.findIndex((r, k) => Number(r.offset) >= a.offset + a.length && !warnOperand(targets[k]));
                const t = targets[next];
                return (reg !== undefined &&
                    KPATCH_LINE_REGISTERS.has(reg) &&
                    t?.kind === "extern" &&
                    KPATCH_LINE_CALLS.test(t.name));
            };
            const lineMaps = this.ctx.options.lineMaps;
            if (!lineTaker && !(lineMaps ? moved(lineMaps) : kpatchLine()))
                return false;
        }
        return d === diffs.length;
    }
}
/**
 * Functions that only report: what they are passed makes the log's text
 * (printk, WARN's __warn_printk, dev_err, mlog, pr_debug's descriptors...).
 */
const REPORTING = /(^|_)(printk|warn|warning|err|error|dbg|debug|msg|info|notice|crit|alert|emerg)(_|$)/;
/**
 * The register (0 %rax ... 15 %r15) a `mov $imm` writes (B8+r, or C7 with a
 * register ModRM), or undefined when it writes memory.
 */
function movedRegister(data, insn) {
    let at = insn.offset;
    let rexB = 0;
    while (at < insn.offset + insn.length && (data[at] === 0x66 || (data[at] & 0xf0) === 0x40)) {
        if ((data[at] & 0xf0) === 0x40)
            rexB = (data[at] & 1) << 3;
        at++;
    }
    const op = data[at];
    if (op >= 0xb8 && op <= 0xbf)
        return rexB | (op - 0xb8);
    const modrm = data[at + 1];
    return op === 0xc7 && modrm >> 6 === 3 ? rexB | (modrm & 7) : undefined;
}
/** The unsigned immediate operand of a decoded instruction. */
function immediate(data, insn) {
    let v = 0;
    for (let k = insn.immSize - 1; k >= 0; k--)
        v = v * 256 + data[insn.offset + insn.immOffset + k];
    return v;
}
/** Offsets (in the patched section) of bytes that differ, relocated fields excluded. */
function differingBytes(p, o) {
    // NOBITS contents are zeros: a static moving from .bss to .data changed its value.
    const bytes = (u) => u.section.type === SHT.NOBITS ? new Uint8Array(u.end) : u.section.data;
    const pd = bytes(p);
    const od = bytes(o);
    // Relocated fields are zero in both objects, so equal ranges are the common, fast case.
    if (Buffer.from(pd.buffer, pd.byteOffset + p.start, p.end - p.start).equals(od.subarray(o.start, o.end)))
        return [];
    const masked = new Set();
    for (const r of p.relocs) {
        const w = relocWidth(r.type)?.size ?? 0;
        for (let k = 0; k < w; k++)
            masked.add(Number(r.offset) - p.start + k);
    }
    const out = [];
    for (let k = 0; k < p.end - p.start; k++) {
        if (pd[p.start + k] !== od[o.start + k] && !masked.has(k))
            out.push(p.start + k);
    }
    return out;
}
function rangeInsns(insns, u) {
    return insns.filter((i) => i.offset >= u.start && i.offset < u.end);
}
//# sourceMappingURL=compare.js.map