import * as tf from "@tensorflow/tfjs-core";
// Gradients: see backend.test.ts.
import "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { nativeAvailable, registerNativeBackend } from "./backend.js";
import { random, relError } from "./test-helpers.js";

async function on(backend: string, fn: () => tf.Tensor[]): Promise<{ shape: number[]; data: Float32Array }[]> {
  await tf.setBackend(backend);
  return tf.tidy(fn).map((t) => ({ shape: t.shape, data: t.dataSync() as Float32Array }));
}

describe.skipIf(!nativeAvailable())("native GatherV2 along axis 0", () => {
  beforeAll(() => expect(registerNativeBackend()).toEqual({ ok: true }));

  const cases: [number[], number[], number[]][] = [
    [[7, 5], [3], [6, 0, 6]],
    [[9], [4], [8, 1, 1, 0]],
    [[4, 3, 2], [2, 2], [3, 0, 1, 3]],
    [[300, 257], [0], []],
    [[257, 33], [700], Array.from({ length: 700 }, (_, i) => (i * 7919) % 257)],
  ];
  it("equals cpu's, values and gradient", async () => {
    for (const [shape, idShape, ids] of cases) {
      const fn = () => {
        const x = tf.tensor(random(shape.reduce((a, b) => a * b, 1), shape[0]), shape);
        const idx = tf.tensor(ids, idShape, "int32");
        const y = tf.gather(x, idx);
        const w = tf.tensor(random(y.size, 3), y.shape);
        const [g] = tf.grads((a: tf.Tensor) => tf.sum(tf.mul(tf.gather(a, idx), w)))([x]);
        return [y, g];
      };
      const [want, got] = [await on("cpu", fn), await on("native", fn)];
      expect(got[0], `${shape} at ${idShape}`).toEqual(want[0]); // copies: exactly equal
      expect(got[1].shape).toEqual(want[1].shape);
      expect(relError(got[1].data, want[1].data), `${shape} at ${idShape} gradient`).toBeLessThanOrEqual(1e-6); // sums: order may differ
    }
  });

  it("UnsortedSegmentSum (gather's gradient) equals cpu's, repeated and dropped ids included", async () => {
    const cases: [number[], number[], number][] = [[[7, 5], [0, 6, 6, 2, 0, 1, 3], 7], [[5, 2, 3], [4, 4, 4, 1, -1], 6], [[700, 33], Array.from({ length: 700 }, (_, i) => (i * 7919) % 257), 257]];
    for (const [shape, ids, segments] of cases) {
      const fn = () => [tf.unsortedSegmentSum(tf.tensor(random(shape.reduce((a, b) => a * b, 1), 5), shape), tf.tensor1d(ids, "int32"), segments)];
      const [[want], [got]] = [await on("cpu", fn), await on("native", fn)];
      expect(got.shape).toEqual(want.shape);
      expect(relError(got.data, want.data), `${shape}`).toBeLessThanOrEqual(1e-6);
    }
  });

  it("falls back for other axes and int32 tables, and rejects out-of-range indices like cpu", async () => {
    for (const fn of [() => [tf.gather(tf.tensor([[1, 2], [3, 4]]), tf.tensor1d([1, 1], "int32"), 1)],
      () => [tf.gather(tf.tensor([5, 6, 7], [3], "int32"), tf.tensor1d([2, 0], "int32"))]])
      expect(await on("native", fn)).toEqual(await on("cpu", fn));
    await tf.setBackend("native");
    expect(() => tf.gather(tf.tensor([[1, 2]]), tf.tensor1d([1], "int32")).dataSync()).toThrow(/not in \[0, 0\]/);
  });
});
