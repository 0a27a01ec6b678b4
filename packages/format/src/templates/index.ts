/** Template lookup by name (DESIGN §4). */
import { gemmaCourse } from "./gemma-course.js";
import { chatml, llama3 } from "./hermes.js";
import { hfTemplate, loadTokenizerConfig } from "./hf.js";
import type { ChatTemplate } from "./types.js";
import { SHIPPED_TOKENIZER_NAMES } from "../shipped-tokenizers.js";

export const TEMPLATE_NAMES = ["gemma-course", "chatml", "llama3", "hf"] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

export interface TemplateOptions {
  /** For `hf`: a shipped name (SHIPPED_TOKENIZERS: qwen3, gemma3…), a tokenizer directory, or a tokenizer_config.json path. */
  tokenizer?: string;
}

export function getTemplate(name: string, opts: TemplateOptions = {}): ChatTemplate {
  switch (name) {
    case "gemma-course":
      return gemmaCourse;
    case "chatml":
      return chatml;
    case "llama3":
      return llama3;
    case "hf":
      if (!opts.tokenizer) throw new Error(`template 'hf' needs a tokenizer (${SHIPPED_TOKENIZER_NAMES.join(", ")}, a directory, or a tokenizer_config.json)`);
      return hfTemplate(loadTokenizerConfig(opts.tokenizer), "hf");
    default:
      throw new Error(`unknown template '${name}' (use ${TEMPLATE_NAMES.join(", ")})`);
  }
}
