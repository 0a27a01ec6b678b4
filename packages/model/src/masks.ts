// Host-side tables for one forward pass: rotary cos/sin per token and the additive attention bias
// (causal, block-diagonal over packed examples, sliding window, padding keys).
import * as tf from "@tensorflow/tfjs-core";
import type { ModelConfig } from "./config.js";
import type { Rows } from "./types.js";

export interface RopeTables {
  cos: tf.Tensor3D; // [N, 1, rotary dims]
  sin: tf.Tensor3D; // [N, 1, rotary dims]
}

const f = Math.fround;

/** Dims of each head that RoPE rotates (transformers: int(head_dim · partial_rotary_factor)). */
export const rotaryDims = (c: ModelConfig): number => Math.floor(c.headDim * c.partialRotaryFactor);

/**
 * inv_freq as transformers computes it in float32, with Llama 3, LongRoPE or linear scaling when configured;
 * maxPosition (the call's largest position id) picks LongRoPE's short or long factors.
 */
export function inverseFrequencies(c: ModelConfig, maxPosition = 0): Float32Array {
  const d = rotaryDims(c);
  const inv = new Float32Array(d / 2);
  for (let i = 0; i < d / 2; i++) inv[i] = f(1 / f(c.ropeTheta ** f((2 * i) / d)));
  const rs = c.ropeScaling;
  if (!rs) return inv;
  if (rs.ropeType === "longrope") {
    // longrope_frequency_update: seq_len = max(position_ids) + 1 over the whole call
    const ext = maxPosition + 1 > rs.originalMaxPositionEmbeddings ? rs.longFactor : rs.shortFactor;
    for (let i = 0; i < inv.length; i++) inv[i] = f(1 / f(f(ext[i]) * f(c.ropeTheta ** f((2 * i) / d))));
    return inv;
  }
  if (rs.ropeType === "linear") return inv.map((x) => f(x / rs.factor)); // _compute_linear_scaling_rope_parameters
  // transformers _compute_llama3_parameters
  const lowWavelen = rs.originalMaxPositionEmbeddings / rs.lowFreqFactor;
  const highWavelen = rs.originalMaxPositionEmbeddings / rs.highFreqFactor;
  for (let i = 0; i < inv.length; i++) {
    const wavelen = (2 * Math.PI) / inv[i];
    if (wavelen > lowWavelen) inv[i] = f(inv[i] / rs.factor);
    else if (wavelen >= highWavelen) {
      const smooth = (rs.originalMaxPositionEmbeddings / wavelen - rs.lowFreqFactor) / (rs.highFreqFactor - rs.lowFreqFactor);
      inv[i] = f((1 - smooth) * (inv[i] / rs.factor) + smooth * inv[i]);
    }
  }
  return inv;
}

/** cos/sin are scaled by this (LongRoPE's attention factor; 1 otherwise). */
function attentionScaling(c: ModelConfig): number {
  const rs = c.ropeScaling;
  if (rs?.ropeType !== "longrope") return 1;
  if (rs.attentionFactor !== null) return rs.attentionFactor;
  const factor = rs.factor ?? c.maxPositionEmbeddings / rs.originalMaxPositionEmbeddings;
  return factor <= 1 ? 1 : Math.sqrt(1 + Math.log(factor) / Math.log(rs.originalMaxPositionEmbeddings));
}

/** cos/sin [N, 1, rotaryDims] for every token's position. */
export function ropeTables(c: ModelConfig, positions: Rows): RopeTables {
  const flat = positions.flatMap((r) => Array.from(r));
  const inv = inverseFrequencies(c, flat.reduce((m, p) => Math.max(m, p), 0));
  const scale = attentionScaling(c);
  const d = rotaryDims(c);
  const cos = new Float32Array(flat.length * d);
  const sin = new Float32Array(flat.length * d);
  flat.forEach((p, n) => {
    for (let i = 0; i < d / 2; i++) {
      const angle = f(p * inv[i]); // emb = cat(freqs, freqs)
      cos[n * d + i] = cos[n * d + i + d / 2] = f(Math.cos(angle)) * scale;
      sin[n * d + i] = sin[n * d + i + d / 2] = f(Math.sin(angle)) * scale;
    }
  });
  return { cos: tf.tensor3d(cos, [flat.length, 1, d]), sin: tf.tensor3d(sin, [flat.length, 1, d]) };
}

/** Packed-example id per token: a new segment wherever positions do not continue by +1
 * (as transformers' find_packed_sequence_indices). */
export function segmentsOf(positions: Rows): Int32Array[] {
  return positions.map((row) => {
    const seg = new Int32Array(row.length);
    for (let t = 1; t < row.length; t++) seg[t] = seg[t - 1] + (row[t] === row[t - 1] + 1 ? 0 : 1);
    return seg;
  });
}

export interface BiasSpec {
  B: number;
  /** queries in this call */
  T: number;
  /** keys in total (cache + this call) */
  S: number;
  /** absolute index of the first query */
  start: number;
  /** query heads per kv head: the bias repeats over them (rows are [g, T] folded) */
  groups: number;
  segments: Int32Array[] | null;
  keyValid?: Uint8Array[];
  /** sliding window: key j visible from query i when i - j < window */
  window: number | null;
}

const MASKED = -1e9;

/** Additive bias [B, 1, g·T, S]: 0 where query may see key, -1e9 elsewhere. */
export function attentionBias(s: BiasSpec): tf.Tensor4D {
  const { B, T, S, groups: g } = s;
  const out = new Float32Array(B * g * T * S).fill(MASKED);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const i = s.start + t;
      for (let j = 0; j <= i; j++) {
        const visible =
          (!s.segments || s.segments[b][j] === s.segments[b][i]) &&
          (s.window === null || i - j < s.window) &&
          (!s.keyValid || s.keyValid[b][j] === 1 || j === i);
        if (!visible) continue;
        for (let r = 0; r < g; r++) out[((b * g + r) * T + t) * S + j] = 0;
      }
    }
  }
  return tf.tensor4d(out, [B, 1, g * T, S]);
}
