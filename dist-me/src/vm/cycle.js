// A guest script that takes a patch module through its whole life on a
// running kernel: load, wait for the transition to finish, disable, wait
// again, unload, running a probe command at each stage. Sections of its
// output are headed `== STAGE` so that callers can check each one.
import { moduleName } from "../kernel/modules.js";
/** The shell prologue both scripts share: strict mode and wait_transition for patch `name`. */
function prologue(name, timeout = 30) {
    const sys = `/sys/kernel/livepatch/${name}`;
    return (`set -e
# A disabled patch goes away from sysfs once its transition is over.
wait_transition() {
  i=0
  while [ -e ${sys}/transition ] && [ "$(cat ${sys}/transition)" != 0 ]; do
    i=$((i + 1)); [ $i -lt ${timeout * 10} ] || ` +
        `{ echo "transition of ${name} did not finish" >&2; exit 1; }
    sleep 0.1
  done
}
`);
}
export function cycleScript(opts) {
    const name = moduleName(opts.ko);
    const sys = `/sys/kernel/livepatch/${name}`;
    return `${prologue(name, opts.timeout)}echo "== before"
${opts.probe}
insmod ${opts.ko}
wait_transition
echo "== patched (enabled=$(cat ${sys}/enabled), tainted=$(cat /proc/sys/kernel/tainted))"
${opts.probe}
echo 0 > ${sys}/enabled
wait_transition
rmmod ${name}
echo "== unloaded ($(ls /sys/kernel/livepatch | wc -l) patches loaded)"
${opts.probe}
`;
}
/**
 * Every order in which a patch and the module it patches can meet: patch
 * loaded after the module; the module removed and loaded again while
 * patched; the patch disabled and unloaded; the patch loaded before the
 * module, then the module. Each stage prints `patched` for the module's
 * klp_object (or "-" when there is none) and the probe's output.
 */
export function matrixScript(opts) {
    const name = moduleName(opts.ko);
    const sys = `/sys/kernel/livepatch/${name}`;
    const patched = `cat ${sys}/${opts.object}/patched 2>/dev/null || echo -`;
    const unload = `echo 0 > ${sys}/enabled; wait_transition; rmmod ${name}`;
    return `${prologue(name)}${opts.loadObject}
echo "== after"
insmod ${opts.ko}; wait_transition; ${patched}; ${opts.probe}
echo "== reloaded"
rmmod ${opts.object}; ${opts.loadObject}; ${patched}; ${opts.probe}
echo "== unloaded"
${unload}; ${patched}; ${opts.probe}
echo "== before"
rmmod ${opts.object}; insmod ${opts.ko}; wait_transition; ${patched}
${opts.loadObject}; ${patched}; ${opts.probe}
${unload}; rmmod ${opts.object}; ${patched}
`;
}
/** Splits a cycle's output into its stages, by heading. */
export function cycleStages(output) {
    const stages = new Map();
    for (const part of output.split(/^== /m).slice(1)) {
        const nl = part.indexOf("\n");
        stages.set(part.slice(0, nl).split(" ")[0], part.slice(nl + 1));
    }
    return stages;
}
/**
 * Loads and unloads a patch `cycles` times while one reader per CPU reads
 * `file` in a loop (the shell's own read: no fork between reads). Prints
 * `cpus N`, a line per cycle, `cycle N load_ms unload_ms` (from enabling to
 * the end of the transition, and back), then `reads R wrong W` and each
 * wrong line.
 */
export function stressScript(opts) {
    const name = moduleName(opts.ko);
    const sys = `/sys/kernel/livepatch/${name}`;
    return `${prologue(name)}ms() { echo $(($(date +%s%N) / 1000000)); }
cpus=$(grep -c ^processor /proc/cpuinfo)
read -r before < ${opts.file}
reader() {
  n=0; bad=0
  while [ ! -e /tmp/stop ]; do
    read -r line < ${opts.file}
    case "$line" in
      ${opts.expect[0]}|${opts.expect[1]}) ;;
      *) bad=$((bad + 1)); echo "wrong: $line" >> /tmp/wrong ;;
    esac
    n=$((n + 1))
  done
  echo "$n $bad" > /tmp/reader.$1
}
for c in $(seq $cpus); do reader $c & done
sleep 1
echo "== stress"; echo "cpus $cpus"
for i in $(seq ${opts.cycles}); do
  t0=$(ms); insmod ${opts.ko}; wait_transition; t1=$(ms)
  echo 0 > ${sys}/enabled; wait_transition; rmmod ${name}; t2=$(ms)
  echo "cycle $i $((t1 - t0)) $((t2 - t1))"
done
touch /tmp/stop; wait
echo "== workload"
cat /tmp/reader.* | {
  r=0; w=0
  while read n b; do r=$((r + n)); w=$((w + b)); done
  echo "reads $r wrong $w"
}
cat /tmp/wrong 2>/dev/null | head -5
`;
}
//# sourceMappingURL=cycle.js.map