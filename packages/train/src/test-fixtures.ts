import { join } from "node:path";
import { writeTestDataset } from "@tooltune/core/testing";
import type { StageInput } from "@tooltune/core";
import { loadTokenizerBundle } from "@tooltune/tokenize";

const SENTENCES = [
  "The weather in Paris is sunny today.",
  "Convert 12 miles to kilometers please.",
  "What time is it in Tokyo right now?",
  "The weather in Lima is cloudy today.",
  "Convert 40 pounds to kilograms please.",
  "What time is it in Cairo right now?",
  "The weather in Oslo is rainy today.",
  "Convert 7 feet to meters please.",
];

/**
 * A small tokens dataset made with the real Qwen3 tokenizer, trimmed to the ids these sentences use:
 * one example per row, the first three tokens masked out (as a prompt would be).
 */
export async function writeTokensFixture(dir: string, copies = 3): Promise<StageInput> {
  const bundle = loadTokenizerBundle("qwen3");
  const encoded: Int32Array[] = [];
  for (const s of SENTENCES) encoded.push(await bundle.encode(s));
  bundle.trimVocab(encoded.flatMap((ids) => Array.from(ids)));
  const rows = [];
  for (let c = 0; c < copies; c++) {
    for (const [i, s] of SENTENCES.entries()) {
      const ids = await bundle.encode(s);
      rows.push({
        id: `r${c}-${i}`,
        input_ids: ids,
        loss_mask: Uint8Array.from(ids, (_, t) => (t < 3 ? 0 : 1)),
        position_ids: Int32Array.from(ids, (_, t) => t),
        n_examples: 1,
        split: i === 7 ? "test" : "train",
      });
    }
  }
  const input = await writeTestDataset(dir, "tokens", rows);
  bundle.save(join(dir, "tokenizer"));
  return input;
}

/** A tiny fresh llama for tests (vocab from the tokenizer). */
export const tinyInit = { model_type: "llama", hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 2, num_key_value_heads: 1, intermediate_size: 64, tie_word_embeddings: false, seed: 1 } as const;
