// A decoder-only transformer written once against tfjs ops: Llama, with Qwen2's q/k/v biases, Qwen3's
// per-head q/k norms, Mistral's and Gemma's sliding window, Phi-3's fused qkv/gate_up projections
// and partial rotary, Gemma's (1 + w) norms, √hidden embedding scale, sandwich norms and soft-capping,
// and Gemma 3's q/k norms and second RoPE base for its local (sliding) layers.
// Read top-down: building blocks → attention → MLP → block → model (logits, loss).
//
// Parameters live in one Map under Hugging Face's own names (`model.layers.0.self_attn.q_proj.weight`).
// Linear weights are held as [in, out] — the transpose of HF's [out, in] — so every projection is a
// plain, non-transposed matmul x[N, in] @ W[in, out] (tfjs wasm is ~10× slower on transposed ones).
// Activations stay 2-D [N = B·T, features] except inside attention.
import * as tf from "@tensorflow/tfjs-core";
// Gradients: tfjs-core registers none, and its dist/register_all_gradients.js is ESM with directory
// imports that plain Node cannot load (only bundlers/vitest can); the union package's Node build
// registers every gradient into tfjs's global registry. (Changed by the lead: the CLI runs in Node.)
import "@tensorflow/tfjs";
import { registerFastCpuKernels } from "./fast-cpu-kernels.js";
import { fusedOps } from "./fused.js";
import { chunkedCrossEntropy, crossEntropy, LOGITS_CHUNK_ELEMENTS } from "./cross-entropy.js";
import { gradsInBackward } from "./recompute.js";
import { mixSeed, seededDropout } from "./random.js";
import { isGemma, type ModelConfig } from "./config.js";
import type { Rows } from "./types.js";
import { attentionBias, ropeTables, segmentsOf, type RopeTables } from "./masks.js";

export { crossEntropy } from "./cross-entropy.js";

export type Params = Map<string, tf.Variable>;

/**
 * What an adapter (LoRA, trainable token rows) may change. `module` is the HF module path
 * (`model.layers.3.mlp.up_proj`, `lm_head`, `model.embed_tokens`).
 */
export interface Adapter {
  /** Added to the module's output; x is the module's input [N, in]. */
  linearDelta?(module: string, x: tf.Tensor2D): tf.Tensor2D | null;
  /**
   * linearDelta as its parts when it is scale · (input A) B, input = x or x after the adapter's
   * dropout (LoRA): A [in, r], B [r, out], so a backend can fuse it with the frozen base product.
   * Consumes the same dropout draw as a linearDelta call. Null: use linearDelta.
   */
  linearFactors?(module: string, x: tf.Tensor2D): { a: tf.Tensor2D; b: tf.Tensor2D; scale: number; input: tf.Tensor2D } | null;
  /** Added to the embedding output for ids [N]. */
  embeddingDelta?(module: string, ids: tf.Tensor1D): tf.Tensor2D | null;
  /** Replaces the embedding table (e.g. with trainable rows spliced in). */
  embeddingWeight?(module: string, weight: tf.Tensor2D): tf.Tensor2D;
  /**
   * Its trainable variables read inside the modules under this path prefix (`model.layers.3.`):
   * gradient checkpointing declares them as the layer's inputs. Required for checkpointing.
   */
  trainableOf?(prefix: string): tf.Variable[];
  /** Dropout draws so far: checkpointing rewinds it to redraw the forward's masks in backward. */
  dropoutCalls?: number;
}

/** Keys/values of earlier tokens, per layer: [B, nKv, S, headDim]. Owned by the caller (dispose it). */
export interface KvCache {
  layers: { k: tf.Tensor4D; v: tf.Tensor4D }[];
  length: number;
  /** keyValid[b][j] = 0 for padding keys (left-padded prompts). */
  keyValid: Uint8Array[];
}

export interface ForwardOptions {
  /** [B, T]; restart at 0 per packed example. Default 0..T-1 (or continuing the cache). */
  positionIds?: Rows;
  adapter?: Adapter;
  /** Extend this cache in place with this call's keys/values (generation). */
  cache?: KvCache;
  /**
   * Keep only each decoder layer's input for backward and recompute the layer's forward there
   * (activation checkpointing): one more forward per step, a layer's activations held at a time.
   */
  gradientCheckpointing?: boolean;
  /**
   * Training: the config's own dropouts apply (attention_dropout on the attention probabilities,
   * Phi-3's resid_pdrop on the sublayer outputs), every mask fixed by this seed, its layer and its
   * site. Absent (inference, eval): none, as transformers' eval mode.
   */
  dropoutSeed?: number;
}

export interface LossOptions {
  gradientCheckpointing?: boolean;
  /** As ForwardOptions' (training only). */
  dropoutSeed?: number;
  /** Head rows per chunk of the loss; default: chunked when targets × vocab > LOGITS_CHUNK_ELEMENTS. */
  logitsChunkRows?: number;
}

export interface LossResult {
  /** sum / count (0 when nothing is a target). */
  loss: tf.Scalar;
  /** Summed cross-entropy over target tokens (to average over an accumulated batch). */
  sum: tf.Scalar;
  /** Number of target tokens. */
  count: number;
}

export const isLinearWeight = (name: string): boolean => /(_proj|lm_head)\.weight$/.test(name);

// ---------------------------------------------------------------- building blocks

function rmsNorm(x: tf.Tensor2D, w: tf.Tensor1D, eps: number, plusOne: boolean): tf.Tensor2D {
  const fused = fusedOps().rmsNorm;
  if (fused) return fused(x, w, eps, plusOne);
  const variance = tf.mean(tf.square(x), -1, true); // [N, 1]
  const normed = tf.mul(x, tf.rsqrt(tf.add(variance, eps)));
  return tf.mul(normed, plusOne ? tf.add(w, 1) : w);
}

/**
 * HF rotate_half on the last axis: x*cos + cat(-x2, x1)*sin. x: [N, heads, headDim]; cos/sin
 * [N, 1, d]: with d < headDim (partial rotary, Phi-4-mini) only the first d dims turn, the rest pass.
 */
function applyRope(x: tf.Tensor3D, rope: RopeTables): tf.Tensor3D {
  const [d, hd] = [rope.cos.shape[2], x.shape[2]];
  if (d < hd) {
    const [rot, pass] = tf.split(x, [d, hd - d], 2) as tf.Tensor3D[];
    return tf.concat([rotate(rot, rope), pass], 2);
  }
  return rotate(x, rope);
}

function rotate(x: tf.Tensor3D, rope: RopeTables): tf.Tensor3D {
  const fused = fusedOps().rope;
  if (fused) return fused(x, rope.cos, rope.sin);
  const half = x.shape[2] / 2;
  const [x1, x2] = tf.split(x, [half, half], 2);
  const rotated = tf.concat([tf.neg(x2), x1], 2);
  return tf.add(tf.mul(x, rope.cos), tf.mul(rotated, rope.sin));
}

function softcap(x: tf.Tensor, cap: number | null): tf.Tensor {
  return cap === null ? x : tf.mul(tf.tanh(tf.div(x, cap)), cap);
}

/** GELU, tanh approximation (PyTorch's gelu(approximate="tanh")). */
function geluTanh(x: tf.Tensor2D): tf.Tensor2D {
  const inner = tf.mul(tf.add(x, tf.mul(tf.mul(tf.square(x), x), 0.044715)), Math.sqrt(2 / Math.PI));
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
}

registerFastCpuKernels(); // a linear-time UnsortedSegmentSum (gather's gradient) for cpu / native

/** Rows of x at idx. tfjs wasm has no UnsortedSegmentSum (gather's gradient): scatter by matmul there. */

export function gatherRows(x: tf.Tensor2D, idx: tf.Tensor1D): tf.Tensor2D {
  if (tf.getKernel("UnsortedSegmentSum", tf.getBackend())) return tf.gather(x, idx);
  const n = x.shape[0];
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    (args[1] as tf.GradSaveFunc)([idx]); // keeps idx alive until the backward pass
    const value: tf.Tensor2D = tf.gather(args[0] as tf.Tensor2D, idx);
    const gradFunc = (dy: tf.Tensor2D, saved: tf.Tensor[]) =>
      tf.matMul(tf.cast(tf.oneHot(saved[0] as tf.Tensor1D, n), "float32"), dy, true, false); // [n, D]
    return { value, gradFunc };
  });
  return f(x);
}

// ---------------------------------------------------------------- the model

interface Step {
  B: number;
  T: number;
  rope: RopeTables;
  /** The sliding layers' (Gemma 3's own base); the same tables as `rope` elsewhere. */
  localRope: RopeTables;
  /** Dense additive masks for the tfjs attention; null when the fused attention serves every layer. */
  bias: { full: tf.Tensor4D; sliding: tf.Tensor4D | null } | null;
  /** Packed-example id per token [B·T] (no cache only), for the fused attention. */
  segments: Int32Array | null;
  adapter?: Adapter;
  cache?: KvCache;
  /** ForwardOptions.dropoutSeed; null: no dropout. */
  dropoutSeed: number | null;
}

/** Dropout sites of a layer, each its own masks (mixSeed(dropoutSeed, layer, site)). */
const SITE = { attentionProbs: 0, attentionOut: 1, mlpOut: 2 } as const;
type Site = (typeof SITE)[keyof typeof SITE];

export class CausalLM {
  constructor(readonly config: ModelConfig, readonly params: Params) {}

  private p(name: string): tf.Variable {
    const v = this.params.get(name);
    if (!v) throw new Error(`model has no parameter ${name}`);
    return v;
  }

  /** x [N, in] @ W [in, out] (+ bias) (+ adapter delta). `module` is the HF path. */
  linear(x: tf.Tensor2D, module: string, adapter?: Adapter): tf.Tensor2D {
    const w = this.p(`${module}.weight`) as tf.Variable<tf.Rank.R2>;
    const fused = fusedOps().loraLinear;
    const factors = fused && !w.trainable ? adapter?.linearFactors?.(module, x) : null; // the fused op gives W no gradient
    let y: tf.Tensor2D = factors ? fused!(x, w, factors.a, factors.b, factors.scale, factors.input) : tf.matMul(x, w);
    const bias = this.params.get(`${module}.bias`);
    if (bias) y = tf.add(y, bias);
    const delta = factors ? null : adapter?.linearDelta?.(module, x);
    return delta ? tf.add(y, delta) : y;
  }

  private attention(x: tf.Tensor2D, i: number, s: Step): tf.Tensor2D {
    const c = this.config;
    const { B, T } = s;
    const [nH, nKv, hd] = [c.numAttentionHeads, c.numKeyValueHeads, c.headDim];
    const g = nH / nKv;
    const at = `model.layers.${i}.self_attn`;
    const [qx, kx, v] = c.fusedProjections
      ? (tf.split(this.linear(x, `${at}.qkv_proj`, s.adapter), [nH * hd, nKv * hd, nKv * hd], 1) as tf.Tensor2D[]) // Phi-3: q | k | v columns
      : [this.linear(x, `${at}.q_proj`, s.adapter), this.linear(x, `${at}.k_proj`, s.adapter), this.linear(x, `${at}.v_proj`, s.adapter)];
    const rope = c.layerTypes[i] === "sliding_attention" ? s.localRope : s.rope;
    const q = applyRope(this.headNorm(tf.reshape(qx, [B * T, nH, hd]), `${at}.q_norm`), rope); // [N, nH, hd]
    const k = applyRope(this.headNorm(tf.reshape(kx, [B * T, nKv, hd]), `${at}.k_norm`), rope); // [N, nKv, hd]
    const scale = (c.queryPreAttnScalar ?? hd) ** -0.5;
    const sliding = c.layerTypes[i] === "sliding_attention" && c.slidingWindow !== null;
    if (!s.bias) {
      const fused = fusedOps().attention!;
      const window = sliding ? c.slidingWindow : null;
      const opts = { batch: B, seqLen: T, scale, segments: s.segments!, softcap: c.attnLogitSoftcapping, window };
      const merged = fused(q, k, tf.reshape(v, [B * T, nKv, hd]), opts); // [N, nH·hd]
      return this.linear(merged, `${at}.o_proj`, s.adapter);
    }
    // heads first; query head h = kv·g + j reads kv head kv, so q groups fold into the row axis;
    // scaling q rather than the scores: fewer elements
    const qh = tf.reshape(tf.transpose(tf.reshape(tf.mul(q, scale), [B, T, nH, hd]), [0, 2, 1, 3]), [B, nKv, g * T, hd]); // [B, nKv, g·T, hd]
    let kh: tf.Tensor4D = tf.transpose(tf.reshape(k, [B, T, nKv, hd]), [0, 2, 1, 3]); // [B, nKv, T, hd]
    let vh: tf.Tensor4D = tf.transpose(tf.reshape(v, [B, T, nKv, hd]), [0, 2, 1, 3]); // [B, nKv, T, hd]
    if (s.cache) [kh, vh] = this.extendCache(s.cache, i, kh, vh); // [B, nKv, S, hd]
    const scores = softcap(tf.matMul(qh, kh, false, true), c.attnLogitSoftcapping); // [B, nKv, g·T, S]
    const bias = s.bias!;
    const probs = this.dropout(tf.softmax(tf.add(scores, sliding && bias.sliding ? bias.sliding : bias.full)), i, SITE.attentionProbs, s);
    const out = tf.matMul(probs, vh); // [B, nKv, g·T, hd]
    const merged: tf.Tensor2D = tf.reshape(tf.transpose(tf.reshape(out, [B, nH, T, hd]), [0, 2, 1, 3]), [B * T, nH * hd]); // [N, nH·hd]
    return this.linear(merged, `${at}.o_proj`, s.adapter);
  }

  /** Qwen3's and Gemma 3's q_norm / k_norm: RMSNorm over each head's headDim, before RoPE (identity elsewhere). */
  private headNorm(x: tf.Tensor3D, name: string): tf.Tensor3D {
    if (!this.config.qkNorm) return x;
    const [N, heads, hd] = x.shape;
    return tf.reshape(this.norm(tf.reshape(x, [N * heads, hd]), name), [N, heads, hd]); // [N·heads, hd] → [N, heads, hd]
  }

  private extendCache(cache: KvCache, i: number, k: tf.Tensor4D, v: tf.Tensor4D): [tf.Tensor4D, tf.Tensor4D] {
    const old = cache.layers[i];
    const kAll = old ? tf.concat([old.k, k], 2) : k; // [B, nKv, S, hd]
    const vAll = old ? tf.concat([old.v, v], 2) : v;
    if (old) { old.k.dispose(); old.v.dispose(); }
    cache.layers[i] = { k: tf.keep(kAll), v: tf.keep(vAll) };
    return [kAll, vAll];
  }

  private mlp(x: tf.Tensor2D, i: number, adapter?: Adapter): tf.Tensor2D {
    const m = `model.layers.${i}.mlp`;
    const I = this.config.intermediateSize;
    const [gate, up] = this.config.fusedProjections
      ? (tf.split(this.linear(x, `${m}.gate_up_proj`, adapter), [I, I], 1) as tf.Tensor2D[]) // Phi-3: gate | up columns (chunk(2))
      : [this.linear(x, `${m}.gate_proj`, adapter), this.linear(x, `${m}.up_proj`, adapter)];
    const silu = this.config.hiddenAct === "silu";
    const fused = fusedOps().gatedActivation;
    const act: tf.Tensor2D = fused ? fused(gate, up, silu ? "silu" : "gelu_tanh") : tf.mul(silu ? tf.mul(gate, tf.sigmoid(gate)) : geluTanh(gate), up);
    return this.linear(act, `${m}.down_proj`, adapter);
  }

  /** x in training with its site's rate (none: x itself), as transformers' nn.Dropout in train mode. */
  private dropout<T extends tf.Tensor>(x: T, i: number, site: Site, s: Step): T {
    const rate = site === SITE.attentionProbs ? this.config.attentionDropout : this.config.residDropout;
    if (s.dropoutSeed === null || !(rate > 0)) return x;
    const rows = tf.reshape(x, [-1, x.shape[x.rank - 1]]) as tf.Tensor2D; // the fused op takes [N, D]
    return tf.reshape(seededDropout(rows, rate, mixSeed(s.dropoutSeed, i, site)), x.shape) as T;
  }

  private norm(x: tf.Tensor2D, name: string): tf.Tensor2D {
    return rmsNorm(x, this.p(`${name}.weight`) as tf.Tensor1D, this.config.rmsNormEps, isGemma(this.config.family));
  }

  private block(h: tf.Tensor2D, i: number, s: Step): tf.Tensor2D {
    const l = `model.layers.${i}`;
    if (!isGemma(this.config.family)) {
      // residDropout is Phi-3's resid_attn_dropout / resid_mlp_dropout (0 in the other families)
      h = tf.add(h, this.dropout(this.attention(this.norm(h, `${l}.input_layernorm`), i, s), i, SITE.attentionOut, s));
      return tf.add(h, this.dropout(this.mlp(this.norm(h, `${l}.post_attention_layernorm`), i, s.adapter), i, SITE.mlpOut, s));
    }
    const attn = this.attention(this.norm(h, `${l}.input_layernorm`), i, s);
    h = tf.add(h, this.norm(attn, `${l}.post_attention_layernorm`));
    const mlp = this.mlp(this.norm(h, `${l}.pre_feedforward_layernorm`), i, s.adapter);
    return tf.add(h, this.norm(mlp, `${l}.post_feedforward_layernorm`));
  }

  /**
   * block() whose backward recomputes it from its saved input: tfjs records no tape inside a
   * customGrad's forward, so the layer's activations are freed as soon as its output exists.
   * Inputs: h and the layer's trainable weights and adapter variables (their gradients come back).
   */
  private checkpointedBlock(h: tf.Tensor2D, i: number, s: Step): tf.Tensor2D {
    const { adapter } = s;
    if (adapter && !adapter.trainableOf) throw new Error("gradient checkpointing needs an adapter with trainableOf()");
    const prefix = `model.layers.${i}.`;
    const vars = [...[...this.params].filter(([name, v]) => name.startsWith(prefix) && v.trainable).map(([, v]) => v), ...(adapter?.trainableOf?.(prefix) ?? [])];
    const tables = [s.rope.cos, s.rope.sin, s.localRope.cos, s.localRope.sin, ...(s.bias ? [s.bias.full, s.bias.sliding ?? s.bias.full] : [])];
    const draws = adapter?.dropoutCalls;
    const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const x = args[0] as tf.Tensor2D;
      (args.at(-1) as tf.GradSaveFunc)([x, ...tables]); // a caller's tidy disposes the tables before backward
      const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [x0, cos, sin, localCos, localSin, full, sliding] = saved as [tf.Tensor2D, ...tf.Tensor3D[]];
        const step: Step = {
          ...s, rope: { cos, sin }, localRope: { cos: localCos, sin: localSin },
          bias: s.bias ? { full: full as unknown as tf.Tensor4D, sliding: s.bias.sliding ? (sliding as unknown as tf.Tensor4D) : null } : null,
        };
        const after = adapter?.dropoutCalls;
        if (adapter && draws !== undefined) adapter.dropoutCalls = draws; // the forward's dropout masks again
        const grads = gradsInBackward((...xs) => tf.sum(tf.mul(this.block(xs[0] as tf.Tensor2D, i, step), dy)), [x0, ...vars]);
        if (adapter && after !== undefined) adapter.dropoutCalls = after;
        return grads;
      };
      return { value: this.block(x, i, s), gradFunc };
    });
    return f(h, ...vars) as tf.Tensor2D;
  }

  private embed(ids: tf.Tensor1D, adapter?: Adapter): tf.Tensor2D {
    const name = "model.embed_tokens";
    let table: tf.Tensor2D = this.p(`${name}.weight`) as tf.Tensor2D;
    if (adapter?.embeddingWeight) table = adapter.embeddingWeight(name, table);
    let x = gatherRows(table, ids); // [N, H]
    const delta = adapter?.embeddingDelta?.(name, ids);
    if (delta) x = tf.add(x, delta);
    // Gemma: normalizer = hidden_size ** 0.5 in the activations' dtype
    return isGemma(this.config.family) ? tf.mul(x, Math.fround(Math.sqrt(this.config.hiddenSize))) : x;
  }

  /** Final hidden states [B·T, H] (after the last norm). */
  hidden(inputIds: Rows, opts: ForwardOptions = {}): tf.Tensor2D {
    const B = inputIds.length;
    const T = inputIds[0].length;
    const start = opts.cache?.length ?? 0;
    const positions = opts.positionIds ?? inputIds.map(() => Array.from({ length: T }, (_, t) => start + t));
    const ids = tf.tensor1d(inputIds.flatMap((r) => Array.from(r)), "int32");
    const segments = opts.cache ? null : segmentsOf(positions);
    const keyValid = opts.cache?.keyValid;
    const S = start + T;
    const g = this.config.numAttentionHeads / this.config.numKeyValueHeads;
    const window = this.config.layerTypes.includes("sliding_attention") ? this.config.slidingWindow : null;
    const dropoutSeed = opts.dropoutSeed ?? null;
    const probsDropout = dropoutSeed !== null && this.config.attentionDropout > 0; // the fused attention never holds the probabilities
    const fused = segments !== null && fusedOps().attention !== undefined && !probsDropout; // then no layer needs the masks
    const rope = ropeTables(this.config, positions);
    const local = this.config.ropeLocalTheta;
    const step: Step = {
      B, T, adapter: opts.adapter, cache: opts.cache, rope, dropoutSeed,
      localRope: local === null ? rope : ropeTables({ ...this.config, ropeTheta: local, ropeScaling: null }, positions),
      bias: fused ? null : {
        full: attentionBias({ B, T, S, start, groups: g, segments, keyValid, window: null }),
        sliding: window === null ? null : attentionBias({ B, T, S, start, groups: g, segments, keyValid, window }),
      },
      segments: segments && Int32Array.from(segments.flatMap((r) => Array.from(r))),
    };
    let h = this.embed(ids, opts.adapter);
    for (let i = 0; i < this.config.numHiddenLayers; i++) h = opts.gradientCheckpointing ? this.checkpointedBlock(h, i, step) : this.block(h, i, step);
    if (opts.cache) opts.cache.length = S;
    return this.norm(h, "model.norm");
  }

  /** Logits [N, V] for hidden states [N, H] (tied: h @ embedᵀ). */
  logitsOf(h: tf.Tensor2D, adapter?: Adapter): tf.Tensor2D {
    let logits: tf.Tensor2D;
    if (this.config.tieWordEmbeddings) {
      let table: tf.Tensor2D = this.p("model.embed_tokens.weight") as tf.Tensor2D;
      if (adapter?.embeddingWeight) table = adapter.embeddingWeight("model.embed_tokens", table); // tied rows follow
      logits = tf.matMul(h, table, false, true);
      const delta = adapter?.linearDelta?.("lm_head", h);
      if (delta) logits = tf.add(logits, delta);
    } else logits = this.linear(h, "lm_head", adapter);
    return softcap(logits, this.config.finalLogitSoftcapping) as tf.Tensor2D;
  }

  /** Logits [B, T, V]. */
  forward(inputIds: Rows, opts: ForwardOptions = {}): tf.Tensor3D {
    return tf.tidy(() => {
      const B = inputIds.length;
      const T = inputIds[0].length;
      return tf.reshape(this.logitsOf(this.hidden(inputIds, opts), opts.adapter), [B, T, this.config.vocabSize]); // [B, T, V]
    });
  }

  /**
   * Next-token cross-entropy. lossMask[b][t] = 1 means token t is a target: logits at t-1 predict it.
   * A token that starts a packed example (position 0) is never a target of the example before it.
   */
  loss(inputIds: Rows, lossMask: Rows, positionIds?: Rows, adapter?: Adapter, opts: LossOptions = {}): LossResult {
    const T = inputIds[0].length;
    const rows: number[] = [];
    const targets: number[] = [];
    inputIds.forEach((ids, b) => {
      for (let t = 1; t < T; t++) {
        if (!lossMask[b][t] || (positionIds && positionIds[b][t] === 0)) continue;
        rows.push(b * T + t - 1);
        targets.push(ids[t]);
      }
    });
    const count = targets.length;
    return tf.tidy(() => {
      const h = this.hidden(inputIds, { positionIds, adapter, gradientCheckpointing: opts.gradientCheckpointing, dropoutSeed: opts.dropoutSeed });
      if (count === 0) {
        // no targets: a zero that still depends on the parameters, so gradients are zeros, not an error
        const zero = tf.mul(tf.sum(h), 0) as tf.Scalar;
        return { loss: zero, sum: tf.clone(zero), count };
      }
      const picked = gatherRows(h, tf.tensor1d(rows, "int32")); // [count, H]
      const chunkRows = opts.logitsChunkRows ?? Math.max(1, Math.floor(LOGITS_CHUNK_ELEMENTS / this.config.vocabSize));
      const sum = tf.sum(this.headLoss(picked, tf.tensor1d(targets, "int32"), adapter, chunkRows)) as tf.Scalar;
      return { loss: tf.div(sum, count) as tf.Scalar, sum, count };
    });
  }

  /**
   * Per-row cross-entropy of hidden rows h [n, H] through the head, chunkRows rows at a time when
   * n is more (chunkedCrossEntropy: the [n, V] logits never whole). Whole when the head has a bias
   * or an adapter delta that is not LoRA factors (no family or adapter here has either).
   */
  private headLoss(h: tf.Tensor2D, targets: tf.Tensor1D, adapter: Adapter | undefined, chunkRows: number): tf.Tensor1D {
    const ce = fusedOps().crossEntropy ?? crossEntropy;
    if (h.shape[0] <= chunkRows || this.params.has("lm_head.bias") || (adapter?.linearDelta && !adapter.linearFactors)) return ce(this.logitsOf(h, adapter), targets);
    const tied = this.config.tieWordEmbeddings;
    let w: tf.Tensor2D = this.p(tied ? "model.embed_tokens.weight" : "lm_head.weight") as tf.Tensor2D; // tied [V, H], else [H, V]
    if (tied && adapter?.embeddingWeight) w = adapter.embeddingWeight("model.embed_tokens", w);
    const factors = adapter?.linearFactors?.("lm_head", h) ?? null; // the same dropout draw as logitsOf's
    const wNeedsGrad = !(w instanceof tf.Variable) || w.trainable;
    const rows = factors && factors.input !== h ? [h, factors.input] : [h];
    const shared = [...(wNeedsGrad ? [w] : []), ...(factors ? [factors.a, factors.b] : [])];
    const cap = this.config.finalLogitSoftcapping;
    const logitsOf = ([hc, uc = hc]: tf.Tensor2D[], s: tf.Tensor[]): tf.Tensor2D => {
      const [wc, a, b] = (wNeedsGrad ? s : [w, ...s]) as tf.Tensor2D[];
      let z: tf.Tensor2D = tf.matMul(hc, wc, false, tied);
      if (factors) z = tf.add(z, tf.matMul(tf.matMul(uc, tf.mul(a, factors.scale)), b));
      return softcap(z, cap) as tf.Tensor2D;
    };
    return chunkedCrossEntropy(rows, shared, targets, logitsOf, chunkRows);
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
  }
}
