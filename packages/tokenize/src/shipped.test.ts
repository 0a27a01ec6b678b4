/**
 * Every shipped tokenizer against Hugging Face's Python stack: fixtures/shipped_<name>.json were made
 * by fixtures/make_shipped_golden.py (transformers' AutoTokenizer on the same files from
 * node_modules, course special tokens added as the tokenize stage adds them).
 */
import { readFileSync } from "node:fs";
import { SHIPPED_TOKENIZER_NAMES } from "@tooltune/format";
import { describe, expect, it } from "vitest";
import { loadTokenizerBundle } from "./bundle.js";
import { lossMask } from "./mask.js";
import type { Golden } from "./test-golden.js";


const read = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/shipped_${name}.json`, import.meta.url), "utf8")) as Golden;

describe.each(SHIPPED_TOKENIZER_NAMES)("shipped tokenizer %s equals transformers/tokenizers", (name) => {
  const golden = read(name);
  const bundle = loadTokenizerBundle(name);
  const added = bundle.addSpecialTokens(golden.special_tokens);
  bundle.setPadToken("<pad>");

  it("adds the course's special tokens with the same ids, the same new ones, and the same size, eos and pad", () => {
    expect(golden.tokenizer).toBe(name);
    for (const [token, id] of Object.entries(golden.added_ids)) expect(bundle.idOf(token), token).toBe(id);
    expect(added).toEqual(golden.new_tokens);
    expect(bundle.vocabSize).toBe(golden.len_tokenizer);
    expect(bundle.eosId).toBe(golden.eos_id);
    expect(bundle.padId).toBe(golden.pad_id);
  });

  it("covers course text, template-rendered turns with the added markers, and unicode", () => {
    const texts = golden.cases.map((c) => c.text).join("");
    for (const t of ["<tools>", "<think>", "<tool_call>", "<tool_response>", "<start_of_turn>", "<|im_start|>", "🇫🇷"]) expect(texts).toContain(t);
    expect(golden.cases.filter((c) => c.mask).length).toBeGreaterThanOrEqual(5);
  });

  it.each(golden.cases)("$name: ids, offsets and loss mask", async (c) => {
    const { ids, offsets } = await bundle.encodeWithOffsets(c.text);
    expect(Array.from(ids)).toEqual(c.ids);
    const pairs = Array.from({ length: ids.length }, (_, i) => [offsets[2 * i], offsets[2 * i + 1]]);
    expect(pairs).toEqual(c.offsets);
    if (c.spans && c.mask) expect(Array.from(lossMask(offsets, c.spans, c.text.length))).toEqual(c.mask);
  });
});

describe("pretokenize: words on the shipped tokenizers", () => {
  it("replaces byte-level BPE pre-tokenizers (llama3) and refuses Gemma's SentencePiece-style one", async () => {
    const words = loadTokenizerBundle("llama3", { pretokenize: "words" });
    const own = loadTokenizerBundle("llama3");
    // Llama 3's own rule glues the leading space to the word (one token); `words` makes the space its own.
    expect((await own.encode(" Athens")).length).toBe(1);
    expect(Array.from(await words.encode(" Athens"))).toEqual([...(await own.encode(" ")), ...(await own.encode("Athens"))]);
    expect(() => loadTokenizerBundle("gemma2", { pretokenize: "words" })).toThrow(/words needs a byte-level BPE tokenizer/);
  });
});
