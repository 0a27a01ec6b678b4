// Shared by the tests (excluded from the build).
import * as tf from "@tensorflow/tfjs-core";
import { selectBackend, type BackendName } from "./backend.js";

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
