import { BACKENDS, FAMILIES } from "@tooltune/model";
import { z } from "zod";

// The course notebook's LoRA and SFTConfig values (bonus unit 1, "Fine-tuning an LLM for function calling").
export const COURSE_TARGET_MODULES = ["gate_proj", "q_proj", "lm_head", "o_proj", "k_proj", "embed_tokens", "down_proj", "up_proj", "v_proj"] as const;

const targetModule = z.enum(["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj", "lm_head", "embed_tokens"]);

export const loraParams = z
  .object({
    r: z.number().int().positive().default(16).describe("LoRA rank"),
    alpha: z.number().positive().default(64).describe("lora_alpha: the update is scaled by alpha/r (alpha/√r with rsLoRA)"),
    dropout: z.number().min(0).max(1).default(0.05).describe("dropout on the LoRA input"),
    target_modules: z.array(targetModule).default([...COURSE_TARGET_MODULES]).describe("modules that get LoRA"),
    use_rslora: z.boolean().default(false).describe("rank-stabilised scaling alpha/√r"),
    trainable_tokens: z
      .enum(["none", "new"])
      .default("none")
      .describe("'new': train the embedding rows of the added special tokens on their own (PEFT trainable_token_indices)"),
  })
  .strict();

/** A fresh model made in the pipeline (no weights can be downloaded): HF config fields, vocab from the tokenizer. */
export const initParams = z
  .object({
    model_type: z.enum(FAMILIES).default("llama").describe("every family the model package loads can also start fresh"),
    hidden_size: z.number().int().positive().default(128),
    num_hidden_layers: z.number().int().positive().default(4),
    num_attention_heads: z.number().int().positive().default(4),
    // unset, it is the family's own default: transformers' Qwen3Config has 128 whatever the width
    head_dim: z.number().int().positive().optional().describe("size of each attention head (default: hidden_size / num_attention_heads; qwen3: 128, gemma3_text: 256, as their transformers configs)"),
    num_key_value_heads: z.number().int().positive().default(2),
    intermediate_size: z.number().int().positive().default(352),
    max_position_embeddings: z.number().int().positive().default(1024),
    rope_theta: z.number().positive().default(10000),
    tie_word_embeddings: z.boolean().default(true),
    seed: z.number().int().default(0).describe("weights seed"),
  })
  .strict();

export const trainParams = z
  .object({
    base: z.string().optional().describe("a Hugging Face checkpoint directory; or give `init`, or an upstream `model` input"),
    init: initParams.optional().describe("build a fresh model from this config (vocab size from the tokenizer)"),
    mode: z.enum(["lora", "full"]).default("lora"),
    lora: loraParams.default(loraParams.parse({})),
    lr: z.number().positive().default(1e-4),
    schedule: z.enum(["cosine", "linear", "constant"]).default("cosine"),
    warmup_ratio: z.number().min(0).max(1).default(0.1),
    warmup_steps: z.number().int().min(0).optional().describe("overrides warmup_ratio"),
    weight_decay: z.number().min(0).default(0.1),
    max_grad_norm: z.number().min(0).default(1.0).describe("clip by global norm; 0 disables"),
    epochs: z.number().positive().default(1),
    max_steps: z.number().int().positive().optional().describe("optimizer updates; overrides epochs"),
    batch_size: z.number().int().positive().default(1).describe("rows per micro-batch"),
    batch_tokens: z.number().int().positive().optional().describe("instead of batch_size: padded tokens per micro-batch"),
    grad_accum: z.number().int().positive().default(4).describe("micro-batches per optimizer update"),
    gradient_checkpointing: z.boolean().default(false).describe("recompute each decoder layer's forward in backward: less memory, about one more forward per step"),
    log_every: z.number().int().positive().default(1),
    eval_every: z.number().int().min(0).default(0).describe("eval loss on the test split every N updates (and at the end); 0 = only at the end"),
    checkpoint_every: z.number().int().min(0).default(50).describe("0 = only at the end"),
    seed: z.number().int().optional().describe("defaults to the pipeline seed"),
    backend: z.enum(["auto", ...BACKENDS]).default("auto").describe("compute backend: auto takes the first that works"),
  })
  .strict();

export type TrainParams = z.output<typeof trainParams>;
