import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { cp, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { finishDirectory, openDataset, readManifest, type StageInput } from "@tooltune/core";
import { corruptFile, runStageForTest, writeTestDataset } from "@tooltune/core/testing";
import { toRow, type Conversation } from "@tooltune/format";
import { createLora, defaultLoraConfig, saveAdapter } from "@tooltune/lora";
import { createModel, makeConfig, saveModel } from "@tooltune/model";
import { loadTokenizerBundle } from "@tooltune/tokenize";
import type { ResultRow } from "./evaluate.js";
import { evalStage } from "./stage-default.js";

const conv: Conversation = {
  id: "w1", source: "t:1", split: "test",
  tools: [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } } }],
  messages: [
    { role: "user", content: "Weather in Paris?" },
    { role: "assistant", content: "", toolCalls: [{ name: "get_weather", arguments: { city: "Paris" } }] },
    { role: "tool", content: '{"temp": 20}', name: "get_weather" },
    { role: "assistant", content: "20 degrees." },
  ],
};

let root: string;
let inputs: StageInput[];
const provenance = { stage: "test-fixture", stageVersion: "0", params: {}, inputs: [] };

/** A tiny random base model and a fresh LoRA adapter on it (B = 0, as PEFT initialises it). */
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "tt-eval-model-"));
  const bundle = loadTokenizerBundle("qwen3");
  bundle.setTemplate({ name: "chatml", specialTokens: [] });
  const model = createModel(makeConfig("qwen2", { vocabSize: bundle.vocabSize, hiddenSize: 16, intermediateSize: 32, numHiddenLayers: 1, numAttentionHeads: 2, numKeyValueHeads: 1 }), 3);
  const base = join(root, "base");
  const adapterDir = join(root, "adapter");
  saveModel(model, base);
  bundle.save(join(base, "tokenizer"));
  await finishDirectory(base, "model", provenance);
  saveAdapter(createLora(model, { ...defaultLoraConfig, r: 2, targetModules: ["q_proj", "v_proj"], baseModelNameOrPath: base }, 1), adapterDir);
  await cp(join(base, "tokenizer"), join(adapterDir, "tokenizer"), { recursive: true });
  await finishDirectory(adapterDir, "adapter", provenance);
  const convs = await writeTestDataset(join(root, "convs"), "conversations", [toRow(conv)]);
  inputs = [convs, { name: "adapter", path: adapterDir, manifest: await readManifest(adapterDir) }];
});
afterAll(async () => { await rm(root, { recursive: true, force: true }); });

describe("eval stage with a real (tiny, random) model and adapter", () => {
  it("loads base and adapter from disk, generates, and scores; a fresh adapter (B = 0) changes nothing", async () => {
    const out = join(root, "out");
    const m = await runStageForTest(evalStage, { params: { compare_base: true, max_new_tokens: 6, batch_size: 2, copy_probe: 4 }, inputs, finalDir: out });
    const rows = await (await openDataset<ResultRow>(out)).readAll();
    expect(rows.map((r) => `${r.model}:${r.id}`)).toEqual(["base:w1#1", "base:w1#3", "adapter:w1#1", "adapter:w1#3"]);
    expect(rows[0].prompt).toContain("<|im_start|>assistant\n");
    // Greedy decoding of the same weights: the zero-initialised adapter must give the base's text.
    expect(rows.slice(2).map((r) => r.output)).toEqual(rows.slice(0, 2).map((r) => r.output));
    const timing = m.stats?.timing as Record<string, { generated_tokens: number }>;
    expect(timing.adapter.generated_tokens).toBeGreaterThan(0);
    expect(timing.adapter.generated_tokens).toBeLessThanOrEqual(2 * 6);
    const metrics = JSON.parse(await readFile(join(out, "metrics.json"), "utf8"));
    expect(Object.keys(metrics.models)).toEqual(["base", "adapter"]);
    // The probe runs on both; a zero adapter copies exactly as well (or badly) as its base.
    expect(Object.keys(metrics.copy_probe)).toEqual(["base", "adapter"]);
    expect(metrics.copy_probe.adapter).toEqual(metrics.copy_probe.base);
    expect(metrics.copy_probe.base.copy_accuracy).toBeGreaterThanOrEqual(0);
    expect(metrics.copy_probe.base.copy_accuracy).toBeLessThanOrEqual(1);
  });

  it("refuses an adapter whose adapter_model.safetensors is truncated or has a flipped bit, naming the file", async () => {
    for (const how of ["truncate", "flip"] as const) {
      const adapterDir = join(root, `adapter-${how}`);
      await cp(inputs[1].path, adapterDir, { recursive: true });
      const file = join(adapterDir, "adapter_model.safetensors");
      await corruptFile(file, how);
      const adapter = { name: "adapter", path: adapterDir, manifest: await readManifest(adapterDir) };
      const finalDir = join(root, `out-${how}`);
      const err = await runStageForTest(evalStage, { params: { max_new_tokens: 2, copy_probe: 0 }, inputs: [inputs[0], adapter], finalDir }).catch((e: unknown) => e);
      expect(err).toMatchObject({ name: "TooltuneError", code: "INPUT", where: file });
      expect((err as Error).message).toMatch(/^adapter_model\.safetensors in the 'test-fixture' output .* is damaged: /);
      expect(existsSync(finalDir)).toBe(false);
    }
  });
});
