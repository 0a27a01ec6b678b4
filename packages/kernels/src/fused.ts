// Fused ops for the model's per-token blocks, each one native kernel forward and one backward
// (native/fused.h) in place of 3–6 tfjs ops (and their gradients) over [tokens, features]:
// RMSNorm, the rotate_half rotary embedding and the gated MLP activation. On any backend other
// than `native` (or for non-float32 inputs) each runs the model's own tfjs formulation.
import * as tf from "@tensorflow/tfjs-core";
import { nativeAddonFor, tensorValues, uninitialized } from "./tensors.js";

type Args = (tf.Tensor | tf.GradSaveFunc)[];

/**
 * RMSNorm over the last axis: y = x · rsqrt(mean(x²) + eps) · w, or · (1 + w) when plusOne
 * (Gemma). x [N, H], w [H] → [N, H]; gradients for x and w.
 */
export function rmsNorm(x: tf.Tensor2D, w: tf.Tensor1D, eps: number, plusOne: boolean): tf.Tensor2D {
  const addon = nativeAddonFor(x, w);
  if (!addon) {
    const normed = tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), eps)));
    return tf.mul(normed, plusOne ? tf.add(w, 1) : w);
  }
  const [rows, n] = x.shape;
  const f = tf.customGrad((...args: Args) => {
    const [xs, ws, save] = args as [tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
    const y = uninitialized(rows * n), rstd = uninitialized(rows);
    addon.rmsNorm(tensorValues(xs), tensorValues(ws), y, rstd, rows, n, eps, plusOne);
    const rstdT = tf.tensor1d(rstd);
    save([xs, ws, rstdT]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sw, sr] = saved;
      const dx = uninitialized(rows * n), dw = uninitialized(n);
      addon.rmsNormGrad(tensorValues(dy), tensorValues(sx), tensorValues(sw), tensorValues(sr), dx, dw, rows, n, plusOne);
      return [tf.tensor2d(dx, [rows, n]), tf.tensor1d(dw)];
    };
    return { value: tf.tensor2d(y, [rows, n]), gradFunc };
  });
  return f(x, w);
}

/**
 * Hugging Face's rotary embedding (rotate_half on the last axis): x·cos + cat(−x2, x1)·sin.
 * x [N, heads, d], cos/sin [N, 1, d] → [N, heads, d]; gradient for x only (the inverse rotation).
 */
export function rope(x: tf.Tensor3D, cos: tf.Tensor3D, sin: tf.Tensor3D): tf.Tensor3D {
  const addon = nativeAddonFor(x, cos, sin);
  const [rows, heads, d] = x.shape;
  if (!addon || d % 2 !== 0) {
    const [x1, x2] = tf.split(x, [d / 2, d / 2], 2);
    return tf.add(tf.mul(x, cos), tf.mul(tf.concat([tf.neg(x2), x1], 2), sin));
  }
  const run = (input: tf.Tensor, c: tf.Tensor, s: tf.Tensor, transpose: boolean): tf.Tensor3D => {
    const y = uninitialized(rows * heads * d);
    addon.rope(tensorValues(input), tensorValues(c), tensorValues(s), y, rows, heads, d, transpose);
    return tf.tensor3d(y, [rows, heads, d]);
  };
  const f = tf.customGrad((...args: Args) => {
    const [xs, save] = args as [tf.Tensor3D, tf.GradSaveFunc];
    save([cos, sin]); // kept for the backward pass: a caller's tidy may dispose the tables first
    const gradFunc = (dy: tf.Tensor, [c, s]: tf.Tensor[]) => run(dy, c, s, true);
    return { value: run(xs, cos, sin, false), gradFunc };
  });
  return f(x);
}

export type GatedActivation = "silu" | "gelu_tanh";

/**
 * The gated MLP's activation: act(gate) · up with act = SiLU (Llama, Qwen2) or GELU with the
 * tanh approximation (Gemma2). gate, up [N, I] → [N, I]; gradients for both.
 */
export function gatedActivation(gate: tf.Tensor2D, up: tf.Tensor2D, activation: GatedActivation): tf.Tensor2D {
  const addon = nativeAddonFor(gate, up);
  if (!addon) return tf.mul(activation === "silu" ? tf.mul(gate, tf.sigmoid(gate)) : geluTanh(gate), up);
  const op = activation === "silu" ? 0 : 1;
  const shape = gate.shape;
  const size = shape[0] * shape[1];
  const f = tf.customGrad((...args: Args) => {
    const [g, u, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    save([g, u]);
    const out = uninitialized(size);
    addon.gatedAct(op, tensorValues(g), tensorValues(u), out, size);
    const gradFunc = (dy: tf.Tensor, [sg, su]: tf.Tensor[]) => {
      const dg = uninitialized(size), du = uninitialized(size);
      addon.gatedActGrad(op, tensorValues(sg), tensorValues(su), tensorValues(dy), dg, du, size);
      return [tf.tensor2d(dg, shape), tf.tensor2d(du, shape)];
    };
    return { value: tf.tensor2d(out, shape), gradFunc };
  });
  return f(gate, up);
}

/** PyTorch's gelu(approximate="tanh") in tfjs ops, as the model writes it. */
function geluTanh(x: tf.Tensor2D): tf.Tensor2D {
  const inner = tf.mul(tf.add(x, tf.mul(tf.mul(tf.square(x), x), 0.044715)), Math.sqrt(2 / Math.PI));
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
}

/**
 * Inverted dropout: x / (1 − rate) where kept, else 0. On `native` the mask is a hash of (seed,
 * element index): the same seed gives the same mask, and the gradient recomputes it rather than
 * keeping it. Elsewhere (or for a seed that is not a non-negative safe integer) tf.dropout.
 */
export function dropout<T extends tf.Tensor>(x: T, rate: number, seed: number): T {
  const addon = nativeAddonFor(x);
  if (!(rate > 0)) return x;
  if (!addon || !Number.isSafeInteger(seed) || seed < 0 || rate >= 1) return tf.dropout(x, rate, undefined, seed) as T;
  const run = (input: tf.Tensor): T => {
    const y = uninitialized(input.size);
    addon.dropout(tensorValues(input), y, input.size, rate, seed);
    return tf.tensor(y, input.shape, "float32") as T;
  };
  const f = tf.customGrad((...args: Args) => ({ value: run(args[0] as tf.Tensor), gradFunc: (dy: tf.Tensor) => run(dy) }));
  return f(x) as T;
}
