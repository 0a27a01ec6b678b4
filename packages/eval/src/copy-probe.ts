/**
 * The in-context copy probe (issue 14): can a model repeat a token sequence it saw earlier in its
 * context? That is what an induction circuit does, and what copying a value from a request into a
 * tool call needs. Two kinds of items, both seeded and deterministic:
 *
 * - `spans`: random ids of the model's own vocabulary, [distractors?, s1..sk, separator?, s1..sk],
 *   built at the id level (no re-tokenisation), so it measures exactly "copy a sequence seen before".
 *   Every token of the repeat but its first (which nothing announces) is scored.
 * - `values`: a number, date, name or code stated in a sentence, filler sentences, then a sentence
 *   that repeats it; text tokenised with the bundle, only the value's tokens in the repeat scored.
 *
 * Scoring is teacher-forced greedy accuracy: one forward pass per item (batched); a scored token is
 * right when the argmax of the logits before it is that token.
 */
import * as tf from "@tensorflow/tfjs-core";
import { Rng } from "@tooltune/format";
import { CausalLM, gatherRows, type Adapter } from "@tooltune/model";
import type { TokenizerBundle } from "@tooltune/tokenize";
import { FILLERS, VALUE_TEMPLATES } from "./copy-probe-text.js";

export type ProbeKind = "spans" | "values";

export interface ProbeItem {
  kind: ProbeKind;
  /** Model ids of the whole item. */
  ids: number[];
  /** Positions t whose token ids[t] is scored (predicted by the logits at t − 1). */
  targets: number[];
  /** ids[t] === ids[t − distance] at every target: how far back the copy's source is. */
  distance: number;
}

export interface KindScore {
  items: number;
  /** Scored tokens. */
  tokens: number;
  /** Right tokens / scored tokens (null without items). */
  token_accuracy: number | null;
  /** Items whose scored tokens are all right. */
  exact_match: number | null;
}

export interface CopyProbeResult {
  spans: KindScore;
  values: KindScore;
  /** Token accuracy over both kinds. */
  copy_accuracy: number | null;
}

/**
 * Logits [Σ targets, V] predicting each target: for row b and each t in at[b], the logits at
 * position t − 1. Rows may differ in length. A model (see `modelLogits`) or a stand-in in tests.
 */
export type NextTokenLogits = (rows: number[][], at: number[][]) => tf.Tensor2D;

// ---------------------------------------------------------------- items

export interface ProbeOptions {
  seed: number;
  /** Items of each kind. */
  perKind: number;
}

/** Span lengths, as in the toy runs (random spans of 3–12 tokens). */
const SPAN_MIN = 3;
const SPAN_MAX = 12;
const MAX_DISTRACTORS = 4;

export async function copyProbeItems(bundle: TokenizerBundle, opts: ProbeOptions): Promise<ProbeItem[]> {
  const seeded = new Rng(opts.seed);
  const rng = () => seeded.next();
  const spans = await spanItems(bundle, rng, opts.perKind);
  const values = await valueItems(bundle, rng, opts.perKind);
  return [...spans, ...values];
}

async function spanItems(bundle: TokenizerBundle, rng: () => number, n: number): Promise<ProbeItem[]> {
  const draw = vocabularyDraw(bundle, rng);
  const items: ProbeItem[] = [];
  for (let i = 0; i < n; i++) {
    const k = int(rng, SPAN_MIN, SPAN_MAX);
    const before = await draws(draw, int(rng, 0, MAX_DISTRACTORS));
    const span = await draws(draw, k);
    const separator = await draws(draw, rng() < 0.5 ? 1 : 0);
    const ids = [...before, ...span, ...separator, ...span];
    const start = ids.length - k;
    items.push({ kind: "spans", ids, targets: range(start + 1, ids.length), distance: k + separator.length });
  }
  return items;
}

async function draws(draw: () => Promise<number>, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await draw());
  return out;
}

/**
 * Uniform draws from the model ids that stand for text: not added tokens (chat and tool markup),
 * eos, pad or unk, not a trimmed vocabulary's padding rows (they decode as unk), and not ids whose
 * text is empty or blank (nothing to copy). Checked lazily: decoding all of a 150 k vocabulary
 * one id at a time would take seconds, a probe draws a few thousand.
 */
function vocabularyDraw(bundle: TokenizerBundle, rng: () => number): () => Promise<number> {
  const unk = bundle.unkId;
  const unkOriginal = unk === undefined ? undefined : bundle.toOriginalIds([unk])[0];
  const excluded = new Set([...bundle.addedTokenIds, bundle.eosId, bundle.padId, ...(unk === undefined ? [] : [unk])]);
  const known = new Map<number, boolean>();
  const usable = async (id: number): Promise<boolean> => {
    if (excluded.has(id) || bundle.toOriginalIds([id])[0] === unkOriginal) return false;
    const text = await bundle.decode([id]);
    return text.trim() !== "";
  };
  return async () => {
    for (let tries = 0; tries < 10_000; tries++) {
      const id = Math.floor(rng() * bundle.vocabSize);
      if (!known.has(id)) known.set(id, await usable(id));
      if (known.get(id)) return id;
    }
    throw new Error("copy probe: the vocabulary has (almost) no ids that stand for text");
  };
}

async function valueItems(bundle: TokenizerBundle, rng: () => number, n: number): Promise<ProbeItem[]> {
  const items: ProbeItem[] = [];
  // A trimmed vocabulary may lack a value's tokens (they become unk): such values are drawn again,
  // within a bound so that a tiny vocabulary gives fewer items rather than no end.
  for (let tries = 0; items.length < n && tries < 20 * n; tries++) {
    const item = await valueItem(bundle, rng);
    if (item) items.push(item);
  }
  return items;
}

async function valueItem(bundle: TokenizerBundle, rng: () => number): Promise<ProbeItem | null> {
  const t = VALUE_TEMPLATES[Math.floor(rng() * VALUE_TEMPLATES.length)];
  const value = t.value(rng);
  const filler = shuffle(rng, FILLERS).slice(0, int(rng, 1, 3)).join(" ");
  const say = t.say.replace("{v}", value);
  const head = `${say} ${filler} `;
  const text = head + t.again.replace("{v}", value);
  const firstAt = t.say.indexOf("{v}");
  const againAt = head.length + t.again.indexOf("{v}");
  const { ids, offsets } = await bundle.encodeWithOffsets(text);
  const first = tokensOver(offsets, firstAt, firstAt + value.length);
  const again = tokensOver(offsets, againAt, againAt + value.length);
  const source = first.map((i) => ids[i]);
  // The copy is well defined only when both occurrences are the same tokens, none of them unk.
  if (source.length === 0 || source.length !== again.length || again.some((i, j) => ids[i] !== source[j])) return null;
  if (source.some((id) => id === bundle.unkId)) return null;
  return { kind: "values", ids: Array.from(ids), targets: again, distance: again[0] - first[0] };
}

/** Indices of the tokens that overlap [start, end) (offsets as encodeWithOffsets gives them). */
function tokensOver(offsets: Int32Array, start: number, end: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < offsets.length / 2; i++) if (offsets[2 * i] < end && offsets[2 * i + 1] > start) out.push(i);
  return out;
}

// ---------------------------------------------------------------- scoring

/** Logits of a model (+ adapter) at the asked positions, from its own hidden states and head. */
export function modelLogits(model: CausalLM, adapter?: Adapter): NextTokenLogits {
  return (rows, at) => {
    const T = Math.max(...rows.map((r) => r.length));
    // Right padding with id 0: causal attention never lets a position see a later one.
    const padded = rows.map((r) => [...r, ...new Array<number>(T - r.length).fill(0)]); // [B, T]
    const picked = at.flatMap((ts, b) => ts.map((t) => b * T + t - 1));
    const h = model.hidden(padded, { adapter }); // [B·T, H]
    return model.logitsOf(gatherRows(h, tf.tensor1d(picked, "int32")), adapter); // [Σ targets, V]
  };
}

export interface RunOptions {
  /** Items per forward pass. */
  batchSize?: number;
  /** With a model: the adapter on top of it. */
  adapter?: Adapter;
}

export function runCopyProbe(model: CausalLM | NextTokenLogits, items: ProbeItem[], opts: RunOptions = {}): CopyProbeResult {
  const logits = model instanceof CausalLM ? modelLogits(model, opts.adapter) : model;
  const batchSize = opts.batchSize ?? 8;
  const right: number[] = []; // right tokens per item
  for (let i = 0; i < items.length; i += batchSize) {
    const batch = items.slice(i, i + batchSize);
    const argmax = tf.tidy(() => tf.argMax(logits(batch.map((it) => it.ids), batch.map((it) => it.targets)), 1));
    const predicted = argmax.dataSync();
    argmax.dispose();
    let k = 0;
    for (const it of batch) right.push(it.targets.filter((t) => predicted[k++] === it.ids[t]).length);
  }
  const score = (kind: ProbeKind) => kindScore(items.flatMap((it, i) => (it.kind === kind ? [{ tokens: it.targets.length, right: right[i] }] : [])));
  const spans = score("spans");
  const values = score("values");
  const tokens = spans.tokens + values.tokens;
  const rightTokens = right.reduce((s, r) => s + r, 0);
  return { spans, values, copy_accuracy: tokens ? rightTokens / tokens : null };
}

function kindScore(items: { tokens: number; right: number }[]): KindScore {
  const tokens = items.reduce((s, it) => s + it.tokens, 0);
  const right = items.reduce((s, it) => s + it.right, 0);
  return {
    items: items.length,
    tokens,
    token_accuracy: tokens ? right / tokens : null,
    exact_match: items.length ? items.filter((it) => it.right === it.tokens).length / items.length : null,
  };
}

// ---------------------------------------------------------------- randomness

/** Integer in [lo, hi], both included. */
const int = (rng: () => number, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

function shuffle<T>(rng: () => number, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
