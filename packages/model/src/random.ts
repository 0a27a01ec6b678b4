// Seeded random tensors that are the same in every process, whatever the seed.
import * as tf from "@tensorflow/tfjs-core";
import { fusedOps } from "./fused.js";

/**
 * A seed tfjs always honours. tfjs takes a seed of 0 as "no seed" and
 * draws one from Math.random() (tfjs-core ops/rand_util.js: `seed ? seed : Math.random()`), so a
 * tensor drawn with seed 0 differs from process to process. createModel gave its first tensor,
 * the embedding (and the tied lm_head), exactly that seed for the default `init.seed: 0`, so a
 * fresh model's weights and all training from them changed with every run. Any other number is
 * honoured (alea hashes seed.toString()), so only 0 moves, to 0.5: no integer seed can collide.
 */
const honouredSeed = (seed: number) => (seed === 0 ? 0.5 : seed);

/** tf.randomNormal with a seed that is always honoured (honouredSeed). */
export function seededRandomNormal(shape: number[], mean: number, stdDev: number, seed: number): tf.Tensor {
  if (!Number.isFinite(seed)) throw new Error(`seededRandomNormal: seed must be a finite number, got ${seed}`);
  return tf.randomNormal(shape, mean, stdDev, "float32", honouredSeed(seed));
}

/**
 * Inverted dropout, x / (1 − rate) where kept, else 0, its mask fixed by `seed`: the active
 * backend's fused op (native: a hash of seed and element index, recomputed in backward) or
 * tf.dropout with its seed honoured (honouredSeed: tfjs takes 0 as none).
 * LoRA's lora_dropout and the model's own dropouts (attention_dropout, resid_pdrop) both use it.
 */
export function seededDropout(x: tf.Tensor2D, rate: number, seed: number): tf.Tensor2D {
  if (!(rate > 0)) return x;
  const fused = fusedOps().dropout;
  return fused ? fused(x, rate, seed) : (tf.dropout(x, rate, undefined, honouredSeed(seed)) as tf.Tensor2D);
}

/** One uint32 seed from several integers (FNV-1a-like): a step's dropout seed with a layer and a site. */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    h ^= p >>> 0;
    h = Math.imul(h, 0x01000193) >>> 0;
    h ^= h >>> 13;
  }
  return h >>> 0;
}
