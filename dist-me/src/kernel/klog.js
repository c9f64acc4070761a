// What in a kernel log means the kernel was hurt: an oops, a BUG, a WARNING,
// or the module loader complaining about a relocation. One list, read both by
// the VM runner (every guest run) and by `kpatch load|unload` on a real host.
const COMPLAINTS = [
    /\bBUG: /,
    /\bkernel BUG at /,
    /\bOops: /,
    /\bWARNING: /,
    /\bgeneral protection fault\b/,
    /\bKernel panic\b/,
    /\bUBSAN: /,
    /\bKASAN: /,
    // x86's apply_relocate_add: a location relocated twice, or not zero as built.
    /\bSkipping invalid relocation target\b/,
    /\b[Ii]nvalid relocation target\b/,
    /\bOverflow in relocation type\b/,
    /\bUnknown rela relocation\b/,
    // A return or indirect call the alternatives code did not patch (a site
    // missing from .return_sites or .retpoline_sites), and IBT's checks.
    /\bUnpatched return thunk in use\b/,
    /\b__warn_thunk\b/,
    /\bmissing return thunk: /,
    /\bMissing ENDBR: /,
    /\bcontrol protection fault\b/i,
];
/**
 * The reports in `log` (dmesg or a console) that say the kernel was hurt: each
 * complaining line with the few after it (RIP, the first frames), which say
 * where, up to the next complaint. "Oops:" inside a report is part of it.
 */
export function kernelComplaints(log, context = 8) {
    const lines = log.split("\n");
    const complains = (l) => COMPLAINTS.some((re) => re.test(l));
    const found = [];
    for (let i = 0; i < lines.length; i++) {
        if (!complains(lines[i]))
            continue;
        let end = i + 1;
        while (end < Math.min(lines.length, i + context) &&
            (!complains(lines[end]) || /\bOops: /.test(lines[end])))
            end++;
        found.push(lines.slice(i, end).join("\n").trimEnd());
        i = end - 1;
    }
    return found;
}
//# sourceMappingURL=klog.js.map