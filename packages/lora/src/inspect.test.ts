// inspectAdapter (files only) and mergeLora (an atomic model directory) on a tiny base whose
// adapter was trained after two tokens were added: the base must be resized before it loads.
import * as tf from "@tensorflow/tfjs-core";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { readManifest } from "@tooltune/core";
import { createModel, loadModel, makeConfig, resizeTokenEmbeddings, saveModel, selectBackend } from "@tooltune/model";
import { defaultLoraConfig } from "./config.js";
import { inspectAdapter } from "./inspect.js";
import { loadWithAdapter, mergeLora, saveAdapter } from "./io.js";
import { createLora } from "./lora.js";

const root = mkdtempSync(join(tmpdir(), "tooltune-lora-dir-"));
const ids = [[1, 2, 3, 41]]; // 41: one of the added tokens
let adapterLogits: Float32Array;

beforeAll(async () => {
  await selectBackend("cpu");
  const base = createModel(makeConfig("llama", { vocabSize: 40, hiddenSize: 16, intermediateSize: 32, numHiddenLayers: 2, numAttentionHeads: 2 }), 5);
  saveModel(base, join(root, "base"));
  const resized = resizeTokenEmbeddings(base, 42);
  const adapter = createLora(resized, { ...defaultLoraConfig, r: 2, loraAlpha: 4, targetModules: ["q_proj", "v_proj", "embed_tokens"], trainableTokenIndices: [40, 41] }, 3);
  for (const b of adapter.loraB.values()) b.assign(tf.randomNormal(b.shape, 0, 0.5, "float32", 11)); // B = 0 would merge to the base
  saveAdapter(adapter, join(root, "adapter"), resized);
  mkdirSync(join(root, "adapter", "tokenizer"));
  writeFileSync(join(root, "adapter", "tokenizer", "tooltune_tokenizer.json"), "{}");
  adapterLogits = resized.forward(ids, { adapter }).dataSync() as Float32Array;
});

describe("inspectAdapter", () => {
  it("reads config, per-module ranks and shapes and parameter counts from the files alone", () => {
    const info = inspectAdapter(join(root, "adapter"));
    expect(info.config).toMatchObject({ r: 2, loraAlpha: 4, targetModules: ["q_proj", "v_proj", "embed_tokens"], trainableTokenIndices: [40, 41] });
    expect(info.scaling).toBe(2);
    expect(info.modules.map((m) => `${m.module} ${m.kind} r${m.r} ${m.inDim}x${m.outDim} ${m.params}`)).toEqual([
      "model.embed_tokens embedding r2 42x16 116", // A [2, 42] + B [16, 2]
      "model.layers.0.self_attn.q_proj linear r2 16x16 64",
      "model.layers.0.self_attn.v_proj linear r2 16x16 64",
      "model.layers.1.self_attn.q_proj linear r2 16x16 64",
      "model.layers.1.self_attn.v_proj linear r2 16x16 64",
    ]);
    expect(info.loraParams).toBe(116 + 4 * 64);
    expect(info.tokenParams).toBe(2 * 16);
    expect(info.savedBaseParams).toBe(42 * 16);
  });

  it("a directory that is not an adapter is an INPUT error at its adapter_config.json", () => {
    expect(() => inspectAdapter(join(root, "base"))).toThrow(expect.objectContaining({ code: "INPUT", where: join(root, "base", "adapter_config.json") }));
  });
});

describe("mergeLora", () => {
  it("needs the adapter's vocabulary: without it the saved embedding rows do not fit the base", () => {
    expect(() => loadWithAdapter(join(root, "base"), join(root, "adapter"))).toThrow(expect.objectContaining({ code: "INPUT", message: expect.stringMatching(/42 rows, the model 40/) }));
  });

  it("writes a model directory (manifest, bundle copied) whose logits are base + adapter", async () => {
    const out = join(root, "merged");
    await mergeLora({ base: join(root, "base"), adapter: join(root, "adapter"), out, vocabSize: 42 });
    expect((await readManifest(out)).kind).toBe("model");
    expect(readFileSync(join(out, "tokenizer", "tooltune_tokenizer.json"), "utf8")).toBe("{}");
    const merged = loadModel(out);
    expect(merged.config.vocabSize).toBe(42);
    const got = merged.forward(ids).dataSync() as Float32Array;
    const scale = adapterLogits.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(got.reduce((m, v, i) => Math.max(m, Math.abs(v - adapterLogits[i])), 0) / scale).toBeLessThan(1e-5);
    const base = loadModel(join(root, "base")).forward([[1, 2, 3]]).dataSync() as Float32Array;
    const mergedShort = merged.forward([[1, 2, 3]]).dataSync() as Float32Array;
    // the adapter did change the base's logits (a merge that dropped it would fail here)
    expect(Math.max(...Array.from({ length: 40 }, (_, i) => Math.abs(mergedShort[i] - base[i])))).toBeGreaterThan(1e-3);
  });

  it("a wrong base leaves no output", async () => {
    const out = join(root, "merged-wrong");
    await expect(mergeLora({ base: join(root, "nope"), adapter: join(root, "adapter"), out })).rejects.toMatchObject({ code: "INPUT" });
    expect(existsSync(out)).toBe(false);
  });
});
