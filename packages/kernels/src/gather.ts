// GatherV2 along axis 0 (embedding lookups, picking the rows that have targets): one row copy
// per index. tfjs's cpu kernel computes a multi-index per element into a fresh zero-filled
// array: 30 ms for 2,040 rows of 256.
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import { util, type TensorInfo } from "@tensorflow/tfjs-core";
import { uninitialized, values } from "./tensors.js";

/** x's rows at `indices` (any shape): indices.shape ++ x.shape[1:]; undefined when out of range. */
export function gatherRows(x: TensorInfo, indices: TensorInfo, backend: MathBackendCPU): TensorInfo | undefined {
  const ids = backend.data.get(indices.dataId).values as ArrayLike<number>;
  const rows = x.shape[0], n = util.sizeFromShape(x.shape.slice(1));
  for (let i = 0; i < ids.length; i++) if (!(ids[i] >= 0 && ids[i] < rows)) return undefined; // cpu's kernel says why
  const xv = values(backend, x), out = uninitialized(ids.length * n);
  for (let i = 0; i < ids.length; i++) out.set(xv.subarray(ids[i] * n, ids[i] * n + n), i * n);
  return backend.makeTensorInfo([...indices.shape, ...x.shape.slice(1)], "float32", out);
}

/**
 * UnsortedSegmentSum (gather's gradient): out[segmentIds[i]] += x[i] row by row into a zeroed
 * output from the pool (cpu's builds a mask per segment; a fresh 2 MB array alone costs ~10 ms
 * of page faults here). Ids outside [0, numSegments) are dropped, as TF does.
 */
export function segmentSum(x: TensorInfo, segmentIds: TensorInfo, numSegments: number, backend: MathBackendCPU): TensorInfo {
  const ids = backend.data.get(segmentIds.dataId).values as Int32Array;
  const rows = util.sizeFromShape(segmentIds.shape), n = util.sizeFromShape(x.shape.slice(segmentIds.shape.length));
  const xv = values(backend, x), out = uninitialized(numSegments * n).fill(0);
  for (let r = 0; r < rows; r++) {
    const s = ids[r];
    if (s < 0 || s >= numSegments) continue;
    addRow(out, s * n, xv, r * n, n);
  }
  return backend.makeTensorInfo([numSegments, ...x.shape.slice(segmentIds.shape.length)], "float32", out);
}

function addRow(out: Float32Array, o: number, x: Float32Array, i: number, n: number): void {
  for (let j = 0; j < n; j++) out[o + j] += x[i + j];
}
