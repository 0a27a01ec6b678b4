// LoRA settings in PEFT's words, and the one mapping to/from PEFT's adapter_config.json.
import { TooltuneError } from "@tooltune/core";

// qkv_proj and gate_up_proj are Phi-3's fused projections (it has no q/k/v_proj, gate/up_proj)
export const LORA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj", "qkv_proj", "gate_up_proj", "lm_head", "embed_tokens"] as const;
export type LoraTarget = (typeof LORA_TARGETS)[number];

export interface LoraConfig {
  r: number;
  loraAlpha: number;
  loraDropout: number;
  targetModules: LoraTarget[];
  /** rsLoRA: scaling = loraAlpha / √r instead of loraAlpha / r. */
  useRslora: boolean;
  /** Embedding rows trained on their own (PEFT trainable_token_indices; tied lm_head follows). */
  trainableTokenIndices: number[] | null;
  baseModelNameOrPath: string | null;
}

export const defaultLoraConfig: LoraConfig = {
  r: 16, loraAlpha: 64, loraDropout: 0.05, useRslora: false, trainableTokenIndices: null, baseModelNameOrPath: null,
  targetModules: ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
};

/** PEFT LoraLayer.update_layer: alpha / √r with rsLoRA, else alpha / r. */
export const scalingOf = (c: LoraConfig): number => (c.useRslora ? c.loraAlpha / Math.sqrt(c.r) : c.loraAlpha / c.r);

/** adapter_config.json as PEFT 0.21 writes it for a plain LoRA adapter. */
export function toAdapterConfig(c: LoraConfig): Record<string, unknown> {
  return {
    alpha_pattern: {}, auto_mapping: null, base_model_name_or_path: c.baseModelNameOrPath, bias: "none",
    eva_config: null, exclude_modules: null, fan_in_fan_out: false, inference_mode: true, init_lora_weights: true,
    layer_replication: null, layers_pattern: null, layers_to_transform: null, loftq_config: {}, lora_alpha: c.loraAlpha,
    lora_bias: false, lora_dropout: c.loraDropout, megatron_config: null, megatron_core: "megatron.core",
    modules_to_save: null, peft_type: "LORA", r: c.r, rank_pattern: {}, revision: null,
    target_modules: [...c.targetModules], task_type: "CAUSAL_LM", trainable_token_indices: c.trainableTokenIndices,
    use_dora: false, use_rslora: c.useRslora,
  };
}

export function fromAdapterConfig(json: Record<string, unknown>, where = "adapter_config.json"): LoraConfig {
  const fail = (m: string) => { throw new TooltuneError("INPUT", m, { where, fix: "save it as plain LoRA: no DoRA, bias none, target_modules a list of names" }); };
  if (json.peft_type !== "LORA") fail(`peft_type ${String(json.peft_type)} is not supported (LORA)`);
  if (json.use_dora) fail("use_dora is not supported");
  if (json.fan_in_fan_out) fail("fan_in_fan_out is not supported");
  if (json.bias && json.bias !== "none") fail(`bias ${String(json.bias)} is not supported (none)`);
  for (const k of ["rank_pattern", "alpha_pattern"]) if (json[k] && Object.keys(json[k] as object).length) fail(`${k} is not supported`);
  let targets = json.target_modules;
  if (typeof targets === "string") fail(`target_modules as a regex is not supported; list them`);
  targets = targets ?? [];
  for (const t of targets as string[]) if (!(LORA_TARGETS as readonly string[]).includes(t)) fail(`target module ${t} is not one of ${LORA_TARGETS.join(" ")}`);
  let tti = json.trainable_token_indices as number[] | Record<string, number[]> | null | undefined;
  if (tti && !Array.isArray(tti)) {
    // PEFT's dict form {module: indices}: only embed_tokens (a tied lm_head follows it)
    const keys = Object.keys(tti);
    if (keys.some((k) => k !== "embed_tokens")) fail(`trainable_token_indices for ${keys.join(", ")}: only embed_tokens is supported`);
    tti = tti.embed_tokens ?? null;
  }
  return {
    r: Number(json.r),
    loraAlpha: Number(json.lora_alpha),
    loraDropout: Number(json.lora_dropout ?? 0),
    targetModules: targets as LoraTarget[],
    useRslora: json.use_rslora === true,
    trainableTokenIndices: (tti as number[] | null | undefined) ?? null,
    baseModelNameOrPath: (json.base_model_name_or_path as string | null | undefined) ?? null,
  };
}
