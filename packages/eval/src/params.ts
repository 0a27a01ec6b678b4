import { z } from "zod";

export const evalParams = z
  .object({
    split: z.string().default("test").describe("which split of the conversations dataset to evaluate"),
    mode: z.enum(["strict", "bfcl"]).default("strict").describe("`bfcl`: BFCL's decoding and AST checker exactly; `strict`: optimal parallel matching, malformed calls never count as abstentions"),
    compare_base: z.boolean().default(false).describe("also evaluate the adapter's base model (its path is recorded in adapter_config.json); both go into one report"),
    max_items: z.number().int().positive().optional().describe("evaluate at most this many items, taken round-robin over categories"),
    max_new_tokens: z.number().int().positive().default(256).describe("generation budget per model turn"),
    episodes: z.number().int().min(0).default(0).describe("Thought → Act → Observe episodes to run per model (conversations with tool calls, in dataset order)"),
    max_steps: z.number().int().positive().default(6).describe("model turns per episode before it is cut off"),
    executor: z.enum(["replay", "catalog"]).default("replay").describe("episodes run calls by replaying the dataset's recorded tool responses, or with the synth catalog's real implementations"),
    temperature: z.number().min(0).default(0).describe("0 = greedy decoding"),
    batch_size: z.number().int().positive().default(8).describe("prompts generated together"),
    copy_probe: z.number().int().min(0).default(200).describe("in-context copy probe: items per kind (repeated spans of the model's own ids; numbers, dates, names repeated in sentences), run on each model; 0 = off"),
    failures_shown: z.number().int().min(0).default(30).describe("failing examples per model in report.html"),
  })
  .strict();

export type EvalParams = z.output<typeof evalParams>;
