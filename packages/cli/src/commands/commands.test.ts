// `agent`, `score` and `lora` as registered in the CLI: parsed by yargs, results on stdout, errors from main.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMemoryLogger } from "@tooltune/core";
import { createLora, defaultLoraConfig, saveAdapter } from "@tooltune/lora";
import { createModel, makeConfig, saveModel } from "@tooltune/model";
import { main } from "../main.js";
import { sharedData } from "@tooltune/core/shared-data";

const BFCL_DIR = sharedData("bfcl", "/");
let root: string;

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const log = createMemoryLogger();
  const code = await main(argv, { out: (l) => out.push(l), err: (t) => err.push(t), log, cwd: root, signal: new AbortController().signal });
  return { code, out, err: err.join("\n"), log: log.lines };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "tt-cmds-"));
  const model = createModel(makeConfig("llama", { vocabSize: 64, hiddenSize: 16, intermediateSize: 32, numHiddenLayers: 1, numAttentionHeads: 2, numKeyValueHeads: 2 }), 1);
  saveModel(model, join(root, "base"));
  saveAdapter(createLora(model, { ...defaultLoraConfig, r: 4, loraAlpha: 8, targetModules: ["q_proj", "o_proj"], baseModelNameOrPath: join(root, "base") }, 2), join(root, "adapter"));
});
afterAll(async () => { await rm(root, { recursive: true, force: true }); });

describe("CLI commands", () => {
  it("lora inspect prints the adapter; lora merge writes a model directory", async () => {
    const r = await cli("lora", "inspect", join(root, "adapter"));
    expect(r.code).toBe(0);
    expect(r.out).toContain("  r 4, lora_alpha 8, scaling 2, dropout 0.05");
    expect(r.out).toContain("    model.layers.0.self_attn.o_proj  linear  r 4  16→16  128");
    const m = await cli("lora", "merge", "--base", join(root, "base"), "--adapter", join(root, "adapter"), "--out", join(root, "merged"));
    expect(m.code).toBe(0);
    expect(existsSync(join(root, "merged", "model.safetensors"))).toBe(true);
    expect(m.log.join("\n")).toMatch(/no tokenizer\/ bundle/);
  });

  it("score prints metrics for a BFCL result file", async () => {
    const file = join(root, "result.jsonl");
    await writeFile(file, '{"id": "irrelevance_0", "result": "I cannot do that."}\n');
    const r = await cli("score", "--outputs", file, "--answers", join(BFCL_DIR, "BFCL_v4_irrelevance.json"), "--mode", "bfcl");
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatch(/^\d+ items: accuracy /);
    expect(r.out[1]).toMatch(/^BFCL: non-live –, live –, irrelevance \d/);
  });

  it("errors say what to change: a missing adapter, an unreadable tools file", async () => {
    const r = await cli("lora", "inspect", join(root, "base"));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/cannot read adapter_config.json: no such file[\s\S]*fix:/);
    // A wrong --base is the user's error (model's own TooltuneError), not INTERNAL with a stack.
    const m = await cli("lora", "merge", "--base", "nope", "--adapter", "adapter", "--out", "merged-nope");
    expect(m.code).toBe(1);
    expect(m.err).toBe(`${join(root, "nope", "config.json")}: INPUT: cannot read the model's config.json: no such file\n  fix: give a Hugging Face model directory (config.json + model.safetensors): a download, or what the train stage writes`);
    expect(existsSync(join(root, "merged-nope"))).toBe(false);
    const n = await cli("lora", "merge", "--base", "base", "--adapter", "nope", "--out", "merged-nope");
    expect(n.code).toBe(1);
    expect(n.err).toMatch(/^\S*nope\/adapter_config.json: INPUT: cannot read adapter_config.json: no such file\n {2}fix: /);
    expect(n.log.join("\n")).not.toMatch(/tokenizer\/ bundle|backend/);
    const a = await cli("agent", "--model", "base", "--tools", "builtin", "--prompt", "hi");
    expect(a.code).toBe(1);
    expect(a.err).toMatch(/no tokenizer bundle with a template name/);
    await mkdir(join(root, "base", "tokenizer"));
    await writeFile(join(root, "base", "tokenizer", "tooltune_tokenizer.json"), JSON.stringify({ template: { name: "chatml" } }));
    await writeFile(join(root, "tools.json"), JSON.stringify([{ type: "function", function: { description: "no name" } }]));
    const t = await cli("agent", "--model", "base", "--tools", "tools.json", "--prompt", "hi");
    expect(t.code).toBe(1);
    expect(t.err).toMatch(/tools.json: INPUT: not a tools file: 0.function.name: [\s\S]*fix:/);
  });
});
