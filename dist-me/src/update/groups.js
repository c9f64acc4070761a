// How an update's changes are grouped so that none goes in half-applied, and
// which groups can be live. The source trees carry no commit boundaries, so
// the grouping is conservative: changed files and the objects they build
// are joined when
// - an object is built from or includes a changed file whose change reaches
//   its code (a header and every object it reaches are one group; so are the
//   files of one object; build/reach.ts says which headers reach it);
// - an object's patched code refers to a function or data another object of
//   the update changes or adds (a caller and a callee changed together);
// - an object lies under a directory whose Makefile or Kbuild changed (the
//   top one's version number aside), or is named by one whose change only
//   lists objects in or out of the build (obj-$(CONFIG_X) += x.o).
// An object whose code stays the same joins nothing, unless assembly, a
// changed Makefile or a changed layout may hide a change from the differ.
// A group goes in whole, or stays out whole with every reason it has.
import { dirname, posix } from "node:path";
const BUILD_RULES = /^(Makefile|Kbuild)(\..*)?$/;
/** Groups the update's changes and decides which can be live. */
export function groupUpdate(facts) {
    const parent = new Map();
    const find = (x) => {
        const p = parent.get(x) ?? x;
        if (p === x)
            return x;
        const root = find(p);
        parent.set(x, root);
        return root;
    };
    const join = (a, b) => {
        const [x, y] = [find(a), find(b)];
        if (x !== y)
            parent.set(y, x);
    };
    const node = { file: (f) => `f:${f}`, object: (o) => `o:${o}` };
    const rules = facts.files.filter((f) => f.class === "build" && !f.versionOnly && BUILD_RULES.test(f.file.split("/").at(-1)));
    // A rule that only lists objects changes how those alone are built; any
    // other change, how every object under its directory may be.
    // A name is relative to the Makefile's directory or, for a Kbuild another
    // includes (nouveau's nvkm/subdev/*/Kbuild), to one above it.
    const builtBy = (o, f) => {
        const dir = dirname(f.file);
        if (!f.listed)
            return dir === "." || o.object.startsWith(`${dir}/`);
        const above = dir.split("/").map((_, i, parts) => parts.slice(0, i).join("/") || ".");
        return [dir, ...above].some((d) => f.listed.some((w) => {
            const path = posix.normalize(posix.join(d, w));
            return w.endsWith("/") ? o.object.startsWith(path) : o.object === path;
        }));
    };
    const buildRule = (o) => rules.find((f) => builtBy(o, f));
    // An object whose code stays the same puts nothing in the module, so it
    // holds no change together: grouped, it would join every changed header it
    // includes (mm.h with cpufeatures.h, through thousands of objects). Unless
    // the differ cannot tell: assembly (its changes need no symbol), a changed
    // Makefile (PATCHED is built by the old one), a changed layout.
    const blind = (o) => buildRule(o) !== undefined ||
        [...o.files, ...(o.unreached ?? [])].some((f) => f.endsWith(".S") || facts.layout.has(f));
    const same = (o) => o.outcome === "unchanged" && !blind(o);
    // What does not reach an object's code, the differ aside, changes nothing
    // in it; where the differ may not see, all it includes holds together.
    const sameCode = new Set(facts.objects.filter(same).flatMap((o) => o.files));
    const unreached = new Set(facts.objects.flatMap((o) => (blind(o) ? [] : (o.unreached ?? []))));
    facts = {
        ...facts,
        objects: facts.objects
            .filter((o) => !same(o))
            .map((o) => (blind(o) ? { ...o, files: [...o.files, ...(o.unreached ?? [])] } : o)),
    };
    for (const o of facts.objects) {
        parent.set(node.object(o.object), find(node.object(o.object)));
        for (const f of o.files)
            join(node.object(o.object), node.file(f));
    }
    const providers = new Map();
    for (const o of facts.objects) {
        for (const name of o.provides)
            providers.set(name, [...(providers.get(name) ?? []), o]);
    }
    for (const o of facts.objects) {
        for (const name of o.needs) {
            for (const p of providers.get(name) ?? [])
                join(node.object(o.object), node.object(p.object));
        }
    }
    // Reasons that keep a group out, gathered per root.
    const reasons = new Map();
    const refuse = (key, why) => {
        const root = find(key);
        reasons.set(root, (reasons.get(root) ?? new Set()).add(why));
    };
    const byObject = new Map(facts.objects.map((o) => [o.object, o]));
    for (const o of facts.objects) {
        // A new function lives in the patch module, under its own object: the
        // livepatch core resolves another object's reference to it in the
        // running kernel, which lacks it.
        for (const name of o.needs) {
            for (const p of providers.get(name) ?? []) {
                if (p.target !== o.target && p.adds?.includes(name)) {
                    refuse(node.object(o.object), `${o.object} (${o.target}) refers to ${name}, which ${p.object} adds to ` +
                        `${p.target}: a live patch cannot link one object to another's new function`);
                }
            }
        }
    }
    for (const o of facts.objects) {
        const key = node.object(o.object);
        if (o.outcome === "refused")
            refuse(key, `${o.object}: ${o.why}`);
        if (o.outcome === "boot-only") {
            refuse(key, `${o.object}: only __init code or data changed, which takes effect at boot`);
        }
        const rule = buildRule(o);
        if (rule) {
            refuse(key, rule.listed
                ? `${rule.file} lists ${o.object} in or out of the build differently`
                : `${rule.file} changed: ${o.object} may be built differently`);
        }
        for (const f of o.files) {
            const types = facts.layout.get(f);
            if (types)
                refuse(key, `${f} changes the layout of ${types.join(", ")}`);
            if (f.endsWith(".S"))
                refuse(key, `${f} is assembly, which is not compared`);
        }
    }
    // A file some of whose objects could not be found may change them too.
    for (const [file, why] of facts.unresolved) {
        if (parent.has(node.file(file)))
            refuse(node.file(file), `${file}: ${why}`);
    }
    const roots = [...new Set(facts.objects.map((o) => find(node.object(o.object))))];
    const groups = roots.map((root, i) => {
        const objects = facts.objects.filter((o) => find(node.object(o.object)) === root);
        const why = [...(reasons.get(root) ?? [])].sort();
        return {
            id: i + 1,
            files: [...new Set(objects.flatMap((o) => o.files))].sort(),
            objects: objects.map((o) => o.object).sort(),
            live: !why.length && objects.some((o) => o.outcome === "changed"),
            reasons: why,
        };
    });
    // An object that only adds what nothing of its own target calls puts
    // nothing that runs in the module (a new export: modules cannot link to it).
    const idle = (name) => {
        const o = byObject.get(name);
        const adds = new Set(o.adds ?? []);
        return (o.outcome === "changed" &&
            o.onlyAdds === true &&
            !facts.objects.some((x) => x.target === o.target && x.needs.some((n) => adds.has(n))));
    };
    const groupOf = new Map(groups.flatMap((g) => g.files.map((f) => [f, g])));
    const files = facts.files.map((f) => {
        const base = { file: f.file, change: f.change };
        const g = groupOf.get(f.file);
        if (!g && (sameCode.has(f.file) || unreached.has(f.file)) && !facts.unresolved.has(f.file)) {
            const why = unreached.has(f.file)
                ? "its change reaches no code of the objects that include it"
                : "its objects compile the same";
            return { ...base, outcome: "no binary change", why };
        }
        if (!g)
            return { ...base, ...ungrouped(f, facts) };
        if (g.live)
            return { ...base, outcome: "live", group: g.id };
        if (g.reasons.length) {
            // The group lists every reason, once: a big group has thousands of files.
            const more = g.reasons.length > 1 ? ` (and ${g.reasons.length - 1} more)` : "";
            const why = `group ${g.id} stays out: ${g.reasons[0]}${more}`;
            return { ...base, outcome: "reboot", why, group: g.id };
        }
        return {
            ...base,
            outcome: "no binary change",
            why: "its objects compile the same",
            group: g.id,
        };
    });
    return {
        groups,
        files,
        live: groups.filter((g) => g.live).flatMap((g) => g.objects.filter((o) => !idle(o))),
    };
}
/** A file that reaches no object: why it is not live. */
function ungrouped(f, facts) {
    if (f.class === "text")
        return { outcome: "not code", why: "documentation" };
    if (f.versionOnly) {
        return {
            outcome: "not code",
            why: "the kernel's version: the running kernel keeps its own, kpatch status shows the update's",
        };
    }
    if (f.file.startsWith("tools/")) {
        return { outcome: "not built", why: "user-space tools, not part of the kernel" };
    }
    if (f.listed && !f.listed.length) {
        return {
            outcome: "no binary change",
            why: "only its comments, blank lines or the order of its lists changed",
        };
    }
    if (f.listed) {
        return {
            outcome: "reboot",
            why: `it lists ${f.listed.join(" ")} in or out of the build: that takes a reboot`,
        };
    }
    if (f.class === "build") {
        return {
            outcome: "reboot",
            why: "it changes how the kernel is configured or built (Kconfig, Makefile, scripts)",
        };
    }
    if (f.class === "other") {
        return {
            outcome: "reboot",
            why: "not C, a header or assembly: what the build makes of it is not analysed",
        };
    }
    if (f.change === "removed") {
        return {
            outcome: "reboot",
            why: "removed from the tree: what that leaves out is not analysed",
        };
    }
    const notBuilt = facts.notBuilt.get(f.file);
    if (notBuilt)
        return { outcome: "not built", why: notBuilt };
    return { outcome: "reboot", why: facts.unresolved.get(f.file) ?? "its objects are unknown" };
}
/** "212 of 240 runtime changes live, 28 need a reboot", by changed file. */
export function coverage(files) {
    const count = (o) => files.filter((f) => f.outcome === o).length;
    return { live: count("live"), reboot: count("reboot") };
}
//# sourceMappingURL=groups.js.map