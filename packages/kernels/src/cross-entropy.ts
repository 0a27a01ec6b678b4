// Cross-entropy on logits as one fused op. As tfjs ops it is logSumExp, oneHot, mul and sum
// over [tokens, vocab] (and as many again backward): the largest tensors of a training step.
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import type { Addon } from "./addon.js";
import { nativeAddonFor, uninitialized } from "./tensors.js";

/**
 * Per-row −log softmax(logits)[target]: logits [N, V] float32, targets [N] int32 → [N].
 * Fused native forward and backward on the `native` backend; the same maths in tfjs ops on
 * any other backend.
 */
export function crossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  const addon = nativeAddonFor(logits);
  const ids = targets.dtype === "int32" ? targets : tf.cast(targets, "int32");
  const vocab = logits.shape[1];
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = args[0] as tf.Tensor2D, save = args[1] as tf.GradSaveFunc;
    save([x, ids]); // ids too: a caller's tidy may dispose them before the backward pass
    const value: tf.Tensor = addon ? nativeLoss(addon, x, ids) : tf.sub(tf.logSumExp(x, -1), tf.sum(tf.mul(x, tf.oneHot(ids, vocab)), -1));
    const gradFunc = (dy: tf.Tensor, [saved, savedIds]: tf.Tensor[]) =>
      addon
        ? nativeGrad(addon, saved as tf.Tensor2D, savedIds as tf.Tensor1D, dy)
        : tf.mul(tf.sub(tf.softmax(saved), tf.oneHot(savedIds as tf.Tensor1D, vocab)), tf.expandDims(dy, 1));
    return { value, gradFunc };
  });
  const loss = f(logits) as tf.Tensor1D; // [rows]
  if (ids !== targets) ids.dispose();
  return loss;
}

function valuesOf<T>(t: tf.Tensor): T {
  return (tf.backend() as unknown as MathBackendCPU).data.get(t.dataId).values as T;
}

function nativeLoss(addon: Addon, x: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor1D {
  const [rows, vocab] = x.shape;
  const loss = uninitialized(rows);
  addon.crossEntropy(valuesOf(x), valuesOf(ids), loss, rows, vocab);
  return tf.tensor1d(loss);
}

function nativeGrad(addon: Addon, x: tf.Tensor2D, ids: tf.Tensor1D, dy: tf.Tensor): tf.Tensor2D {
  const [rows, vocab] = x.shape;
  const dx = uninitialized(rows * vocab);
  addon.crossEntropyGrad(valuesOf(x), valuesOf(ids), valuesOf(dy), dx, rows, vocab);
  return tf.tensor2d(dx, [rows, vocab]);
}
