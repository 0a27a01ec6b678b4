/**
 * Single-turn evaluation: render each item's prompt, generate in batches, check each output.
 * Results are rows of the `eval-results` dataset (DESIGN §3) plus the model they came from.
 */
import { TooltuneError, type EvalResultRow } from "@tooltune/core";
import { checkOutput, type CheckResult } from "./check.js";
import { hasThinkBlock, type CheckMode } from "./decode.js";
import type { GenerateOptions, Generator } from "./generator.js";
import { expectedJson, type EvalItem } from "./items.js";
import type { RenderPrompt } from "./loop.js";
import type { ScoredRow } from "./metrics.js";
import { toJson } from "@tooltune/format";

export interface ResultRow extends EvalResultRow {
  /** "base" or "adapter" (or the generator's name). */
  model: string;
}

export interface EvaluateOptions {
  render: RenderPrompt;
  generate: GenerateOptions;
  mode: CheckMode;
  batchSize?: number;
  /** Called after each batch with the number of items done. */
  onProgress?: (done: number) => void;
  /** Checked between batches: Ctrl-C stops the run with INTERRUPTED. */
  signal?: AbortSignal;
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new TooltuneError("INTERRUPTED", "eval stopped before it finished", { fix: "rerun the stage" });
}

export async function evaluateItems(items: EvalItem[], gen: Generator, opts: EvaluateOptions): Promise<ResultRow[]> {
  const rows: ResultRow[] = [];
  const size = Math.max(1, opts.batchSize ?? 8);
  for (let at = 0; at < items.length; at += size) {
    throwIfAborted(opts.signal);
    const batch = items.slice(at, at + size);
    const prompts = batch.map((item) => opts.render(item.messages, item.tools));
    const outputs = await gen.generate(prompts, opts.generate);
    batch.forEach((item, i) => rows.push(resultRow(item, prompts[i], outputs[i] ?? "", checkOutput(item, outputs[i] ?? "", opts.mode), gen.name)));
    opts.onProgress?.(rows.length);
  }
  return rows;
}

export function resultRow(item: Pick<EvalItem, "id" | "category" | "answers">, prompt: string, output: string, r: CheckResult, model: string): ResultRow {
  return {
    id: item.id,
    category: item.category,
    prompt,
    output,
    calls: JSON.stringify(r.calls.map((c) => ({ name: c.name, arguments: toJson(c.args) }))),
    expected: expectedJson(item),
    parse_status: r.parse_status,
    name_ok: r.name_ok,
    args_ok: r.args_ok,
    pass: r.pass,
    reason: r.reason || null,
    model,
  };
}

/** What metrics need from a result row: expectation from `expected`, think from `output`. */
export function scoredRow(row: EvalResultRow): ScoredRow {
  return {
    category: row.category,
    parse_status: row.parse_status,
    name_ok: row.name_ok,
    args_ok: row.args_ok,
    pass: row.pass,
    expects_call: row.expected !== "[]",
    think: hasThinkBlock(row.output),
  };
}
