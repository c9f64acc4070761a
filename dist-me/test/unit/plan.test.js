// Pins what is read from `make -n` output: kernel compiles only, their
// module, sources normalized, assembler objects named by their module's .mod.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parsePlan } from "../../src/build/plan.js";
const trap = (f) => `trap 'rm -f ${f}; trap - HUP; kill -s HUP $$' HUP;`;
const cc = (flags, obj, src) => `set -e;  echo '  CC      ${obj}';   ${trap(obj)} gcc -Wp,-MMD,${obj}.d -nostdinc ${flags} -c -o ${obj} ${src}   ; ./tools/objtool/objtool --orc ${obj}; scripts/basic/fixdep ${obj}.d ${obj} 'gcc -Wp,-MMD,${obj}.d ${flags} -c -o ${obj} ${src}' > ${obj}.cmd`;
test("kernel compiles with their module; host programs left out; .S objects named by their .mod; sources normalized", () => {
    const out = [
        cc("-D__KERNEL__ -DKBUILD_MODNAME='\"proc\"'", "fs/proc/meminfo.o", "/src/fs/proc/meminfo.c"),
        cc("-D__KERNEL__ -DMODULE -DKBUILD_MODNAME='\"ext4\"'", "fs/ext4/inode.o", "/src/fs/ext4/inode.c"),
        cc("-D__KERNEL__ -D__ASSEMBLY__ -DMODULE", "arch/x86/crypto/aesni-intel_asm.o", "/src/arch/x86/crypto/aesni-intel_asm.S"),
        cc("-D__KERNEL__ -DMODULE -DKBUILD_MODNAME='\"kvm\"'", "arch/x86/kvm/../../../virt/kvm/kvm_main.o", "/src/arch/x86/kvm/../../../virt/kvm/kvm_main.c"),
        `set -e;  echo '  HOSTCC  scripts/kallsyms'; gcc -Wp,-MMD,scripts/.kallsyms.d -O2 -c -o scripts/kallsyms.o scripts/kallsyms.c`,
        `set -e;  ${trap("arch/x86/crypto/aesni-intel.mod")} printf '%s\\n'   aesni-intel_asm.o aesni-intel_glue.o | awk '!x[$0]++ { print("arch/x86/crypto/"$0) }' > arch/x86/crypto/aesni-intel.mod; printf '%s\\n' 'cmd := ...'`,
    ].join("\n");
    const plan = parsePlan(out);
    assert.deepEqual([...plan.values()].map((p) => [p.object, p.target, p.source]), [
        ["fs/proc/meminfo.o", "vmlinux", "/src/fs/proc/meminfo.c"],
        ["fs/ext4/inode.o", "ext4", "/src/fs/ext4/inode.c"],
        [
            "arch/x86/crypto/aesni-intel_asm.o",
            "aesni_intel",
            "/src/arch/x86/crypto/aesni-intel_asm.S",
        ],
        ["arch/x86/kvm/../../../virt/kvm/kvm_main.o", "kvm", "/src/virt/kvm/kvm_main.c"],
    ]);
    // The command is the compile alone, runnable in the build directory: no trap, objtool or fixdep.
    assert.equal(plan.get("fs/proc/meminfo.o").command, `gcc -Wp,-MMD,fs/proc/meminfo.o.d -nostdinc -D__KERNEL__ -DKBUILD_MODNAME='"proc"' -c -o fs/proc/meminfo.o /src/fs/proc/meminfo.c`);
});
//# sourceMappingURL=plan.test.js.map