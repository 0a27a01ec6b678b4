import * as tf from "@tensorflow/tfjs-core";
// Gradients: see backend.test.ts.
import "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attention, type AttentionOptions } from "./attention.js";
import { nativeAvailable, registerNativeBackend } from "./backend.js";
import { random, relError } from "./test-helpers.js";
import { setThreads } from "./threads.js";

interface Case {
  B: number;
  T: number;
  nH: number;
  nKv: number;
  hd: number;
  /** Per row: packed example lengths, then padding tokens (each its own segment) to fill T. */
  examples: number[][];
  softcap?: number;
  window?: number;
}

function segmentsOf(c: Case): Int32Array {
  const ids = new Int32Array(c.B * c.T);
  let id = 0;
  c.examples.forEach((lengths, b) => {
    let t = 0;
    for (const n of lengths) { ids.fill(id++, b * c.T + t, b * c.T + t + n); t += n; }
    for (; t < c.T; t++) ids[b * c.T + t] = id++;
  });
  return ids;
}

// Output and dq, dk, dv (of the output weighted by a random dy) on one backend.
async function run(backend: string, c: Case): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const N = c.B * c.T;
  const opts: AttentionOptions = {
    batch: c.B, seqLen: c.T, scale: c.hd ** -0.5, segments: segmentsOf(c), softcap: c.softcap ?? null, window: c.window ?? null,
  };
  const outs = tf.tidy(() => {
    const q = tf.mul(tf.tensor3d(random(N * c.nH * c.hd, c.T + 1), [N, c.nH, c.hd]), 6) as tf.Tensor3D;
    const k = tf.mul(tf.tensor3d(random(N * c.nKv * c.hd, c.T + 2), [N, c.nKv, c.hd]), 6) as tf.Tensor3D;
    const v = tf.tensor3d(random(N * c.nKv * c.hd, c.T + 3), [N, c.nKv, c.hd]);
    const w = tf.tensor2d(random(N * c.nH * c.hd, c.T + 4), [N, c.nH * c.hd]);
    const out = attention(q, k, v, opts);
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, d: tf.Tensor) =>
      tf.sum(tf.mul(attention(a as tf.Tensor3D, b as tf.Tensor3D, d as tf.Tensor3D, opts), w)))([q, k, v]);
    return [out, ...grads];
  });
  const data = outs.map((t) => t.dataSync() as Float32Array);
  tf.dispose(outs);
  return data;
}

const cases: Case[] = [
  { B: 1, T: 7, nH: 2, nKv: 2, hd: 5, examples: [[7]] },
  { B: 2, T: 53, nH: 4, nKv: 2, hd: 12, examples: [[20, 17, 9], [53]] },
  { B: 3, T: 101, nH: 8, nKv: 2, hd: 33, examples: [[30, 49, 11], [1, 60, 2, 38], [97]] },
  { B: 1, T: 150, nH: 4, nKv: 1, hd: 64, examples: [[150]] },
];

describe.skipIf(!nativeAvailable())("fused attention", () => {
  beforeAll(() => expect(registerNativeBackend()).toEqual({ ok: true }));
  afterAll(() => setThreads(0));

  for (const c of cases)
    it(`matches tfjs on cpu: B ${c.B}, T ${c.T}, heads ${c.nH}/${c.nKv}, hd ${c.hd}, rows ${JSON.stringify(c.examples)}`, async () => {
      const want = await run("cpu", c);
      for (const threads of [1, 2]) {
        setThreads(threads);
        const got = await run("native", c);
        ["out", "dq", "dk", "dv"].forEach((name, i) =>
          expect(relError(got[i], want[i]), `${name}, ${threads} thread(s)`).toBeLessThanOrEqual(1e-5));
      }
    });

  it("matches tfjs with Gemma2's soft-capping and a sliding window", async () => {
    const c: Case = { B: 2, T: 97, nH: 4, nKv: 2, hd: 16, examples: [[40, 50], [97]], softcap: 1.5, window: 13 };
    const want = await run("cpu", c);
    const got = await run("native", c);
    ["out", "dq", "dk", "dv"].forEach((name, i) => expect(relError(got[i], want[i]), name).toBeLessThanOrEqual(1e-5));
  });

  it("lets no token see another packed example or a later token", async () => {
    // Changing k and v of the second example (and of the last token) leaves the first example's output alone.
    await tf.setBackend("native");
    const [B, T, nH, hd] = [1, 60, 2, 8];
    const opts: AttentionOptions = { batch: B, seqLen: T, scale: 0.3, segments: segmentsOf({ B, T, nH, nKv: nH, hd, examples: [[25, 35]] }) };
    const q = tf.tensor3d(random(T * nH * hd, 1), [T, nH, hd]);
    const k1 = tf.tensor3d(random(T * nH * hd, 2), [T, nH, hd]), v1 = tf.tensor3d(random(T * nH * hd, 3), [T, nH, hd]);
    const edit = (x: tf.Tensor3D, seed: number) => tf.concat([tf.slice(x, [0, 0, 0], [25, nH, hd]), tf.tensor3d(random(35 * nH * hd, seed), [35, nH, hd])]) as tf.Tensor3D;
    const a = attention(q, k1, v1, opts).dataSync(), b = attention(q, edit(k1, 4), edit(v1, 5), opts).dataSync();
    expect(Array.from(b.slice(0, 25 * nH * hd))).toEqual(Array.from(a.slice(0, 25 * nH * hd)));
    expect(relError(b.slice(25 * nH * hd), a.slice(25 * nH * hd))).toBeGreaterThan(1e-3);
  });
});
