// kbuild's plan: what `make -n` says it would compile, with this config, for
// the kernel and its modules. Read from a fresh session, so every object is
// out of date and listed.
import { basename, isAbsolute, join, normalize } from "node:path";
import { lastLines, sha256, nodeHost } from "../host/host.js";
import { progress } from "../host/progress.js";
import { HostError } from "../errors.js";
import { compiledFor } from "./kbuild.js";
import { diffCflags } from "./prepare.js";
import { withBuildSession } from "./session.js";
import { moduleName } from "../kernel/modules.js";
/**
 * The kernel objects (compiled with -D__KERNEL__, so no host programs) in
 * kbuild's plan for `goals`: directories (fs/proc/) or, by default, the
 * whole kernel and its modules. Cached per prepared tree and goals: the plan
 * is made from the pristine tree, so nothing else changes it.
 */
export async function kbuildPlan(prepared, goals, host = nodeHost) {
    // -2: the plan's format (module names of assembler objects since 2).
    const which = goals ? `-${sha256(...[...goals].sort()).slice(0, 16)}` : "";
    const cache = join(host.cacheRoot(), "plans", `${basename(prepared.dir)}-2${which}.json`);
    // A user's own tree (-s) may change in place: only its whole plan is kept, as before.
    const keep = !goals || prepared.source.pkg !== "tree";
    const known = keep ? host.readIfExists(cache) : undefined;
    if (known)
        return new Map(JSON.parse(known).map((p) => [p.object, p]));
    if (!goals) {
        progress("build", "reading kbuild's plan for the whole kernel and its modules " + "(once per prepared tree)");
    }
    const t0 = Date.now();
    // -k: vmlinux's link step fails for want of objects -n never made; the
    // compiles are listed before.
    // With the session's compile flags, so that the recipes are those a session runs.
    const make = await withBuildSession(prepared, (s) => s.exec(`src=$1 build=$2 release=$3 flags=$4; shift 4
make -C "$src" O="$build" -n -k KCFLAGS="$flags" \${release:+KERNELRELEASE="$release"} "$@"`, [
        prepared.source.dir,
        prepared.dir,
        prepared.release ?? "",
        diffCflags,
        ...(goals ?? ["vmlinux", "modules"]),
    ], { capture: true, allowFailure: true }), {}, host);
    const plan = parsePlan(make.stdout);
    // Cached for good, so never a partial one: every kernel compiles these.
    if (!goals && !(plan.has("init/main.o") && plan.has("kernel/fork.o"))) {
        throw new HostError("kbuild's plan for the whole kernel is incomplete " +
            `(${plan.size} objects): ${lastLines(make.stdout + make.stderr, 5)}`);
    }
    if (!goals)
        for (const p of plan.values())
            delete p.recipe;
    // A directory's plan is kept only when make had nothing to say against it.
    if (keep && (!goals || make.code === 0)) {
        host.writeFileAtomic(cache, JSON.stringify([...plan.values()]));
    }
    if (!goals) {
        progress("build", `kbuild plans ${plan.size} objects ` + `(${Math.round((Date.now() - t0) / 1000)} s)`);
    }
    return plan;
}
// The recipe line that writes a module's .mod list: its objects, their
// directory, and the module.
const modListLine = /printf '%s\\n'\s+([^|']*?)\s*\| awk '!x\[\$0\]\+\+ \{ print\("([^"]*)"\$0\) \}' > (\S+)\.mod\b/;
/**
 * The compiles in `make -n` output: each recipe line holds `CC ... -c -o OBJ
 * SRC`, then objtool and fixdep. Assembler objects of modules carry no
 * module name on their command line: the module's .mod list names them.
 */
export function parsePlan(makeOutput) {
    const plan = new Map();
    const modules = new Map();
    for (const line of makeOutput.split("\n")) {
        const mod = modListLine.exec(line);
        if (mod) {
            for (const o of mod[1].split(/\s+/))
                modules.set(`${mod[2]}${o}`, moduleName(mod[3]));
        }
        const m = / -c -o (\S+\.o) (\S+\.[cS])(?=\s*(;|$))/.exec(line);
        if (!m || plan.has(m[1]))
            continue;
        // The compile is the command after the last ';' before its -Wp,-MMD option
        // (the recipe's traps come first).
        const start = line.lastIndexOf("; ", line.lastIndexOf(" -Wp,-MMD,", m.index)) + 1;
        const command = line.slice(start, m.index + m[0].length).trim();
        if (!/ -D__KERNEL__ /.test(command))
            continue;
        // kvm and amdgpu compile files of other directories as DIR/../../OTHER.o.
        const source = isAbsolute(m[2]) ? normalize(m[2]) : m[2];
        // A recipe of one line, as kbuild's if_changed rules are, can be run as it stands.
        const recipe = line.startsWith("set -e;") ? line : undefined;
        plan.set(m[1], { object: m[1], target: compiledFor(command), source, command, recipe });
    }
    for (const p of plan.values())
        p.target ??= modules.get(p.object);
    return plan;
}
//# sourceMappingURL=plan.js.map