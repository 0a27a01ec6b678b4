// The raw batched sgemm, with BLAS-like defaults for dense row-major operands.
import { loadAddon, type Addon } from "./addon.js";

export interface SgemmArgs {
  transA?: boolean;
  transB?: boolean;
  m: number;
  n: number;
  k: number;
  /** C = alpha * op(A) op(B) + beta * C; beta 0 never reads C. */
  alpha?: number;
  beta?: number;
  a: Float32Array;
  aOffset?: number;
  /** Row stride of A as stored: defaults to its column count (k, or m when transposed). */
  lda?: number;
  /** Elements between batch entries; 0 broadcasts one A over the batch. */
  strideA?: number;
  b: Float32Array;
  bOffset?: number;
  ldb?: number;
  strideB?: number;
  c: Float32Array;
  cOffset?: number;
  ldc?: number;
  strideC?: number;
  batch?: number;
}

export function addonOrThrow(): Addon {
  const loaded = loadAddon();
  if (!loaded.ok) throw new Error(loaded.reason);
  return loaded.addon;
}

/** Row-major batched single-precision GEMM on the native thread pool (throws if the addon is missing). */
export function sgemm(g: SgemmArgs): void {
  const { m, n, k, transA = false, transB = false } = g;
  const lda = g.lda ?? (transA ? m : k);
  const ldb = g.ldb ?? (transB ? k : n);
  const ldc = g.ldc ?? n;
  addonOrThrow().sgemm(
    transA, transB, m, n, k, g.alpha ?? 1,
    g.a, g.aOffset ?? 0, lda, g.strideA ?? m * k,
    g.b, g.bOffset ?? 0, ldb, g.strideB ?? k * n,
    g.beta ?? 0, g.c, g.cOffset ?? 0, ldc, g.strideC ?? m * ldc, g.batch ?? 1,
  );
}
