import { afterAll, describe, expect, it } from "vitest";
import { loadAddon } from "./addon.js";
import { sgemm } from "./sgemm.js";
import { getThreads, setThreads } from "./threads.js";
import { random, relError } from "./test-helpers.js";

// Plain float64 reference for one batch entry of C = alpha op(A) op(B) + beta C.
function reference(t: { transA: boolean; transB: boolean; m: number; n: number; k: number; alpha: number; beta: number },
  a: Float32Array, lda: number, b: Float32Array, ldb: number, c: Float32Array, ldc: number): Float64Array {
  const out = new Float64Array(t.m * t.n);
  for (let i = 0; i < t.m; i++)
    for (let j = 0; j < t.n; j++) {
      let s = 0;
      for (let p = 0; p < t.k; p++) s += (t.transA ? a[p * lda + i] : a[i * lda + p]) * (t.transB ? b[j * ldb + p] : b[p * ldb + j]);
      out[i * t.n + j] = t.alpha * s + (t.beta === 0 ? 0 : t.beta * c[i * ldc + j]);
    }
  return out;
}

const addon = loadAddon();
const kernels = addon.ok ? ["portable", ...(addon.addon.useKernel("avx2") ? ["avx2"] : [])] : [];
const threadCounts = [1, 2];
const defaultThreads = addon.ok ? getThreads() : 1;
afterAll(() => {
  if (addon.ok) { setThreads(defaultThreads); addon.addon.useKernel("avx2"); }
});

const sizes = [[1, 1, 1], [7, 17, 33], [6, 16, 256], [33, 7, 1], [17, 33, 7], [150, 70, 300], [13, 530, 9], [0, 5, 3], [4, 5, 0]];

describe.skipIf(!addon.ok)("sgemm", () => {
  for (const kernel of kernels)
    for (const threads of threadCounts)
      it(`${kernel} kernel, ${threads} thread(s): transposes and odd sizes match a float64 reference`, () => {
        addon.ok && addon.addon.useKernel(kernel);
        setThreads(threads);
        for (const [m, n, k] of sizes)
          for (const transA of [false, true])
            for (const transB of [false, true]) {
              const a = random(m * k, m + 3 * k), b = random(k * n, n + 7 * k);
              const c = new Float32Array(m * n).fill(NaN); // beta 0 must never read C
              sgemm({ transA, transB, m, n, k, a, b, c });
              const want = reference({ transA, transB, m, n, k, alpha: 1, beta: 0 }, a, transA ? m : k, b, transB ? k : n, c, n);
              expect(relError(c, want), `${m}x${n}x${k} tA=${transA} tB=${transB}`).toBeLessThanOrEqual(1e-5);
            }
      });

  it("reads misaligned views, leading dimensions and offsets, with alpha and beta", () => {
    for (const threads of threadCounts) {
      setThreads(threads);
      const [m, n, k] = [37, 45, 61], lda = k + 3, ldb = n + 5, ldc = n + 2;
      // subarray(1): byteOffset 4, so no 32-byte alignment anywhere.
      const a = random(m * lda + 9, 1).subarray(1), b = random(k * ldb + 9, 2).subarray(1);
      const c = random(m * ldc + 9, 3).subarray(1);
      const c0 = c.slice();
      sgemm({ m, n, k, alpha: 0.5, beta: -2, a, aOffset: 2, lda, b, bOffset: 3, ldb, c, cOffset: 4, ldc });
      const want = reference({ transA: false, transB: false, m, n, k, alpha: 0.5, beta: -2 },
        a.subarray(2), lda, b.subarray(3), ldb, c0.subarray(4), ldc);
      const got = new Float32Array(m * n);
      for (let i = 0; i < m; i++) got.set(c.subarray(4 + i * ldc, 4 + i * ldc + n), i * n);
      expect(relError(got, want)).toBeLessThanOrEqual(1e-5);
      expect(c[3]).toBe(c0[3]); // nothing before the view is touched
    }
  });

  it("runs a batch with strides, broadcasting A with stride 0", () => {
    const [batch, m, n, k] = [5, 9, 20, 11];
    const a = random(m * k, 4), b = random(batch * k * n, 5), c = new Float32Array(batch * m * n);
    sgemm({ m, n, k, a, strideA: 0, b, c, batch });
    for (let i = 0; i < batch; i++) {
      const want = reference({ transA: false, transB: false, m, n, k, alpha: 1, beta: 0 }, a, k, b.subarray(i * k * n), n, c, n);
      expect(relError(c.subarray(i * m * n, (i + 1) * m * n), want)).toBeLessThanOrEqual(1e-5);
    }
  });

  it("refuses views that reach past the array", () => {
    const a = new Float32Array(6), b = new Float32Array(6), c = new Float32Array(4);
    expect(() => sgemm({ m: 2, n: 2, k: 3, a, b, c, cOffset: 1 })).toThrow(/reaches element/);
    expect(() => sgemm({ m: 2, n: 2, k: 3, a, b, c, batch: 2 })).toThrow(/reaches element/);
  });

  it("sets and reports its thread count", () => {
    expect(setThreads(3)).toBe(3);
    expect(getThreads()).toBe(3);
    expect(setThreads(0)).toBe(addon.ok ? addon.addon.availableCores() : 1);
  });
});
