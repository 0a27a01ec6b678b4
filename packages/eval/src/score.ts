/**
 * Score outputs that any model produced elsewhere (for `tooltune score`, issue 10), with the same
 * checkers, metrics and report as the eval stage.
 * Outputs: BFCL result files (`{"id", "result"}` per line, `result` a string or a list of
 * strings as BFCL's multi-turn writers use) or JSONL of raw generations (`{"id", "output"}`).
 * Answers: BFCL folders/files (question + possible_answer) or items from a conversations dataset.
 */
import type { CheckTarget } from "./check.js";
import { checkOutput } from "./check.js";
import type { CheckMode } from "./decode.js";
import { resultRow, scoredRow, type ResultRow } from "./evaluate.js";
import { computeMetrics, isBfclCategory, type MetricsReport } from "./metrics.js";

export interface ScoreTarget extends CheckTarget {
  id: string;
}

export interface ScoreResult {
  rows: ResultRow[];
  metrics: MetricsReport;
  /** Answer ids with no output: scored as an empty output (BFCL counts them as failures). */
  missing: string[];
  /** Output ids with no answer: ignored. */
  unknown: string[];
}

/** One line of a BFCL result file or of a raw-generation JSONL file → its id and text. */
export function outputOf(record: unknown): { id: string; output: string } {
  const r = record as { id?: unknown; result?: unknown; output?: unknown };
  if (typeof r.id !== "string") throw new Error("output record has no string 'id'");
  const value = r.result ?? r.output;
  // BFCL writes one string per single-turn entry; a list holds one string per turn.
  const output = typeof value === "string" ? value : Array.isArray(value) ? value.map(String).join("\n") : JSON.stringify(value ?? "");
  return { id: r.id, output };
}

export function scoreOutputs(outputs: unknown[], answers: ScoreTarget[], mode: CheckMode, model = "model"): ScoreResult {
  const byId = new Map(outputs.map((o) => outputOf(o)).map((o) => [o.id, o.output]));
  const rows = answers.map((target) => {
    const output = byId.get(target.id) ?? "";
    return resultRow(target, "", output, checkOutput(target, output, mode), model);
  });
  const known = new Set(answers.map((a) => a.id));
  return {
    rows,
    metrics: computeMetrics(rows.map(scoredRow), { bfcl: answers.some((a) => isBfclCategory(a.category)) }),
    missing: answers.filter((a) => !byId.has(a.id)).map((a) => a.id),
    unknown: [...byId.keys()].filter((id) => !known.has(id)),
  };
}
