#!/usr/bin/env node
// kpatch: manage livepatch modules on the running kernel.
import { parseArgs } from "node:util";
import { release } from "node:os";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { readFileSync } from "node:fs";
import { loadedPatches } from "../runtime/livepatch.js";
import { describe, dryRunLoad, force, load, signal, unload } from "../runtime/transition.js";
import { install, installed, installRoot, uninstall } from "../runtime/store.js";
import { bootPlan, enableBootLoading, loadInstalled } from "../runtime/boot.js";
import { readModule } from "../runtime/module.js";
import { effective, status, STATUS_EXIT } from "../runtime/status.js";
import { KpatchError } from "../errors.js";
import { escaped, printable } from "../names.js";
import { errorsAsJsonIfAsked, exitWith, exitWithUsage } from "./errors.js";
import { kpatchOptions } from "./options.js";
import { interruptible } from "../host/interrupt.js";
const program = "kpatch";
const usage = `usage: ${program} COMMAND [OPTION]... [MODULE.ko|NAME]
  load [--timeout S] MODULE.ko   load a patch module and wait until every task runs it;
                                 a transition that cannot finish is reversed and unloaded
  load --all                     load the modules installed for the running kernel (at boot);
                                 nothing when the kernel command line has kpatch.enable=0
  load --dry-run [--json] MODULE.ko
                                 check it could load, and list the tasks inside functions it
                                 replaces, which would hold its transition up
  unload [--timeout S] NAME|MODULE.ko | --all
                                 disable a patch, wait for the transition back, remove its module
  install MODULE.ko              keep it in $KPATCH_DIR/RELEASE/ (default /var/lib/kpatch)
                                 and load it at boot
  uninstall [-k, --kernel RELEASE] NAME|MODULE.ko
  list [-k, --kernel RELEASE] [--json]
                                 loaded patches (state, objects, functions), installed ones
  status [--json]                the running kernel, its patches, the CVEs they fix, and any
                                 installed patch not loaded, with why
  info [--json] [--review] MODULE.ko
                                 what a patch module is for and what it replaces; --review:
                                 the summary of its review report that the module carries
  signal                         send a fake signal to the tasks that hold transitions up
  force NAME                     end a stalled transition by force (unsafe: taints the kernel)
  version
  OPTIONs: --all, --timeout S (default 60), -k, --kernel RELEASE, --json, --dry-run,
  --review, -h, --help
  Exit status: 0 done, 1 error; status: 0 all well, 3 an installed patch is not loaded,
  4 a transition is under way.`;
async function main(argv) {
    const { values, positionals } = parseArgs({
        args: argv,
        allowPositionals: true,
        options: kpatchOptions,
    });
    const [command, ...args] = positionals;
    const timeout = values.timeout === undefined ? undefined : Number(values.timeout);
    if (timeout !== undefined && !(timeout > 0))
        throw new KpatchError("usage", `--timeout takes a number of seconds, not ${values.timeout}`);
    const one = () => {
        if (args.length !== 1)
            throw new KpatchError("usage", `${command} takes one module${values.all ? " or --all, not both" : ""}\n${usage}`);
        return args[0];
    };
    switch (command) {
        case "load":
            if (values["dry-run"]) {
                const r = dryRunLoad(resolve(one()));
                if (values.json)
                    console.log(JSON.stringify(r, null, 2));
                else {
                    console.log(`${r.name} could load; it replaces ${r.functions.map(printable).join(", ")}`);
                    for (const t of r.tasks)
                        console.log(`  ${t.pid} (${printable(t.comm)}) at ${escaped(t.frame)}`);
                    console.log(r.wouldStall === undefined
                        ? "cannot tell whether the transition would stall: no task's kernel stack is " +
                            "readable (run as root, on a kernel with CONFIG_STACKTRACE)"
                        : r.wouldStall
                            ? `the transition would likely stall: ${r.tasks.length} task` +
                                `${r.tasks.length === 1 ? " is" : "s are"} inside a function it replaces`
                            : "no task is inside a function it replaces: the transition should finish at once");
                }
            }
            else if (values.all && !args.length) {
                const r = await loadInstalled({ timeout });
                if (r.off)
                    console.log("kpatch.enable=0 on the kernel command line: nothing loaded");
                else
                    console.log(`loaded: ${r.loaded.join(" ") || "(nothing new)"}`);
                skipped(r.failed, "not loaded");
            }
            else
                console.log(`loaded: ${(await load(resolve(one()), { timeout })).name}`);
            return;
        case "unload":
            if (values.all && !args.length)
                for (const p of loadedPatches().reverse())
                    await unload(p.name, { timeout });
            else
                await unload(one(), { timeout });
            return;
        case "install": {
            // Checked before the module is installed: a unit refused leaves nothing half done.
            const plan = bootPlan([process.execPath, fileURLToPath(import.meta.url)]);
            const dest = install(resolve(one()));
            const boot = plan && (await enableBootLoading(plan));
            console.log(`installed: ${dest}${boot ? ` (${boot})` : " (no systemd: run kpatch load --all at boot)"}`);
            return;
        }
        case "uninstall":
            console.log(`uninstalled: ${uninstall(one(), values.kernel)}`);
            return;
        case "list": {
            const loaded = loadedPatches();
            const inst = installed(values.kernel ?? release());
            if (values.json) {
                const modules = inst.modules.map((i) => ({
                    name: i.name,
                    file: i.file,
                    release: i.release,
                    description: i.description,
                    cves: i.cves,
                    ...(i.update ? { update: i.update } : {}),
                }));
                console.log(JSON.stringify({ loaded, installed: modules, skipped: inst.skipped }, null, 2));
                skipped(inst.skipped, "skipped");
                return;
            }
            console.log("Loaded patch modules:");
            for (const p of loaded) {
                console.log(`${p.name} [${p.enabled ? "enabled" : "disabled"}` +
                    `${p.transition ? ", in transition" : ""}]`);
                for (const o of p.objects)
                    console.log(`  ${o.name}${o.patched ? "" : " (not loaded)"}: ${o.functions.join(" ")}`);
            }
            console.log(`\nInstalled patch modules (${installRoot()}/${values.kernel ?? release()}):`);
            for (const i of inst.modules) {
                console.log(`${i.name}${i.cves.length ? ` (${i.cves.join(", ")})` : ""}` +
                    `${i.update ? `: ${effective(i.release, i.update)}` : ""}`);
            }
            skipped(inst.skipped, "skipped");
            return;
        }
        case "info": {
            const m = readModule(resolve(one()));
            if (values.review) {
                const review = m.modinfo
                    .filter(([k]) => k === "kpatch_review")
                    .map(([, v]) => v)
                    .sort()
                    // A module is not trusted: nothing it carries reaches a terminal as a control code.
                    .map((v) => v.replace(/^\d+ /, "").replace(/[^\x20-\x7e]/g, "?"));
                if (values.json)
                    console.log(JSON.stringify({ name: m.name, review }, null, 2));
                else if (!review.length)
                    console.log(`${m.name} carries no review summary`);
                else
                    for (const line of review)
                        console.log(line);
                return;
            }
            if (values.json)
                console.log(JSON.stringify(m, null, 2));
            else {
                for (const [k, v] of m.modinfo) {
                    console.log(`${`${k}:`.padEnd(16)}${v}`.replace(/[^\x20-\x7e]/g, "?"));
                }
            }
            return;
        }
        case "status": {
            const st = status();
            process.exitCode = STATUS_EXIT[st.state];
            if (values.json) {
                console.log(JSON.stringify(st, null, 2));
                return;
            }
            const debian = st.kernel.debianVersion ? ` (Debian ${st.kernel.debianVersion})` : "";
            console.log(`kernel: ${st.kernel.release}${debian}`);
            if (st.update)
                console.log(`effective: ${effective(st.kernel.release, st.update)}`);
            console.log(`state: ${st.state}`);
            console.log(`fixed: ${st.cves.join(" ") || "(no CVE recorded by the loaded patches)"}`);
            for (const p of st.loaded) {
                const state = (p.enabled ? "enabled" : "disabled") + (p.transition ? ", in transition" : "");
                console.log(`loaded: ${p.name} [${state}]${p.cves.length ? ` ${p.cves.join(" ")}` : ""}`);
            }
            for (const i of st.installed.filter((i) => !i.loaded)) {
                console.log(`not loaded: ${i.name} (${i.file}): ${i.why}`);
            }
            for (const s of st.skipped)
                console.log(`skipped: ${s}`);
            return;
        }
        case "signal": {
            const moving = signal();
            if (!moving.length)
                console.log("no transition under way");
            for (const m of moving) {
                console.log(m.sent
                    ? `${m.patch}: signalled the tasks holding it up: ${describe(m.blocking)}`
                    : `${m.patch}: this kernel signals the tasks holding it up by itself, every 15 s: ` +
                        `${describe(m.blocking)}`);
            }
            return;
        }
        case "force":
            force(one());
            console.log(`forced ${args[0]}'s transition to finish`);
            return;
        case "version": {
            const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8"));
            console.log(`${program} ${pkg.version}`);
            return;
        }
        default:
            if (values.help || command === "help") {
                console.log(usage);
                return;
            }
            exitWithUsage(usage);
    }
}
/**
 * Says on stderr what was left out and why, and makes the exit status say so
 * (the rest went on).
 */
function skipped(reasons, what) {
    for (const r of reasons)
        console.error(`${program}: ${what}: ${r}`);
    if (reasons.length)
        process.exitCode = 1;
}
// SIGINT or SIGTERM ends every program it started, lets cleanup run, then ends it.
const argv = process.argv.slice(2);
errorsAsJsonIfAsked(argv);
interruptible(() => main(argv)).catch((e) => exitWith(program, e));
//# sourceMappingURL=kpatch.js.map