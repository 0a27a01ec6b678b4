// Loads the compiled addon once. When it is missing (install skipped the build) or fails to
// load, callers get a one-line reason instead of an exception.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

export interface Addon {
  sgemm(
    transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
    a: Float32Array, aOffset: number, lda: number, strideA: number,
    b: Float32Array, bOffset: number, ldb: number, strideB: number,
    beta: number, c: Float32Array, cOffset: number, ldc: number, strideC: number, batch: number,
  ): void;
  /** op: 0 add, 1 sub, 2 mul, 3 div; views are (array, offset, strides) over `shape`. */
  binary(op: number, shape: number[], out: Float32Array, outOffset: number, outStrides: number[],
    a: Float32Array, aOffset: number, aStrides: number[], b: Float32Array, bOffset: number, bStrides: number[]): void;
  copy(shape: number[], out: Float32Array, outOffset: number, outStrides: number[], a: Float32Array, aOffset: number, aStrides: number[]): void;
  /** op: index into unaryOps (elementwise.ts). */
  unary(op: number, x: Float32Array, y: Float32Array): void;
  /** op: 0 sum, 1 max, over each contiguous row of n. */
  reduce(op: number, x: Float32Array, y: Float32Array, rows: number, n: number): void;
  softmax(x: Float32Array, y: Float32Array, rows: number, n: number): void;
  crossEntropy(logits: Float32Array, targets: Int32Array, loss: Float32Array, rows: number, n: number): void;
  crossEntropyGrad(logits: Float32Array, targets: Int32Array, dy: Float32Array, dx: Float32Array, rows: number, n: number): void;
  /** Fused RMSNorm rows x n (native/fused.h); rstd [rows] is kept for the gradient. */
  rmsNorm(x: Float32Array, w: Float32Array, y: Float32Array, rstd: Float32Array, rows: number, n: number, eps: number, plusOne: boolean): void;
  rmsNormGrad(dy: Float32Array, x: Float32Array, w: Float32Array, rstd: Float32Array, dx: Float32Array, dw: Float32Array, rows: number, n: number, plusOne: boolean): void;
  /** rotate_half rotary embedding of x [rows, heads, d] by cos/sin [rows, d]; transpose: its gradient. */
  rope(x: Float32Array, cos: Float32Array, sin: Float32Array, y: Float32Array, rows: number, heads: number, d: number, transpose: boolean): void;
  /** op: 0 silu, 1 gelu-tanh; out = act(gate) · up. */
  gatedAct(op: number, gate: Float32Array, up: Float32Array, out: Float32Array, n: number): void;
  gatedActGrad(op: number, gate: Float32Array, up: Float32Array, dy: Float32Array, dgate: Float32Array, dup: Float32Array, n: number): void;
  /** Fused causal attention (native/attention.h): out [N, nH·hd] and lse [B, nH, T] from q [N, nH, hd], k/v [N, nKv, hd]. */
  attention(q: Float32Array, k: Float32Array, v: Float32Array, segments: Int32Array, out: Float32Array, lse: Float32Array,
    B: number, T: number, nH: number, nKv: number, hd: number, scale: number, softcap: number, window: number): void;
  attentionGrad(q: Float32Array, k: Float32Array, v: Float32Array, segments: Int32Array, lse: Float32Array, dOut: Float32Array,
    dq: Float32Array, dk: Float32Array, dv: Float32Array,
    B: number, T: number, nH: number, nKv: number, hd: number, scale: number, softcap: number, window: number): void;
  /** Inverted dropout of n elements, the mask a hash of (seed, index): the gradient is the same call on dy. */
  dropout(x: Float32Array, y: Float32Array, n: number, rate: number, seed: number): void;
  /** n uninitialised floats over recycled native memory (see native/buffers.h). */
  alloc(n: number): Float32Array;
  poolSizeClass(bytes: number): number;
  /** Test-only: fill every pooled block as it is handed out with `byte` (-1: off), see native/buffers.cc. */
  poisonPool(byte: number): void;
  setThreads(n: number): number;
  getThreads(): number;
  availableCores(): number;
  kernelName(): string;
  useKernel(name: string): boolean;
}

export type Loaded = { ok: true; addon: Addon } | { ok: false; reason: string };

// src/ and dist/ both sit one level below the package root, where node-gyp writes build/.
const buildDir = new URL("../build/", import.meta.url);
let loaded: Loaded | undefined;

export function loadAddon(): Loaded {
  loaded ??= tryLoad();
  return loaded;
}

function tryLoad(): Loaded {
  try {
    const addon = createRequire(import.meta.url)(new URL("Release/tooltune_kernels.node", buildDir).pathname) as Addon;
    return { ok: true, addon };
  } catch (err) {
    return { ok: false, reason: skippedReason() ?? `native addon failed to load: ${firstLine(err)}` };
  }
}

function skippedReason(): string | undefined {
  try {
    return readFileSync(new URL("skipped.txt", buildDir), "utf8").trim();
  } catch {
    return undefined;
  }
}

function firstLine(err: unknown): string {
  return String(err instanceof Error ? err.message : err).split("\n")[0];
}
