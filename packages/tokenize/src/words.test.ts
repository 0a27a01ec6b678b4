/**
 * `pretokenize: words` against Hugging Face's Python `tokenizers`: fixtures/words_golden.json was made
 * by fixtures/make_words_golden.py, which writes the rule out on its own.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isTooltuneError } from "@tooltune/core";
import { loadTokenizerBundle, WORDS_PATTERN } from "./bundle.js";

interface WordsGolden {
  pattern: string;
  special_tokens: string[];
  pairs: [string, string][];
  cases: { text: string; ids: number[] }[];
}

const golden = JSON.parse(readFileSync(new URL("../fixtures/words_golden.json", import.meta.url), "utf8")) as WordsGolden;
const words = loadTokenizerBundle("qwen3", { pretokenize: "words" });
words.addSpecialTokens(golden.special_tokens);
const own = loadTokenizerBundle("qwen3");

/** Whether `part` occurs in `whole` as a contiguous run. */
function contains(whole: Int32Array, part: Int32Array): boolean {
  outer: for (let i = 0; i + part.length <= whole.length; i++) {
    for (let j = 0; j < part.length; j++) if (whole[i + j] !== part[j]) continue outer;
    return true;
  }
  return false;
}

describe("pretokenize: words", () => {
  it("is the rule the golden file was made with", () => {
    expect(WORDS_PATTERN).toBe(golden.pattern);
  });

  it("gives Python tokenizers' ids on every golden text", async () => {
    for (const c of golden.cases) expect(Array.from(await words.encode(c.text)), c.text.slice(0, 60)).toEqual(c.ids);
  });

  it("gives a value the same ids in a request and in the call that copies it (the tokenizer's own rule does not)", async () => {
    for (const value of ["Athens", "Lumio desk lamp", "EUR", "9062", "São Paulo"]) {
      const [request, call] = golden.pairs.find(([r]) => r.includes(value))!;
      const ids = await words.encode(value);
      expect(contains(await words.encode(request), ids), `${value} in ${request}`).toBe(true);
      expect(contains(await words.encode(call), ids), `${value} in ${call}`).toBe(true);
    }
    // Qwen3's own rule glues the space to the word in the request and the quote to it in the call.
    const ownAthens = await own.encode("Athens");
    expect(contains(await own.encode(golden.pairs[0][0]), ownAthens)).toBe(false);
  });

  it("is kept by a saved bundle, which needs the option no more", async () => {
    const dir = mkdtempSync(join(tmpdir(), "words-"));
    words.save(dir);
    const again = loadTokenizerBundle(dir);
    for (const c of golden.cases.slice(0, 5)) expect(Array.from(await again.encode(c.text))).toEqual(c.ids);
  });

  it("refuses a tokenizer that is not byte-level BPE, naming the file", () => {
    const dir = mkdtempSync(join(tmpdir(), "wordlevel-"));
    const spec = { version: "1.0", added_tokens: [], normalizer: null, pre_tokenizer: { type: "Whitespace" }, post_processor: null, decoder: null, model: { type: "WordLevel", vocab: { a: 0, "[UNK]": 1 }, unk_token: "[UNK]" } };
    writeFileSync(join(dir, "tokenizer.json"), JSON.stringify(spec));
    let caught: unknown;
    try {
      loadTokenizerBundle(dir, { pretokenize: "words" });
    } catch (e) {
      caught = e;
    }
    expect(isTooltuneError(caught) && caught.code === "CONFIG" && caught.message.includes(join(dir, "tokenizer.json"))).toBe(true);
  });
});
