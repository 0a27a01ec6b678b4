// Shared by the tests (excluded from the build).
import * as tf from "@tensorflow/tfjs-core";
import { selectBackend, type BackendName } from "./backend.js";
import { createModel } from "./checkpoint.js";
import type { ModelConfig } from "./config.js";
import type { LossOptions } from "./model.js";

export const fixtures = new URL("../fixtures/", import.meta.url).pathname;

/** Tests run on TOOLTUNE_BACKEND (default cpu). */
export async function useTestBackend(): Promise<void> {
  await selectBackend((process.env.TOOLTUNE_BACKEND as BackendName | undefined) ?? "cpu");
}

/** max |a - b| / max |b|: error relative to the scale of the reference. */
export function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let err = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    err = Math.max(err, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return err / scale;
}

export const values = (t: tf.Tensor): Float32Array => t.dataSync() as Float32Array;

/** A packed batch of two rows (row 0 holds two examples: positions restart at 4), for loss tests. */
export const packedBatch = {
  ids: [[1, 5, 9, 3, 7, 2, 4, 6, 30, 11], [8, 1, 2, 3, 9, 9, 1, 0, 17, 25]],
  positions: [[0, 1, 2, 3, 0, 1, 2, 3, 4, 5], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]],
  mask: [[0, 1, 1, 1, 0, 1, 1, 1, 1, 1], [0, 0, 0, 1, 1, 1, 1, 1, 1, 1]],
};

/** Loss on packedBatch and the gradient of every parameter (all trainable) of a fresh model under `config`. */
export function lossAndGrads(config: ModelConfig, opts: LossOptions): Float32Array[] {
  const model = createModel(config, 3, { trainable: true });
  const vars = [...model.params.values()];
  const { ids, mask, positions } = packedBatch;
  const { value, grads } = tf.variableGrads(() => model.loss(ids, mask, positions, undefined, opts).loss, vars);
  const out = [values(value), ...vars.map((v) => values(grads[v.name]))];
  tf.dispose([value, ...Object.values(grads)]);
  model.dispose();
  return out;
}
