import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs";
import { createModel, makeConfig, selectBackend } from "@tooltune/model";
import { createLora, defaultLoraConfig } from "@tooltune/lora";
import { beforeAll, expect, it } from "vitest";
import { variableGrads } from "./grads.js";

beforeAll(async () => { await selectBackend("cpu"); });

const config = makeConfig("gemma2", { vocabSize: 40, hiddenSize: 16, intermediateSize: 32, numHiddenLayers: 4, numAttentionHeads: 2, numKeyValueHeads: 1, slidingWindow: 3 });
const ids = [[1, 5, 9, 3, 7, 2, 4, 6, 30, 11], [8, 1, 2, 3, 9, 9, 1, 0, 17, 25]];
const mask = ids.map((r) => r.map((_, t) => (t > 0 ? 1 : 0)));

it.each(["full", "lora"] as const)("%s: the freeing backward pass gives tf.variableGrads' value and gradients bit for bit, and leaks nothing (its memory: `npm run bench -- train`)", async (mode) => {
  const model = createModel(config, 2, { trainable: mode === "full" });
  const adapter = mode === "lora" ? createLora(model, { ...defaultLoraConfig, r: 2, loraDropout: 0, targetModules: [...defaultLoraConfig.targetModules, "lm_head"] }, 1) : undefined;
  if (adapter) for (const v of adapter.variables()) v.assign(tf.randomNormal(v.shape, 0, 0.1, "float32", 7));
  const vars = adapter ? adapter.variables() : [...model.params.values()];
  const loss = () => model.loss(ids, mask, undefined, adapter).loss;
  const run = (grads: typeof variableGrads) => {
    const r = grads(loss, vars);
    const out = [r.value, ...vars.map((v) => r.grads[v.name])].map((t) => t.dataSync() as Float32Array);
    tf.dispose([r.value, ...Object.values(r.grads)]);
    return out;
  };
  const want = run(tf.variableGrads);
  const before = tf.memory().numTensors;
  const got = run(variableGrads);
  expect(tf.memory().numTensors).toBe(before);
  expect(got).toEqual(want);
  adapter?.dispose();
  model.dispose();
});
