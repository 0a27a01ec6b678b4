// The two memory savers change nothing but memory: the chunked head loss and per-layer gradient
// checkpointing give the whole path's loss and every gradient, on cpu (tfjs ops) and on native
// (its fused cross-entropy, attention, norms), for a tied soft-capped head and an untied one.
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, describe, expect, it } from "vitest";
import { selectBackend } from "./backend.js";
import { makeConfig, type ModelConfig } from "./config.js";
import { chunkedCrossEntropy, crossEntropy } from "./cross-entropy.js";
import { lossAndGrads, maxRelErr, useTestBackend, values } from "./test-helpers.js";

const small = { vocabSize: 32, hiddenSize: 16, intermediateSize: 24, numHiddenLayers: 2, numAttentionHeads: 2, numKeyValueHeads: 1 };
const configs: [string, ModelConfig][] = [
  // a soft-cap of 2 bends these logits: a chunk path that skipped it would not match
  ["gemma2 (tied, soft-capped, sliding)", { ...makeConfig("gemma2", { ...small, slidingWindow: 3 }), finalLogitSoftcapping: 2 }],
  ["llama (untied)", makeConfig("llama", { ...small, tieWordEmbeddings: false })],
];


afterAll(useTestBackend);

describe.each(["cpu", "native"] as const)("on %s", (backend) => {
  const ready = async () => selectBackend(backend).then(() => true, () => false); // native: absent without a C++ toolchain

  it.each(configs)("%s: the chunked head loss (3 rows a chunk) equals the whole one, loss and gradients", async (_, config) => {
    if (!(await ready())) return;
    const whole = lossAndGrads(config, { logitsChunkRows: 1e9 });
    const before = tf.memory().numTensors;
    const chunked = lossAndGrads(config, { logitsChunkRows: 3 });
    expect(tf.memory().numTensors).toBe(before); // nothing the chunks made is left behind
    whole.forEach((w, i) => expect(maxRelErr(chunked[i], w), `output ${i}`).toBeLessThan(1e-5));
  });

  it.each(configs)("%s: gradient checkpointing gives the same loss and gradients", async (_, config) => {
    if (!(await ready())) return;
    const plain = lossAndGrads(config, {});
    const before = tf.memory().numTensors;
    const recomputed = lossAndGrads(config, { gradientCheckpointing: true, logitsChunkRows: 4 });
    expect(tf.memory().numTensors).toBe(before);
    plain.forEach((w, i) => expect(maxRelErr(recomputed[i], w), `output ${i}`).toBeLessThan(1e-5));
  });
});

it("chunkedCrossEntropy: per-row losses and gradients (rows and shared) equal crossEntropy of the whole logits", async () => {
  await useTestBackend();
  const [n, H, V] = [11, 5, 13];
  const h = tf.randomNormal([n, H], 0, 1, "float32", 1) as tf.Tensor2D;
  const w = tf.randomNormal([H, V], 0, 1, "float32", 2) as tf.Tensor2D;
  const t = tf.tensor1d(Array.from({ length: n }, (_, i) => (i * 5) % V), "int32");
  const dy = tf.randomNormal([n], 0, 1, "float32", 3);
  const head = ([x]: tf.Tensor2D[], [m]: tf.Tensor[]): tf.Tensor2D => tf.matMul(x, m as tf.Tensor2D);
  const wholeLoss = (x: tf.Tensor, m: tf.Tensor) => tf.sum(tf.mul(crossEntropy(head([x as tf.Tensor2D], [m]), t), dy));
  const chunkLoss = (x: tf.Tensor, m: tf.Tensor) => tf.sum(tf.mul(chunkedCrossEntropy([x as tf.Tensor2D], [m], t, head, 4), dy));
  expect(maxRelErr(values(chunkedCrossEntropy([h], [w], t, head, 4)), values(crossEntropy(head([h], [w]), t)))).toBeLessThan(1e-6);
  const want = tf.grads(wholeLoss)([h, w]);
  const got = tf.grads(chunkLoss)([h, w]);
  want.forEach((g, i) => expect(maxRelErr(values(got[i]), values(g)), `grad ${i}`).toBeLessThan(1e-5));
  expect(maxRelErr(values(got[1]), values(tf.grads(chunkLoss)([h, tf.mul(w, 1.1)])[1]))).toBeGreaterThan(1e-3); // the shared gradient depends on w
});
