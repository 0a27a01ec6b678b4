/**
 * The `eval` stage: a conversations dataset + an adapter (or a model alone) → `eval-results`
 * (Parquet parts, one row per item and model) with `metrics.json` and `report.html` beside them.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  arrowSchemas, DatasetWriter, defineStage, inputOfKind, openDataset, readParquetTable, tableToRows, TooltuneError,
  type ConversationRow, type RejectInput, type StageContext, type StageInput,
} from "@tooltune/core";
import { fromRow, toolCatalog, type Conversation } from "@tooltune/format";
import { copyProbeItems, runCopyProbe, type CopyProbeResult, type KindScore, type ProbeItem } from "./copy-probe.js";
import { evaluateItems, scoredRow, throwIfAborted, type EvaluateOptions, type ResultRow } from "./evaluate.js";
import type { GenerateOptions, Generator } from "./generator.js";
import { itemsFromRow, type EvalItem } from "./items.js";
import { baseOf, templateOf } from "./model-dir.js";
import { catalogExecutor, replayExecutor, runEpisode, type Episode } from "./loop.js";
import { computeMetrics, isBfclCategory, type MetricsReport } from "./metrics.js";
import { evalParams, type EvalParams } from "./params.js";
import { renderReport, type EpisodeSummary, type LossCurve } from "./report.js";

/** What to load: a model directory, optionally with an adapter on top. */
export interface ModelSpec {
  role: "base" | "adapter";
  modelDir: string;
  adapterDir?: string;
  /** Where the loader says what it chose (e.g. the compute backend). */
  log?: (line: string) => void;
}

/** Builds the generator for one model; the stage names it by `role`. */
export type LoadGenerator = (spec: ModelSpec) => Promise<Generator>;

/** The eval-results schema plus `model` (base | adapter), so one table holds both runs. */
const RESULTS_SCHEMA = arrowSchemas["eval-results"].assign(arrowSchemas["eval-results"].fields.find((f) => f.name === "id")!.clone({ name: "model" }));

export function makeEvalStage(loadGenerator: LoadGenerator) {
  return defineStage({
    kind: "eval",
    version: "1",
    description: "function-call accuracy (BFCL-compatible or strict), Thought → Act → Observe episodes, metrics and an offline HTML report",
    params: evalParams,
    output: "dataset",
    run: (ctx, params) => runEval(ctx, params, loadGenerator),
  });
}

async function runEval(ctx: StageContext, params: EvalParams, loadGenerator: LoadGenerator): Promise<void> {
  const convInput = inputOfKind(ctx, "conversations");
  const modelInput = inputOfKind(ctx, "adapter", "model");
  if (!convInput || !modelInput) {
    throw new TooltuneError("CONFIG", "eval needs a conversations dataset and an adapter or model directory", { stage: ctx.stageName, fix: "list both stages in `needs`" });
  }
  const convs = await readSplit(convInput.path, params.split);
  const items = capRoundRobin(convs.items, params.max_items);
  const template = templateOf(modelInput.path);
  const render = template.renderPrompt.bind(template);
  const generate: GenerateOptions = { maxNewTokens: params.max_new_tokens, temperature: params.temperature, stop: template.stopStrings, seed: ctx.seed };
  const bfcl = items.some((i) => isBfclCategory(i.category));
  ctx.log.info(`eval: ${items.length} items from ${convs.rows.length} '${params.split}' conversations, mode ${params.mode}, template ${template.name}`);

  const results: ResultRow[] = [];
  const metrics: Record<string, MetricsReport> = {};
  const episodes: Record<string, Episode[]> = {};
  const timing: Record<string, Timing> = {};
  const copyProbe: Record<string, CopyProbeResult> = {};
  // Probe items from the first model's bundle, reused for the next: an adapter's ids are its base's
  // plus appended rows (new tokens, which the probe never draws), so base and adapter see the same items.
  let probeItems: ProbeItem[] | undefined;
  const itemsFor = async (g: Generator) => (probeItems ??= await copyProbeItems(g.probe!.bundle, { seed: ctx.seed, perKind: params.copy_probe }));
  for (const spec of modelSpecs(modelInput, params.compare_base, ctx)) {
    const gen = named(await loadGenerator({ ...spec, log: (l) => ctx.log.info(`eval ${spec.role}: ${l}`) }), spec.role);
    const run = await evaluateModel(ctx, gen, items, { render, generate, mode: params.mode, batchSize: params.batch_size, signal: ctx.signal });
    results.push(...run.rows);
    timing[spec.role] = run.timing;
    metrics[spec.role] = computeMetrics(run.rows.map(scoredRow), { bfcl });
    if (params.episodes > 0) episodes[spec.role] = await runEpisodes(ctx, convs.convs, gen, params, render, generate);
    const probe = params.copy_probe > 0 ? await runProbe(ctx, gen, itemsFor, params.batch_size) : null;
    if (probe) copyProbe[spec.role] = probe;
  }

  const writer = await DatasetWriter.create(ctx.outDir, { kind: "eval-results", schema: RESULTS_SCHEMA });
  for (const r of convs.rejects) writer.reject(r);
  await writer.write(results);
  const summaries = Object.fromEntries(Object.entries(episodes).map(([m, eps]) => [m, summarize(eps)]));
  const metricsJson = { mode: params.mode, split: params.split, items: items.length, models: metrics, episodes: summaries, copy_probe: copyProbe, episode_details: episodes };
  writeFileSync(join(ctx.outDir, "metrics.json"), JSON.stringify(metricsJson, null, 2) + "\n");
  writeFileSync(join(ctx.outDir, "report.html"), renderReport({
    title: `tooltune eval — ${ctx.stageName}`,
    mode: params.mode,
    metrics,
    episodes: summaries,
    copyProbe,
    lossCurves: await lossCurves(modelInput.path),
    failures: Object.keys(metrics).flatMap((m) => results.filter((r) => r.model === m && !r.pass).slice(0, params.failures_shown)),
    // inputs by stage name, not path: the report is the same bytes wherever the run is (issue 15)
    notes: [`conversations: ${convInput.name} (${params.split} split, ${items.length} items)`, `model: ${modelInput.name} (${modelInput.manifest.kind})`],
  }));
  for (const [m, r] of Object.entries(metrics)) ctx.log.info(`eval: ${m}: full-call ${pct(r.overall.full_call_accuracy)}, parse ${pct(r.overall.parse_rate)}, irrelevance ${pct(r.overall.irrelevance_accuracy)}`);
  ctx.log.info(`eval: report ${join(ctx.finalDir, "report.html")}`);
  await writer.finish(ctx.provenance, { items: items.length, timing, ...Object.fromEntries(Object.entries(metrics).map(([m, r]) => [m, r.overall])) }, ["metrics.json", "report.html"]);
  if (convs.rejects.length) ctx.log.warn(`eval: ${convs.rejects.length} conversations could not be read (see _rejects.parquet)`);
  if (ctx.strict && convs.rejects.length) {
    throw new TooltuneError("REJECTS", `${convs.rejects.length} conversations rejected`, { stage: ctx.stageName, fix: "see _rejects.parquet, or run without --strict" });
  }
}

interface Timing {
  seconds: number;
  items_per_s: number;
  generated_tokens?: number;
  tokens_per_s?: number;
}

/** One model over all items, with a progress bar; throughput goes into the manifest's stats. */
async function evaluateModel(ctx: StageContext, gen: Generator, items: EvalItem[], opts: EvaluateOptions): Promise<{ rows: ResultRow[]; timing: Timing }> {
  const progress = ctx.log.progress(`eval ${gen.name}`, items.length);
  const t0 = performance.now();
  let done = 0;
  const rows = await evaluateItems(items, gen, { ...opts, onProgress: (n) => { progress.tick(n - done); done = n; } });
  const seconds = (performance.now() - t0) / 1000;
  const tokens = gen.generatedTokens?.();
  const passed = rows.filter((r) => r.pass).length;
  progress.done(`${passed}/${rows.length} pass`);
  return { rows, timing: { seconds, items_per_s: items.length / seconds, ...(tokens === undefined ? {} : { generated_tokens: tokens, tokens_per_s: tokens / seconds }) } };
}

/** The generator under the role's name (a wrapper, so class-based generators keep their methods). */
const named = (gen: Generator, name: string): Generator => ({
  name,
  generate: (prompts, opts) => gen.generate(prompts, opts),
  ...(gen.generatedTokens ? { generatedTokens: () => gen.generatedTokens!() } : {}),
  ...(gen.probe ? { probe: gen.probe } : {}),
});

/** The in-context copy probe on one model (issue 14: can the base copy before it is tuned?). */
async function runProbe(ctx: StageContext, gen: Generator, itemsFor: (g: Generator) => Promise<ProbeItem[]>, batchSize: number): Promise<CopyProbeResult | null> {
  if (!gen.probe) {
    ctx.log.info(`eval ${gen.name}: copy probe skipped (no model behind this generator)`);
    return null;
  }
  const r = runCopyProbe(gen.probe.logits, await itemsFor(gen), { batchSize });
  const kind = (k: KindScore) => `${pct(k.token_accuracy)} of ${k.tokens} tokens, exact ${pct(k.exact_match)} of ${k.items}`;
  ctx.log.info(`eval ${gen.name}: copy probe ${pct(r.copy_accuracy)} (spans ${kind(r.spans)}; values ${kind(r.values)})`);
  return r;
}

const pct = (x: number | null) => (x === null ? "–" : `${(100 * x).toFixed(1)}%`);

interface SplitData {
  rows: ConversationRow[];
  convs: Conversation[];
  items: EvalItem[];
  /** Rows that cannot become items (DESIGN §7: a bad row never stops a stage). */
  rejects: RejectInput[];
}

async function readSplit(dir: string, split: string): Promise<SplitData> {
  const data: SplitData = { rows: [], convs: [], items: [], rejects: [] };
  for (const row of (await (await openDataset<ConversationRow>(dir)).readAll()).filter((r) => r.split === split)) {
    try {
      const items = itemsFromRow(row);
      data.convs.push(fromRow(row));
      data.rows.push(row);
      data.items.push(...items);
    } catch (e) {
      data.rejects.push({ source: row.source, reason: `cannot make eval items: ${(e as Error).message}`, row });
    }
  }
  return data;
}

/** At most `max` items, taken in turn from each category so that a small cap still covers all. */
export function capRoundRobin(items: EvalItem[], max: number | undefined): EvalItem[] {
  if (max === undefined || items.length <= max) return items;
  const byCategory = new Map<string, EvalItem[]>();
  for (const i of items) byCategory.set(i.category, [...(byCategory.get(i.category) ?? []), i]);
  const groups = [...byCategory.values()];
  const out: EvalItem[] = [];
  for (let k = 0; out.length < max; k++) for (const g of groups) if (k < g.length && out.length < max) out.push(g[k]);
  return out;
}

/** Adapter → [base?, adapter]; a model directory is the base alone. */
function modelSpecs(input: StageInput, compareBase: boolean, ctx: StageContext): ModelSpec[] {
  if (input.manifest.kind === "model") {
    if (compareBase) ctx.log.warn("eval: compare_base needs an adapter input; evaluating the model alone");
    return [{ role: "base", modelDir: input.path }];
  }
  const baseDir = baseOf(input.path);
  return [...(compareBase ? [{ role: "base" as const, modelDir: baseDir }] : []), { role: "adapter", modelDir: baseDir, adapterDir: input.path }];
}

/** The adapter's training log, and its base's when the base was trained here too. */
async function lossCurves(modelDir: string): Promise<LossCurve[]> {
  const dirs: [string, string][] = [];
  if (existsSync(join(modelDir, "adapter_config.json"))) {
    try {
      dirs.push(["base", baseOf(modelDir)]);
    } catch {
      // no recorded base: only the adapter's own curve
    }
    dirs.push(["adapter", modelDir]);
  } else dirs.push(["model", modelDir]);
  const curves: LossCurve[] = [];
  for (const [label, dir] of dirs) {
    const file = join(dir, "train_log.parquet");
    if (existsSync(file)) curves.push({ label, ...(await readLossLog(file)) });
  }
  return curves;
}

async function readLossLog(file: string): Promise<Omit<LossCurve, "label">> {
  const rows = tableToRows(await readParquetTable(file));
  const num = (v: unknown) => Number(v as number | bigint);
  return {
    points: rows.map((r) => ({ step: num(r.step), loss: num(r.loss) })),
    evalPoints: rows.filter((r) => r.eval_loss !== null && r.eval_loss !== undefined).map((r) => ({ step: num(r.step), loss: num(r.eval_loss) })),
  };
}

async function runEpisodes(ctx: StageContext, convs: Conversation[], gen: Generator, params: EvalParams, render: (m: Conversation["messages"], t: Conversation["tools"]) => string, generate: GenerateOptions): Promise<Episode[]> {
  const catalog = params.executor === "catalog" ? toolCatalog : undefined;
  const chosen = convs.filter((c) => !c.meta?.possible_answer && c.messages.some((m) => m.toolCalls?.length)).slice(0, params.episodes);
  const out: Episode[] = [];
  for (const conv of chosen) {
    throwIfAborted(ctx.signal);
    const executor = catalog ? catalogExecutor(catalog) : replayExecutor(conv);
    out.push(await runEpisode(conv, gen, { render, generate, executor, maxSteps: params.max_steps }));
  }
  return out;
}

function summarize(eps: Episode[]): EpisodeSummary {
  const n = Math.max(1, eps.length);
  return {
    episodes: eps.length,
    success_rate: eps.filter((e) => e.success).length / n,
    finished_rate: eps.filter((e) => e.finished).length / n,
    mean_steps: eps.reduce((s, e) => s + e.steps.length, 0) / n,
  };
}
