import * as tf from "@tensorflow/tfjs-core";
import type { Batch, TokenRow } from "./batches.js";
import type { TrainTarget } from "./loop.js";

/**
 * A bigram language model, the smallest thing with the same loss contract as the real models:
 * logits for token t come from token t−1; targets are tokens with mask 1 and position ≠ 0.
 * Used by the loop's tests so they do not depend on the model package.
 */
export function bigramTarget(vocab: number, seed: number): TrainTarget {
  const table = tf.variable(tf.randomNormal([vocab, vocab], 0, 0.1, "float32", seed), true, `bigram_${seed}_${Math.random()}`);
  return {
    trainable: new Map([["table", table]]),
    lossSum(batch: Batch) {
      const prev: number[] = [];
      const next: number[] = [];
      for (let b = 0; b < batch.batchSize; b++) {
        for (let t = 1; t < batch.seqLen; t++) {
          const i = b * batch.seqLen + t;
          if (batch.lossMask[i] === 1 && batch.positionIds[i] !== 0) {
            prev.push(batch.inputIds[i - 1]);
            next.push(batch.inputIds[i]);
          }
        }
      }
      return tf.tidy(() => {
        const logits = tf.gather(table, tf.tensor1d(prev, "int32"));
        const logp = tf.logSoftmax(logits);
        const picked = tf.sum(tf.mul(logp, tf.oneHot(tf.tensor1d(next, "int32"), vocab)));
        return tf.neg(picked) as tf.Scalar;
      });
    },
  };
}

/** Rows of a repeating pattern, packed two examples per row, mask on the second half of each. */
export function patternRows(n: number, vocab: number): TokenRow[] {
  return Array.from({ length: n }, (_, r) => {
    const ids = Array.from({ length: 8 }, (_, t) => (r + t * 3) % vocab);
    return {
      inputIds: Int32Array.from(ids),
      lossMask: Uint8Array.from([0, 0, 1, 1, 0, 0, 1, 1]),
      positionIds: Int32Array.from([0, 1, 2, 3, 0, 1, 2, 3]),
    };
  });
}
