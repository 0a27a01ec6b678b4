/**
 * `tooltune score --outputs FILE --answers PATH [--mode bfcl|strict] [--report DIR]`: judge outputs
 * that any model produced elsewhere (vLLM, an API, BFCL's own runner) with eval's checkers, so the
 * numbers are comparable with the eval stage's. Only the reading of files lives here; checking,
 * metrics and the report are eval's.
 */
import { existsSync, statSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { atomicOutput, finishDirectory, MANIFEST_FILE, openDataset, readRawRecords, TooltuneError, type ConversationRow } from "@tooltune/core";
import { itemsFromRow, loadBfcl, renderReport, scoreOutputs, type CheckMode, type ScoreResult, type ScoreTarget } from "@tooltune/eval";
import { ingestRecord, toRow } from "@tooltune/format";

export interface ScoreOptions {
  outputs: string;
  answers: string;
  mode: CheckMode;
  /** Only conversations of this split (a conversations dataset only: a file's rows are all answers). */
  split?: string;
  report?: string;
}

export async function scoreFiles(opts: ScoreOptions): Promise<ScoreResult> {
  const outputs = await readRecords(opts.outputs);
  const answers = await loadAnswers(opts.answers, opts.split);
  if (!answers.length) throw new TooltuneError("INPUT", "no answers to score against", { where: opts.answers, fix: "give a BFCL question/possible_answer file or folder, a conversations dataset, or a conversations file with assistant turns" });
  const result = scoreOutputs(outputs, answers, opts.mode);
  if (opts.report) await writeReport(opts, result);
  return result;
}

/**
 * Answers from: a BFCL folder or file (`BFCL_v4_*.json`, question or possible_answer), a
 * conversations dataset directory, or a file of conversations in any format ingest reads.
 */
export async function loadAnswers(path: string, split?: string): Promise<ScoreTarget[]> {
  if (!existsSync(path)) throw new TooltuneError("INPUT", "answers not found", { where: path, fix: "check the --answers path" });
  const isDir = statSync(path).isDirectory();
  if (isDir && existsSync(join(path, MANIFEST_FILE))) {
    const rows = await (await openDataset<ConversationRow>(path)).readAll();
    return rows.filter((r) => split === undefined || r.split === split).flatMap((r) => itemsFromRow(r));
  }
  if (isDir || basename(path).startsWith("BFCL_")) return loadBfcl(path);
  const items: ScoreTarget[] = [];
  for await (const rec of readRawRecords(path)) {
    const where = `${path}:${rec.line ?? rec.row}`;
    if (rec.error !== undefined) throw new TooltuneError("INPUT", rec.error, { where, fix: "fix the line" });
    const r = ingestRecord(rec.value, "auto", { source: where }, { seed: 42, testFraction: 0 });
    // A broken answer row would silently lower every score: stop and say where it is.
    if ("problem" in r) throw new TooltuneError("INPUT", `not a conversation: ${r.problem.reason}`, { where: `${where}${r.problem.field ? `:${r.problem.field}` : ""}`, fix: "give conversations with tools and assistant turns (OpenAI, ShareGPT, Hermes or tooltune rows)" });
    // Outputs name items by the user's own record id (ingest would hash the record when a format has no id field).
    const ownId = (rec.value as { id?: unknown }).id;
    const conv = typeof ownId === "string" ? { ...r.conv, id: ownId } : r.conv;
    items.push(...itemsFromRow(toRow(conv)));
  }
  return items;
}

async function readRecords(file: string): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const rec of readRawRecords(file)) {
    if (rec.error !== undefined) throw new TooltuneError("INPUT", rec.error, { where: `${file}:${rec.line ?? rec.row}`, fix: "one JSON object per line: {id, result} or {id, output}" });
    out.push(rec.value);
  }
  return out;
}

async function writeReport(opts: ScoreOptions, s: ScoreResult): Promise<void> {
  await atomicOutput(resolve(opts.report!), async (tmp) => {
    const metrics = { mode: opts.mode, outputs: resolve(opts.outputs), answers: resolve(opts.answers), items: s.rows.length, missing: s.missing, unknown: s.unknown, models: { model: s.metrics } };
    await writeFile(join(tmp, "metrics.json"), JSON.stringify(metrics, null, 2) + "\n");
    await writeFile(join(tmp, "report.html"), renderReport({
      title: `tooltune score — ${basename(opts.outputs)}`,
      mode: opts.mode,
      metrics: { model: s.metrics },
      lossCurves: [],
      failures: s.rows.filter((r) => !r.pass).slice(0, 30),
      notes: [`outputs: ${opts.outputs}`, `answers: ${opts.answers} (${s.rows.length} items, ${s.missing.length} without output)`],
    }));
    await finishDirectory(tmp, "report", { stage: "score", stageVersion: "1", params: { mode: opts.mode }, inputs: [] });
  });
}

const pct = (x: number | null) => (x === null ? "–" : `${(100 * x).toFixed(1)}%`);

/** The lines `tooltune score` prints: overall, BFCL summary, one line per category. */
export function formatScore(s: ScoreResult): string[] {
  const o = s.metrics.overall;
  const lines = [
    `${o.rows} items: accuracy ${pct(o.accuracy)}, full-call ${pct(o.full_call_accuracy)}, name ${pct(o.name_accuracy)}, arguments ${pct(o.argument_accuracy)}, irrelevance ${pct(o.irrelevance_accuracy)}, parse ${pct(o.parse_rate)}`,
  ];
  const b = s.metrics.bfcl;
  if (b) lines.push(`BFCL: non-live ${pct(b.non_live)}, live ${pct(b.live)}, irrelevance ${pct(b.irrelevance)}`);
  for (const [c, m] of Object.entries(s.metrics.by_category)) lines.push(`  ${c.padEnd(24)} ${String(m.rows).padStart(5)}  ${pct(m.accuracy)}`);
  if (s.missing.length) lines.push(`${s.missing.length} items had no output (scored as failures), e.g. ${s.missing.slice(0, 3).join(", ")}`);
  if (s.unknown.length) lines.push(`${s.unknown.length} outputs matched no answer (ignored), e.g. ${s.unknown.slice(0, 3).join(", ")}`);
  return lines;
}
