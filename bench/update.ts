// Benchmark: a whole Debian kernel update built with kpatch-build --update,
// by default the newest of the series whose older release the archive has
// whole (found in the package lists on the day). Prints the change set, the
// objects compiled, the groups, how much is live, the phases and wall time,
// and how long a second build of the same pair takes (ORIG objects and the
// change set from the cache). With --vm, the module then loads, applies and
// unloads in that kernel in QEMU with every module it patches loaded that
// loads there (the runner fails on any complaint in the guest's log).
//
//   node dist/bench/update.js [--series 6.1|6.12] [--again] [--vm] [RELEASE TO-VERSION]
import { join } from "node:path";
import { parseArgs } from "node:util";
import { resourceUsage } from "node:process";
import { compileBound } from "../src/build/command.js";
import { cacheRoot } from "../src/host/host.js";
import { resolveTarget } from "../src/kpatch-build/targets.js";
import { debianKernel, debianUpdates } from "../src/kernel/debian.js";
import { moduleName } from "../src/kernel/modules.js";
import { buildUpdate, planUpdate } from "../src/update/update.js";
import { guestKernel } from "../src/vm/kernels.js";
import { runInGuest } from "../src/vm/qemu.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    series: { type: "string", default: "6.12" },
    again: { type: "boolean", default: false },
    vm: { type: "boolean", default: false },
  },
});
const newest = positionals.length ? undefined : (await debianUpdates(values.series!))[0];
const [release, to] = newest ? [newest.release, newest.to] : positionals;
if (!release || !to) throw new Error(`no ${values.series} update the archive has whole`);

const target = await resolveTarget({ kernel: release });
const plan = await planUpdate(target, to);
const build = async () => {
  const t0 = Date.now();
  const r = await buildUpdate({
    target,
    plan,
    outputDir: join(cacheRoot(), "bench", "update", release),
    skipCompilerCheck: false,
  });
  return { r, seconds: (Date.now() - t0) / 1000 };
};
const first = await build();
const u = first.r.update;
const count = (o: string) => u.files.filter((f) => f.outcome === o).length;
console.log(`update:         ${release}: ${plan.from} → ${plan.to}`);
console.log(
  `changed files:  ${u.files.length} (${count("live")} live, ${count("reboot")} need a reboot, ` +
    `${count("not built")} not built, ${count("no binary change")} no binary change, ` +
    `${count("not code")} documentation)`,
);
console.log(
  `groups:         ${u.groups.length} (${u.groups.filter((g) => g.live).length} live, ` +
    `${u.groups.filter((g) => g.reasons.length).length} out)`,
);
console.log(
  `objects:        ${u.groups.flatMap((g) => g.objects).length} compiled ORIG and PATCHED`,
);
console.log(`summary:        ${u.summary}`);
const phases = (r: typeof first.r) =>
  Object.entries(r.phases)
    .map(([k, v]) => `${k} ${v.toFixed(0)} s`)
    .join(", ");
console.log(`phases:         ${phases(first.r)}`);
console.log(`wall time:      ${first.seconds.toFixed(0)} s`);
console.log(`compile-bound:  ${compileBound(first.r.compiler, first.seconds)}`);
if (values.again) {
  const second = await build();
  console.log(`second build:   ${second.seconds.toFixed(0)} s (${phases(second.r)})`);
  console.log(`compile-bound:  ${compileBound(second.r.compiler, second.seconds)}`);
}
console.log(`peak RSS:       ${(resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
for (const g of u.groups.filter((g) => g.reasons.length)) {
  console.log(`  out: group ${g.id}: ${g.reasons.join("; ")}`);
}

if (values.vm) {
  const modules = [...new Set(first.r.objects.map((o) => o.object))].filter((o) => o !== "vmlinux");
  const root = join((await debianKernel(release)).modulesDir, "../../..");
  const name = moduleName(first.r.module);
  const k = await guestKernel("debian", release);
  const t0 = Date.now();
  const r = await runInGuest({
    kernel: k.image,
    modules: k.modules,
    timeoutMs: 900_000,
    script: `loaded=0; for m in ${modules.join(" ")}; do
  modprobe -d ${root} $m 2>/dev/null && loaded=$((loaded + 1)) || echo "not loaded: $m"
done
echo "target modules loaded: $loaded of ${modules.length}"
s=/sys/kernel/livepatch/${name}
wait_done() { i=0; while [ "$(cat $s/transition 2>/dev/null)" = 1 ] && [ $i -lt 600 ]; do
  sleep 0.1; i=$((i + 1)); done; }
insmod ${first.r.module} || exit 1
wait_done; echo "applied: enabled $(cat $s/enabled) transition $(cat $s/transition)"
grep -c . $s/*/patched 2>/dev/null | wc -l | sed 's/^/patched objects: /'
echo 0 >$s/enabled; wait_done; rmmod ${name} || exit 1
echo "unloaded: $(ls /sys/kernel/livepatch | grep -c ${name})"
`,
  });
  if (r.exitCode !== 0) throw new Error(`the guest run failed:\n${r.output}\n${r.stderr}`);
  console.log(`guest:          ${((Date.now() - t0) / 1000).toFixed(0)} s, clean kernel log`);
  for (const l of r.output
    .split("\n")
    .filter((l) => /^(target|applied|patched|unloaded|not)/.test(l))) {
    console.log(`  ${l}`);
  }
}
