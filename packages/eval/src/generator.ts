/**
 * What eval needs from a model: prompts in, completions out. The real one wraps model + adapter
 * + tokenizer bundle; tests use a scripted stand-in, so eval's tests never wait on training.
 */
import type { GenerateOptions as TokenGenerateOptions } from "@tooltune/model";
import type { TokenizerBundle } from "@tooltune/tokenize";
import type { NextTokenLogits } from "./copy-probe.js";

/** model's GenerateOptions at the text level: stop strings (the template's end-of-turn) instead of token ids. */
export type GenerateOptions = Pick<TokenGenerateOptions, "maxNewTokens" | "seed"> & {
  /** 0 = greedy. */
  temperature: number;
  /** Generation stops at the first of these. */
  stop?: string[];
};

export interface Generator {
  /** Shown in results and the report: "base", "adapter", or a model's name. */
  name: string;
  generate(prompts: string[], opts: GenerateOptions): Promise<string[]>;
  /** Tokens generated so far, when the generator can count them (for tokens/s). */
  generatedTokens?(): number;
  /** What the copy probe needs, when there is a model behind the generator: its ids and logits. */
  probe?: { bundle: TokenizerBundle; logits: NextTokenLogits };
}

/**
 * A stand-in model: `respond(prompt)` decides each completion; it keeps every prompt it was
 * given, so tests can look at what the model saw.
 */
export function scriptedGenerator(name: string, respond: (prompt: string) => string): Generator & { prompts: string[] } {
  const prompts: string[] = [];
  return {
    name,
    prompts,
    async generate(batch: string[]) {
      prompts.push(...batch);
      return batch.map(respond);
    },
  };
}
