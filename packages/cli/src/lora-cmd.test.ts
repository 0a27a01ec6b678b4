import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { readManifest } from "@tooltune/core";
import { createLora, defaultLoraConfig, saveAdapter } from "@tooltune/lora";
import { createModel, loadModel, makeConfig, resizeTokenEmbeddings, saveModel } from "@tooltune/model";
import { loadTokenizerBundle } from "@tooltune/tokenize";
import { formatAdapterInfo, inspectAdapter, mergeLora } from "./lora-cmd.js";

let root: string;
let expectedLogits: number[];
let baseLogits: number[];
let newTokens: { content: string; id: number }[];
const ids = [[1, 2, 3, 4, 5]];

/** A tiny base (Qwen3 vocabulary), two new special tokens, and a LoRA adapter with non-zero B. */
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "tt-lora-cmd-"));
  const bundle = loadTokenizerBundle("qwen3");
  const base = createModel(makeConfig("qwen2", { vocabSize: bundle.vocabSize, hiddenSize: 16, intermediateSize: 32, numHiddenLayers: 2, numAttentionHeads: 2, numKeyValueHeads: 1 }), 7);
  saveModel(base, join(root, "base"));
  bundle.addSpecialTokens(["<tool_call>", "<tool_reponse>", "</tool_reponse>"]); // Qwen3 has the first; the notebook's misspelling is new
  bundle.setTemplate({ name: "chatml", specialTokens: ["<tool_call>", "<tool_reponse>", "</tool_reponse>"] });
  newTokens = bundle.specialTokens.filter((t) => t.isNew).map((t) => ({ content: t.content, id: t.id }));
  const resized = resizeTokenEmbeddings(base, bundle.vocabSize);
  const adapter = createLora(resized, { ...defaultLoraConfig, r: 2, loraAlpha: 4, targetModules: ["q_proj", "v_proj", "embed_tokens"], baseModelNameOrPath: join(root, "base") }, 3);
  // PEFT starts linear B at zero: make it non-zero so that merging visibly changes the weights.
  for (const b of adapter.loraB.values()) b.assign(tf.randomNormal(b.shape, 0, 0.5, "float32", 11));
  saveAdapter(adapter, join(root, "adapter"), resized);
  bundle.save(join(root, "adapter", "tokenizer"));
  expectedLogits = Array.from(resized.forward(ids, { adapter }).dataSync());
  baseLogits = Array.from(resized.forward(ids).dataSync());
});
afterAll(async () => { await rm(root, { recursive: true, force: true }); });

describe("lora inspect", () => {
  it("reports config, per-module ranks and sizes, parameter counts and the new tokens", () => {
    const info = inspectAdapter(join(root, "adapter"));
    const vocab = 151_669 + 2; // Qwen3's tokenizer + the two new tokens
    expect(info.config).toMatchObject({ r: 2, loraAlpha: 4, targetModules: ["q_proj", "v_proj", "embed_tokens"] });
    expect(info.scaling).toBe(2);
    expect(info.modules.map((m) => `${m.module} ${m.kind} ${m.r} ${m.inDim}x${m.outDim}`)).toEqual([
      `model.embed_tokens embedding 2 ${vocab}x16`,
      "model.layers.0.self_attn.q_proj linear 2 16x16",
      "model.layers.0.self_attn.v_proj linear 2 16x8",
      "model.layers.1.self_attn.q_proj linear 2 16x16",
      "model.layers.1.self_attn.v_proj linear 2 16x8",
    ]);
    // A [r, in] + B [out, r] per module.
    expect(info.loraParams).toBe(2 * (vocab + 16) + 2 * (2 * (16 + 16) + 2 * (16 + 8)));
    expect(info.savedBaseParams).toBe(vocab * 16);
    expect(info.newTokens).toEqual(newTokens);
    expect(newTokens.map((t) => t.content)).toEqual(["<tool_reponse>", "</tool_reponse>"]);
    const text = formatAdapterInfo(info).join("\n");
    expect(text).toContain("new tokens: <tool_reponse>=151669 </tool_reponse>=151670");
    expect(text).toContain("target_modules: q_proj, v_proj, embed_tokens");
  });

  it("says what is wrong with a directory that is not an adapter", () => {
    expect(() => inspectAdapter(join(root, "base"))).toThrow(/cannot read adapter_config.json: no such file/);
  });
});

describe("lora merge", () => {
  it("writes an HF checkpoint with the bundle whose logits equal base + adapter", async () => {
    const out = join(root, "merged");
    await mergeLora({ base: join(root, "base"), adapter: join(root, "adapter"), out });
    expect(existsSync(join(out, "config.json"))).toBe(true);
    expect(existsSync(join(out, "tokenizer", "tooltune_tokenizer.json"))).toBe(true);
    expect((await readManifest(out)).kind).toBe("model");
    const merged = loadModel(out);
    expect(merged.config.vocabSize).toBe(151_671);
    const got = Array.from(merged.forward(ids).dataSync());
    // [1, 5, vocab]: too long to spread into Math.max.
    const maxRef = expectedLogits.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    const maxDiff = got.reduce((m, v, i) => Math.max(m, Math.abs(v - expectedLogits[i])), 0);
    expect(maxRef).toBeGreaterThan(0);
    expect(maxDiff / maxRef).toBeLessThan(1e-4);
    // …and the adapter did change them (a merge that dropped it would fail here).
    expect(baseLogits.reduce((m, v, i) => Math.max(m, Math.abs(v - expectedLogits[i])), 0) / maxRef).toBeGreaterThan(1e-3);
    merged.dispose();
  });
});
