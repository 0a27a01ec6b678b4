/**
 * The `tokenize` stage: formatted → tokens (DESIGN §3), with the tokenizer bundle in `tokenizer/`.
 *
 * Streams: row group by row group, each example is encoded with offsets → loss mask from the train
 * spans → max_length policy → the packer, which packs each split window by window (pack.ts) and
 * hands rows to the writer; memory holds a window, not the corpus. `vocab: trim` needs every id
 * before the first row can be written, so it reads the input twice: once for the ids, once to write.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DatasetWriter, TooltuneError, defineStage, sha256, inputOfKind, openDataset, type Dataset, type FormattedRow, type Manifest, type StageContext } from "@tooltune/core";
import { getSpecialTokens, isShippedTokenizer } from "@tooltune/format";
import { loadTokenizerBundle, type TokenizerBundle } from "./bundle.js";
import { checkSpans, lossMask } from "./mask.js";
import { StreamingPacker, type Example } from "./pack.js";
import { tokenizeParams, type TokenizeParams } from "./params.js";

/** The bundle's directory inside a tokens dataset (CONTRIBUTING: tokenizer bundle). */
export const TOKENIZER_DIR = "tokenizer";

type FormattedDataset = Dataset<FormattedRow>;

/** Rows encoded concurrently: the Rust binding encodes on libuv's thread pool. */
const ENCODE_CHUNK = 64;

interface Counts {
  examples: number;
  truncated: number;
  dropped: number;
  noTarget: number;
  badSpans: number;
  /** Rows format marked as not trained (e.g. BFCL prompts kept for eval): skipped, not bad. */
  untrained: number;
}

interface SplitExample extends Example {
  split: string;
}

/** What the manifest reports about the examples kept, summed as they stream past. */
interface Totals {
  examples: number;
  tokens: number;
  trainable: number;
  unkTokens: number;
}

export const tokenizeStage = defineStage({
  kind: "tokenize",
  version: "1",
  description: "formatted text → token ids, loss masks and packed rows, with the extended tokenizer as a bundle",
  params: tokenizeParams,
  output: "dataset",
  fileDeps: (p) => (isShippedTokenizer(p.tokenizer) ? [] : [p.tokenizer]),
  async run(ctx, params) {
    const input = inputOfKind(ctx, "formatted");
    if (!input) throw new TooltuneError("CONFIG", "tokenize needs a formatted dataset as input", { stage: ctx.stageName, fix: "add the format stage to `needs`" });
    const reuse = inputOfKind(ctx, "tokens");
    const data = await openDataset<FormattedRow>(input.path);
    const bundle = reuse ? reuseBundle(ctx, reuse.path) : buildBundle(ctx, params, data.manifest, await firstTemplate(data));

    const writer = await DatasetWriter.create(ctx.outDir, { kind: "tokens" });
    const counts: Counts = { examples: 0, truncated: 0, dropped: 0, noTarget: 0, badSpans: 0, untrained: 0 };
    if (params.vocab === "trim" && !reuse) bundle.trimVocab(await usedIds(ctx, bundle, data));

    const totals: Totals = { examples: 0, tokens: 0, trainable: 0, unkTokens: 0 };
    const padTo = params.pad_to_max_length ? params.max_length : undefined;
    // pack: false is packing with one example per row.
    const packer = new StreamingPacker({ maxLength: params.max_length, pack: params.pack, padTo, padId: bundle.padId }, (rows) => writer.write(rows));
    const unk = bundle.unkId;
    await encodeAll(ctx, params, bundle, data, writer, counts, async (example) => {
      totals.examples++;
      totals.tokens += example.ids.length;
      for (const m of example.mask) totals.trainable += m;
      if (unk !== undefined) for (const id of example.ids) if (id === unk) totals.unkTokens++;
      await packer.add(example, example.split);
    });
    await packer.finish();
    bundle.save(join(ctx.outDir, TOKENIZER_DIR));
    const stats = { ...statsOf(params, bundle, totals, packer.rows, counts, reuse !== undefined), tokenizer_sha256: bundleHashes(join(ctx.outDir, TOKENIZER_DIR)) };
    report(ctx, stats, counts);
    await writer.finish(ctx.provenance, stats);
    if (ctx.strict && writer.rejectCount > 0) {
      throw new TooltuneError("REJECTS", `${writer.rejectCount} rows rejected`, { stage: ctx.stageName, fix: "see _rejects.parquet, or run without --strict" });
    }
  },
});

/** The special-token set and template that `format` recorded (manifest stats), unless params override them. */
function recordedTemplate(manifest: Manifest, params: TokenizeParams, rowTemplate: string | undefined): { name: string; tokens: string[] | undefined } {
  const stats = manifest.stats ?? {};
  const recorded = stats.special_tokens;
  const fromStats = Array.isArray(recorded)
    ? (recorded as string[])
    : recorded && typeof recorded === "object" && Array.isArray((recorded as { tokens?: unknown }).tokens)
      ? (recorded as { tokens: string[] }).tokens
      : undefined;
  const tokens = params.special_tokens !== undefined ? getSpecialTokens(params.special_tokens).tokens : fromStats;
  const name = typeof stats.template === "string" ? stats.template : (rowTemplate ?? "unknown");
  return { name, tokens };
}

/** The `template` column of the first row: where the name is when the manifest does not record it. */
async function firstTemplate(data: FormattedDataset): Promise<string | undefined> {
  for await (const row of data.rows({ columns: ["template"] })) return row.template;
  return undefined;
}

function buildBundle(ctx: StageContext, params: TokenizeParams, manifest: Manifest, rowTemplate: string | undefined): TokenizerBundle {
  const bundle = loadTokenizerBundle(params.tokenizer, { pretokenize: params.pretokenize });
  const { name, tokens } = recordedTemplate(manifest, params, rowTemplate);
  if (!tokens) ctx.log.warn("tokenize: the formatted dataset records no special-token set and none was given: adding none (set special_tokens)");
  const added = bundle.addSpecialTokens(tokens ?? []);
  bundle.setTemplate({ name, specialTokens: tokens ?? [] });
  // The course notebook sets pad_token to its added `<pad>`.
  const pad = params.pad_token ?? (tokens?.includes("<pad>") ? "<pad>" : undefined);
  if (pad) bundle.setPadToken(pad);
  if (params.eos_token) bundle.setEosToken(params.eos_token);
  ctx.log.info(`tokenize: ${params.tokenizer} + ${added.length} new special tokens (${added.join(" ") || "none"}), template ${name}`);
  return bundle;
}

/** `vocab_from`: a tokens dataset among the inputs lends its bundle, so both datasets share ids. */
function reuseBundle(ctx: StageContext, tokensDir: string): TokenizerBundle {
  const bundle = loadTokenizerBundle(join(tokensDir, TOKENIZER_DIR));
  ctx.log.info(`tokenize: reusing the tokenizer bundle of ${tokensDir} (${bundle.isTrimmed ? "trimmed" : "full"} vocabulary, ${bundle.vocabSize} ids); the tokenizer and special_tokens params are not used`);
  return bundle;
}

/** Encode every row in order; kept examples go to `keep` as they come, the others are counted or rejected. */
async function encodeAll(ctx: StageContext, params: TokenizeParams, bundle: TokenizerBundle, data: FormattedDataset, writer: DatasetWriter, counts: Counts, keep: (example: SplitExample) => Promise<void>): Promise<void> {
  const progress = ctx.log.progress("tokenize", data.manifest.rows);
  let index = 0;
  for await (const batch of data.batches()) {
    for (let i = 0; i < batch.length; i += ENCODE_CHUNK) {
      if (ctx.signal.aborted) throw new TooltuneError("INTERRUPTED", "tokenize was interrupted", { stage: ctx.stageName });
      const chunk = batch.slice(i, i + ENCODE_CHUNK);
      const encoded = await Promise.all(chunk.map((row) => encodeExample(row, params, bundle)));
      for (const [k, result] of encoded.entries()) {
        const row = chunk[k];
        counts.examples++;
        if (result === "untrained") counts.untrained++;
        else if ("reason" in result) {
          counts[result.counter]++;
          writer.reject({ source: `${data.dir}:${index + k}`, reason: `${row.id}: ${result.reason}`, row });
        } else {
          if (result.truncated) counts.truncated++;
          await keep(result.example);
        }
      }
      index += chunk.length;
      progress.tick(chunk.length);
    }
  }
  progress.done();
}

/**
 * Every id of every well-formed row's whole text — also the tails truncation cuts and the rows kept
 * only for eval — so that eval prompts rendered from the same data encode without <unk>: the ids
 * the trimmed vocabulary keeps. A first read of the input, before any row is written. (The second
 * read encodes after trimVocab added <unk> as a special token, so a literal "<unk>" in a text is
 * that one token, as it is for eval's prompts with this bundle.)
 */
async function usedIds(ctx: StageContext, bundle: TokenizerBundle, data: FormattedDataset): Promise<Set<number>> {
  const seen = new Set<number>();
  const progress = ctx.log.progress("tokenize: vocabulary", data.manifest.rows);
  for await (const batch of data.batches({ columns: ["text", "spans"] })) {
    for (let i = 0; i < batch.length; i += ENCODE_CHUNK) {
      if (ctx.signal.aborted) throw new TooltuneError("INTERRUPTED", "tokenize was interrupted", { stage: ctx.stageName });
      const chunk = batch.slice(i, i + ENCODE_CHUNK).filter((row) => !checkSpans(row.spans, row.text.length));
      for (const ids of await Promise.all(chunk.map((row) => bundle.encode(row.text)))) for (const id of ids) seen.add(id);
      progress.tick(Math.min(ENCODE_CHUNK, batch.length - i));
    }
  }
  progress.done();
  return seen;
}

type Encoded = { example: SplitExample; truncated: boolean } | { reason: string; counter: "dropped" | "noTarget" | "badSpans" } | "untrained";

async function encodeExample(row: FormattedRow, params: TokenizeParams, bundle: TokenizerBundle): Promise<Encoded> {
  const bad = checkSpans(row.spans, row.text.length);
  if (bad) return { reason: bad, counter: "badSpans" };
  const { ids, offsets } = await bundle.encodeWithOffsets(row.text);
  // No train span at all is format's decision (text kept for eval only), not a bad row: counted, skipped.
  if (!row.spans.some((s) => s.train && s.end > s.start)) return "untrained";
  let mask = lossMask(offsets, row.spans, row.text.length);
  const tooLong = ids.length > params.max_length;
  if (tooLong && params.overflow === "drop") {
    return { reason: `${ids.length} tokens > max_length ${params.max_length} (overflow: drop)`, counter: "dropped" };
  }
  const keep = Math.min(ids.length, params.max_length);
  mask = mask.subarray(0, keep);
  if (!mask.includes(1)) {
    return { reason: `no trainable tokens${tooLong ? ` within the first ${params.max_length} (of ${ids.length})` : " (the train span covers only the first token)"}`, counter: "noTarget" };
  }
  return { example: { id: row.id, split: row.split, ids: ids.slice(0, keep), mask: mask.slice() }, truncated: tooLong };
}

function statsOf(params: TokenizeParams, bundle: TokenizerBundle, totals: Totals, rows: number, counts: Counts, reused: boolean): Record<string, unknown> {
  const { tokens, trainable } = totals;
  const unk = bundle.unkId;
  return {
    examples_in: counts.examples,
    examples: totals.examples,
    rows,
    tokens,
    trainable_tokens: trainable,
    trainable_share: tokens ? trainable / tokens : 0,
    truncated: counts.truncated,
    dropped: counts.dropped,
    rejected_no_target: counts.noTarget,
    skipped_untrained: counts.untrained,
    rejected_bad_spans: counts.badSpans,
    max_length: params.max_length,
    packed: params.pack,
    // Real tokens over row capacity (rows × max_length): how much compute is not spent on padding.
    packing_efficiency: rows ? tokens / (rows * params.max_length) : 0,
    vocab: bundle.isTrimmed ? "trim" : "full",
    vocab_size: bundle.vocabSize,
    vocab_reused: reused,
    unk_id: unk ?? null,
    unk_tokens: totals.unkTokens,
    eos_id: bundle.eosId,
    pad_id: bundle.padId,
    new_token_ids: bundle.newTokenIds,
    special_tokens: Object.fromEntries(bundle.specialTokens.map((t) => [t.content, t.id])),
    template: bundle.template,
  };
}

/**
 * The manifest's contentHash covers only the Parquet parts; these hashes let train/eval (and a
 * person) see which bundle a dataset carries, e.g. after only eos_token changed.
 */
function bundleHashes(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((name) => [name, sha256(readFileSync(join(dir, name)))]));
}

function report(ctx: StageContext, s: Record<string, unknown>, counts: Counts): void {
  const pct = (x: unknown) => `${(100 * Number(x)).toFixed(1)}%`;
  ctx.log.info(
    `tokenize: ${s.examples}/${counts.examples} examples → ${s.rows} rows, ${s.tokens} tokens (${pct(s.trainable_share)} trainable), ` +
      `packing efficiency ${pct(s.packing_efficiency)}, vocab ${s.vocab} (${s.vocab_size} ids)`,
  );
  if (counts.truncated || counts.dropped) ctx.log.warn(`tokenize: longer than max_length ${s.max_length}: ${counts.truncated} truncated, ${counts.dropped} dropped`);
  if (counts.untrained) ctx.log.info(`tokenize: skipped ${counts.untrained} rows with no train span (format kept them for eval only)`);
  if (counts.noTarget || counts.badSpans) ctx.log.warn(`tokenize: rejected ${counts.noTarget} with no trainable tokens, ${counts.badSpans} with bad spans (see _rejects.parquet)`);
  if (Number(s.unk_tokens) > 0) ctx.log.warn(`tokenize: ${s.unk_tokens} tokens outside the reused trimmed vocabulary became <unk>`);
}
