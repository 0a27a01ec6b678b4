// What an adapter directory holds, read from its files alone (config, safetensors header and data):
// instant, and needs no base model (`tooltune lora inspect`).
import { join } from "node:path";
import { readSafetensors } from "@tooltune/model";
import { scalingOf, type LoraConfig } from "./config.js";
import { PREFIX, readAdapterConfig } from "./io.js";

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
}

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
  return { dir, config, scaling: scalingOf(config), modules, loraParams: modules.reduce((s, m) => s + m.params, 0), tokenParams, savedBaseParams };
}
