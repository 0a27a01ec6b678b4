// Causal self-attention over packed rows as one fused op (native/attention.h): q·kᵀ, mask, softmax
// and ·v without ever holding the [B, heads, T, T] scores, skipping the key blocks a query cannot
// see (the causal upper triangle, other packed examples). Backward recomputes the probabilities
// from the per-query log-sum-exp saved by the forward (flash-attention style), so the only tensor
// kept per layer besides q, k, v is [B, heads, T]. Any backend other than `native` runs the same
// maths as tfjs ops with a dense additive mask.
import * as tf from "@tensorflow/tfjs-core";
import { nativeAddonFor, tensorValues, uninitialized } from "./tensors.js";

export interface AttentionOptions {
  /** Rows B and tokens per row T: q, k, v hold N = B·T tokens, row-major. */
  batch: number;
  seqLen: number;
  /** Scores are scale · q·k. */
  scale: number;
  /**
   * Segment id per token [B·T]: a query sees the keys from the start of its run of equal ids up to
   * itself (packed examples; give each padding token its own id). Runs, not equality: ids are
   * compared with the previous token's only.
   */
  segments: Int32Array;
  /** Gemma2 soft-capping of the scores: cap · tanh(scores / cap). */
  softcap?: number | null;
  /** Sliding window: key j is visible from query i only when i − j < window. */
  window?: number | null;
}

type Args = (tf.Tensor | tf.GradSaveFunc)[];

/**
 * Grouped-query causal attention: q [N, nH, hd] (rope applied), k and v [N, nKv, hd]; query head h
 * reads kv head ⌊h / (nH / nKv)⌋. Returns [N, nH·hd], heads concatenated (ready for o_proj);
 * differentiable in q, k and v.
 */
export function attention(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, opts: AttentionOptions): tf.Tensor2D {
  const [N, nH, hd] = q.shape;
  const nKv = k.shape[1];
  const { batch: B, seqLen: T, scale, segments } = opts;
  if (N !== B * T || k.shape[0] !== N || v.shape[0] !== N || v.shape[1] !== nKv || k.shape[2] !== hd || v.shape[2] !== hd || nH % nKv !== 0)
    throw new Error(`attention: q ${q.shape}, k ${k.shape}, v ${v.shape} do not fit B ${B} x T ${T}`);
  if (segments.length !== N) throw new Error(`attention: ${segments.length} segment ids for ${N} tokens`);
  const addon = nativeAddonFor(q, k, v);
  if (!addon) return referenceAttention(q, k, v, opts);
  const softcap = opts.softcap ?? 0, window = opts.window ?? 0;
  const sizes = [B, T, nH, nKv, hd, scale, softcap, window] as const;
  const f = tf.customGrad((...args: Args) => {
    const [qs, ks, vs, save] = args as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.GradSaveFunc];
    const out = uninitialized(N * nH * hd), lse = uninitialized(N * nH);
    addon.attention(tensorValues(qs), tensorValues(ks), tensorValues(vs), segments, out, lse, ...sizes);
    save([qs, ks, vs, tf.tensor1d(lse)]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sq, sk, sv, sl] = saved.map(tensorValues);
      const dq = uninitialized(N * nH * hd), dk = uninitialized(N * nKv * hd), dv = uninitialized(N * nKv * hd);
      addon.attentionGrad(sq, sk, sv, segments, sl, tensorValues(dy), dq, dk, dv, ...sizes);
      return [tf.tensor3d(dq, [N, nH, hd]), tf.tensor3d(dk, [N, nKv, hd]), tf.tensor3d(dv, [N, nKv, hd])];
    };
    return { value: tf.tensor2d(out, [N, nH * hd]), gradFunc };
  });
  return f(q, k, v) as tf.Tensor2D;
}

/** The model's tfjs formulation: heads first, q groups folded into rows, a dense additive mask. */
export function referenceAttention(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, opts: AttentionOptions): tf.Tensor2D {
  return tf.tidy(() => {
    const [N, nH, hd] = q.shape;
    const nKv = k.shape[1], g = nH / nKv;
    const { batch: B, seqLen: T } = opts;
    const qh = tf.reshape(tf.transpose(tf.reshape(tf.mul(q, opts.scale), [B, T, nH, hd]), [0, 2, 1, 3]), [B, nKv, g * T, hd]);
    const kh = tf.transpose(tf.reshape(k, [B, T, nKv, hd]), [0, 2, 1, 3]);
    const vh = tf.transpose(tf.reshape(v, [B, T, nKv, hd]), [0, 2, 1, 3]);
    let scores: tf.Tensor = tf.matMul(qh, kh, false, true); // [B, nKv, g·T, T]
    if (opts.softcap) scores = tf.mul(tf.tanh(tf.div(scores, opts.softcap)), opts.softcap);
    const probs = tf.softmax(tf.add(scores, maskOf(opts, g)));
    const out = tf.matMul(probs, vh); // [B, nKv, g·T, hd]
    return tf.reshape(tf.transpose(tf.reshape(out, [B, nH, T, hd]), [0, 2, 1, 3]), [N, nH * hd]) as tf.Tensor2D;
  });
}

/** Additive mask [B, 1, g·T, T]: 0 where the query sees the key, −1e9 elsewhere. */
function maskOf(opts: AttentionOptions, g: number): tf.Tensor4D {
  const { batch: B, seqLen: T, segments } = opts;
  const window = opts.window ?? 0;
  const out = new Float32Array(B * g * T * T).fill(-1e9);
  for (let b = 0; b < B; b++) {
    let start = 0;
    for (let t = 0; t < T; t++) {
      if (t > 0 && segments[b * T + t] !== segments[b * T + t - 1]) start = t;
      const from = window > 0 ? Math.max(start, t - window + 1) : start;
      for (let r = 0; r < g; r++) out.fill(0, ((b * g + r) * T + t) * T + from, ((b * g + r) * T + t) * T + t + 1);
    }
  }
  return tf.tensor4d(out, [B, 1, g * T, T]);
}
