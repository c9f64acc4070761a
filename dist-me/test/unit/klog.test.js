// Pins what counts as the kernel being hurt in a kernel log: the reports the
// VM runner and `kpatch load` must never let pass, and the noise they must.
import { test } from "node:test";
import assert from "node:assert/strict";
import { kernelComplaints } from "../../src/kernel/klog.js";
// The oops issue 8 reported, as Debian's 6.1 printed it.
const OOPS = `[   12.100000] livepatch: enabling patch 'livepatch_nfsd_seq'
[   12.200000] x86/modules: Skipping invalid relocation target, existing value is nonzero for type 4, loc 00000000a1b2c3d4, val ffffffffc0a01234
[   12.300000] BUG: unable to handle page fault for address: 0000000039f233c4
[   12.300001] #PF: supervisor read access in kernel mode
[   12.300002] Oops: 0000 [#1] PREEMPT SMP NOPTI
[   12.300003] RIP: 0010:static_call_del_module+0x38/0x90
[   12.300004] Call Trace:
[   12.300005]  <TASK>
[   12.300006]  static_call_module_notify+0x3a/0x150
[   12.300007]  do_init_module+0x1ae/0x1f0
[   12.300008]  </TASK>`;
test("an oops, with the relocation complaint before it, is found and quoted with where it happened", () => {
    const found = kernelComplaints(OOPS);
    assert.equal(found.length, 2);
    assert.match(found[0], /^\[ +12\.200000\] x86\/modules: Skipping invalid relocation target/);
    assert.match(found[1], /^\[ +12\.300000\] BUG: unable to handle page fault[^]*RIP: 0010:static_call_del_module/);
});
test("WARNING, kernel BUG and GPF are complaints; ordinary livepatch and module messages are not", () => {
    assert.equal(kernelComplaints("WARNING: CPU: 0 PID: 1 at kernel/foo.c:3 foo+0x1/0x2").length, 1);
    assert.equal(kernelComplaints("kernel BUG at mm/slub.c:100!").length, 1);
    assert.equal(kernelComplaints("general protection fault, probably for non-canonical address").length, 1);
    // Said without a WARNING line of their own where only the first of several is one.
    for (const line of [
        "Unpatched return thunk in use. This should not happen!",
        " warn_thunk_thunk+0x1a/0x30 __warn_thunk+0x2a/0x40",
        "missing return thunk: kpatch_exit+0x14/0x20-__x86_return_thunk+0x0/0x10: e9 00 00 00 00",
        "Missing ENDBR: kpatch_entry_0+0x0/0x40 [livepatch_x]",
        "traps: Control protection fault at kpatch_entry_0",
    ])
        assert.equal(kernelComplaints(line).length, 1, line);
    const quiet = [
        "livepatch: enabling patch 'livepatch_meminfo'",
        "livepatch: 'livepatch_meminfo': starting patching transition",
        "livepatch: 'livepatch_meminfo': patching complete",
        "livepatch_meminfo: loading out-of-tree module taints kernel.",
        "livepatch: signaling remaining tasks",
        "Freeing unused kernel image (initmem) memory: 2048K",
    ].join("\n");
    assert.deepEqual(kernelComplaints(quiet), []);
});
//# sourceMappingURL=klog.test.js.map