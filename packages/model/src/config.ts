// Model configuration: one camelCase shape for every family, mapped from/to Hugging Face's
// config.json in exactly one place each (fromHfConfig / toHfConfig).
import { TooltuneError } from "@tooltune/core";

/** The model_types this package loads, trains and saves (the one list: errors and train's params use it). */
export const FAMILIES = ["llama", "mistral", "qwen2", "qwen3", "gemma2", "gemma3_text", "phi3"] as const;
export type Family = (typeof FAMILIES)[number];

/** Gemma 2 and 3: (1 + w) norms, √hidden embedding scale, sandwich norms, GELU-tanh, query_pre_attn_scalar. */
export const isGemma = (family: Family): boolean => family === "gemma2" || family === "gemma3_text";

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
  /** Rope scaling, if the checkpoint has one: Llama 3's, Phi-3's LongRoPE, Gemma 3's linear (full layers only). */
  ropeScaling: RopeScaling | null;
  /** Gemma 3: the sliding layers' own RoPE base (rope_local_base_freq), unscaled; null: they use ropeTheta. */
  ropeLocalTheta: number | null;
  /** Share of each head's dims that RoPE rotates, the first ones (Phi-4-mini: 0.75); the rest pass. */
  partialRotaryFactor: number;
  maxPositionEmbeddings: number;
  tieWordEmbeddings: boolean;
  /** Bias on q/k/v projections (Qwen2: true). */
  attentionBias: boolean;
  /** Bias on o_proj (Qwen2: false even though q/k/v have one). */
  oProjBias: boolean;
  /** Per-head RMSNorm on q and k before RoPE (Qwen3's q_norm / k_norm). */
  qkNorm: boolean;
  /**
   * Phi-3: one qkv_proj [q + 2kv, H] and one gate_up_proj [2I, H] instead of q/k/v_proj and
   * gate/up_proj. Held fused as HF stores them (so a LoRA on them is PEFT's, one A shared by the
   * parts); the projections' outputs are split, not the weights.
   */
  fusedProjections: boolean;
  hiddenAct: "silu" | "gelu_pytorch_tanh";
  /** Dropout on the attention probabilities while training (`attention_dropout`: every family's modeling code reads it). */
  attentionDropout: number;
  /**
   * Phi-3: dropout on the attention and MLP outputs before their residual adds while training
   * (`resid_pdrop`: Phi3DecoderLayer's resid_attn_dropout, resid_mlp_dropout); 0 elsewhere.
   * Phi3Config's `embd_pdrop` is not held: transformers 5.18's Phi3Model never applies it.
   */
  residDropout: number;
  initializerRange: number;
  // Gemma only (null elsewhere)
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

export type RopeScaling = Llama3Rope | LongRope | LinearRope;

/** transformers _compute_linear_scaling_rope_parameters: inv_freq / factor (Gemma 3 4B and up, full layers). */
export interface LinearRope {
  ropeType: "linear";
  factor: number;
}

export interface Llama3Rope {
  ropeType: "llama3";
  factor: number;
  lowFreqFactor: number;
  highFreqFactor: number;
  originalMaxPositionEmbeddings: number;
}

/**
 * Phi-3's LongRoPE (transformers _compute_longrope_parameters + longrope_frequency_update):
 * inv_freq / shortFactor, or / longFactor when the call's largest position + 1 exceeds
 * originalMaxPositionEmbeddings; cos and sin times attentionFactor.
 */
export interface LongRope {
  ropeType: "longrope";
  shortFactor: number[];
  longFactor: number[];
  originalMaxPositionEmbeddings: number;
  /** As given (null: max_position_embeddings / originalMaxPositionEmbeddings, only for attentionFactor). */
  factor: number | null;
  /** As given (null: √(1 + ln factor / ln originalMax), 1 when factor ≤ 1). */
  attentionFactor: number | null;
}

type HfConfig = Record<string, unknown>;

/** A config.json this package cannot load: the user's input, so an INPUT error at the file. */
const unsupported = (where: string, message: string, fix?: string) => new TooltuneError("INPUT", message, { where, fix });

function num(hf: HfConfig, key: string, where: string, fallback?: number): number {
  const v = hf[key];
  if (typeof v === "number") return v;
  if (fallback !== undefined) return fallback;
  throw unsupported(where, `missing number "${key}"`, "a Hugging Face config.json has it (save_pretrained writes it)");
}

/** A dropout probability (absent: 0, the configs' default); 1 would zero the sublayer, so it is refused. */
function rateOf(hf: HfConfig, key: string, where: string): number {
  const p = num(hf, key, where, 0);
  if (!(p >= 0 && p < 1)) throw unsupported(where, `"${key}" must be in [0, 1), got ${p}`);
  return p;
}

function familyOf(hf: HfConfig, where: string): Family {
  const t = String(hf.model_type ?? "");
  if ((FAMILIES as readonly string[]).includes(t)) return t as Family;
  throw unsupported(where, `model_type "${t}" is not supported (supported: ${FAMILIES.join(", ")})`, "use a checkpoint of one of these families");
}

/**
 * transformers ≥ 5 writes `rope_parameters` {rope_type, rope_theta, …}; older configs `rope_theta` +
 * `rope_scaling`. Gemma 3's rope_parameters hold one such dict per layer type: this is the full layers'.
 */
function ropeParamsOf(hf: HfConfig): HfConfig | null {
  const rp = hf.rope_parameters as HfConfig | null | undefined;
  if (rp && typeof rp.full_attention === "object") return rp.full_attention as HfConfig;
  return ((rp ?? hf.rope_scaling) as HfConfig | null | undefined) ?? null;
}

/** Gemma 3's sliding layers: rope_parameters.sliding_attention (transformers 5) or rope_local_base_freq, unscaled. */
function ropeLocalThetaOf(hf: HfConfig, family: Family, where: string): number | null {
  if (family !== "gemma3_text") return null;
  const local = (hf.rope_parameters as HfConfig | null | undefined)?.sliding_attention as HfConfig | undefined;
  const type = local?.rope_type ?? "default";
  if (type !== "default") throw unsupported(where, `rope_parameters.sliding_attention rope_type "${String(type)}" is not supported (default)`);
  return num(local ?? {}, "rope_theta", where, num(hf, "rope_local_base_freq", where, 10000)); // Gemma3TextConfig's default_theta local
}

function ropeScalingOf(hf: HfConfig, family: Family, where: string): RopeScaling | null {
  const rs = ropeParamsOf(hf);
  if (!rs) return null;
  let type = rs.rope_type ?? rs.type;
  if (type === "default" || type === undefined) return null;
  if (family === "phi3" && (type === "su" || type === "yarn")) type = "longrope"; // Phi3Config's old names for it
  if (family === "phi3" && type === "longrope") return longRopeOf(hf, rs, where);
  if (family === "gemma3_text" && type === "linear") return { ropeType: "linear", factor: num(rs, "factor", where) };
  const supported = { phi3: "llama3, longrope", gemma3_text: "llama3, linear" }[family as string] ?? "llama3";
  if (type !== "llama3") throw unsupported(where, `rope_scaling type "${String(type)}" is not supported for ${family} (${supported})`);
  return {
    ropeType: "llama3",
    factor: num(rs, "factor", where),
    lowFreqFactor: num(rs, "low_freq_factor", where),
    highFreqFactor: num(rs, "high_freq_factor", where),
    originalMaxPositionEmbeddings: num(rs, "original_max_position_embeddings", where),
  };
}

function factorList(rs: HfConfig, key: string, half: number, where: string): number[] {
  const v = rs[key];
  if (!Array.isArray(v) || v.length !== half || !v.every((x) => typeof x === "number"))
    throw unsupported(where, `rope_scaling.${key} must be ${half} numbers (rotary dims / 2)`);
  return v as number[];
}

function longRopeOf(hf: HfConfig, rs: HfConfig, where: string): LongRope {
  const headDim = headDimOf(hf, "phi3", num(hf, "hidden_size", where), num(hf, "num_attention_heads", where));
  const half = Math.floor(Math.floor(headDim * partialRotaryFactorOf(hf, "phi3", where)) / 2);
  return {
    ropeType: "longrope",
    shortFactor: factorList(rs, "short_factor", half, where),
    longFactor: factorList(rs, "long_factor", half, where),
    // Phi-3's own configs keep it at the top level, transformers 5 copies it into rope_parameters
    originalMaxPositionEmbeddings: num(rs, "original_max_position_embeddings", where, num(hf, "original_max_position_embeddings", where, 4096)),
    factor: typeof rs.factor === "number" ? rs.factor : null,
    attentionFactor: typeof rs.attention_factor === "number" ? rs.attention_factor : null,
  };
}

/** Phi-3 only (the other families' modeling code ignores the field): transformers 5 keeps it in
 * rope_parameters, Phi-3/4 config.json files at the top level. */
function partialRotaryFactorOf(hf: HfConfig, family: Family, where: string): number {
  if (family !== "phi3") return 1;
  return num(ropeParamsOf(hf) ?? {}, "partial_rotary_factor", where, num(hf, "partial_rotary_factor", where, 1));
}

/** Families whose one window, when set, is on every layer (their modeling code passes
 * config.sliding_window to all; a layer_types in config.json is ignored there). */
const windowOnEveryLayer = (family: Family) => family === "mistral" || family === "phi3";

/** Without a sliding_window key: MistralConfig's default 4096 (Mistral-7B-v0.1's window), Phi3Config's none. */
function everyLayerWindowOf(hf: HfConfig, family: Family): number | null {
  if ("sliding_window" in hf) return (hf.sliding_window as number | null) ?? null;
  return family === "mistral" ? 4096 : null;
}

function layerTypesOf(hf: HfConfig, family: Family, n: number, where: string): ModelConfig["layerTypes"] {
  if (windowOnEveryLayer(family)) return Array.from({ length: n }, () => (everyLayerWindowOf(hf, family) === null ? "full_attention" : "sliding_attention"));
  if (Array.isArray(hf.layer_types)) return hf.layer_types as ModelConfig["layerTypes"];
  // Gemma3TextConfig: every sliding_window_pattern-th layer (default 6) is global, the others slide
  if (family === "gemma3_text") {
    const pattern = num(hf, "sliding_window_pattern", where, 6);
    return Array.from({ length: n }, (_, i) => ((i + 1) % pattern ? "sliding_attention" : "full_attention"));
  }
  // Qwen2/Qwen3 configs slide only with use_sliding_window, which slidingWindowOf refuses: all full.
  // transformers Gemma2Config: "sliding_attention" if bool((i + 1) % 2) — even layers slide.
  if (family === "gemma2") return Array.from({ length: n }, (_, i) => ((i + 1) % 2 ? "sliding_attention" : "full_attention"));
  return Array.from({ length: n }, () => "full_attention");
}

/**
 * Gemma2's, Mistral's and Phi-3's window (null: e.g. Mistral v0.2 on, full attention). Qwen2/Qwen3 keep `sliding_window` in every config but, as their transformers
 * configs do (`sliding_window if use_sliding_window else None`), use it only with
 * use_sliding_window: true, which is not verified here and so refused; a layer_types that names
 * sliding layers without a window is refused too (transformers fails on it at the first forward).
 */
function slidingWindowOf(hf: HfConfig, family: Family, layerTypes: ModelConfig["layerTypes"], where: string): number | null {
  if (family === "gemma2") return (hf.sliding_window as number | null) ?? null;
  if (family === "gemma3_text") {
    // EmbeddingGemma's bidirectional attention halves the window and drops causality: not this model
    if (hf.use_bidirectional_attention === true) throw unsupported(where, "Gemma 3 use_bidirectional_attention: true is not supported (a causal LM only)");
    return "sliding_window" in hf ? ((hf.sliding_window as number | null) ?? null) : 4096; // Gemma3TextConfig's default
  }
  if (windowOnEveryLayer(family)) return everyLayerWindowOf(hf, family);
  const name = family[0].toUpperCase() + family.slice(1);
  if (hf.use_sliding_window === true) throw unsupported(where, `${name} use_sliding_window: true is not supported`, "set it to false: full attention in every layer");
  if (layerTypes.includes("sliding_attention")) throw unsupported(where, `layer_types names sliding_attention layers, but ${name} slides only with use_sliding_window: true (not supported)`, "make them full_attention");
  return null;
}

/** When absent: Qwen3Config's 128, Gemma3TextConfig's 256; the others: hidden_size / num_attention_heads. */
function headDimOf(hf: HfConfig, family: Family, hiddenSize: number, numAttentionHeads: number): number {
  if (typeof hf.head_dim === "number") return hf.head_dim;
  return ({ qwen3: 128, gemma3_text: 256 } as Partial<Record<Family, number>>)[family] ?? hiddenSize / numAttentionHeads;
}

/** `where` names the file in errors (loadModel passes the config.json path). */
export function fromHfConfig(hf: HfConfig, where = "config.json"): ModelConfig {
  const family = familyOf(hf, where);
  const gemma = isGemma(family);
  const hiddenSize = num(hf, "hidden_size", where);
  const numAttentionHeads = num(hf, "num_attention_heads", where);
  const numHiddenLayers = num(hf, "num_hidden_layers", where);
  const layerTypes = layerTypesOf(hf, family, numHiddenLayers, where);
  return {
    family,
    vocabSize: num(hf, "vocab_size", where),
    hiddenSize,
    intermediateSize: num(hf, "intermediate_size", where),
    numHiddenLayers,
    numAttentionHeads,
    numKeyValueHeads: num(hf, "num_key_value_heads", where, numAttentionHeads),
    headDim: headDimOf(hf, family, hiddenSize, numAttentionHeads),
    rmsNormEps: num(hf, "rms_norm_eps", where, family === "phi3" ? 1e-5 : 1e-6), // Phi3Config's default
    ropeTheta: num(ropeParamsOf(hf) ?? {}, "rope_theta", where, num(hf, "rope_theta", where, family === "gemma3_text" ? 1e6 : 10000)), // transformers default_theta
    ropeLocalTheta: ropeLocalThetaOf(hf, family, where),
    ropeScaling: ropeScalingOf(hf, family, where),
    partialRotaryFactor: partialRotaryFactorOf(hf, family, where),
    maxPositionEmbeddings: num(hf, "max_position_embeddings", where, 2048),
    tieWordEmbeddings: typeof hf.tie_word_embeddings === "boolean" ? hf.tie_word_embeddings : gemma,
    // Phi3Attention has no biases whatever the config says
    attentionBias: family === "qwen2" || (family !== "phi3" && hf.attention_bias === true),
    oProjBias: family !== "qwen2" && family !== "phi3" && hf.attention_bias === true, // Qwen3 as Llama: attention_bias is on all four
    qkNorm: family === "qwen3" || family === "gemma3_text",
    fusedProjections: family === "phi3",
    hiddenAct: gemma ? "gelu_pytorch_tanh" : "silu",
    attentionDropout: rateOf(hf, "attention_dropout", where),
    residDropout: family === "phi3" ? rateOf(hf, "resid_pdrop", where) : 0,
    initializerRange: num(hf, "initializer_range", where, 0.02),
    queryPreAttnScalar: gemma ? num(hf, "query_pre_attn_scalar", where, 256) : null,
    attnLogitSoftcapping: gemma ? ((hf.attn_logit_softcapping as number | null) ?? null) : null,
    finalLogitSoftcapping: gemma ? ((hf.final_logit_softcapping as number | null) ?? null) : null,
    slidingWindow: slidingWindowOf(hf, family, layerTypes, where),
    layerTypes,
    bosTokenId: (hf.bos_token_id as number | null) ?? null,
    eosTokenId: (hf.eos_token_id as number | number[] | null) ?? null,
    padTokenId: (hf.pad_token_id as number | null) ?? null,
    torchDtype: ((hf.torch_dtype ?? hf.dtype ?? "float32") as ModelConfig["torchDtype"]),
  };
}

const architectures: Record<Family, string> = { llama: "LlamaForCausalLM", mistral: "MistralForCausalLM", qwen2: "Qwen2ForCausalLM", qwen3: "Qwen3ForCausalLM", gemma2: "Gemma2ForCausalLM", gemma3_text: "Gemma3ForCausalLM", phi3: "Phi3ForCausalLM" };

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
  const r = c.ropeScaling;
  if (r?.ropeType === "llama3") {
    hf.rope_scaling = {
      rope_type: r.ropeType, factor: r.factor, low_freq_factor: r.lowFreqFactor,
      high_freq_factor: r.highFreqFactor, original_max_position_embeddings: r.originalMaxPositionEmbeddings,
    };
  }
  if (r?.ropeType === "longrope") {
    hf.rope_scaling = {
      rope_type: r.ropeType, short_factor: r.shortFactor, long_factor: r.longFactor, original_max_position_embeddings: r.originalMaxPositionEmbeddings,
      ...(r.factor === null ? {} : { factor: r.factor }), ...(r.attentionFactor === null ? {} : { attention_factor: r.attentionFactor }),
    };
    hf.original_max_position_embeddings = r.originalMaxPositionEmbeddings;
  }
  // only when set, so a config without dropout is written byte for byte as before
  if (c.attentionDropout !== 0) hf.attention_dropout = c.attentionDropout;
  if (c.residDropout !== 0) hf.resid_pdrop = c.residDropout;
  if (c.partialRotaryFactor !== 1) hf.partial_rotary_factor = c.partialRotaryFactor;
  if (c.family === "llama") { hf.attention_bias = c.attentionBias; hf.mlp_bias = false; }
  if (windowOnEveryLayer(c.family)) hf.sliding_window = c.slidingWindow; // null written as null: absent is Mistral's 4096
  if (c.family === "qwen3") { hf.attention_bias = c.attentionBias; hf.use_sliding_window = false; }
  if (r?.ropeType === "linear") hf.rope_scaling = { rope_type: r.ropeType, factor: r.factor }; // Gemma3TextConfig: the full layers'
  if (c.ropeLocalTheta !== null) hf.rope_local_base_freq = c.ropeLocalTheta;
  if (c.family === "gemma3_text") hf.attention_bias = c.attentionBias;
  if (isGemma(c.family)) {
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
  if (family === "gemma3_text") hf.query_pre_attn_scalar = over.headDim ?? 256; // no soft-caps in Gemma 3
  const base = fromHfConfig(hf);
  const merged = { ...base, ...over };
  // which layers slide follows the window given (Mistral: all of them, or none when it is null)
  if (over.numHiddenLayers !== undefined && !over.layerTypes) merged.layerTypes = layerTypesOf({ sliding_window: merged.slidingWindow }, family, over.numHiddenLayers, "makeConfig");
  return merged;
}

// transformers ≥ 5 validates config types strictly: a float field written as `3` is rejected.
const FLOAT_KEYS = new Set(["rms_norm_eps", "rope_theta", "rope_local_base_freq", "initializer_range", "attn_logit_softcapping", "final_logit_softcapping", "factor", "low_freq_factor", "high_freq_factor", "partial_rotary_factor", "attention_factor"]);

/** config.json text: float fields keep a decimal point (3 → 3.0). */
export function hfConfigJson(hf: Record<string, unknown>): string {
  const text = JSON.stringify(hf, (key, v) => (FLOAT_KEYS.has(key) && Number.isInteger(v) ? `__float__${v}` : v), 2);
  return text.replace(/"__float__(-?\d+)"/g, "$1.0") + "\n";
}
