import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, expect, it } from "vitest";
import { createModel } from "./checkpoint.js";
import { crossEntropy, gatherRows } from "./model.js";
import { makeConfig } from "./config.js";
import { useTestBackend, values } from "./test-helpers.js";

beforeAll(useTestBackend);

const config = makeConfig("gemma2", { vocabSize: 32, hiddenSize: 16, intermediateSize: 24, numHiddenLayers: 2, numAttentionHeads: 2, numKeyValueHeads: 1, slidingWindow: 3 });
const ids = [[1, 5, 9, 3, 7, 2, 4, 6], [8, 1, 2, 3, 9, 9, 1, 0]];
const positions = [[0, 1, 2, 3, 0, 1, 2, 3], [0, 1, 2, 3, 4, 5, 6, 7]];
const mask = [[0, 1, 1, 1, 0, 1, 1, 1], [0, 0, 0, 1, 1, 1, 1, 1]];

it("tensor count stays flat across 100 forward/backward steps", () => {
  const model = createModel(config, 1, { trainable: true });
  const vars = [...model.params.values()];
  const step = () => {
    const { value, grads } = tf.variableGrads(() => model.loss(ids, mask, positions).loss, vars);
    tf.dispose([value, ...Object.values(grads)]);
  };
  step();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 100; i++) step();
  expect(tf.memory().numTensors).toBe(before);
  model.dispose();
});

it("loss = sum/count over targets; tokens that feed no target get exactly zero gradient", () => {
  const model = createModel({ ...config, numHiddenLayers: 1, tieWordEmbeddings: false }, 2, { trainable: true });
  const r = model.loss(ids, mask, positions);
  // row 0: t=1,2,3,5,6,7 (t=4 starts example 2, mask 0); row 1: t=3..7
  expect(r.count).toBe(6 + 5);
  expect(values(r.loss)[0]).toBeCloseTo(values(r.sum)[0] / r.count, 5);
  // a position reset is never a target, even if its mask says 1
  expect(model.loss(ids, [[0, 1, 1, 1, 1, 1, 1, 1], mask[1]], positions).count).toBe(r.count);
  // no target at all: loss 0 and zero gradients (not an error)
  const none = tf.variableGrads(() => model.loss(ids, ids.map((r) => r.map(() => 0)), positions).loss, [model.params.get("model.norm.weight")!]);
  expect(values(none.value)[0]).toBe(0);
  expect(Array.from(values(Object.values(none.grads)[0])).every((x) => x === 0)).toBe(true);
  // one target: row 1, t=7 (predicted from row 1's tokens 0..6)
  const emb = model.params.get("model.embed_tokens.weight")!;
  const oneTarget = [[0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 1]];
  const { value, grads } = tf.variableGrads(() => model.loss(ids, oneTarget, positions).loss, [emb]);
  const ge = values(grads[emb.name]);
  const row = (id: number) => Array.from(ge.subarray(id * 16, id * 16 + 16));
  // the single layer slides with window 3: t=6 sees t=4..6 of row 1 (ids 9, 9, 1) and nothing else
  for (const id of [5, 7, 4, 6, 8, 3]) expect(row(id).every((x) => x === 0)).toBe(true);
  for (const id of [9, 1]) expect(row(id).some((x) => x !== 0)).toBe(true);
  tf.dispose([value, r.loss, r.sum, ...Object.values(grads)]);
  model.dispose();
});

it("gatherRows' gradient (cpu: linear-time UnsortedSegmentSum; wasm: one-hot product) is the scatter-add", () => {
  const x = tf.randomNormal([6, 5], 0, 1, "float32", 3) as tf.Tensor2D;
  const idx = tf.tensor1d([4, 0, 4, 2, 5, 4, 1], "int32");
  const dy = tf.randomNormal([7, 5], 0, 1, "float32", 4);
  const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(gatherRows(t as tf.Tensor2D, idx), dy)))(x);
  const expected = tf.matMul(tf.cast(tf.oneHot(idx, 6), "float32"), dy, true, false);
  expect(Array.from(values(g)).map((v) => v.toFixed(5))).toEqual(Array.from(values(expected)).map((v) => v.toFixed(5)));
  tf.dispose([x, idx, dy, g, expected]);
});

it("crossEntropy's closed-form gradient equals autodiff of logSumExp − picked", () => {
  const x = tf.randomNormal([5, 7], 0, 2, "float32", 9) as tf.Tensor2D;
  const t = tf.tensor1d([0, 6, 3, 3, 1], "int32");
  const w = tf.tensor1d([1, 0.5, 2, 0, 1]);
  const ours = tf.grad((z: tf.Tensor) => tf.sum(tf.mul(crossEntropy(z as tf.Tensor2D, t), w)))(x);
  const ref = tf.grad((z: tf.Tensor) => tf.sum(tf.mul(tf.sub(tf.logSumExp(z, -1), tf.sum(tf.mul(z, tf.oneHot(t, 7)), -1)), w)))(x);
  const [a, b] = [values(ours), values(ref)];
  a.forEach((v, i) => expect(v).toBeCloseTo(b[i], 6));
  expect(values(crossEntropy(x, t))).toEqual(values(tf.sub(tf.logSumExp(x, -1), tf.sum(tf.mul(x, tf.oneHot(t, 7)), -1))));
});
