import { z } from "zod";
import { SCHEMA_STYLES } from "./generate.js";

const weight = (value: number, what: string) => z.number().min(0).default(value).describe(`relative weight of ${what}`);

export const synthParams = z
  .object({
    conversations: z.number().int().min(1).max(10_000_000).default(3000).describe("how many conversations to generate (train and test together)"),
    test_fraction: z.number().min(0).max(1).default(0.1).describe("share of conversations in the held-out test split, chosen by a hash of id and seed"),
    mix: z
      .object({
        single: weight(0.5, "one call, then an answer"),
        parallel: weight(0.2, "two calls in one turn (two cities, two conversions, or two tools)"),
        multi_step: weight(0.15, "a call whose result feeds a second call"),
        no_call: weight(0.15, "small talk and requests no offered tool serves: answer without calling"),
      })
      .strict()
      .refine((m) => m.single + m.parallel + m.multi_step + m.no_call > 0, { message: "at least one mix weight must be positive" })
      // prefault: a partial mix in YAML (`mix: {no_call: 0.3}`) keeps the other defaults.
      .prefault({})
      .describe("relative weights of the conversation kinds; they need not sum to 1"),
    tools_min: z.number().int().min(1).max(23).default(3).describe("fewest tools a conversation offers (the called ones are always offered)"),
    tools_max: z
      .number()
      .int()
      .min(1)
      .max(23)
      .default(6)
      .describe("most tools a conversation offers; each offered schema costs ~130 prompt tokens (Qwen3 tokenizer, chatml)"),
    schemas: z
      .enum(SCHEMA_STYLES)
      .default("full")
      .describe("tool schemas as the catalog writes them, or compact: names, types, enums and required only (~half the prompt tokens)"),
    seed: z.number().int().optional().describe("generator seed; defaults to the pipeline seed"),
  })
  .strict()
  .refine((p) => p.tools_min <= p.tools_max, { message: "tools_min must not exceed tools_max", path: ["tools_min"] });

export type SynthParams = z.output<typeof synthParams>;
