import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadTokenizerBundle, BUNDLE_FILE, VOCAB_MULTIPLE } from "./bundle.js";

// DESIGN §4: the course's set, spelled right.
const COURSE = ["<tools>", "</tools>", "<think>", "</think>", "<tool_call>", "</tool_call>", "<tool_response>", "</tool_response>", "<pad>", "<eos>"];
const tmp = mkdtempSync(join(tmpdir(), "tokenize-bundle-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("qwen3 bundle", () => {
  const bundle = loadTokenizerBundle("qwen3");

  it("takes eos and pad from tokenizer_config.json", () => {
    expect(bundle.eosId).toBe(bundle.idOf("<|im_end|>"));
    expect(bundle.padId).toBe(bundle.idOf("<|endoftext|>"));
    expect(bundle.vocabSize).toBe(151669);
  });

  it("keeps ids of specials Qwen3 has and gives new ones the next ids, in order", () => {
    const before = { think: bundle.idOf("<think>"), call: bundle.idOf("<tool_call>"), resp: bundle.idOf("</tool_response>") };
    const added = bundle.addSpecialTokens(COURSE);
    expect(added).toEqual(["<tools>", "</tools>", "<pad>", "<eos>"]);
    expect(bundle.idOf("<think>")).toBe(before.think);
    expect(bundle.idOf("<tool_call>")).toBe(before.call);
    expect(bundle.idOf("</tool_response>")).toBe(before.resp);
    expect(bundle.newTokenIds).toEqual([151669, 151670, 151671, 151672]);
    expect(bundle.vocabSize).toBe(151673);
    expect(bundle.specialTokens.map((t) => t.content)).toEqual(COURSE);
  });

  it("never splits an added token, even glued to text", async () => {
    const ids = Array.from(await bundle.encode("x<tools>[]</tools>y<pad>"));
    expect(ids).toContain(bundle.idOf("<tools>"));
    expect(ids).toContain(bundle.idOf("</tools>"));
    expect(ids).toContain(bundle.idOf("<pad>"));
    expect(await bundle.decode(ids)).toBe("x<tools>[]</tools>y<pad>");
    expect(await bundle.decode(ids, { skipSpecial: true })).toBe("x[]y");
  });

  it("reports offsets in UTF-16 units, past emoji and CJK", async () => {
    const text = "a 😀 b 世界 🇫🇷 c<think>é</think>";
    const { ids, offsets } = await bundle.encodeWithOffsets(text);
    expect(offsets.length).toBe(2 * ids.length);
    // Offsets tile the text: each token starts where the previous ended, the last ends at text.length.
    for (let i = 1; i < ids.length; i++) expect(offsets[2 * i]).toBeGreaterThanOrEqual(offsets[2 * i - 1] - 2);
    expect(offsets[2 * ids.length - 1]).toBe(text.length);
    const think = ids.indexOf(bundle.idOf("<think>")!);
    expect(text.slice(offsets[2 * think], offsets[2 * think + 1])).toBe("<think>");
  });

  it("saves a bundle that loads back with the same ids, specials, template and eos/pad", async () => {
    bundle.setTemplate({ name: "chatml", specialTokens: COURSE });
    bundle.setPadToken("<pad>");
    const dir = join(tmp, "full");
    bundle.save(dir);
    const back = loadTokenizerBundle(dir);
    const text = "<tools>[]</tools> hello 😀 <eos>";
    expect(Array.from(await back.encode(text))).toEqual(Array.from(await bundle.encode(text)));
    expect(back.specialTokens).toEqual(bundle.specialTokens);
    expect(back.template).toEqual({ name: "chatml", specialTokens: COURSE });
    expect(back.padId).toBe(bundle.idOf("<pad>"));
    expect(back.eosId).toBe(bundle.eosId);
    const config = JSON.parse(readFileSync(join(dir, "tokenizer_config.json"), "utf8"));
    expect(config.pad_token).toBe("<pad>");
    expect(config.added_tokens_decoder["151669"].content).toBe("<tools>");
  });
});

describe("trimmed vocabulary", () => {
  const corpus = ["Hello world, 你好 😀!", "<tool_call>\n{\"name\": \"f\"}\n</tool_call>"];

  it("maps to dense ids, pads the size to a multiple of 64, and round-trips through save", async () => {
    const bundle = loadTokenizerBundle("qwen3");
    bundle.addSpecialTokens(COURSE);
    const used = new Set<number>();
    for (const t of corpus) for (const id of await bundle.encode(t)) used.add(id);
    const full = await Promise.all(corpus.map((t) => bundle.encode(t)));
    bundle.trimVocab(used);
    // used + specials + eos (<|im_end|>) + pad (<|endoftext|>) + <unk>
    expect(bundle.vocabSize % VOCAB_MULTIPLE).toBe(0);
    expect(bundle.vocabSize).toBeLessThan(used.size + COURSE.length + 3 + VOCAB_MULTIPLE);
    for (const [i, t] of corpus.entries()) {
      const ids = await bundle.encode(t);
      expect(Math.max(...ids)).toBeLessThan(bundle.vocabSize);
      expect(bundle.toOriginalIds(ids)).toEqual(Array.from(full[i]));
      expect(await bundle.decode(ids)).toBe(t);
    }
    // Text the corpus never used falls back to <unk>, which decodes as a special token.
    const unseen = await bundle.encode("zebra");
    expect(Array.from(unseen).every((id) => id === bundle.unkId)).toBe(true);
    expect(await bundle.decode(unseen, { skipSpecial: true })).toBe("");

    const dir = join(tmp, "trim");
    bundle.save(dir);
    const back = loadTokenizerBundle(dir);
    expect(back.isTrimmed).toBe(true);
    expect(back.vocabSize).toBe(bundle.vocabSize);
    expect(back.newTokenIds).toEqual(bundle.newTokenIds);
    expect(Array.from(await back.encode(corpus[1]))).toEqual(Array.from(await bundle.encode(corpus[1])));
    expect(JSON.parse(readFileSync(join(dir, BUNDLE_FILE), "utf8")).vocab.original_ids.length).toBeLessThan(bundle.vocabSize + 1);

    // A pretrained base's bundle takes its own special-token set again (the quickstart tokenizes
    // with it), but no token the model has no row for.
    expect(back.addSpecialTokens(COURSE)).toEqual([]);
    expect(back.vocabSize).toBe(bundle.vocabSize);
    expect(() => back.addSpecialTokens([...COURSE, "<extra>"])).toThrow(/no ids for the special tokens <extra>/);
  });
});

describe("any Hugging Face tokenizer directory", () => {
  // A tiny word-level tokenizer.json and no tokenizer_config.json: no eos known.
  const dir = join(tmp, "tiny");
  mkdirSync(dir, { recursive: true });
  const model = { type: "WordLevel", vocab: { "[UNK]": 0, hello: 1, world: 2, "</s>": 3 }, unk_token: "[UNK]" };
  const json = { version: "1.0", truncation: null, padding: null, added_tokens: [], normalizer: null, pre_tokenizer: { type: "Whitespace" }, post_processor: null, decoder: null, model };
  writeFileSync(join(dir, "tokenizer.json"), JSON.stringify(json));

  it("loads without an eos, says so when asked for one, and takes one when given", async () => {
    const b = loadTokenizerBundle(dir);
    expect(Array.from(await b.encode("hello world"))).toEqual([1, 2]);
    expect(() => b.eosId).toThrow(/has no eos token/);
    b.setEosToken("</s>");
    expect([b.eosId, b.padId]).toEqual([3, 3]);
    expect(b.addSpecialTokens(["<tool_call>", "hello"])).toEqual(["<tool_call>"]);
    expect(b.newTokenIds).toEqual([4]);
    expect(b.idOf("hello")).toBe(1);
  });

  it("names the directory when there is no tokenizer.json", () => {
    expect(() => loadTokenizerBundle(join(tmp, "nowhere"))).toThrow(/no tokenizer.json in '.*nowhere'/);
  });
});
