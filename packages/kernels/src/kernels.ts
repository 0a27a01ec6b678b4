// Native kernels in tfjs's kernel interface. They read tensor values straight out of the cpu
// backend's storage (zero-copy) and hand it a fresh output array.
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import {
  BatchMatMul, _FusedMatMul, Concat, GatherV2, Max, Mean, Slice, Softmax, SplitV, Sum, Tile, Transpose, UnsortedSegmentSum, backend_util, broadcast_util,
  getKernel, util, type BatchMatMulAttrs, type KernelConfig, type KernelFunc, type NamedAttrMap, type TensorInfo,
} from "@tensorflow/tfjs-core";
import type { Addon } from "./addon.js";
import { binary, binaryOps, concat, mean, reduce, slice, tile, transpose, unary, unaryOps } from "./elementwise.js";
import { gatherRows, segmentSum } from "./gather.js";
import { uninitialized, values } from "./tensors.js";

type Args = { inputs: Record<string, TensorInfo | undefined>; attrs?: NamedAttrMap; backend: MathBackendCPU };

function cpuKernel(name: string): KernelFunc {
  const k = getKernel(name, "cpu");
  if (!k) throw new Error(`tfjs cpu backend has no ${name} kernel`);
  return k.kernelFunc;
}

/** Native matmul totals for the bench (off by default: process.cpuUsage is a syscall). */
export const matmulStats = { enabled: false, flops: 0, wallMs: 0, cpuMs: 0 };

export function batchMatMul(addon: Addon, { inputs, attrs, backend }: Args): TensorInfo {
  const a = inputs.a!, b = inputs.b!;
  const { transposeA, transposeB } = attrs as unknown as BatchMatMulAttrs;
  if (a.dtype !== "float32" || b.dtype !== "float32") {
    return cpuKernel(BatchMatMul)({ inputs: { a, b }, attrs: attrs!, backend }) as TensorInfo;
  }
  const ra = a.shape.length, rb = b.shape.length;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  util.assert(k === kb, () => `matMul: inner shapes ${k} and ${kb} of ${a.shape} and ${b.shape} (transposeA=${transposeA}, transposeB=${transposeB}) must match`);
  const outerA = a.shape.slice(0, -2), outerB = b.shape.slice(0, -2);
  const outer = broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  const batch = util.sizeFromShape(outer);
  const av = values(backend, a), bv = values(backend, b);
  const out = uninitialized(batch * m * n);
  const lda = transposeA ? m : k, ldb = transposeB ? k : n;
  const run = (aOff: number, strideA: number, bOff: number, strideB: number, cOff: number, count: number) =>
    addon.sgemm(!!transposeA, !!transposeB, m, n, k, 1, av, aOff, lda, strideA, bv, bOff, ldb, strideB, 0, out, cOff, n, m * n, count);
  const batchA = util.sizeFromShape(outerA), batchB = util.sizeFromShape(outerB);
  const started = matmulStats.enabled ? { wall: performance.now(), cpu: process.cpuUsage() } : undefined;
  if ((batchA === batch || batchA === 1) && (batchB === batch || batchB === 1)) {
    // One side is a single matrix or both line up: one call, stride 0 broadcasts.
    run(0, batchA === 1 ? 0 : m * k, 0, batchB === 1 ? 0 : k * n, 0, batch);
  } else {
    // General broadcasting ([2,1] x [1,3]): one call per output matrix.
    for (let i = 0; i < batch; i++) {
      const idx = util.indexToLoc(i, outer.length, util.computeStrides(outer));
      const ia = broadcastIndex(idx, outerA), ib = broadcastIndex(idx, outerB);
      run(ia * m * k, 0, ib * k * n, 0, i * m * n, 1);
    }
  }
  if (started) {
    const cpu = process.cpuUsage(started.cpu);
    matmulStats.flops += 2 * batch * m * n * k;
    matmulStats.wallMs += performance.now() - started.wall;
    matmulStats.cpuMs += (cpu.user + cpu.system) / 1e3;
  }
  return backend.makeTensorInfo([...outer, m, n], "float32", out);
}

// Flat index into `shape` of the entry that broadcasts to output location `loc`.
function broadcastIndex(loc: number[], shape: number[]): number {
  let flat = 0;
  const offset = loc.length - shape.length;
  for (let d = 0; d < shape.length; d++) flat = flat * shape[d] + (shape[d] === 1 ? 0 : loc[d + offset]);
  return flat;
}

// tfjs-backend-cpu's _FusedMatMul calls its JS matmul directly, so it is replaced as a whole:
// native product, then the cpu kernels for the bias add and the activation.
const activations: Record<string, string> = {
  relu: "Relu", elu: "Elu", relu6: "Relu6", prelu: "Prelu", leakyrelu: "LeakyRelu", sigmoid: "Sigmoid",
};

export function fusedMatMul(addon: Addon, { inputs, attrs, backend }: Args): TensorInfo {
  const { a, b, bias, preluActivationWeights } = inputs;
  const { transposeA, transposeB, activation, leakyreluAlpha } = attrs as Record<string, never>;
  let current = batchMatMul(addon, { inputs: { a, b }, attrs: { transposeA, transposeB }, backend });
  const step = (next: TensorInfo) => {
    backend.disposeIntermediateTensorInfo(current);
    current = next;
  };
  if (bias) step(bias.dtype === "float32" ? binary(addon, binaryOps.Add, current, bias, backend) : cpuKernel("Add")({ inputs: { a: current, b: bias }, backend }) as TensorInfo);
  if (activation && activation !== "linear") {
    const name = activations[activation];
    if (!name) throw new Error(`_FusedMatMul: activation ${activation} is not supported`);
    const x = current;
    const kernelInputs = name === "Prelu" ? { x, alpha: preluActivationWeights! } : { x };
    step(cpuKernel(name)({ inputs: kernelInputs, backend, attrs: { alpha: leakyreluAlpha } }) as TensorInfo);
  }
  return current;
}

const allFloat = (ts: (TensorInfo | undefined)[]) => ts.every((t) => t && t.dtype === "float32");

// Each native kernel: the native path for float32 inputs it handles, else the cpu kernel.
type Native = (addon: Addon, args: Args) => TensorInfo | TensorInfo[] | undefined;

const natives: Record<string, Native> = {
  [BatchMatMul]: batchMatMul,
  [_FusedMatMul]: fusedMatMul,
  ...Object.fromEntries(Object.entries(binaryOps).map(([name, op]) => [name, (addon: Addon, { inputs, backend }: Args) =>
    allFloat([inputs.a, inputs.b]) ? binary(addon, op, inputs.a!, inputs.b!, backend) : undefined])),
  ...Object.fromEntries(Object.entries(unaryOps).map(([name, op]) => [name, (addon: Addon, { inputs, backend }: Args) =>
    allFloat([inputs.x]) ? unary(addon, op, inputs.x!, backend) : undefined])),
  [Sum]: (addon, { inputs, attrs, backend }) =>
    allFloat([inputs.x]) ? reduce(addon, 0, inputs.x!, attrs!.axis as number[], attrs!.keepDims as boolean, backend) : undefined,
  [Max]: (addon, { inputs, attrs, backend }) =>
    allFloat([inputs.x]) ? reduce(addon, 1, inputs.x!, attrs!.reductionIndices as number[], attrs!.keepDims as boolean, backend) : undefined,
  [Mean]: (addon, { inputs, attrs, backend }) =>
    allFloat([inputs.x]) ? mean(addon, inputs.x!, attrs!.axis as number[], attrs!.keepDims as boolean, backend) : undefined,
  // Concat's inputs arrive as an array, not by name.
  [Concat]: (addon, { inputs, attrs, backend }) => {
    const list = Object.values(inputs) as TensorInfo[];
    return allFloat(list) && list.length > 0 ? concat(addon, list, attrs!.axis as number, backend) : undefined;
  },
  [Tile]: (addon, { inputs, attrs, backend }) =>
    allFloat([inputs.x]) ? tile(addon, inputs.x!, attrs!.reps as number[], backend) : undefined,
  [Transpose]: (addon, { inputs, attrs, backend }) =>
    allFloat([inputs.x]) ? transpose(addon, inputs.x!, attrs!.perm as number[], backend) : undefined,
  [Slice]: (addon, { inputs, attrs, backend }) =>
    allFloat([inputs.x]) ? slice(addon, inputs.x!, attrs!.begin as number[], attrs!.size as number[], backend) : undefined,
  [SplitV]: splitV,
  [GatherV2]: (_addon, { inputs, attrs, backend }) => {
    const x = inputs.x!, indices = inputs.indices!;
    const axis = util.parseAxisParam(attrs!.axis as number, x.shape)[0];
    return x.dtype === "float32" && indices.dtype === "int32" && axis === 0 && !attrs!.batchDims && x.shape.length > 0
      ? gatherRows(x, indices, backend) : undefined;
  },
  [Softmax]: softmax,
  [UnsortedSegmentSum]: (_addon, { inputs, attrs, backend }) =>
    inputs.x!.dtype === "float32" && inputs.segmentIds!.dtype === "int32"
      ? segmentSum(inputs.x!, inputs.segmentIds!, attrs!.numSegments as number, backend) : undefined,
};

function splitV(addon: Addon, { inputs, attrs, backend }: Args): TensorInfo[] | undefined {
  const x = inputs.x!;
  if (x.dtype !== "float32") return undefined;
  const axis = util.parseAxisParam(attrs!.axis as number, x.shape)[0];
  const sizes = backend_util.prepareSplitSize(x as never, attrs!.numOrSizeSplits as number[], axis);
  const begin = x.shape.map(() => 0);
  return sizes.map((s) => {
    const size = [...x.shape];
    size[axis] = s;
    const part = slice(addon, x, begin, size, backend) ?? (cpuKernel(Slice)({ inputs: { x }, backend, attrs: { begin, size } }) as TensorInfo);
    begin[axis] += s;
    return part;
  });
}

function softmax(addon: Addon, { inputs, attrs, backend }: Args): TensorInfo | undefined {
  const x = inputs.logits!;
  const dim = attrs!.dim as number, rank = x.shape.length;
  if (x.dtype !== "float32" || (dim !== -1 && dim !== rank - 1) || rank === 0) return undefined;
  const n = x.shape[rank - 1], out = uninitialized(util.sizeFromShape(x.shape));
  addon.softmax(values(backend, x), out, n === 0 ? 0 : out.length / n, n);
  return backend.makeTensorInfo(x.shape, "float32", out);
}

export function nativeKernels(addon: Addon): KernelConfig[] {
  return Object.entries(natives).map(([kernelName, f]) => {
    const fallback = cpuKernel(kernelName);
    const kernelFunc = (args: Args) => f(addon, args) ?? fallback(args as never);
    return { kernelName, backendName: "native", kernelFunc: kernelFunc as unknown as KernelFunc };
  });
}
