import type * as tf from "@tensorflow/tfjs-core";
import type { Adapter, CausalLM, LossOptions } from "@tooltune/model";
import type { Batch } from "./batches.js";

/** Summed next-token loss of a flat [B, T] batch, in the row shape the model takes. */
export function lossSumOf(model: CausalLM, b: Batch, adapter?: Adapter, opts: LossOptions = {}): tf.Scalar {
  const rows = <T extends Int32Array | Uint8Array>(a: T) => Array.from({ length: b.batchSize }, (_, i) => a.subarray(i * b.seqLen, (i + 1) * b.seqLen));
  const r = model.loss(rows(b.inputIds), rows(b.lossMask), rows(b.positionIds), adapter, opts);
  r.loss.dispose();
  return r.sum;
}
