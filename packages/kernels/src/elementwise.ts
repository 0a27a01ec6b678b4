// Native elementwise kernels: binary ops with broadcasting, and the strided copies behind
// Transpose, Slice and SplitV. tfjs's cpu backend does these with an index computation (and
// small allocations) per element whenever an input is broadcast or not contiguous.
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import { backend_util, slice_util, util, type TensorInfo } from "@tensorflow/tfjs-core";
import type { Addon } from "./addon.js";
import { uninitialized, values } from "./tensors.js";

export const binaryOps = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3 } as const;
// Same order as tt::Unary in native/elementwise.h.
export const unaryOps = { Exp: 0, Log: 1, Neg: 2, Sigmoid: 3, Sqrt: 4, Rsqrt: 5, Square: 6, Abs: 7, Tanh: 8, Reciprocal: 9 } as const;

const maxRank = 8; // kMaxRank in native/elementwise.h

/** Strides of `shape` (row-major) seen from the broadcast `out` shape: 0 where broadcast. */
function broadcastStrides(shape: number[], out: number[]): number[] {
  const own = util.computeStrides(shape).concat(1);
  const lead = out.length - shape.length;
  return out.map((size, d) => (d < lead || (shape[d - lead] === 1 && size !== 1) ? 0 : own[d - lead]));
}

/** Merges neighbouring dims that every view walks contiguously, and drops size-1 dims. */
export function collapse(shape: number[], strides: number[][]): { shape: number[]; strides: number[][] } {
  const keep = shape.map((_, d) => d).filter((d) => shape[d] !== 1);
  if (keep.length === 0) return { shape: [1], strides: strides.map(() => [1]) };
  const outShape = [shape[keep[0]]], outStrides = strides.map((s) => [s[keep[0]]]);
  for (const d of keep.slice(1)) {
    const last = outShape.length - 1;
    if (strides.every((s, v) => outStrides[v][last] === s[d] * shape[d])) {
      outShape[last] *= shape[d];
      strides.forEach((s, v) => (outStrides[v][last] = s[d]));
    } else {
      outShape.push(shape[d]);
      strides.forEach((s, v) => outStrides[v].push(s[d]));
    }
  }
  return { shape: outShape, strides: outStrides };
}

export function binary(addon: Addon, op: number, a: TensorInfo, b: TensorInfo, backend: MathBackendCPU): TensorInfo {
  const shape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
  const out = uninitialized(util.sizeFromShape(shape));
  if (out.length > 0) {
    const c = collapse(shape, [util.computeStrides(shape).concat(1), broadcastStrides(a.shape, shape), broadcastStrides(b.shape, shape)]);
    addon.binary(op, c.shape, out, 0, c.strides[0], values(backend, a), 0, c.strides[1], values(backend, b), 0, c.strides[2]);
  }
  return backend.makeTensorInfo(shape, "float32", out);
}

/** out[...] = x viewed at `offset` with `strides` over `shape` (a fresh contiguous tensor). */
function gather(addon: Addon, x: TensorInfo, offset: number, strides: number[], shape: number[], backend: MathBackendCPU): TensorInfo {
  const out = uninitialized(util.sizeFromShape(shape));
  if (out.length > 0) {
    const c = collapse(shape, [util.computeStrides(shape).concat(1), strides]);
    addon.copy(c.shape, out, 0, c.strides[0], values(backend, x), offset, c.strides[1]);
  }
  return backend.makeTensorInfo(shape, "float32", out);
}

export function transpose(addon: Addon, x: TensorInfo, perm: number[], backend: MathBackendCPU): TensorInfo {
  const own = util.computeStrides(x.shape).concat(1);
  return gather(addon, x, 0, perm.map((p) => own[p]), perm.map((p) => x.shape[p]), backend);
}

/** A slice; undefined when it is contiguous, where cpu's zero-copy subarray is better. */
export function slice(addon: Addon, x: TensorInfo, begin: number[], size: number[], backend: MathBackendCPU): TensorInfo | undefined {
  const [b, s] = slice_util.parseSliceParams(x as never, begin, size);
  if (slice_util.isSliceContinous(x.shape, b, s)) return undefined;
  const own = util.computeStrides(x.shape).concat(1);
  const offset = b.reduce((sum, bi, d) => sum + bi * own[d], 0);
  return gather(addon, x, offset, own, s, backend);
}

export function unary(addon: Addon, op: number, x: TensorInfo, backend: MathBackendCPU): TensorInfo {
  const out = uninitialized(util.sizeFromShape(x.shape));
  addon.unary(op, values(backend, x), out);
  return backend.makeTensorInfo(x.shape, "float32", out);
}

/** Tile as a strided copy: output dim d is (reps[d], shape[d]) read with strides (0, stride[d]). */
export function tile(addon: Addon, x: TensorInfo, reps: number[], backend: MathBackendCPU): TensorInfo | undefined {
  if (2 * x.shape.length > maxRank) return undefined;
  const own = util.computeStrides(x.shape).concat(1);
  const shape = x.shape.flatMap((s, d) => [reps[d], s]), strides = x.shape.flatMap((_, d) => [0, own[d]]);
  const t = gather(addon, x, 0, strides, shape, backend);
  return { ...t, shape: x.shape.map((s, d) => s * reps[d]) };
}

/** Sum (op 0) or Max (op 1) over axes, the way tfjs's cpu kernels do it: axes moved innermost. */
export function reduce(addon: Addon, op: number, x: TensorInfo, axis: number | number[], keepDims: boolean, backend: MathBackendCPU): TensorInfo {
  const rank = x.shape.length, axes = util.parseAxisParam(axis, x.shape);
  const perm = backend_util.getAxesPermutation(axes, rank);
  const xT = perm ? transpose(addon, x, perm, backend) : x;
  const inner = perm ? backend_util.getInnerMostAxes(axes.length, rank) : axes;
  const [outShape, reduceShape] = backend_util.computeOutAndReduceShapes(xT.shape, inner);
  const out = uninitialized(util.sizeFromShape(outShape));
  addon.reduce(op, values(backend, xT), out, out.length, util.sizeFromShape(reduceShape));
  if (perm) backend.disposeIntermediateTensorInfo(xT);
  return backend.makeTensorInfo(keepDims ? backend_util.expandShapeToKeepDim(outShape, axes) : outShape, "float32", out);
}

/** Mean = Sum / count, as tfjs's cpu Mean computes it. */
export function mean(addon: Addon, x: TensorInfo, axis: number | number[], keepDims: boolean, backend: MathBackendCPU): TensorInfo {
  const axes = util.parseAxisParam(axis, x.shape);
  const count = axes.reduce((n, d) => n * x.shape[d], 1);
  const result = reduce(addon, 0, x, axes, keepDims, backend);
  const v = values(backend, result);
  for (let i = 0; i < v.length; i++) v[i] /= count;
  return result;
}

/** Concat: each input is a strided copy into its slab of the output. */
export function concat(addon: Addon, inputs: TensorInfo[], axis: number, backend: MathBackendCPU): TensorInfo {
  const a = util.parseAxisParam(axis, inputs[0].shape)[0];
  const shape = backend_util.computeOutShape(inputs.map((t) => t.shape), a);
  const out = uninitialized(util.sizeFromShape(shape));
  const outStrides = util.computeStrides(shape).concat(1);
  let at = 0;
  for (const t of inputs) {
    if (util.sizeFromShape(t.shape) > 0) {
      const c = collapse(t.shape, [outStrides, util.computeStrides(t.shape).concat(1)]);
      addon.copy(c.shape, out, at * outStrides[a], c.strides[0], values(backend, t), 0, c.strides[1]);
    }
    at += t.shape[a];
  }
  return backend.makeTensorInfo(shape, "float32", out);
}
