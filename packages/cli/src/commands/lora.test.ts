import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { createMemoryLogger, readManifest } from "@tooltune/core";
import { createLora, defaultLoraConfig, saveAdapter } from "@tooltune/lora";
import { createModel, loadModel, makeConfig, resizeTokenEmbeddings, saveModel } from "@tooltune/model";
import { loadTokenizerBundle } from "@tooltune/tokenize";
import { main } from "../main.js";

// `tooltune lora` end to end on an adapter whose tokenizer bundle added tokens (inspect and merge
// themselves are tested in @tooltune/lora): the new tokens are printed, the merge resizes the base.
async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (t) => err.push(t), log: createMemoryLogger(), cwd: root, signal: new AbortController().signal });
  return { code, out, err: err.join("\n") };
}

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
  it("prints config, per-module ranks and sizes, parameter counts and the bundle's new tokens", async () => {
    const r = await cli("lora", "inspect", "adapter");
    expect(r.err).toBe("");
    const vocab = 151_669 + 2; // Qwen3's tokenizer + the two new tokens
    expect(newTokens.map((t) => t.content)).toEqual(["<tool_reponse>", "</tool_reponse>"]);
    expect(r.out).toEqual([
      `adapter ${join(root, "adapter")}`,
      `  base: ${join(root, "base")}`,
      "  r 2, lora_alpha 4, scaling 2, dropout 0.05",
      "  target_modules: q_proj, v_proj, embed_tokens",
      "  trainable_token_indices: none",
      // A [r, in] + B [out, r] per module; the resized embedding is saved beside (PEFT's save_embedding_layers)
      `  parameters: ${(2 * (vocab + 16) + 2 * (2 * (16 + 16) + 2 * (16 + 8))).toLocaleString("en-US")} LoRA + 0 token rows = ${(2 * (vocab + 16) + 2 * (2 * (16 + 16) + 2 * (16 + 8))).toLocaleString("en-US")} trainable; ${(vocab * 16).toLocaleString("en-US")} base embedding weights saved beside them`,
      "  template: chatml",
      `  new tokens: <tool_reponse>=${newTokens[0].id} </tool_reponse>=${newTokens[1].id}`,
      "  modules (5):",
      `    model.embed_tokens  embedding  r 2  ${vocab}→16  ${(2 * (vocab + 16)).toLocaleString("en-US")}`,
      "    model.layers.0.self_attn.q_proj  linear  r 2  16→16  64",
      "    model.layers.0.self_attn.v_proj  linear  r 2  16→8  48",
      "    model.layers.1.self_attn.q_proj  linear  r 2  16→16  64",
      "    model.layers.1.self_attn.v_proj  linear  r 2  16→8  48",
    ]);
    expect(newTokens.map((t) => t.id)).toEqual([151_669, 151_670]);
  });
});

describe("lora merge", () => {
  it("writes an HF checkpoint with the bundle whose logits equal base + adapter", async () => {
    const out = join(root, "merged");
    const r = await cli("lora", "merge", "--base", "base", "--adapter", "adapter", "--out", "merged");
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
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
