// Tensor helpers every native kernel uses: output arrays (recycled when large), zero-copy reads of
// the cpu backend's storage, and whether an op should run natively. Their own module, so the
// kernels (elementwise, gather, fused ops) and the kernel table in kernels.ts import them without
// a cycle.
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import { backend, getBackend, type Tensor, type TensorInfo } from "@tensorflow/tfjs-core";
import { loadAddon, type Addon } from "./addon.js";

// From 64 KB up, outputs come from the addon's recycled memory: fresh large arrays cost page
// faults on first write (4x slower for a 32 MB matmul output, see native/buffers.h).
const recycleFrom = (64 * 1024) / 4;

/** An output array without the zero fill: every native kernel writes all of it. */
export function uninitialized(n: number): Float32Array {
  const loaded = loadAddon();
  if (n >= recycleFrom && loaded.ok) return loaded.addon.alloc(n);
  const buf = Buffer.allocUnsafeSlow(n * 4);
  if (poison !== null) buf.fill(poison);
  return new Float32Array(buf.buffer, buf.byteOffset, n);
}

let poison: number | null = null;

/**
 * Test-only: fill every output array `uninitialized` hands out, pooled or not, with `byte`
 * (null: leave it as it is). A kernel whose result changes with the byte reads memory it did
 * not write, which in a real run holds an earlier tensor's or the heap's leftovers.
 */
export function poisonOutputs(byte: number | null): void {
  poison = byte;
  const loaded = loadAddon();
  if (loaded.ok) loaded.addon.poisonPool(byte ?? -1);
}

export function values(backend: MathBackendCPU, t: TensorInfo): Float32Array {
  const v = backend.data.get(t.dataId).values;
  return v instanceof Float32Array ? v : Float32Array.from(v as ArrayLike<number>);
}

/** A tensor's float32 values on the active (`native`) backend, without a copy. */
export const tensorValues = (t: Tensor): Float32Array => values(backend() as unknown as MathBackendCPU, t);

/** The addon when an op on these tensors should run natively: `native` is active and all are float32. */
export function nativeAddonFor(...ts: Tensor[]): Addon | undefined {
  const loaded = loadAddon();
  return loaded.ok && getBackend() === "native" && ts.every((t) => t.dtype === "float32") ? loaded.addon : undefined;
}
