import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { createModel } from "./checkpoint.js";
import { FAMILIES, makeConfig, type Family } from "./config.js";
import { generate, pickToken } from "./generate.js";
import { useTestBackend } from "./test-helpers.js";

beforeAll(useTestBackend);

const tiny = (family: Family) =>
  makeConfig(family, {
    vocabSize: 64, hiddenSize: 32, intermediateSize: 48, numHiddenLayers: 2, numAttentionHeads: 4, numKeyValueHeads: 2,
    ...(family === "gemma2" || family === "gemma3_text" || family === "mistral" || family === "phi3" ? { slidingWindow: 3 } : {}),
    ...(family === "phi3" ? { partialRotaryFactor: 0.75 } : {}), // 6 of head_dim 8 turn
    ...(family === "qwen3" || family === "gemma3_text" ? { headDim: 16 } : {}), // not hidden/heads (8), nor the configs' defaults 128 / 256
    ...(family === "gemma3_text" ? { ropeLocalTheta: 10000, ropeTheta: 1e6 } : {}),
  });

// initializer_range 0.02 makes near-uniform logits; a larger one gives a model with opinions
const opinionated = (family: Family) => createModel({ ...tiny(family), initializerRange: 0.3 }, 7);

describe.each(FAMILIES)("%s generation", (family) => {
  it("KV-cache generation equals recomputing the whole sequence (batch, ragged prompts)", () => {
    const model = opinionated(family);
    const prompts = [[5, 9, 13, 2, 7], [3, 4], [11, 12, 13]];
    for (const temperature of [0, 1]) {
      const opts = { maxNewTokens: 8, temperature, topP: 0.9, seed: 3 };
      const cached = generate(model, prompts, opts);
      const fresh = generate(model, prompts, { ...opts, useCache: false });
      expect(cached).toEqual(fresh);
      expect(cached.ids.map((r) => r.length)).toEqual([8, 8, 8]);
    }
    model.dispose();
  });

  it("a prompt generates the same alone as in a left-padded batch", () => {
    const model = opinionated(family);
    const alone = generate(model, [[3, 4]], { maxNewTokens: 6 });
    const batched = generate(model, [[5, 9, 13, 2, 7, 8], [3, 4]], { maxNewTokens: 6 });
    expect(batched.ids[1]).toEqual(alone.ids[0]);
    model.dispose();
  });
});

describe("stops and sampling", () => {
  it("stops on a stop token (excluded) and on a stop string; leaves no tensors", () => {
    const model = opinionated("llama");
    const before = tf.memory().numTensors;
    const free = generate(model, [[1, 2, 3]], { maxNewTokens: 6 });
    const stopAt = free.ids[0][2];
    const byToken = generate(model, [[1, 2, 3]], { maxNewTokens: 6, stopTokenIds: [stopAt] });
    expect(byToken.finishReason).toEqual(["stop_token"]);
    expect(byToken.ids[0]).toEqual(free.ids[0].slice(0, free.ids[0].indexOf(stopAt)));
    const decode = (ids: number[]) => ids.map((i) => `<${i}>`).join("");
    const byString = generate(model, [[1, 2, 3]], { maxNewTokens: 6, stopStrings: [`<${free.ids[0][1]}>`], decode });
    expect(byString.finishReason).toEqual(["stop_string"]);
    expect(byString.ids[0]).toEqual(free.ids[0].slice(0, free.ids[0].indexOf(free.ids[0][1]) + 1));
    expect(free.finishReason).toEqual(["length"]);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it("top-p keeps only the nucleus; same seed, same draw", () => {
    const logits = Float32Array.from([0, Math.log(6), Math.log(3), 0]); // probs 1/11, 6/11, 3/11, 1/11
    let seed = 1;
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    const draws = Array.from({ length: 400 }, () => pickToken(logits, 1, 0.7, random));
    expect(new Set(draws)).toEqual(new Set([1, 2])); // 6/11 < 0.7 ≤ 9/11
    expect(pickToken(logits, 0, 1, random)).toBe(1);
  });
});
