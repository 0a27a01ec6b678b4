import * as tf from "@tensorflow/tfjs-core";
// Gradients: see backend.test.ts.
import "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nativeAvailable, registerNativeBackend } from "./backend.js";
import { dropout, gatedActivation, rmsNorm, rope } from "./fused.js";
import { loraLinear } from "./lora-linear.js";
import { random, relError } from "./test-helpers.js";
import { getThreads, setThreads } from "./threads.js";

// The model's tfjs formulations (packages/model/src/model.ts), the reference on `cpu`.
function rmsNormRef(x: tf.Tensor2D, w: tf.Tensor1D, eps: number, plusOne: boolean): tf.Tensor2D {
  const normed = tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), eps)));
  return tf.mul(normed, plusOne ? tf.add(w, 1) : w);
}
function ropeRef(x: tf.Tensor3D, cos: tf.Tensor3D, sin: tf.Tensor3D): tf.Tensor3D {
  const half = x.shape[2] / 2;
  const [x1, x2] = tf.split(x, [half, half], 2);
  return tf.add(tf.mul(x, cos), tf.mul(tf.concat([tf.neg(x2), x1], 2), sin));
}
function geluTanhRef(x: tf.Tensor2D): tf.Tensor2D {
  const inner = tf.mul(tf.add(x, tf.mul(tf.mul(tf.square(x), x), 0.044715)), Math.sqrt(2 / Math.PI));
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
}
function loraLinearRef(x: tf.Tensor2D, w: tf.Tensor2D, a: tf.Tensor2D, b: tf.Tensor2D, s: number): tf.Tensor2D {
  return tf.add(tf.matMul(x, w), tf.matMul(tf.mul(tf.matMul(x, a), s), b)); // model.linear + LoRA's linearDelta
}
function gatedRef(gate: tf.Tensor2D, up: tf.Tensor2D, act: "silu" | "gelu_tanh"): tf.Tensor2D {
  return tf.mul(act === "silu" ? tf.mul(gate, tf.sigmoid(gate)) : geluTanhRef(gate), up);
}

const t = (shape: number[], seed: number, scale = 1, shift = 0) =>
  tf.add(tf.mul(tf.tensor(random(shape.reduce((a, b) => a * b, 1), seed), shape), scale), shift);

/**
 * Output and gradients (of Σ out · r for a random r) of f with inputs made by `make`:
 * on `cpu` with the reference, on `native` with the fused op.
 */
async function compare(label: string, make: () => tf.Tensor[], wrt: number, ref: (...xs: tf.Tensor[]) => tf.Tensor, fused: (...xs: tf.Tensor[]) => tf.Tensor) {
  const run = async (backend: string, f: (...xs: tf.Tensor[]) => tf.Tensor) => {
    await tf.setBackend(backend);
    return tf.tidy(() => {
      const xs = make();
      const y = f(...xs);
      const r = t(y.shape, 99);
      const grads = tf.grads((...ds: tf.Tensor[]) => tf.sum(tf.mul(f(...ds, ...xs.slice(wrt)), r)))(xs.slice(0, wrt));
      return [y, ...grads].map((g) => g.dataSync() as Float32Array);
    });
  };
  const want = await run("cpu", ref), got = await run("native", fused);
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++)
    expect(relError(got[i], want[i]), `${label} ${i === 0 ? "output" : `gradient ${i - 1}`}`).toBeLessThanOrEqual(1e-5);
}

describe.skipIf(!nativeAvailable())("fused native ops equal the model's tfjs ops on cpu", () => {
  let threads = 0;
  beforeAll(() => {
    expect(registerNativeBackend()).toEqual({ ok: true });
    threads = getThreads();
  });
  afterAll(() => setThreads(threads));

  for (const n of [1, 2])
    describe(`${n} thread(s)`, () => {
      beforeAll(() => setThreads(n));

      it("rmsNorm (and Gemma's 1 + w), x and w gradients", async () => {
        for (const [rows, h] of [[1, 5], [3, 7], [37, 65], [300, 256], [2048, 64]])
          for (const plusOne of [false, true])
            await compare(`rmsNorm ${rows}x${h} plusOne=${plusOne}`, () => [t([rows, h], rows + h, 4), t([h], 7, 1, plusOne ? 0 : 1)], 2,
              (x, w) => rmsNormRef(x as tf.Tensor2D, w as tf.Tensor1D, 1e-6, plusOne),
              (x, w) => rmsNorm(x as tf.Tensor2D, w as tf.Tensor1D, 1e-6, plusOne));
      });

      it("rope, x gradient", async () => {
        for (const [rows, heads, d] of [[1, 1, 2], [5, 3, 6], [37, 8, 32], [700, 4, 64]])
          await compare(`rope ${rows}x${heads}x${d}`, () => [t([rows, heads, d], rows * d, 2), t([rows, 1, d], 5), t([rows, 1, d], 6)], 1,
            (x, c, s) => ropeRef(x as tf.Tensor3D, c as tf.Tensor3D, s as tf.Tensor3D),
            (x, c, s) => rope(x as tf.Tensor3D, c as tf.Tensor3D, s as tf.Tensor3D));
      });

      it("gated activation (silu, gelu-tanh), gate and up gradients", async () => {
        for (const [rows, inter] of [[1, 1], [7, 33], [129, 688], [17, 5000]])
          for (const act of ["silu", "gelu_tanh"] as const)
            for (const scale of [12, 400]) // ±200: the fast exp's clamped range
              await compare(`${act} ${rows}x${inter} ×${scale}`, () => [t([rows, inter], rows + inter, scale), t([rows, inter], 3, 2)], 2,
                (g, u) => gatedRef(g as tf.Tensor2D, u as tf.Tensor2D, act),
                (g, u) => gatedActivation(g as tf.Tensor2D, u as tf.Tensor2D, act));
      });

      it("loraLinear, x, A and B gradients (none for the frozen W)", async () => {
        for (const [rows, inDim, r, outDim] of [[1, 1, 1, 1], [7, 5, 3, 9], [67, 33, 16, 101], [300, 256, 16, 688]])
          await compare(`loraLinear ${rows}x${inDim}x${r}x${outDim}`,
            () => [t([rows, inDim], rows, 2), t([inDim, r], r, 0.5), t([r, outDim], outDim), t([inDim, outDim], inDim)], 3,
            (x, a, b, w) => loraLinearRef(x as tf.Tensor2D, w as tf.Tensor2D, a as tf.Tensor2D, b as tf.Tensor2D, 2.5),
            (x, a, b, w) => loraLinear(x as tf.Tensor2D, w as tf.Tensor2D, a as tf.Tensor2D, b as tf.Tensor2D, 2.5));
      });

      it("loraLinear with its own LoRA input (LoRA's dropout of x): x, input, A and B gradients", async () => {
        for (const [rows, inDim, r, outDim] of [[1, 1, 1, 1], [7, 5, 3, 9], [300, 256, 16, 688]])
          await compare(`loraLinear ${rows}x${inDim}x${r}x${outDim}, own input`,
            () => [t([rows, inDim], rows, 2), t([rows, inDim], 11, 3), t([inDim, r], r, 0.5), t([r, outDim], outDim), t([inDim, outDim], inDim)], 4,
            (x, xl, a, b, w) => tf.add(tf.matMul(x, w), tf.matMul(tf.mul(tf.matMul(xl, a), 2.5), b)),
            (x, xl, a, b, w) => loraLinear(x as tf.Tensor2D, w as tf.Tensor2D, a as tf.Tensor2D, b as tf.Tensor2D, 2.5, xl as tf.Tensor2D));
      });
    });

  it("dropout: kept elements scaled by 1/(1 − rate), the rate kept, same seed same mask, gradient on the same mask, any thread count", async () => {
    await tf.setBackend("native");
    const n = 200_003, rate = 0.3;
    const x = tf.add(t([n], 1), 1); // no zeros: a zero in y means dropped
    const masks: Uint8Array[] = [];
    for (const threads of [1, 2]) {
      setThreads(threads);
      const y = dropout(x, rate, 12345).dataSync(), xv = x.dataSync();
      const r = t([n], 2);
      const [g] = tf.grads((a: tf.Tensor) => tf.sum(tf.mul(dropout(a, rate, 12345), r)))([x]);
      const gv = g.dataSync(), rv = r.dataSync();
      const mask = new Uint8Array(n);
      let kept = 0;
      for (let i = 0; i < n; i++) {
        mask[i] = y[i] !== 0 ? 1 : 0;
        kept += mask[i];
        expect(y[i] === 0 || Math.abs(y[i] - xv[i] / 0.7) <= 1e-6 * Math.abs(y[i])).toBe(true);
        expect(gv[i]).toBe(mask[i] ? Math.fround(rv[i] / Math.fround(0.7)) : 0);
      }
      expect(Math.abs(kept / n - 0.7)).toBeLessThan(0.005);
      masks.push(mask);
      tf.dispose([g, r]);
    }
    setThreads(threads);
    expect(masks[1]).toEqual(masks[0]);
    const other = dropout(x, rate, 12346).dataSync();
    expect(other.some((v, i) => (v !== 0 ? 1 : 0) !== masks[0][i])).toBe(true);
    expect(dropout(x, 0, 1)).toBe(x);
    x.dispose();
  });

  it("rope's tables outlive a caller's tidy until the backward pass", async () => {
    await tf.setBackend("native");
    const x = tf.variable(t([4, 2, 8], 1));
    const { grads } = tf.variableGrads(() => {
      const y = tf.tidy(() => rope(x as unknown as tf.Tensor3D, t([4, 1, 8], 2) as tf.Tensor3D, t([4, 1, 8], 3) as tf.Tensor3D));
      return tf.sum(tf.square(y)) as tf.Scalar;
    }, [x]);
    expect(Number.isFinite(grads[x.name].sum().dataSync()[0])).toBe(true);
    tf.dispose([x, grads[x.name]]);
  });
});
