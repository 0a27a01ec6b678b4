// PEFT adapter directory: adapter_config.json + adapter_model.safetensors with PEFT's keys
//   base_model.model.<module>.lora_A.weight [r, in] / .lora_B.weight [out, r]
//   base_model.model.model.embed_tokens.lora_embedding_A [r, vocab] / .lora_embedding_B [dim, r]
//   base_model.model.model.embed_tokens.token_adapter.trainable_tokens_delta [n, dim]
//   base_model.model.<embed_tokens|lm_head>.base_layer.weight (PEFT's save_embedding_layers, when targeted)
import * as tf from "@tensorflow/tfjs-core";
import { atomicOutput, finishDirectory, readJsonFile, TooltuneError } from "@tooltune/core";
import { CausalLM, loadModel, readSafetensors, resizeTokenEmbeddings, saveModel, writeSafetensors, type HostTensor, type SaveOptions } from "@tooltune/model";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { cp } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fromAdapterConfig, toAdapterConfig, type LoraConfig } from "./config.js";
import { EMBED, LoraAdapter, mergeAdapter, targetModulesOf } from "./lora.js";

/** PEFT's key prefix on every adapter tensor. */
export const PREFIX = "base_model.model.";
const TOKENS_KEY = `${PREFIX}${EMBED}.token_adapter.trainable_tokens_delta`;

const keysOf = (module: string, kind: "linear" | "embedding") =>
  kind === "linear"
    ? { a: `${PREFIX}${module}.lora_A.weight`, b: `${PREFIX}${module}.lora_B.weight` }
    : { a: `${PREFIX}${module}.lora_embedding_A`, b: `${PREFIX}${module}.lora_embedding_B` };

/** Our [x, y] variable ↔ PEFT's [y, x] tensor. */
function transposedHost(v: tf.Tensor): HostTensor {
  const t = tf.transpose(v);
  const out = { shape: [...t.shape], data: new Float32Array(t.dataSync()) };
  t.dispose();
  return out;
}

function variableFromPeft(t: HostTensor): tf.Variable {
  return tf.tidy(() => tf.variable(tf.transpose(tf.tensor(t.data, t.shape)), true));
}

/** Write the adapter in PEFT's layout. With `model`, targeted embedding layers' base weights are saved
 * too (as PEFT does), so a PEFT user gets the exact resized rows. */
export function saveAdapter(adapter: LoraAdapter, dir: string, model?: CausalLM): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "adapter_config.json"), JSON.stringify(toAdapterConfig(adapter.config), null, 2) + "\n");
  const tensors = new Map<string, HostTensor>();
  for (const [module, a] of adapter.loraA) {
    const keys = keysOf(module, module === EMBED ? "embedding" : "linear");
    tensors.set(keys.a, transposedHost(a));
    tensors.set(keys.b, transposedHost(adapter.loraB.get(module)!));
    if (model && (module === EMBED || module === "lm_head")) {
      const w = module === EMBED ? model.params.get(`${EMBED}.weight`)! : model.params.get("lm_head.weight");
      if (w) tensors.set(`${PREFIX}${module}.base_layer.weight`, module === EMBED ? { shape: [...w.shape], data: new Float32Array(w.dataSync()) } : transposedHost(w));
      else tensors.set(`${PREFIX}${module}.base_layer.weight`, { shape: [...model.params.get(`${EMBED}.weight`)!.shape], data: new Float32Array(model.params.get(`${EMBED}.weight`)!.dataSync()) }); // tied
    }
  }
  if (adapter.tokens) tensors.set(TOKENS_KEY, { shape: [...adapter.tokens.delta.shape], data: new Float32Array(adapter.tokens.delta.dataSync()) });
  writeSafetensors(join(dir, "adapter_model.safetensors"), tensors);
}

/** Read a PEFT adapter for `model`. Saved embedding base weights (PEFT save_embedding_layers) are
 * copied into the model, which must already have the adapter's vocabulary size. */
export function loadAdapter(model: CausalLM, dir: string, seed = 0): LoraAdapter {
  const config = readAdapterConfig(dir);
  const tensors = readSafetensors(join(dir, "adapter_model.safetensors"));
  const take = (key: string): HostTensor => {
    const t = tensors.get(key);
    if (!t) throw new TooltuneError("INPUT", `adapter_model.safetensors has no ${key}`, { where: dir, fix: "its adapter_config.json and weights must be of the same adapter" });
    tensors.delete(key);
    return t;
  };
  for (const module of [EMBED, "lm_head"]) {
    const key = `${PREFIX}${module}.base_layer.weight`;
    const t = tensors.get(key);
    if (!t) continue;
    tensors.delete(key);
    if (t.shape[0] !== model.config.vocabSize) throw new TooltuneError("INPUT", `${key} has ${t.shape[0]} rows, the model ${model.config.vocabSize}`, { where: dir, fix: "resize the model's embeddings to the adapter's vocabulary first (its tokenizer bundle)" });
    const target = module === EMBED ? model.params.get(`${EMBED}.weight`) : model.params.get("lm_head.weight");
    if (target) tf.tidy(() => target.assign(module === EMBED ? tf.tensor2d(t.data, t.shape as [number, number]) : tf.transpose(tf.tensor2d(t.data, t.shape as [number, number]))));
  }
  const loraA = new Map<string, tf.Variable>();
  const loraB = new Map<string, tf.Variable>();
  for (const t of targetModulesOf(model, config)) {
    const keys = keysOf(t.module, t.kind);
    const a = take(keys.a);
    const b = take(keys.b);
    const want = t.kind === "linear" ? [[config.r, t.inDim], [t.outDim, config.r]] : [[config.r, t.inDim], [t.outDim, config.r]];
    if (`${a.shape}|${b.shape}` !== `${want[0]}|${want[1]}`) throw new TooltuneError("INPUT", `${t.module} has A [${a.shape}], B [${b.shape}]; expected [${want[0]}], [${want[1]}]`, { where: dir, fix: "load the adapter on the base it was trained on" });
    loraA.set(t.module, variableFromPeft(a));
    loraB.set(t.module, variableFromPeft(b));
  }
  let tokens = null;
  if (config.trainableTokenIndices?.length) {
    const t = take(TOKENS_KEY);
    tokens = { indices: config.trainableTokenIndices, delta: tf.tidy(() => tf.variable(tf.tensor(t.data, t.shape), true)) };
  }
  if (tensors.size) throw new TooltuneError("INPUT", `adapter has tensors its config does not explain: ${[...tensors.keys()].slice(0, 3).join(", ")}`, { where: dir, fix: "its adapter_config.json and weights must be of the same adapter" });
  return new LoraAdapter(config, loraA, loraB, tokens, seed);
}

/** An adapter directory's config; a missing or unsupported one is an INPUT error at the file. */
export function readAdapterConfig(dir: string): LoraConfig {
  const file = join(dir, "adapter_config.json");
  return fromAdapterConfig(readJsonFile(file, "adapter_config.json", "give a PEFT adapter directory (what the train stage writes)") as Record<string, unknown>, file);
}

/** Fold the adapter into the base and save the merged model in Hugging Face layout. */
export function saveMerged(model: CausalLM, adapter: LoraAdapter, dir: string, opts?: SaveOptions): void {
  const merged = mergeAdapter(model, adapter);
  try {
    saveModel(merged, dir, opts);
  } finally {
    merged.dispose();
  }
}

/**
 * The base with the adapter on it. An adapter that added tokens was trained on a base resized to
 * its tokenizer's `vocabSize`: those embedding rows must exist before its weights load (as train
 * made them; PEFT's resize_token_embeddings).
 */
export function loadWithAdapter(baseDir: string, adapterDir: string, vocabSize?: number): { model: CausalLM; adapter: LoraAdapter } {
  let model = loadModel(baseDir);
  if (vocabSize !== undefined && vocabSize > model.config.vocabSize) model = resizeTokenEmbeddings(model, vocabSize);
  return { model, adapter: loadAdapter(model, adapterDir) };
}

/**
 * `tooltune lora merge`: fold the adapter into the base and write `out` atomically, a plain HF
 * checkpoint with a manifest (kind model) and the adapter's `tokenizer/` bundle copied beside it,
 * so the merged model is complete wherever it goes. `vocabSize` as for loadWithAdapter.
 */
export async function mergeLora(opts: { base: string; adapter: string; out: string; vocabSize?: number }): Promise<void> {
  const { model, adapter } = loadWithAdapter(opts.base, opts.adapter, opts.vocabSize);
  const bundleDir = join(opts.adapter, "tokenizer");
  try {
    await atomicOutput(resolve(opts.out), async (tmp) => {
      saveMerged(model, adapter, tmp);
      if (existsSync(bundleDir)) await cp(bundleDir, join(tmp, "tokenizer"), { recursive: true });
      const provenance = { stage: "lora-merge", stageVersion: "1", params: { base: resolve(opts.base), adapter: resolve(opts.adapter) }, inputs: [] };
      await finishDirectory(tmp, "model", provenance, { lora_r: adapter.config.r, target_modules: adapter.config.targetModules });
    });
  } finally {
    adapter.dispose();
    model.dispose();
  }
}
