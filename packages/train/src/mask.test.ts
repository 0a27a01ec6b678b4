import * as tf from "@tensorflow/tfjs-core";
import { expect, it } from "vitest";
import { createModel, makeConfig } from "@tooltune/model";
import { collate } from "./batches.js";
import { lossSumOf } from "./loss.js";

it("tokens outside the loss mask get exactly zero gradient", async () => {
  await tf.setBackend("cpu");
  // Untied embeddings, so an embedding row's gradient comes only from where the token is read.
  const model = createModel(makeConfig("llama", { vocabSize: 16, hiddenSize: 8, intermediateSize: 16, numHiddenLayers: 1, numAttentionHeads: 2, numKeyValueHeads: 1, tieWordEmbeddings: false }), 3);
  const embed = model.params.get("model.embed_tokens.weight")!;
  embed.trainable = true;
  const gradRow = (ids: number[], mask: number[], token: number) => {
    const batch = collate([{ inputIds: Int32Array.from(ids), lossMask: Uint8Array.from(mask), positionIds: Int32Array.from(ids, (_, i) => i) }], 0);
    const { grads, value } = tf.variableGrads(() => lossSumOf(model, batch), [embed]);
    const row = Array.from((grads[embed.name] as tf.Tensor2D).arraySync()[token]);
    tf.dispose([value, ...Object.values(grads)]);
    return row;
  };
  // Token 9 sits last with mask 0: no target reads it, so its row gets exactly zero.
  expect(gradRow([1, 2, 3, 9], [0, 1, 1, 0], 9).every((g) => g === 0)).toBe(true);
  // The same token as context for a target does get a gradient (the check can fail).
  expect(gradRow([1, 9, 3, 4], [0, 0, 1, 1], 9).some((g) => g !== 0)).toBe(true);
  // A masked-out final target contributes nothing: changing it leaves the loss bit-for-bit equal.
  const loss = (ids: number[]) => tf.tidy(() => lossSumOf(model, collate([{ inputIds: Int32Array.from(ids), lossMask: Uint8Array.from([0, 1, 1, 0]), positionIds: Int32Array.from([0, 1, 2, 3]) }], 0)).dataSync()[0]);
  expect(loss([1, 2, 5, 4])).toBe(loss([1, 2, 5, 7]));
  expect(loss([1, 2, 5, 4])).not.toBe(loss([1, 2, 6, 4])); // a trained target does change it
  model.dispose();
});
