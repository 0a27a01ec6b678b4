/**
 * `tooltune lora inspect ADAPTER` and `tooltune lora merge --base DIR --adapter DIR --out DIR`.
 * Inspect reads only files (config, safetensors header and data, the tokenizer bundle's JSON), so it
 * is instant and needs no base model; merge loads base + adapter and writes a plain HF checkpoint.
 */
import { cp } from "node:fs/promises";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { atomicOutput, finishDirectory } from "@tooltune/core";
import { loadAdapter, readAdapterConfig, saveMerged, scalingOf, type LoraConfig } from "@tooltune/lora";
import { loadModel, readSafetensors, resizeTokenEmbeddings } from "@tooltune/model";
import { BUNDLE_FILE, loadTokenizerBundle } from "@tooltune/tokenize";

export interface ModuleInfo {
  module: string;
  kind: "linear" | "embedding";
  r: number;
  inDim: number;
  outDim: number;
  params: number;
}

export interface AdapterInfo {
  dir: string;
  config: LoraConfig;
  scaling: number;
  modules: ModuleInfo[];
  /** LoRA A + B over all modules. */
  loraParams: number;
  /** PEFT trainable_tokens_delta rows × dim. */
  tokenParams: number;
  /** Base embedding/lm_head weights PEFT saves beside the adapter (save_embedding_layers). */
  savedBaseParams: number;
  newTokens: { content: string; id: number }[];
  template: string | null;
}

const PREFIX = "base_model.model.";
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

export function inspectAdapter(dir: string): AdapterInfo {
  const config = readAdapterConfig(dir);
  const tensors = readSafetensors(join(dir, "adapter_model.safetensors"));
  const modules: ModuleInfo[] = [];
  let tokenParams = 0;
  let savedBaseParams = 0;
  for (const [key, t] of tensors) {
    const linear = /^(.*)\.lora_A\.weight$/.exec(key);
    const embedding = /^(.*)\.lora_embedding_A$/.exec(key);
    const m = linear ?? embedding;
    if (m) {
      const b = tensors.get(linear ? `${m[1]}.lora_B.weight` : `${m[1]}.lora_embedding_B`);
      // A is [r, in]; B is [out, r] (PEFT's shapes for both kinds).
      const [r, inDim] = t.shape;
      const outDim = b ? b.shape[0] : 0;
      modules.push({ module: m[1].slice(PREFIX.length), kind: linear ? "linear" : "embedding", r, inDim, outDim, params: size(t.shape) + (b ? size(b.shape) : 0) });
    } else if (key.endsWith("trainable_tokens_delta")) tokenParams += size(t.shape);
    else if (key.endsWith(".base_layer.weight")) savedBaseParams += size(t.shape);
  }
  modules.sort((a, b) => a.module.localeCompare(b.module, "en", { numeric: true }));
  const bundle = readBundleFile(join(dir, "tokenizer"));
  return {
    dir, config, scaling: scalingOf(config), modules,
    loraParams: modules.reduce((s, m) => s + m.params, 0),
    tokenParams, savedBaseParams,
    newTokens: bundle.newTokens, template: bundle.template,
  };
}

interface BundleJson {
  template: { name: string } | null;
  special_tokens: { content: string; id: number; new: boolean }[];
  vocab: { original_ids: number[] } | null;
}

/** New tokens with model ids, from tooltune_tokenizer.json alone (loading the tokenizer takes seconds). */
function readBundleFile(bundleDir: string): { newTokens: { content: string; id: number }[]; template: string | null } {
  const file = join(bundleDir, BUNDLE_FILE);
  if (!existsSync(file)) return { newTokens: [], template: null };
  const b = JSON.parse(readFileSync(file, "utf8")) as BundleJson;
  // Ids in the file are the HF tokenizer's; with a trimmed vocabulary the model's id is the index in original_ids.
  const modelId = (id: number) => (b.vocab ? b.vocab.original_ids.indexOf(id) : id);
  return { newTokens: b.special_tokens.filter((t) => t.new).map((t) => ({ content: t.content, id: modelId(t.id) })), template: b.template?.name ?? null };
}

export function formatAdapterInfo(info: AdapterInfo): string[] {
  const c = info.config;
  const n = (x: number) => x.toLocaleString("en-US");
  const lines = [
    `adapter ${info.dir}`,
    `  base: ${c.baseModelNameOrPath ?? "(not recorded)"}`,
    `  r ${c.r}, lora_alpha ${c.loraAlpha}, scaling ${+info.scaling.toFixed(6)}${c.useRslora ? " (rsLoRA)" : ""}, dropout ${c.loraDropout}`,
    `  target_modules: ${c.targetModules.join(", ") || "(none)"}`,
    `  trainable_token_indices: ${c.trainableTokenIndices ? c.trainableTokenIndices.join(", ") : "none"}`,
    `  parameters: ${n(info.loraParams)} LoRA + ${n(info.tokenParams)} token rows = ${n(info.loraParams + info.tokenParams)} trainable` +
      (info.savedBaseParams ? `; ${n(info.savedBaseParams)} base embedding weights saved beside them` : ""),
    `  template: ${info.template ?? "(no tokenizer bundle)"}`,
    `  new tokens: ${info.newTokens.length ? info.newTokens.map((t) => `${t.content}=${t.id}`).join(" ") : "none"}`,
    `  modules (${info.modules.length}):`,
    ...info.modules.map((m) => `    ${m.module}  ${m.kind}  r ${m.r}  ${m.inDim}→${m.outDim}  ${n(m.params)}`),
  ];
  return lines;
}

/** Fold the adapter into the base and write an HF checkpoint with the adapter's tokenizer bundle. */
export async function mergeLora(opts: { base: string; adapter: string; out: string; log?: (line: string) => void }): Promise<void> {
  const bundleDir = join(opts.adapter, "tokenizer");
  let model = loadModel(opts.base);
  if (existsSync(bundleDir)) {
    const vocab = loadTokenizerBundle(bundleDir).vocabSize;
    // As train and eval do: the adapter's added tokens need embedding rows before its weights load.
    if (vocab > model.config.vocabSize) model = resizeTokenEmbeddings(model, vocab);
  } else opts.log?.(`lora merge: ${opts.adapter} has no tokenizer/ bundle; the merged model will have none`);
  const adapter = loadAdapter(model, opts.adapter);
  await atomicOutput(resolve(opts.out), async (tmp) => {
    saveMerged(model, adapter, tmp);
    if (existsSync(bundleDir)) await cp(bundleDir, join(tmp, "tokenizer"), { recursive: true });
    const provenance = { stage: "lora-merge", stageVersion: "1", params: { base: resolve(opts.base), adapter: resolve(opts.adapter) }, inputs: [] };
    await finishDirectory(tmp, "model", provenance, { lora_r: adapter.config.r, target_modules: adapter.config.targetModules });
  });
  adapter.dispose();
  model.dispose();
}
