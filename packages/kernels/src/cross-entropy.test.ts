import * as tf from "@tensorflow/tfjs-core";
// Gradients: see backend.test.ts.
import "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { nativeAvailable, registerNativeBackend } from "./backend.js";
import { crossEntropy } from "./cross-entropy.js";
import { random, relError } from "./test-helpers.js";

// Loss and gradient (weighted by a random dy) of crossEntropy on one backend.
async function run(backend: string, rows: number, vocab: number) {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const logits = tf.mul(tf.tensor2d(random(rows * vocab, rows + vocab), [rows, vocab]), 8) as tf.Tensor2D;
    const targets = tf.tensor1d(Array.from({ length: rows }, (_, i) => (i * 7919) % vocab), "int32");
    const w = tf.tensor1d(random(rows, 3));
    const loss = crossEntropy(logits, targets);
    const [grad] = tf.grads((x: tf.Tensor) => tf.sum(tf.mul(crossEntropy(x as tf.Tensor2D, targets), w)))([logits]);
    return [loss.dataSync() as Float32Array, grad.dataSync() as Float32Array];
  });
}

describe.skipIf(!nativeAvailable())("crossEntropy", () => {
  beforeAll(() => expect(registerNativeBackend()).toEqual({ ok: true }));

  it("fused native loss and gradient equal tfjs ops on cpu", async () => {
    for (const [rows, vocab] of [[1, 2], [7, 17], [33, 300], [64, 4096]]) {
      const [wantLoss, wantGrad] = await run("cpu", rows, vocab);
      const [gotLoss, gotGrad] = await run("native", rows, vocab);
      expect(relError(gotLoss, wantLoss), `${rows}x${vocab} loss`).toBeLessThanOrEqual(1e-5);
      expect(relError(gotGrad, wantGrad), `${rows}x${vocab} grad`).toBeLessThanOrEqual(1e-5);
    }
  });
});
