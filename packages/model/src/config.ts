// Model configuration: one camelCase shape for every family, mapped from/to Hugging Face's
// config.json in exactly one place each (fromHfConfig / toHfConfig).

/** The model_types this package loads, trains and saves (the one list: errors and train's params use it). */
export const FAMILIES = ["llama", "mistral", "qwen2", "qwen3", "gemma2"] as const;
export type Family = (typeof FAMILIES)[number];

export interface ModelConfig {
  family: Family;
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  numKeyValueHeads: number;
  headDim: number;
  rmsNormEps: number;
  ropeTheta: number;
  /** Llama 3 style rope scaling, if the checkpoint has one. */
  ropeScaling: RopeScaling | null;
  maxPositionEmbeddings: number;
  tieWordEmbeddings: boolean;
  /** Bias on q/k/v projections (Qwen2: true). */
  attentionBias: boolean;
  /** Bias on o_proj (Qwen2: false even though q/k/v have one). */
  oProjBias: boolean;
  /** Per-head RMSNorm on q and k before RoPE (Qwen3's q_norm / k_norm). */
  qkNorm: boolean;
  hiddenAct: "silu" | "gelu_pytorch_tanh";
  initializerRange: number;
  // Gemma2 only (null elsewhere)
  queryPreAttnScalar: number | null;
  attnLogitSoftcapping: number | null;
  finalLogitSoftcapping: number | null;
  /** Window of the sliding layers; which layers slide is `layerTypes`. */
  slidingWindow: number | null;
  layerTypes: ("full_attention" | "sliding_attention")[];
  bosTokenId: number | null;
  eosTokenId: number | number[] | null;
  padTokenId: number | null;
  /** dtype the checkpoint was stored in (kept for saving); computation is always float32. */
  torchDtype: "float32" | "float16" | "bfloat16";
}

export interface RopeScaling {
  ropeType: "llama3";
  factor: number;
  lowFreqFactor: number;
  highFreqFactor: number;
  originalMaxPositionEmbeddings: number;
}

type HfConfig = Record<string, unknown>;

function num(hf: HfConfig, key: string, fallback?: number): number {
  const v = hf[key];
  if (typeof v === "number") return v;
  if (fallback !== undefined) return fallback;
  throw new Error(`config.json: missing number "${key}"`);
}

function familyOf(hf: HfConfig): Family {
  const t = String(hf.model_type ?? "");
  if ((FAMILIES as readonly string[]).includes(t)) return t as Family;
  throw new Error(`config.json: model_type "${t}" is not supported (supported: ${FAMILIES.join(", ")})`);
}

/** transformers ≥ 5 writes `rope_parameters` {rope_type, rope_theta, …}; older configs `rope_theta` + `rope_scaling`. */
function ropeParamsOf(hf: HfConfig): HfConfig | null {
  return ((hf.rope_parameters ?? hf.rope_scaling) as HfConfig | null | undefined) ?? null;
}

function ropeScalingOf(hf: HfConfig): RopeScaling | null {
  const rs = ropeParamsOf(hf);
  if (!rs) return null;
  const type = rs.rope_type ?? rs.type;
  if (type === "default" || type === undefined) return null;
  if (type !== "llama3") throw new Error(`config.json: rope_scaling type "${String(type)}" is not supported (llama3)`);
  return {
    ropeType: "llama3",
    factor: num(rs, "factor"),
    lowFreqFactor: num(rs, "low_freq_factor"),
    highFreqFactor: num(rs, "high_freq_factor"),
    originalMaxPositionEmbeddings: num(rs, "original_max_position_embeddings"),
  };
}

/** MistralConfig's default when config.json has no sliding_window key (Mistral-7B-v0.1's window). */
const MISTRAL_DEFAULT_WINDOW = 4096;

function mistralWindowOf(hf: HfConfig): number | null {
  return "sliding_window" in hf ? ((hf.sliding_window as number | null) ?? null) : MISTRAL_DEFAULT_WINDOW;
}

function layerTypesOf(hf: HfConfig, family: Family, n: number): ModelConfig["layerTypes"] {
  // Mistral: every layer slides when there is a window (modeling_mistral passes config.sliding_window
  // to all of them; a layer_types in its config.json is ignored there, with a warning)
  if (family === "mistral") return Array.from({ length: n }, () => (mistralWindowOf(hf) === null ? "full_attention" : "sliding_attention"));
  if (Array.isArray(hf.layer_types)) return hf.layer_types as ModelConfig["layerTypes"];
  // Qwen2/Qwen3 configs slide only with use_sliding_window, which slidingWindowOf refuses: all full.
  // transformers Gemma2Config: "sliding_attention" if bool((i + 1) % 2) — even layers slide.
  if (family === "gemma2") return Array.from({ length: n }, (_, i) => ((i + 1) % 2 ? "sliding_attention" : "full_attention"));
  return Array.from({ length: n }, () => "full_attention");
}

/**
 * Gemma2's and Mistral's window (null: Mistral v0.2 on, full attention). Qwen2/Qwen3 keep `sliding_window` in every config but, as their transformers
 * configs do (`sliding_window if use_sliding_window else None`), use it only with
 * use_sliding_window: true, which is not verified here and so refused; a layer_types that names
 * sliding layers without a window is refused too (transformers fails on it at the first forward).
 */
function slidingWindowOf(hf: HfConfig, family: Family, layerTypes: ModelConfig["layerTypes"]): number | null {
  if (family === "gemma2") return (hf.sliding_window as number | null) ?? null;
  if (family === "mistral") return mistralWindowOf(hf);
  const name = family[0].toUpperCase() + family.slice(1);
  if (hf.use_sliding_window === true) throw new Error(`config.json: ${name} use_sliding_window: true is not supported (set it to false: full attention in every layer)`);
  if (layerTypes.includes("sliding_attention")) throw new Error(`config.json: layer_types names sliding_attention layers, but ${name} slides only with use_sliding_window: true (not supported): make them full_attention`);
  return null;
}

/** transformers Qwen3Config: head_dim = 128 when absent; the others: hidden_size / num_attention_heads. */
function headDimOf(hf: HfConfig, family: Family, hiddenSize: number, numAttentionHeads: number): number {
  if (typeof hf.head_dim === "number") return hf.head_dim;
  return family === "qwen3" ? 128 : hiddenSize / numAttentionHeads;
}

export function fromHfConfig(hf: HfConfig): ModelConfig {
  const family = familyOf(hf);
  const gemma = family === "gemma2";
  const hiddenSize = num(hf, "hidden_size");
  const numAttentionHeads = num(hf, "num_attention_heads");
  const numHiddenLayers = num(hf, "num_hidden_layers");
  const layerTypes = layerTypesOf(hf, family, numHiddenLayers);
  return {
    family,
    vocabSize: num(hf, "vocab_size"),
    hiddenSize,
    intermediateSize: num(hf, "intermediate_size"),
    numHiddenLayers,
    numAttentionHeads,
    numKeyValueHeads: num(hf, "num_key_value_heads", numAttentionHeads),
    headDim: headDimOf(hf, family, hiddenSize, numAttentionHeads),
    rmsNormEps: num(hf, "rms_norm_eps", 1e-6),
    ropeTheta: num(ropeParamsOf(hf) ?? {}, "rope_theta", num(hf, "rope_theta", 10000)), // transformers default_theta
    ropeScaling: ropeScalingOf(hf),
    maxPositionEmbeddings: num(hf, "max_position_embeddings", 2048),
    tieWordEmbeddings: typeof hf.tie_word_embeddings === "boolean" ? hf.tie_word_embeddings : gemma,
    attentionBias: family === "qwen2" || hf.attention_bias === true,
    oProjBias: family !== "qwen2" && hf.attention_bias === true, // Qwen3 as Llama: attention_bias is on all four
    qkNorm: family === "qwen3",
    hiddenAct: gemma ? "gelu_pytorch_tanh" : "silu",
    initializerRange: num(hf, "initializer_range", 0.02),
    queryPreAttnScalar: gemma ? num(hf, "query_pre_attn_scalar", 256) : null,
    attnLogitSoftcapping: gemma ? ((hf.attn_logit_softcapping as number | null) ?? null) : null,
    finalLogitSoftcapping: gemma ? ((hf.final_logit_softcapping as number | null) ?? null) : null,
    slidingWindow: slidingWindowOf(hf, family, layerTypes),
    layerTypes,
    bosTokenId: (hf.bos_token_id as number | null) ?? null,
    eosTokenId: (hf.eos_token_id as number | number[] | null) ?? null,
    padTokenId: (hf.pad_token_id as number | null) ?? null,
    torchDtype: ((hf.torch_dtype ?? hf.dtype ?? "float32") as ModelConfig["torchDtype"]),
  };
}

const architectures: Record<Family, string> = { llama: "LlamaForCausalLM", mistral: "MistralForCausalLM", qwen2: "Qwen2ForCausalLM", qwen3: "Qwen3ForCausalLM", gemma2: "Gemma2ForCausalLM" };

export function toHfConfig(c: ModelConfig): HfConfig {
  const hf: HfConfig = {
    architectures: [architectures[c.family]],
    model_type: c.family,
    vocab_size: c.vocabSize,
    hidden_size: c.hiddenSize,
    intermediate_size: c.intermediateSize,
    num_hidden_layers: c.numHiddenLayers,
    num_attention_heads: c.numAttentionHeads,
    num_key_value_heads: c.numKeyValueHeads,
    head_dim: c.headDim,
    rms_norm_eps: c.rmsNormEps,
    rope_theta: c.ropeTheta,
    max_position_embeddings: c.maxPositionEmbeddings,
    tie_word_embeddings: c.tieWordEmbeddings,
    hidden_act: c.hiddenAct,
    initializer_range: c.initializerRange,
    bos_token_id: c.bosTokenId,
    eos_token_id: c.eosTokenId,
    pad_token_id: c.padTokenId,
    torch_dtype: c.torchDtype,
  };
  if (c.ropeScaling) {
    const r = c.ropeScaling;
    hf.rope_scaling = {
      rope_type: r.ropeType, factor: r.factor, low_freq_factor: r.lowFreqFactor,
      high_freq_factor: r.highFreqFactor, original_max_position_embeddings: r.originalMaxPositionEmbeddings,
    };
  }
  if (c.family === "llama") { hf.attention_bias = c.attentionBias; hf.mlp_bias = false; }
  if (c.family === "mistral") hf.sliding_window = c.slidingWindow; // null written as null: absent would mean 4096
  if (c.family === "qwen3") { hf.attention_bias = c.attentionBias; hf.use_sliding_window = false; }
  if (c.family === "gemma2") {
    hf.hidden_activation = c.hiddenAct;
    hf.query_pre_attn_scalar = c.queryPreAttnScalar;
    hf.attn_logit_softcapping = c.attnLogitSoftcapping;
    hf.final_logit_softcapping = c.finalLogitSoftcapping;
    hf.sliding_window = c.slidingWindow;
    hf.layer_types = c.layerTypes;
  }
  return hf;
}

/** A config from a few fields, HF defaults for the rest (for fresh models and tests). */
export function makeConfig(family: Family, over: Partial<ModelConfig> & Pick<ModelConfig, "vocabSize" | "hiddenSize" | "intermediateSize" | "numHiddenLayers" | "numAttentionHeads">): ModelConfig {
  const hf: HfConfig = {
    model_type: family,
    vocab_size: over.vocabSize, hidden_size: over.hiddenSize, intermediate_size: over.intermediateSize,
    num_hidden_layers: over.numHiddenLayers, num_attention_heads: over.numAttentionHeads,
  };
  if (family === "gemma2") Object.assign(hf, { query_pre_attn_scalar: over.headDim ?? over.hiddenSize / over.numAttentionHeads, attn_logit_softcapping: 50, final_logit_softcapping: 30, sliding_window: 4096 });
  const base = fromHfConfig(hf);
  const merged = { ...base, ...over };
  // which layers slide follows the window given (Mistral: all of them, or none when it is null)
  if (over.numHiddenLayers !== undefined && !over.layerTypes) merged.layerTypes = layerTypesOf({ sliding_window: merged.slidingWindow }, family, over.numHiddenLayers);
  return merged;
}

// transformers ≥ 5 validates config types strictly: a float field written as `3` is rejected.
const FLOAT_KEYS = new Set(["rms_norm_eps", "rope_theta", "initializer_range", "attn_logit_softcapping", "final_logit_softcapping", "factor", "low_freq_factor", "high_freq_factor"]);

/** config.json text: float fields keep a decimal point (3 → 3.0). */
export function hfConfigJson(hf: Record<string, unknown>): string {
  const text = JSON.stringify(hf, (key, v) => (FLOAT_KEYS.has(key) && Number.isInteger(v) ? `__float__${v}` : v), 2);
  return text.replace(/"__float__(-?\d+)"/g, "$1.0") + "\n";
}
