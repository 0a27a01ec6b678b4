/**
 * The `copy_drills` stage: a tokens dataset (its bundle and its ids) → a tokens dataset of copy
 * drills (copy-drills.ts), optionally followed by the input's own rows, so a curriculum is a chain
 * of train stages each reading one such dataset.
 */
import { join } from "node:path";
import { z } from "zod";
import { DatasetWriter, defineStage, inputOfKind, openDataset, TooltuneError, type TokensRow } from "@tooltune/core";
import { loadTokenizerBundle, type TokenizerBundle } from "./bundle.js";
import { drillRows, idCounts, type DrillOptions } from "./copy-drills.js";
import { TOKENIZER_DIR } from "./stage.js";

export const copyDrillsParams = z
  .object({
    rows: z.number().int().min(1).default(10_000).describe("drill rows in the train split"),
    test_rows: z.number().int().min(0).default(100).describe("drill rows in the test split (train's eval loss)"),
    length: z.number().int().min(2).default(256).describe("tokens per drill row"),
    alphabet: z
      .union([z.number().int().min(2), z.literal("all"), z.literal("vocabulary")])
      .default("all")
      .describe("ids the spans draw from: the N ids the input's train rows use most, `all` they use, or every text id of the tokenizer's `vocabulary` (ids the input never uses count as the median id under sqrt_frequency)"),
    sampling: z
      .enum(["uniform", "sqrt_frequency"])
      .default("uniform")
      .describe("how spans draw alphabet ids: uniformly, or by the square root of how often the input uses them (common ids often, every id now and then)"),
    span_min: z.number().int().min(1).default(3),
    span_max: z.number().int().min(1).default(12),
    repeats_min: z.number().int().min(2).default(2).describe("times each span is written in a row, at least"),
    repeats_max: z.number().int().min(2).default(4),
    include_input: z.boolean().default(false).describe("also write the input's rows (both splits) after the drills"),
  })
  .strict()
  .refine((p) => p.span_min <= p.span_max && p.repeats_min <= p.repeats_max, { message: "span_min ≤ span_max and repeats_min ≤ repeats_max" });

export type CopyDrillsParams = z.output<typeof copyDrillsParams>;

export const copyDrillsStage = defineStage({
  kind: "copy_drills",
  version: "2",
  description: "tokens → copy drills (random spans of the input's own ids, each repeated) for a base model's pretraining",
  params: copyDrillsParams,
  output: "dataset",
  async run(ctx, params) {
    const input = inputOfKind(ctx, "tokens");
    if (!input) throw new TooltuneError("CONFIG", "copy_drills needs a tokens dataset as input", { stage: ctx.stageName, fix: "add a tokenize stage to `needs`" });
    const bundle = loadTokenizerBundle(join(input.path, TOKENIZER_DIR));
    const data = await openDataset<TokensRow>(input.path);
    const inputRows: TokensRow[] = [];
    for await (const row of data.rows()) inputRows.push(row);

    // Markup never enters a drill, whatever the input holds: every added token (the template's
    // `<|im_start|>`…, the tool markers) and pad/eos/unk — the ids the copy probe leaves out too.
    const special = new Set([...bundle.addedTokenIds, bundle.padId, bundle.eosId, bundle.unkId ?? -1]);
    const used = idCounts(inputRows.filter((r) => r.split !== "test").map((r) => r.input_ids)).filter(([id]) => !special.has(id));
    const chosen = params.alphabet === "all" ? used : params.alphabet === "vocabulary" ? withVocabulary(used, textIds(bundle, special)) : used.slice(0, params.alphabet);
    const alphabet = chosen.map(([id]) => id);
    const weights = params.sampling === "sqrt_frequency" ? chosen.map(([, count]) => Math.sqrt(count)) : undefined;
    if (alphabet.length < 2) throw new TooltuneError("INPUT", `copy_drills: the input's train rows use ${alphabet.length} non-special ids`, { where: input.path, fix: "give a tokens dataset of real text" });
    const options: DrillOptions = {
      alphabet, weights, rows: params.rows + params.test_rows, length: params.length, seed: ctx.seed,
      spanMin: params.span_min, spanMax: params.span_max, repeatsMin: params.repeats_min, repeatsMax: params.repeats_max,
    };

    const writer = await DatasetWriter.create(ctx.outDir, { kind: "tokens" });
    const positions = Int32Array.from({ length: params.length }, (_, i) => i);
    const mask = new Uint8Array(params.length).fill(1);
    // The first `rows` are train, the rest test: one seeded stream, so test rows never repeat train's.
    const drills: TokensRow[] = drillRows(options).map((ids, i) => ({
      id: `drill-${String(i).padStart(7, "0")}`, input_ids: ids, loss_mask: mask, position_ids: positions, n_examples: 1, split: i < params.rows ? "train" : "test",
    }));
    await writer.write(drills);
    if (params.include_input) await writer.write(inputRows);
    bundle.save(join(ctx.outDir, TOKENIZER_DIR));
    const stats = {
      drill_rows: params.rows, drill_test_rows: params.test_rows, drill_tokens: (params.rows + params.test_rows) * params.length,
      alphabet_size: alphabet.length, input_rows: params.include_input ? inputRows.length : 0,
      vocab_size: bundle.vocabSize, eos_id: bundle.eosId, pad_id: bundle.padId, template: bundle.template,
    };
    ctx.log.info(`copy_drills: ${params.rows} + ${params.test_rows} rows of ${params.length} tokens over ${alphabet.length} ids${params.include_input ? `, then the input's ${inputRows.length} rows` : ""}`);
    await writer.finish(ctx.provenance, stats);
  },
});

/**
 * The vocabulary's ids that stand for text: not markup, pad, eos or unk, and not a trimmed
 * vocabulary's padding rows (they decode as unk). So a base learns to copy ids its plain corpus
 * never holds — the words of tool schemas and calls (`city`, `":`) — without seeing tool data.
 */
function textIds(bundle: TokenizerBundle, special: Set<number>): number[] {
  const unk = bundle.unkId === undefined ? undefined : bundle.toOriginalIds([bundle.unkId])[0];
  const out: number[] = [];
  for (let id = 0; id < bundle.vocabSize; id++) if (!special.has(id) && bundle.toOriginalIds([id])[0] !== unk) out.push(id);
  return out;
}

/** `used` (by count) then the other vocabulary ids in id order, each counted as the median used id. */
function withVocabulary(used: [number, number][], vocabulary: number[]): [number, number][] {
  const median = used.length ? used[Math.floor(used.length / 2)][1] : 1;
  const seen = new Set(used.map(([id]) => id));
  return [...used, ...vocabulary.filter((id) => !seen.has(id)).map((id): [number, number] => [id, median])];
}
