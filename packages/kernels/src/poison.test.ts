// Outputs are never zero-filled (pooled blocks are recycled as they are, small ones come from
// Buffer.allocUnsafeSlow), so a kernel that reads output memory it did not write (accumulates into
// a fresh block, leaves a tail or padding unwritten) gives results that depend on what an earlier
// tensor, or the heap (path strings included), left there: a run that differs by directory. Here
// every op runs with its outputs filled with different byte patterns first (zeros, NaNs, huge
// values, and whatever the pool holds), on 1 and 2 threads, and must give the same bytes.
import * as tf from "@tensorflow/tfjs-core";
// Gradients: see backend.test.ts.
import "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attention } from "./attention.js";
import { nativeAvailable, registerNativeBackend } from "./backend.js";
import { crossEntropy } from "./cross-entropy.js";
import { dropout, gatedActivation, rmsNorm, rope } from "./fused.js";
import { poisonOutputs } from "./tensors.js";
import { loraLinear } from "./lora-linear.js";
import { random } from "./test-helpers.js";
import { getThreads, setThreads } from "./threads.js";

interface Case {
  name: string;
  /** Shapes of the float inputs. */
  inputs: number[][];
  /** Gradients are taken for the first `grads` inputs (default: all). */
  grads?: number;
  f: (...xs: tf.Tensor[]) => tf.Tensor;
}

const int32 = (n: number, mod: number) => tf.tensor1d(Int32Array.from({ length: n }, (_, i) => (i * 7919) % mod), "int32");
const positive = (x: tf.Tensor) => tf.add(tf.abs(x), 0.5);

// Sizes are odd (tails of every vector loop and micro-tile) and some outputs are past the pool's
// 64 KB threshold, so both the pooled and the Buffer path are covered.
const cases: Case[] = [
  { name: "matMul", inputs: [[67, 129], [129, 131]], f: (a, b) => tf.matMul(a, b) },
  { name: "matMul large", inputs: [[203, 97], [97, 131]], f: (a, b) => tf.matMul(a, b) },
  { name: "matMul transposed", inputs: [[129, 67], [131, 129]], f: (a, b) => tf.matMul(a, b, true, true) },
  { name: "batched matMul, broadcast A", inputs: [[37, 65], [3, 65, 70]], f: (a, b) => tf.matMul(tf.expandDims(a, 0), b), grads: 0 }, // tfjs has no broadcasting matMul gradient
  { name: "batched matMul, general broadcast", inputs: [[2, 1, 17, 33], [1, 3, 33, 19]], f: (a, b) => tf.matMul(a, b), grads: 0 },
  { name: "broadcast add, sub, mul, div", inputs: [[150, 131], [131], [150, 1]], f: (a, b, c) => tf.div(tf.mul(tf.sub(tf.add(a, b), c), a), positive(b)) },
  {
    name: "unary ops",
    inputs: [[161, 129]],
    f: (x) => tf.addN([tf.exp(x), tf.log(positive(x)), tf.neg(x), tf.sigmoid(x), tf.sqrt(positive(x)), tf.rsqrt(positive(x)), tf.square(x), tf.tanh(x), tf.reciprocal(positive(x))]),
  },
  { name: "sum, max, mean", inputs: [[97, 3, 131]], f: (x) => tf.add(tf.add(tf.sum(x, [0, 2]), tf.max(x, [0, 2])), tf.mean(x, [0, 2])) },
  { name: "softmax", inputs: [[130, 131]], f: (x) => tf.softmax(x) },
  { name: "transpose, slice, concat, tile", inputs: [[40, 51, 9]], f: (x) => tf.concat([tf.transpose(x, [2, 0, 1]), tf.tile(tf.slice(x, [0, 1, 0], [9, 40, 9]), [1, 1, 2])], 2) },
  { name: "split", inputs: [[130, 131]], f: (x) => tf.addN(tf.split(x, [40, 51, 40], 1).map((p, i) => tf.mul(tf.sum(p, 1), i + 1))) },
  { name: "gather rows and its segment-sum gradient", inputs: [[301, 67]], f: (x) => tf.gather(x, int32(517, 301)) },
  { name: "cross-entropy", inputs: [[77, 301]], f: (x) => crossEntropy(x as tf.Tensor2D, int32(77, 301) as tf.Tensor1D) },
  { name: "rmsNorm", inputs: [[203, 131], [131]], f: (x, w) => rmsNorm(x as tf.Tensor2D, w as tf.Tensor1D, 1e-6, false) },
  { name: "rope", inputs: [[203, 3, 34]], f: (x) => rope(x as tf.Tensor3D, tf.cos(tf.tensor3d(random(203 * 34, 5), [203, 1, 34])), tf.sin(tf.tensor3d(random(203 * 34, 6), [203, 1, 34]))) },
  { name: "gated SiLU and GELU", inputs: [[131, 257], [131, 257]], f: (g, u) => tf.add(gatedActivation(g as tf.Tensor2D, u as tf.Tensor2D, "silu"), gatedActivation(g as tf.Tensor2D, u as tf.Tensor2D, "gelu_tanh")) },
  { name: "dropout", inputs: [[131, 257]], f: (x) => dropout(x, 0.3, 5) },
  { name: "loraLinear (dy Wᵀ and du Aᵀ summed with beta 1)", inputs: [[203, 97], [97, 5], [5, 131], [97, 131]], grads: 3, f: (x, a, b, w) => loraLinear(x as tf.Tensor2D, w as tf.Tensor2D, a as tf.Tensor2D, b as tf.Tensor2D, 2.5) },
  {
    name: "loraLinear with a dropped-out LoRA input",
    inputs: [[203, 97], [97, 5], [5, 131], [97, 131]],
    grads: 3, // w is frozen: loraLinear gives it no gradient
    f: (x, a, b, w) => loraLinear(x as tf.Tensor2D, w as tf.Tensor2D, a as tf.Tensor2D, b as tf.Tensor2D, 2.5, dropout(x, 0.2, 9) as tf.Tensor2D),
  },
  {
    name: "attention, packed rows of uneven examples",
    inputs: [[2 * 67, 4, 20], [2 * 67, 2, 20], [2 * 67, 2, 20]],
    f: (q, k, v) => {
      const segments = Int32Array.from({ length: 2 * 67 }, (_, i) => (i < 30 ? 0 : i < 67 ? 1 : i < 120 ? 2 : i));
      return attention(q as tf.Tensor3D, k as tf.Tensor3D, v as tf.Tensor3D, { batch: 2, seqLen: 67, scale: 0.2, segments });
    },
  },
];

/** The output and the gradients of Σ f · r for each input, as bytes. */
function runCase(c: Case): Uint8Array[] {
  return tf.tidy(() => {
    const xs = c.inputs.map((shape, i) => tf.tensor(random(shape.reduce((a, b) => a * b, 1), 11 + i), shape));
    const y = c.f(...xs);
    const r = tf.tensor(random(y.size, 99), y.shape);
    const n = c.grads ?? xs.length;
    const grads = n === 0 ? [] : tf.grads((...ds: tf.Tensor[]) => tf.sum(tf.mul(c.f(...ds, ...xs.slice(n)), r)))(xs.slice(0, n));
    return [y, ...grads].map((t) => new Uint8Array((t.dataSync() as Float32Array).slice().buffer));
  });
}

describe.skipIf(!nativeAvailable())("no kernel reads output memory it did not write", () => {
  let threads = 0;
  beforeAll(async () => {
    expect(registerNativeBackend()).toEqual({ ok: true });
    threads = getThreads();
    await tf.setBackend("native");
  });
  afterAll(async () => {
    poisonOutputs(null);
    setThreads(threads);
    await tf.setBackend("cpu");
  });

  for (const c of cases) {
    it(c.name, () => {
      setThreads(1);
      poisonOutputs(0);
      const want = runCase(c);
      // null last: the pool then holds the previous runs' patterns and results
      for (const [poison, n] of [[0xff, 1], [0x7f, 2], [0x00, 2], [0xa5, 2], [null, 1], [null, 2]] as const) {
        setThreads(n);
        poisonOutputs(poison);
        const got = runCase(c);
        expect(got.length).toBe(want.length);
        got.forEach((bytes, i) => expect(Buffer.compare(bytes, want[i]), `${i === 0 ? "output" : `gradient ${i - 1}`}, poison ${poison}, ${n} threads`).toBe(0));
      }
    });
  }
});
