import { LAYOUT_REMEDY } from "../patch/layout.js";
/** The lines kpatch-build prints after a build: what the reviewer must look at. */
export function summaryLines(r) {
    const fns = r.objects.flatMap((o) => o.functions);
    const risky = fns.filter((f) => f.risks.length).length;
    const count = (outcome) => r.hunks.filter((h) => h.outcome === outcome).length;
    const left = count("not applied");
    const uncompared = count("not compared");
    return [
        ...(r.update ? [r.update.summary] : []),
        `${fns.filter((f) => f.status === "changed").length} changed and ` +
            `${fns.filter((f) => f.status === "new").length} new functions from ` +
            `${r.hunks.length} hunk${r.hunks.length === 1 ? "" : "s"}` +
            ` (${count("no code")} changing no code` +
            `${left ? `, ${left} not applied` : ""}${uncompared ? `, ${uncompared} not compared` : ""})`,
        // Never "nothing refused" while a hunk did not become code nor was proven to change none.
        `${r.verdict.checked.length} checks passed, ` +
            `${r.verdict.refused.length
                ? "the build refused"
                : left
                    ? `${plural(left, "hunk")} not applied`
                    : "nothing refused"}, ` +
            `${risky} function${risky === 1 ? "" : "s"} with transition risks, ` +
            `${plural(r.verdict.questions.length, "question")} for the reviewer`,
    ];
}
export function reviewMarkdown(r) {
    const out = [];
    const say = (...lines) => out.push(...lines);
    say(`# Live patch review: ${md(r.name)}`, "");
    say(r.module ? `Module: ${mdCode(r.module)}` : "**Refused**: no module was written.", "", ...summaryLines(r).map((l) => `- ${l}`), "");
    say("## Verdict", "");
    for (const c of r.verdict.checked)
        say(`- checked: ${md(c)}`);
    for (const c of r.verdict.refused)
        say(`- **refused**: ${md(c)}`);
    say("", "Questions only the reviewer can answer:", "");
    if (!r.verdict.questions.length)
        say("- none raised by the checks; read the diffs below");
    for (const q of r.verdict.questions)
        say(`- ${mdCode(q.function)}: ${md(q.question)}`);
    if (r.update) {
        say("", "## Update", "");
        for (const b of updateBlocks(r.update)) {
            say(`### ${md(b.title)}`, "", ...b.items.map((i) => `- ${md(i)}`), "");
        }
    }
    say("", "## From source to binary", "");
    for (const h of r.hunks) {
        say(`### ${md(h.id)} ${mdCode(h.file)} ${mdCode(h.header)}`, "");
        say(`${fence(h.body)}diff`, ...h.body.map(visible), fence(h.body), "");
        say(hunkOutcome(h, mdCode, md), "");
    }
    for (const o of r.objects) {
        say(`## ${md(o.object)}`, "");
        for (const f of o.functions)
            say(...functionMarkdown(f));
        if (o.lineOnly.length) {
            say(`Only a moved \`__LINE__\`, not patched: ${o.lineOnly.map(mdCode).join(", ")}`, "");
        }
        say("### Data", "");
        if (!o.newData.length && !o.notes.length && !o.statics.length) {
            say("No new data; no constant copied; no static local used.", "");
        }
        for (const d of o.newData)
            say(`- new data: ${mdCode(d)}`);
        for (const st of o.statics)
            say(`- ${md(staticLine(st))}`);
        for (const n of o.notes)
            say(`- ${md(n)}`);
        say("");
    }
    if (r.layout.length) {
        say("## Types whose layout differs", "");
        for (const l of r.layout)
            say(...layoutLines(l).map((x) => `- ${md(x)}`), "");
    }
    say("## How it was built", "");
    for (const [k, v] of factRows(r))
        say(`- ${md(k)}: ${md(v)}`);
    return `${out.join("\n")}\n`;
}
function functionMarkdown(f) {
    const lines = [`### ${md(f.name)} (${f.status})`, ""];
    if (f.hunks.length)
        lines.push(`Hunks of its own: ${md(f.hunks.join(", "))}`);
    for (const why of f.reasons)
        lines.push(`- changed because: ${md(why)}`);
    if (f.callsAdded.length)
        lines.push(`- calls added: ${f.callsAdded.map(mdCode).join(", ")}`);
    if (f.callsRemoved.length)
        lines.push(`- calls removed: ${f.callsRemoved.map(mdCode).join(", ")}`);
    for (const risk of f.risks)
        lines.push(`- **transition risk**: ${md(risk)}`);
    const width = Math.max(12, ...f.rows.map((row) => (row.kind === "folded" ? 0 : (row.orig ?? "").length)));
    const table = [
        `  ${"ORIG".padEnd(width)} | PATCHED`,
        ...f.rows.map((r) => visible(rowText(r, width))),
    ];
    lines.push("", fence(table), ...table, fence(table), "");
    return lines;
}
function rowText(row, width) {
    if (row.kind === "folded")
        return `  ... ${row.count} unchanged instructions ...`;
    const mark = row.kind === "same" ? " " : row.first ? ">" : "*";
    return `${mark} ${(row.orig ?? "").padEnd(width)} | ${row.patched ?? ""}`.trimEnd();
}
function staticLine(st) {
    return st.kept
        ? `static local ${st.name}: the running kernel's own, correlated and not reset`
        : `static local ${st.name}: new in the patch, so it starts again from its initializer ` +
            "(reset): is that intended?";
}
/** A layout change as the reviewer reads it: unsafe, its members, the remedy. */
function layoutLines(l) {
    return [
        `UNSAFE: ${l.type} (${l.file}) changes layout; patched code would misread the objects ` +
            "already in memory",
        ...l.added.map((m) => `member added: ${m}`),
        ...l.removed.map((m) => `member removed: ${m}`),
        ...l.changed.map(([from, to]) => `member changed: ${from} -> ${to}`),
        ...(l.moved.length ? [`members moved to other places: ${l.moved.join("; ")}`] : []),
        `remedy: ${LAYOUT_REMEDY}`,
    ];
}
/** An update's section, as titled lists: what Debian says, the groups, every file. */
function updateBlocks(u) {
    const cves = [...new Set(u.changelog.flatMap((e) => e.cves))];
    return [
        {
            title: `Debian's changelog from ${u.from} to ${u.to}`,
            items: u.changelog.flatMap((e) => [`${e.version} (${e.date})`, ...e.changes]),
        },
        { title: "CVEs the update names", items: cves.length ? cves : ["none"] },
        {
            title: "Groups (each goes in whole or stays out whole)",
            items: u.groups.map((g) => `group ${g.id}: ${g.live ? "live" : g.reasons.length ? "out" : "no binary change"}: ` +
                `${g.objects.join(" ")} from ${g.files.join(" ")}` +
                `${g.reasons.length ? `; ${g.reasons.join("; ")}` : ""}`),
        },
        {
            title: "Every changed file",
            items: u.files.map((f) => `${f.file} (${f.change}): ${f.outcome}${f.group ? ` (group ${f.group})` : ""}` +
                `${f.why ? `: ${f.why}` : ""}`),
        },
    ];
}
/** What became of a hunk, in words; `fn` and `text` render a function's name and prose. */
function hunkOutcome(h, fn, text) {
    if (h.outcome === "code")
        return `Changes the code of: ${h.functions.map(fn).join(", ")}`;
    const said = {
        "no code": "Changes no code",
        "not applied": "Not applied",
        "not compared": "Not compared",
        "left out": "Left out with its update group",
    };
    return `${said[h.outcome]}: ${text(h.why ?? "")}`;
}
// Text a patch controls (file names, symbols, messages that quote them)
// must not become Markdown of its author's making: links, images, HTML,
// emphasis or new lines that read as the report's own.
/** Prose for Markdown: control characters shown escaped, markup characters made literal. */
function md(s) {
    return (visible(s)
        .replace(/[\\`*[\]<>&|~!#]/g, "\\$&")
        .replace(/(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, "\\_")
        // GitHub links www. and scheme:// text of itself.
        .replace(/\b(www)\./gi, "$1\\.")
        .replace(/:\/\//g, "\\://"));
}
/** A code span that no backtick inside it can close. */
function mdCode(s) {
    const text = visible(s);
    const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
    const tick = "`".repeat(longest + 1);
    const pad = /^`|`$/.test(text) ? " " : "";
    return `${tick}${pad}${text}${pad}${tick}`;
}
/** A line with its control characters (a terminal's escapes, a new line) shown escaped. */
function visible(s) {
    return s.replace(/[\x00-\x08\x0a-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
/** A Markdown code fence longer than any run of backticks in `lines`, so they cannot close it. */
function fence(lines) {
    const longest = Math.max(0, ...lines.flatMap((l) => (l.match(/`+/g) ?? []).map((r) => r.length)));
    return "`".repeat(Math.max(3, longest + 1));
}
function factRows(r) {
    const b = r.build;
    return [
        ["kernel release", b.release],
        ["source", b.source],
        ["config sha256", b.configSha256],
        ["compiler", b.compiler],
        ...Object.entries(b.options).map(([k, v]) => [`option ${k}`, String(v)]),
        [
            "phases",
            Object.entries(b.phases)
                .map(([k, v]) => `${k} ${v.toFixed(1)} s`)
                .join(", "),
        ],
        ["date", b.date],
    ];
}
const plural = (n, what) => `${n} ${what}${n === 1 ? "" : "s"}`;
const code = (s) => `<code>${esc(s)}</code>`;
const esc = (s) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
const STYLE = `
body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; padding: 0 1.5em;
  max-width: 1200px; color: #1d1d1f; }
code, pre, td.i { font: 13px/1.35 ui-monospace, "DejaVu Sans Mono", monospace; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; margin-top: 2em; }
.summary li, .verdict li { margin: .2em 0; }
.refused { color: #b00020; font-weight: bold; } .checked { color: #0b6e33; }
.risk { color: #8a4b00; } .q { background: #fff7d6; padding: .3em .5em; border-radius: 4px; }
pre.hunk { background: #f6f8fa; padding: .6em; overflow-x: auto; }
pre.hunk .add { background: #dafbe1; display: block; }
pre.hunk .del { background: #ffebe9; display: block; }
table.diff { border-collapse: collapse; width: 100%; table-layout: fixed; margin: .6em 0 1.4em; }
table.diff th { text-align: left; background: #eee; padding: .2em .5em; }
table.diff td.i { padding: 0 .5em; white-space: pre; overflow: hidden; text-overflow: ellipsis; }
table.diff tr.changed td.i.o { background: #ffebe9; }
table.diff tr.changed td.i.p { background: #dafbe1; }
table.diff tr.first td.m::before { content: "\\25B6"; color: #b00020; }
table.diff .m { width: 1.5em; }
table.diff tr.folded td { color: #777; font-style: italic; text-align: center; }
dl.facts dt { font-weight: bold; float: left; clear: left; width: 11em; }
dl.facts dd { margin-left: 12em; }
`;
export function reviewHtml(r) {
    const h = [];
    const li = (cls, html) => h.push(`<li class="${cls}">${html}</li>`);
    h.push("<!doctype html>", '<html lang="en"><head><meta charset="utf-8">', `<title>Live patch review: ${esc(r.name)}</title>`, `<style>${STYLE}</style></head><body>`, `<h1>Live patch review: ${esc(r.name)}</h1>`, r.module
        ? `<p>Module: <code>${esc(r.module)}</code></p>`
        : '<p class="refused">Refused: no module was written.</p>', '<ul class="summary">', ...summaryLines(r).map((l) => `<li>${esc(l)}</li>`), "</ul>", '<h2 id="verdict">Verdict</h2><ul class="verdict">');
    for (const c of r.verdict.checked)
        li("checked", `checked: ${esc(c)}`);
    for (const c of r.verdict.refused)
        li("refused", `refused: ${esc(c)}`);
    h.push("</ul><h3>Questions only the reviewer can answer</h3><ul>");
    if (!r.verdict.questions.length)
        h.push("<li>none raised by the checks; read the diffs below</li>");
    for (const q of r.verdict.questions) {
        li("q", `<code>${esc(q.function)}</code>: ${esc(q.question)}`);
    }
    if (r.update) {
        h.push('</ul><h2 id="update">Update</h2>');
        for (const b of updateBlocks(r.update)) {
            h.push(`<h3>${esc(b.title)}</h3><ul>`, ...b.items.map((i) => `<li>${esc(i)}</li>`), "</ul>");
        }
        h.push("<ul>");
    }
    h.push('</ul><h2 id="hunks">From source to binary</h2>');
    for (const hk of r.hunks) {
        h.push(`<h3>${esc(hk.id)} <code>${esc(hk.file)}</code> <code>${esc(hk.header)}</code></h3>`);
        const body = hk.body.map((l) => {
            const cls = l[0] === "+" ? "add" : l[0] === "-" ? "del" : "";
            return cls ? `<span class="${cls}">${esc(l)}</span>` : `${esc(l)}\n`;
        });
        h.push(`<pre class="hunk">${body.join("")}</pre>`);
        h.push(`<p>${hunkOutcome(hk, code, esc)}</p>`);
    }
    for (const o of r.objects) {
        h.push(`<h2>${esc(o.object)}</h2>`);
        for (const f of o.functions)
            h.push(functionHtml(f));
        if (o.lineOnly.length) {
            h.push(`<p>Only a moved <code>__LINE__</code>, not patched: ${esc(o.lineOnly.join(", "))}</p>`);
        }
        h.push("<h3>Data</h3><ul>");
        if (!o.newData.length && !o.notes.length && !o.statics.length) {
            h.push("<li>No new data; no constant copied; no static local used.</li>");
        }
        for (const d of o.newData)
            h.push(`<li>new data: <code>${esc(d)}</code></li>`);
        for (const st of o.statics)
            h.push(`<li>${esc(staticLine(st))}</li>`);
        for (const n of o.notes)
            h.push(`<li>${esc(n)}</li>`);
        h.push("</ul>");
    }
    if (r.layout.length) {
        h.push('<h2 id="types">Types whose layout differs</h2>');
        for (const l of r.layout) {
            h.push(`<ul class="layout">${layoutLines(l)
                .map((x) => `<li>${esc(x)}</li>`)
                .join("")}</ul>`);
        }
    }
    h.push('<h2 id="build">How it was built</h2><dl class="facts">');
    for (const [k, v] of factRows(r))
        h.push(`<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`);
    h.push("</dl></body></html>");
    return `${h.join("\n")}\n`;
}
function functionHtml(f) {
    const h = [`<h3 id="fn-${esc(f.name)}">${esc(f.name)} <small>(${f.status})</small></h3><ul>`];
    if (f.hunks.length)
        h.push(`<li>hunks of its own: ${esc(f.hunks.join(", "))}</li>`);
    for (const why of f.reasons)
        h.push(`<li>changed because: ${esc(why)}</li>`);
    if (f.callsAdded.length)
        h.push(`<li>calls added: <code>${esc(f.callsAdded.join(", "))}</code></li>`);
    if (f.callsRemoved.length) {
        h.push(`<li>calls removed: <code>${esc(f.callsRemoved.join(", "))}</code></li>`);
    }
    for (const risk of f.risks)
        h.push(`<li class="risk">transition risk: ${esc(risk)}</li>`);
    h.push('</ul><table class="diff"><tr><th class="m"></th><th>ORIG</th><th>PATCHED</th></tr>');
    for (const row of f.rows) {
        if (row.kind === "folded") {
            h.push(`<tr class="folded"><td></td><td colspan="2">${row.count} unchanged instructions</td></tr>`);
            continue;
        }
        const cls = row.kind === "same" ? "same" : row.first ? "changed first" : "changed";
        h.push(`<tr class="${cls}"><td class="m"></td><td class="i o">${esc(row.orig ?? "")}</td>` +
            `<td class="i p">${esc(row.patched ?? "")}</td></tr>`);
    }
    h.push("</table>");
    return h.join("\n");
}
//# sourceMappingURL=render.js.map