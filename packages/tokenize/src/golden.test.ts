/**
 * Against Hugging Face's Python stack: fixtures/golden.json was made by fixtures/make_golden.py
 * (transformers' AutoTokenizer on the Qwen3 tokenizer npm ships, course special tokens added).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadTokenizerBundle } from "./bundle.js";
import { lossMask } from "./mask.js";
import type { Golden } from "./test-golden.js";


const golden = JSON.parse(readFileSync(new URL("../fixtures/golden.json", import.meta.url), "utf8")) as Golden;
const bundle = loadTokenizerBundle("qwen3");
const added = bundle.addSpecialTokens(golden.special_tokens);
bundle.setPadToken("<pad>");

/** Maximal runs of consecutive masked-in tokens. */
function runs(ids: Int32Array, mask: Uint8Array): number[][] {
  const out: number[][] = [];
  let open = false;
  for (let t = 0; t < ids.length; t++) {
    if (mask[t] && !open) out.push([]);
    if (mask[t]) out.at(-1)!.push(ids[t]);
    open = mask[t] === 1;
  }
  return out;
}

describe("golden: Python transformers/tokenizers", () => {
  it("adds the course's special tokens with the same ids, the same new ones, and the same size", () => {
    for (const [token, id] of Object.entries(golden.added_ids)) expect(bundle.idOf(token), token).toBe(id);
    expect(added).toEqual(golden.new_tokens);
    expect(bundle.newTokenIds).toEqual(golden.new_tokens.map((t) => golden.added_ids[t]));
    expect(bundle.vocabSize).toBe(golden.len_tokenizer);
    expect(bundle.eosId).toBe(golden.eos_id);
    expect(bundle.padId).toBe(golden.pad_id);
  });

  for (const c of golden.cases) {
    it(`${c.name}: ids${c.mask ? ", loss mask and trained text" : ""}`, async () => {
      expect(Array.from(await bundle.encode(c.text))).toEqual(c.ids);
      if (!c.spans || !c.mask) return;
      const { ids, offsets } = await bundle.encodeWithOffsets(c.text);
      const mask = lossMask(offsets, c.spans, c.text.length);
      expect(Array.from(mask)).toEqual(c.mask);
      // Decoding each run of masked-in ids gives back exactly one train span's text: in these
      // templates no token straddles a span edge. Decoding gives the tokenizer's normalized (NFC)
      // text, which differs from the original only where the text was decomposed.
      const decoded = await Promise.all(runs(ids, mask).map((r) => bundle.decode(r)));
      expect(decoded).toEqual(c.spans.filter((s) => s.train).map((s) => c.text.slice(s.start, s.end).normalize("NFC")));
    });
  }
});

describe("trimmed vocabulary on the golden texts", () => {
  it("round-trips covered text exactly as the full tokenizer decodes it, and maps the rest to <unk>", async () => {
    const trimmed = loadTokenizerBundle("qwen3");
    trimmed.addSpecialTokens(golden.special_tokens);
    const covered = golden.cases.filter((c) => c.spans);
    trimmed.trimVocab(covered.flatMap((c) => c.ids));
    expect(trimmed.vocabSize).toBeLessThan(1024);
    for (const c of covered) {
      const ids = await trimmed.encode(c.text);
      expect(ids.includes(trimmed.unkId!)).toBe(false);
      expect(trimmed.toOriginalIds(ids)).toEqual(c.ids);
      const text = await trimmed.decode(ids);
      expect(text).toBe(await bundle.decode(c.ids));
      expect(text).toBe(c.text.normalize("NFC"));
    }
    // The special tokens keep working after the trim, and new ones stay distinct.
    for (const t of golden.special_tokens) expect(trimmed.idOf(t)).toBeLessThan(trimmed.vocabSize);
    expect(new Set(golden.special_tokens.map((t) => trimmed.idOf(t))).size).toBe(golden.special_tokens.length);
    // Text the corpus never used: every unseen id becomes <unk>.
    const rare = golden.cases.find((c) => c.name === "plain-0")!;
    const ids = await trimmed.encode(rare.text);
    expect(ids.filter((id) => id === trimmed.unkId).length).toBeGreaterThan(0);
  });
});
