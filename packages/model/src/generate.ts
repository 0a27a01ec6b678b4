// Generation: several prompts at once (left-padded, per-row positions), greedy or sampled
// (temperature, top-p, seed), a KV cache, stop tokens and stop strings.
import * as tf from "@tensorflow/tfjs-core";
import type { Adapter, CausalLM, KvCache } from "./model.js";

export interface GenerateOptions {
  maxNewTokens: number;
  /** 0 (default) = greedy. */
  temperature?: number;
  /** Nucleus sampling: keep the smallest set of tokens whose probability reaches topP (default 1). */
  topP?: number;
  seed?: number;
  /** A row stops at any of these; the stop token is not included in its ids. */
  stopTokenIds?: number[];
  /** A row stops once decode(its new ids) contains one of these (needs `decode`). */
  stopStrings?: string[];
  decode?: (ids: number[]) => string;
  adapter?: Adapter;
  /** false = recompute the whole sequence every step (reference for tests). Default true. */
  useCache?: boolean;
  /** Fed to finished rows and used as left padding (never attended to). Default 0. */
  padTokenId?: number;
}

export type FinishReason = "stop_token" | "stop_string" | "length";

export interface Generation {
  /** New tokens per prompt. */
  ids: number[][];
  finishReason: FinishReason[];
}

/** mulberry32: a small seeded generator, so sampling is repeatable. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pickToken(logits: Float32Array, temperature: number, topP: number, random: () => number): number {
  if (temperature <= 0) {
    let best = 0;
    for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
    return best;
  }
  let max = -Infinity;
  for (const x of logits) max = Math.max(max, x);
  const probs = Array.from(logits, (x, i) => ({ i, p: Math.exp((x - max) / temperature) }));
  const total = probs.reduce((s, e) => s + e.p, 0);
  probs.sort((a, b) => b.p - a.p);
  const kept: typeof probs = [];
  let mass = 0;
  for (const e of probs) {
    kept.push(e);
    mass += e.p / total;
    if (mass >= topP) break;
  }
  let u = random() * kept.reduce((s, e) => s + e.p, 0);
  for (const e of kept) if ((u -= e.p) <= 0) return e.i;
  return kept[kept.length - 1].i;
}

/** Logits [B, V] of the last position, running `step` new tokens through the cache. */
function lastLogits(model: CausalLM, ids: number[][], positions: number[][], cache: KvCache, adapter?: Adapter): Float32Array[] {
  const B = ids.length;
  const T = ids[0].length;
  const logits = tf.tidy(() => {
    const h = model.hidden(ids, { positionIds: positions, cache, adapter }); // [B·T, H]
    const last = tf.gather(h, tf.tensor1d(ids.map((_, b) => b * T + T - 1), "int32")); // [B, H]
    return model.logitsOf(last, adapter); // [B, V]
  });
  const flat = logits.dataSync() as Float32Array;
  logits.dispose();
  const V = model.config.vocabSize;
  return Array.from({ length: B }, (_, b) => flat.subarray(b * V, (b + 1) * V));
}

export function generate(model: CausalLM, prompts: number[][], opts: GenerateOptions): Generation {
  const pad = opts.padTokenId ?? 0;
  const L = Math.max(...prompts.map((p) => p.length));
  const padCount = prompts.map((p) => L - p.length);
  const random = rng(opts.seed ?? 0);
  const stopIds = new Set(opts.stopTokenIds ?? []);
  const out: number[][] = prompts.map(() => []);
  const finish: (FinishReason | null)[] = prompts.map(() => null);
  const keyValid = prompts.map((_, b) => Uint8Array.from({ length: L + opts.maxNewTokens }, (_, j) => (j >= padCount[b] ? 1 : 0)));
  const rows = prompts.map((p, b) => [...Array<number>(padCount[b]).fill(pad), ...p]); // left-padded
  const positionOf = (b: number, j: number) => Math.max(0, j - padCount[b]);
  const newCache = (): KvCache => ({ layers: [], length: 0, keyValid });
  let cache = newCache();
  let fed = 0; // tokens already in the cache
  try {
    for (let step = 0; step < opts.maxNewTokens && finish.includes(null); step++) {
      if (opts.useCache === false) { disposeCache(cache); cache = newCache(); fed = 0; }
      const S = rows[0].length;
      const ids = rows.map((r) => r.slice(fed, S));
      const positions = rows.map((r, b) => r.slice(fed, S).map((_, t) => positionOf(b, fed + t)));
      const logits = lastLogits(model, ids, positions, cache, opts.adapter);
      fed = S;
      rows.forEach((row, b) => {
        if (finish[b]) return row.push(pad);
        const token = pickToken(logits[b], opts.temperature ?? 0, opts.topP ?? 1, random);
        row.push(token);
        if (stopIds.has(token)) return void (finish[b] = "stop_token");
        out[b].push(token);
        if (opts.stopStrings?.length && opts.decode) {
          const text = opts.decode(out[b]);
          if (opts.stopStrings.some((s) => text.includes(s))) finish[b] = "stop_string";
        }
      });
    }
  } finally {
    disposeCache(cache);
  }
  return { ids: out, finishReason: finish.map((f) => f ?? "length") };
}

function disposeCache(cache: KvCache): void {
  for (const l of cache.layers) tf.dispose([l.k, l.v]);
  cache.layers = [];
}
