// A guest script that takes a patch module through its whole life on a
// running kernel: load, wait for the transition to finish, disable, wait
// again, unload, running a probe command at each stage. Sections of its
// output are headed `== STAGE` so that callers can check each one.
import { moduleName } from "../kernel/modules.js";

export interface CycleOptions {
  /** The patch module, at a path the guest sees (not under /tmp). */
  ko: string;
  /** Shell command whose output shows the patch's effect, e.g. `grep MemTotal /proc/meminfo`. */
  probe: string;
  /** Seconds to wait for each transition. */
  timeout?: number;
}



export function cycleScript(opts: CycleOptions): string {
  const name = moduleName(opts.ko);
  const sys = `/sys/kernel/livepatch/${name}`;
  const tries = (opts.timeout ?? 30) * 10;
  return `set -e
# A disabled patch goes away from sysfs once its transition is over.
wait_transition() {
  i=0
  while [ -e ${sys}/transition ] && [ "$(cat ${sys}/transition)" != 0 ]; do
    i=$((i + 1)); [ $i -lt ${tries} ] || { echo "transition of ${name} did not finish" >&2; exit 1; }
    sleep 0.1
  done
}
echo "== before"
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

/** Splits a cycle's output into its stages, by heading. */
export function cycleStages(output: string): Map<string, string> {
  const stages = new Map<string, string>();
  for (const part of output.split(/^== /m).slice(1)) {
    const nl = part.indexOf("\n");
    stages.set(part.slice(0, nl).split(" ")[0]!, part.slice(nl + 1));
  }
  return stages;
}
