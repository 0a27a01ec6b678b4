/**
 * `report.html`: one self-contained page (inline CSS and SVG, no script, no CDN) that opens
 * offline — metrics table, base vs adapter bars, training loss curves, failing examples with
 * expected and produced calls side by side.
 */
import { lossCurveSvg } from "@tooltune/train/curve";
import type { CopyProbeResult } from "./copy-probe.js";
import type { ResultRow } from "./evaluate.js";
import type { Metrics, MetricsReport } from "./metrics.js";

export interface LossCurve {
  label: string;
  points: { step: number; loss: number }[];
  /** Held-out loss where the log has it. */
  evalPoints?: { step: number; loss: number }[];
}

export interface EpisodeSummary {
  episodes: number;
  success_rate: number;
  finished_rate: number;
  mean_steps: number;
}

export interface ReportInput {
  title: string;
  mode: string;
  /** Metrics per model ("base", "adapter"), in the order to show them. */
  metrics: Record<string, MetricsReport>;
  episodes?: Record<string, EpisodeSummary>;
  /** In-context copy probe per model. */
  copyProbe?: Record<string, CopyProbeResult>;
  lossCurves: LossCurve[];
  /** Failing rows to show (the caller picks how many). */
  failures: ResultRow[];
  /** Extra lines under the title (inputs, params). */
  notes?: string[];
}

const METRICS: [keyof Metrics, string][] = [
  ["accuracy", "accuracy (all rows)"],
  ["parse_rate", "parse rate"],
  ["name_accuracy", "function-name accuracy"],
  ["argument_accuracy", "argument accuracy"],
  ["full_call_accuracy", "full-call accuracy"],
  ["irrelevance_accuracy", "irrelevance accuracy"],
  ["think_rate", "think-block rate"],
];
const COLORS = ["#8a94a6", "#2f6fde", "#d9822b", "#2a9d5c"];

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const pct = (x: number | null | undefined) => (x === null || x === undefined ? "–" : `${(100 * x).toFixed(1)}%`);

export function renderReport(r: ReportInput): string {
  const models = Object.keys(r.metrics);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(r.title)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#1d2330;padding:0 1em}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #dde1e8}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #dde1e8;padding:3px 8px;text-align:right;vertical-align:top}
th:first-child,td:first-child{text-align:left}.fail td{text-align:left}
pre{margin:0;white-space:pre-wrap;word-break:break-word;font-size:12px;max-width:420px}
.muted{color:#687084}.legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:middle}
</style></head><body>
<h1>${esc(r.title)}</h1>
<p class="muted">checking mode: ${esc(r.mode)}${(r.notes ?? []).map((n) => `<br>${esc(n)}`).join("")}</p>
<h2>Metrics</h2>
${metricsTable(r.metrics, models)}
${r.episodes && Object.keys(r.episodes).length ? episodesTable(r.episodes) : ""}
${r.copyProbe && Object.keys(r.copyProbe).length ? copyProbeTable(r.copyProbe) : ""}
<h2>${models.length > 1 ? models.map(esc).join(" vs ") : "Scores"}</h2>
${legend(models)}
${barChart(r.metrics, models)}
<h2>Per category</h2>
${categoryTable(r.metrics, models)}
<h2>Training loss</h2>
${r.lossCurves.length ? lossChart(r.lossCurves) : '<p class="muted">No train_log.parquet found next to the model.</p>'}
<h2>Failing examples (${r.failures.length})</h2>
${failuresTable(r.failures)}
</body></html>
`;
}

function metricsTable(metrics: Record<string, MetricsReport>, models: string[]): string {
  const head = `<tr><th>metric</th>${models.map((m) => `<th>${esc(m)}</th>`).join("")}</tr>`;
  const rows = METRICS.map(([k, label]) => `<tr><td>${label}</td>${models.map((m) => `<td>${pct(metrics[m].overall[k] as number | null)}</td>`).join("")}</tr>`);
  rows.push(`<tr><td>rows</td>${models.map((m) => `<td>${metrics[m].overall.rows}</td>`).join("")}</tr>`);
  rows.push(`<tr><td>malformed calls counted as abstentions</td>${models.map((m) => `<td>${metrics[m].overall.malformed_abstentions}</td>`).join("")}</tr>`);
  for (const key of ["non_live", "live", "irrelevance"] as const) {
    if (models.some((m) => metrics[m].bfcl)) rows.push(`<tr><td>BFCL ${key.replace("_", "-")}</td>${models.map((m) => `<td>${pct(metrics[m].bfcl?.[key])}</td>`).join("")}</tr>`);
  }
  return `<table>${head}${rows.join("")}</table>`;
}

function episodesTable(episodes: Record<string, EpisodeSummary>): string {
  const models = Object.keys(episodes);
  const row = (label: string, f: (e: EpisodeSummary) => string) => `<tr><td>${label}</td>${models.map((m) => `<td>${f(episodes[m])}</td>`).join("")}</tr>`;
  return `<h2>Episodes (Thought → Act → Observe)</h2><table><tr><th></th>${models.map((m) => `<th>${esc(m)}</th>`).join("")}</tr>${[
    row("episodes", (e) => String(e.episodes)),
    row("success", (e) => pct(e.success_rate)),
    row("reached a final answer", (e) => pct(e.finished_rate)),
    row("mean steps", (e) => e.mean_steps.toFixed(2)),
  ].join("")}</table>`;
}

function copyProbeTable(probes: Record<string, CopyProbeResult>): string {
  const models = Object.keys(probes);
  const row = (label: string, f: (p: CopyProbeResult) => string) => `<tr><td>${label}</td>${models.map((m) => `<td>${f(probes[m])}</td>`).join("")}</tr>`;
  const kind = (k: "spans" | "values", label: string) => [
    row(`${label}: token accuracy`, (p) => pct(p[k].token_accuracy)),
    row(`${label}: exact match`, (p) => pct(p[k].exact_match)),
    row(`${label}: items / scored tokens`, (p) => `${p[k].items} / ${p[k].tokens}`),
  ];
  return `<h2>In-context copy probe</h2><p class="muted">Teacher-forced greedy accuracy on tokens seen earlier in the context: repeated random spans of the model's own vocabulary, and numbers, dates, names and codes repeated in sentences.</p>` +
    `<table><tr><th></th>${models.map((m) => `<th>${esc(m)}</th>`).join("")}</tr>${[
      row("copy accuracy (both kinds)", (p) => pct(p.copy_accuracy)),
      ...kind("spans", "spans"),
      ...kind("values", "values"),
    ].join("")}</table>`;
}

function categoryTable(metrics: Record<string, MetricsReport>, models: string[]): string {
  const cats = [...new Set(models.flatMap((m) => Object.keys(metrics[m].by_category)))].sort();
  const head = `<tr><th>category</th><th>rows</th>${models.map((m) => `<th>${esc(m)} accuracy</th><th>${esc(m)} parse</th>`).join("")}</tr>`;
  const rows = cats.map((c) => {
    const n = models.map((m) => metrics[m].by_category[c]?.rows).find((x) => x !== undefined) ?? 0;
    return `<tr><td>${esc(c)}</td><td>${n}</td>${models.map((m) => `<td>${pct(metrics[m].by_category[c]?.accuracy)}</td><td>${pct(metrics[m].by_category[c]?.parse_rate)}</td>`).join("")}</tr>`;
  });
  return `<table>${head}${rows.join("")}</table>`;
}

const legend = (labels: string[]) => `<div class="legend">${labels.map((l, i) => `<span style="background:${COLORS[i % COLORS.length]}"></span>${esc(l)}`).join("")}</div>`;

/** Grouped bars: one group per metric, one bar per model, 0–100%. */
function barChart(metrics: Record<string, MetricsReport>, models: string[]): string {
  const shown = METRICS.filter(([k]) => models.some((m) => metrics[m].overall[k] !== null));
  const W = 900, H = 260, top = 18, bottom = 60, left = 40;
  const groupW = (W - left) / Math.max(1, shown.length);
  const barW = Math.min(40, (groupW - 16) / Math.max(1, models.length));
  const y = (v: number) => top + (H - top - bottom) * (1 - v);
  const bars = shown.flatMap(([k, label], g) => {
    const x0 = left + g * groupW + (groupW - barW * models.length) / 2;
    const items = models.map((m, i) => {
      const v = metrics[m].overall[k] as number | null;
      if (v === null) return "";
      return `<rect x="${(x0 + i * barW).toFixed(1)}" y="${y(v).toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${(y(0) - y(v)).toFixed(1)}" fill="${COLORS[i % COLORS.length]}"><title>${esc(m)} ${label}: ${pct(v)}</title></rect>` +
        `<text x="${(x0 + i * barW + barW / 2).toFixed(1)}" y="${(y(v) - 3).toFixed(1)}" font-size="10" text-anchor="middle">${Math.round(100 * v)}</text>`;
    });
    return [...items, `<text x="${(left + g * groupW + groupW / 2).toFixed(1)}" y="${H - bottom + 16}" font-size="11" text-anchor="middle">${esc(label.replace(/ \(.*\)/, ""))}</text>`];
  });
  const grid = [0, 0.5, 1].map((v) => `<line x1="${left}" x2="${W}" y1="${y(v)}" y2="${y(v)}" stroke="#dde1e8"/><text x="${left - 4}" y="${y(v) + 4}" font-size="10" text-anchor="end">${v * 100}%</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">${grid.join("")}${bars.join("")}</svg>`;
}

/** Loss against step, every curve on the same axes (training loss solid, eval loss dashed), drawn by train's renderer. */
function lossChart(curves: LossCurve[]): string {
  const finite = (pts: { step: number; loss: number }[]) => pts.filter((p) => Number.isFinite(p.loss)).map((p): [number, number] => [p.step, p.loss]);
  const series = curves.flatMap((c, i) => [
    { label: `${c.label} loss`, color: COLORS[i % COLORS.length], points: finite(c.points) },
    ...(c.evalPoints?.length ? [{ label: `${c.label} eval loss`, color: COLORS[i % COLORS.length], points: finite(c.evalPoints), dashed: true }] : []),
  ]);
  if (series.every((s) => s.points.length === 0)) return '<p class="muted">The training logs hold no loss values.</p>';
  return lossCurveSvg(series, { width: 900, height: 280 });
}

const pretty = (json: string) => {
  try {
    return JSON.stringify(JSON.parse(json), null, 1);
  } catch {
    return json;
  }
};

function failuresTable(rows: ResultRow[]): string {
  if (rows.length === 0) return '<p class="muted">None.</p>';
  const body = rows.map((r) => `<tr class="fail"><td>${esc(r.id)}<br><span class="muted">${esc(r.category)} · ${esc(r.model)} · ${esc(r.parse_status)}</span></td>` +
    `<td><pre>${esc(pretty(r.expected))}</pre></td><td><pre>${esc(pretty(r.calls))}</pre></td>` +
    `<td>${esc(r.reason ?? "")}<details><summary>output</summary><pre>${esc(r.output)}</pre></details></td></tr>`);
  return `<table><tr><th>item</th><th>expected</th><th>produced</th><th>why</th></tr>${body.join("")}</table>`;
}
