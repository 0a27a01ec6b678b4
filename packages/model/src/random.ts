// Seeded random tensors that are the same in every process, whatever the seed.
import * as tf from "@tensorflow/tfjs-core";

/**
 * tf.randomNormal with a seed that is always honoured. tfjs takes a seed of 0 as "no seed" and
 * draws one from Math.random() (tfjs-core ops/rand_util.js: `seed ? seed : Math.random()`), so a
 * tensor drawn with seed 0 differs from process to process. createModel gave its first tensor,
 * the embedding (and the tied lm_head), exactly that seed for the default `init.seed: 0`, so a
 * fresh model's weights and all training from them changed with every run. Any other number is
 * honoured (alea hashes seed.toString()), so only 0 moves, to 0.5: no integer seed can collide.
 */
export function seededRandomNormal(shape: number[], mean: number, stdDev: number, seed: number): tf.Tensor {
  if (!Number.isFinite(seed)) throw new Error(`seededRandomNormal: seed must be a finite number, got ${seed}`);
  return tf.randomNormal(shape, mean, stdDev, "float32", seed === 0 ? 0.5 : seed);
}
