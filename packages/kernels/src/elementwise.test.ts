import * as tf from "@tensorflow/tfjs-core";
// Gradients: see backend.test.ts.
import "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { nativeAvailable, registerNativeBackend } from "./backend.js";
import { collapse } from "./elementwise.js";
import { random, relError } from "./test-helpers.js";

async function on(backend: string, fn: () => tf.Tensor | tf.Tensor[]): Promise<{ shapes: number[][]; data: Float32Array[] }> {
  await tf.setBackend(backend);
  const outs = tf.tidy(fn);
  const list = Array.isArray(outs) ? outs : [outs];
  const result = { shapes: list.map((t) => t.shape), data: list.map((t) => t.dataSync() as Float32Array) };
  tf.dispose(list);
  return result;
}

async function expectSame(fn: () => tf.Tensor | tf.Tensor[], label = "") {
  const [want, got] = [await on("cpu", fn), await on("native", fn)];
  expect(got.shapes, label).toEqual(want.shapes);
  for (let i = 0; i < want.data.length; i++) expect(relError(got.data[i], want.data[i]), `${label} output ${i}`).toBeLessThanOrEqual(1e-5);
}

const t = (shape: number[], seed: number) => tf.tensor(random(shape.reduce((x, y) => x * y, 1), seed), shape);

it("collapse merges contiguous and broadcast dims and drops ones", () => {
  expect(collapse([2, 3, 4], [[12, 4, 1], [0, 0, 1]])).toEqual({ shape: [6, 4], strides: [[4, 1], [0, 1]] });
  expect(collapse([2, 1, 4], [[4, 4, 1], [4, 4, 1]])).toEqual({ shape: [8], strides: [[1], [1]] });
  expect(collapse([1, 1], [[1, 1]])).toEqual({ shape: [1], strides: [[1]] });
});

describe.skipIf(!nativeAvailable())("native elementwise kernels", () => {
  beforeAll(() => expect(registerNativeBackend()).toEqual({ ok: true }));

  const pairs: [number[], number[]][] = [
    [[7, 17], [7, 17]], [[7, 17], []], [[], [33]], [[3, 1], [1, 4]], [[2, 3, 4], [4]], [[2, 1, 4], [3, 1]],
    [[5, 1, 7, 1], [1, 3, 1, 2]], [[300, 301], [300, 1]], [[1], [1]], [[0, 3], [3]],
  ];
  for (const op of ["add", "sub", "mul", "div"] as const)
    it(`${op} broadcasts like cpu`, async () => {
      for (const [sa, sb] of pairs) await expectSame(() => tf[op](t(sa, 1), tf.add(t(sb, 2), op === "div" ? 2 : 0)), `${sa} ${op} ${sb}`);
    });

  it("binary ops read misaligned views and fall back for int32", async () => {
    const a = random(7 * 17 + 1, 3).subarray(1);
    await expectSame(() => tf.mul(tf.tensor(a, [7, 17]), t([17], 4)));
    await expectSame(() => tf.cast(tf.add(tf.tensor([1, 2, 3], [3], "int32"), tf.tensor([4], [1], "int32")), "float32"));
  });

  it("transpose matches cpu", async () => {
    const cases: [number[], number[]][] = [[[7, 17], [1, 0]], [[2, 3, 4], [2, 0, 1]], [[8, 33, 4, 5], [0, 2, 1, 3]], [[3, 1, 5], [1, 2, 0]]];
    for (const [shape, perm] of cases) await expectSame(() => tf.transpose(t(shape, 5), perm), `${shape} ${perm}`);
  });

  it("slice and split match cpu, contiguous or not", async () => {
    await expectSame(() => tf.slice(t([7, 17, 5], 6), [1, 3, 1], [4, 9, 3]));
    await expectSame(() => tf.slice(t([7, 17], 6), [2, 0], [3, -1])); // contiguous: cpu's subarray
    await expectSame(() => tf.split(t([4, 6, 32], 7), [16, 16], 2));
    await expectSame(() => tf.split(t([4, 6, 9], 7), 3, 1));
  });

  it("unary ops match cpu", async () => {
    const x = t([33, 17], 20), pos = tf.add(tf.abs(x), 0.1);
    for (const f of [tf.exp, tf.neg, tf.sigmoid, tf.square, tf.abs, tf.tanh]) await expectSame(() => f(tf.mul(x, 4)), f.name);
    for (const f of [tf.log, tf.sqrt, tf.rsqrt, tf.reciprocal]) await expectSame(() => f(pos), f.name);
    await expectSame(() => tf.exp(t([300, 301], 21)), "large");
  });

  it("sum and max over any axes match cpu", async () => {
    const x = t([4, 6, 35], 22);
    for (const axis of [-1, 0, 1, [0, 2], [0, 1, 2]])
      for (const keepDims of [false, true]) {
        await expectSame(() => tf.sum(x, axis, keepDims), `sum ${axis} ${keepDims}`);
        await expectSame(() => tf.max(x, axis, keepDims), `max ${axis} ${keepDims}`);
      }
    await expectSame(() => tf.sum(t([2048, 300], 23), 0), "tall");
  });

  it("mean matches cpu", async () => {
    for (const axis of [-1, 0, [0, 2]]) await expectSame(() => tf.mean(t([4, 6, 35], 26), axis, true), `${axis}`);
  });

  it("concat matches cpu on any axis", async () => {
    for (const axis of [0, 1, 2]) await expectSame(() => tf.concat([t([2, 3, 4], 27), t([2, 3, 4], 28), t([2, 3, 4], 29)], axis), `${axis}`);
    await expectSame(() => tf.concat([t([5, 3], 30), t([5, 0], 31), t([5, 7], 32)], 1), "with an empty input");
  });

  it("tile matches cpu", async () => {
    await expectSame(() => tf.tile(t([3, 1, 5], 24), [2, 4, 1]));
    await expectSame(() => tf.tile(t([7], 25), [3]));
  });

  it("softmax matches cpu, and so does its gradient", async () => {
    for (const shape of [[7, 17], [2, 3, 33], [1], [300, 257]]) await expectSame(() => tf.softmax(tf.mul(t(shape, 8), 10)), `${shape}`);
    const w = t([5, 9], 9);
    await expectSame(() => tf.grads((x: tf.Tensor) => tf.sum(tf.mul(tf.softmax(x), w)))([t([5, 9], 10)]));
  });

  it("gradients of broadcast ops through tf.grads equal cpu's", async () => {
    const f = (x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) =>
      tf.sum(tf.square(tf.div(tf.sub(tf.mul(tf.transpose(x, [1, 0, 2]), y), z), tf.add(tf.abs(z), 1))));
    await expectSame(() => tf.grads(f)([t([3, 4, 5], 11), t([4, 1, 5], 12), t([5], 13)]));
  });
});
