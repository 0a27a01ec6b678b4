import * as tf from "@tensorflow/tfjs-core";
// Gradients: tfjs-core registers none and its ESM register_all_gradients cannot load in plain
// Node; the union package's Node build registers them into the global registry.
import "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { nativeAvailable, registerNativeBackend } from "./backend.js";
import { random, relError } from "./test-helpers.js";

// Runs fn on a backend and returns its outputs as plain arrays.
async function on(backend: string, fn: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const outs = tf.tidy(fn);
  const list = Array.isArray(outs) ? outs : [outs];
  const data = list.map((t) => t.dataSync() as Float32Array);
  tf.dispose(list);
  return data;
}

async function expectSame(fn: () => tf.Tensor | tf.Tensor[], label = "") {
  const [want, got] = [await on("cpu", fn), await on("native", fn)];
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) expect(relError(got[i], want[i]), `${label} output ${i}`).toBeLessThanOrEqual(1e-5);
}

const t = (shape: number[], seed: number) => tf.tensor(random(shape.reduce((x, y) => x * y, 1), seed), shape);

describe.skipIf(!nativeAvailable())("native backend", () => {
  beforeAll(() => expect(registerNativeBackend()).toEqual({ ok: true }));

  it("matMul matches cpu for transposes and odd sizes", async () => {
    for (const [m, n, k] of [[1, 1, 1], [7, 17, 33], [33, 7, 1], [17, 33, 7], [64, 48, 40]])
      for (const ta of [false, true])
        for (const tb of [false, true])
          await expectSame(() => tf.matMul(t(ta ? [k, m] : [m, k], m + k), t(tb ? [n, k] : [k, n], n * k), ta, tb), `${m}x${n}x${k} ${ta} ${tb}`);
  });

  it("batched matMul broadcasts like cpu", async () => {
    const cases: [number[], number[]][] = [[[3, 5, 7], [3, 7, 4]], [[3, 5, 7], [7, 4]], [[5, 7], [2, 3, 7, 4]], [[1, 5, 7], [4, 7, 6]]];
    for (const [sa, sb] of cases) await expectSame(() => tf.matMul(t(sa, 1), t(sb, 2)), `${sa} x ${sb}`);
  });

  it("broadcasts batch dims both ways ([2,1] with [1,3]), which cpu's BatchMatMul gets wrong", async () => {
    // cpu indexes batches modulo each side's count, so compare with explicitly broadcast inputs.
    const want = await on("cpu", () => tf.matMul(tf.broadcastTo(t([2, 1, 5, 7], 1), [2, 3, 5, 7]), tf.broadcastTo(t([1, 3, 7, 4], 2), [2, 3, 7, 4])));
    const got = await on("native", () => tf.matMul(t([2, 1, 5, 7], 1), t([1, 3, 7, 4], 2)));
    expect(relError(got[0], want[0])).toBeLessThanOrEqual(1e-5);
  });

  it("reads misaligned views (tensors over subarray(1))", async () => {
    const a = random(17 * 33 + 1, 7).subarray(1), b = random(33 * 9 + 1, 8).subarray(1);
    expect(a.byteOffset % 16).not.toBe(0);
    await expectSame(() => tf.matMul(tf.tensor(a, [17, 33]), tf.tensor(b, [33, 9])));
  });

  it("fusedMatMul with bias and activations matches cpu", async () => {
    for (const activation of ["linear", "relu", "elu", "relu6", "leakyrelu", "sigmoid", "prelu"] as const)
      await expectSame(() => tf.fused.matMul({
        a: t([9, 13], 3), b: t([5, 13], 4), transposeB: true, bias: t([5], 5), activation,
        preluActivationWeights: activation === "prelu" ? t([5], 6) : undefined, leakyreluAlpha: 0.1,
      }), activation);
  });

  it("int32 matMul falls back to the cpu kernel", async () => {
    await expectSame(() => tf.cast(tf.matMul(tf.tensor([[1, 2], [3, 4]], undefined, "int32"), tf.tensor([[5], [6]], undefined, "int32")), "float32"));
  });

  it("gradients through tf.grads equal the cpu backend's", async () => {
    // A tiny attention-and-MLP block: every backward product of matMul (both transposes).
    // Projections run on [B*T, H]: tfjs's BatchMatMul gradient does not reduce broadcast dims.
    const x = t([12, 8], 11), wq = t([8, 8], 12), wk = t([8, 8], 13), w1 = t([8, 12], 14), w2 = t([12, 8], 15);
    const loss = (x: tf.Tensor, wq: tf.Tensor, wk: tf.Tensor, w1: tf.Tensor, w2: tf.Tensor) => {
      const q = tf.reshape(tf.matMul(x, wq), [2, 6, 8]), k = tf.reshape(tf.matMul(x, wk), [2, 6, 8]); // [B, T, H]
      const att = tf.softmax(tf.div(tf.matMul(q, k, false, true), Math.sqrt(8)));                       // [B, T, T]
      const h = tf.reshape(tf.matMul(att, tf.reshape(x, [2, 6, 8])), [12, 8]);                          // [B*T, H]
      const mlp = tf.matMul(tf.relu(tf.matMul(h, w1)), w2);                                             // [B*T, H]
      return tf.sum(tf.square(mlp));
    };
    await expectSame(() => tf.grads(loss)([x, wq, wk, w1, w2]));
  });

  it("leaks no more tensors than cpu", async () => {
    // tfjs-core's fused matMul itself keeps one tensor per call on cpu too; ours must add none.
    const leaked = async (backend: string) => {
      await tf.setBackend(backend);
      const before = tf.memory().numTensors;
      tf.tidy(() => tf.fused.matMul({ a: t([3, 4], 1), b: t([4, 5], 2), bias: t([5], 3), activation: "relu" }));
      tf.tidy(() => tf.matMul(t([2, 3, 4], 1), t([4, 5], 2)));
      return tf.memory().numTensors - before;
    };
    expect(await leaked("native")).toBe(await leaked("cpu"));
  });
});

it("registerNativeBackend reports a one-line reason or ok", () => {
  const r = registerNativeBackend();
  if (r.ok) expect(tf.findBackend("native")).toBeTruthy();
  else expect(r.reason).not.toMatch(/\n/);
});
