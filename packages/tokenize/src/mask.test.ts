import { describe, expect, it } from "vitest";
import { loadTokenizerBundle } from "./bundle.js";
import { checkSpans, lossMask } from "./mask.js";

const offsets = (...pairs: [number, number][]) => Int32Array.from(pairs.flat());

describe("lossMask (hand-made offsets)", () => {
  // Tokens: [0,2) [2,4) [4,6) [6,8); text length 8. The first token is never a target.
  const toks = offsets([0, 2], [2, 4], [4, 6], [6, 8]);
  const cases: { name: string; spans: [number, number][]; want: number[] }[] = [
    { name: "span on token edges", spans: [[2, 6]], want: [0, 1, 1, 0] },
    { name: "span starting inside a token trains it (straddle)", spans: [[3, 6]], want: [0, 1, 1, 0] },
    { name: "span ending inside a token trains it (straddle)", spans: [[4, 7]], want: [0, 0, 1, 1] },
    { name: "one-unit span inside a token", spans: [[5, 6]], want: [0, 0, 1, 0] },
    { name: "empty span trains nothing", spans: [[4, 4]], want: [0, 0, 0, 0] },
    { name: "span on the first token: still not a target", spans: [[0, 2]], want: [0, 0, 0, 0] },
    { name: "two spans", spans: [[2, 4], [6, 8]], want: [0, 1, 0, 1] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const spans = c.spans.map(([start, end]) => ({ start, end, train: true }));
      expect(Array.from(lossMask(toks, spans, 8))).toEqual(c.want);
    });
  }
  it("ignores spans with train=false", () => {
    expect(Array.from(lossMask(toks, [{ start: 2, end: 8, train: false }], 8))).toEqual([0, 0, 0, 0]);
  });
  it("never trains a token that covers no character", () => {
    expect(Array.from(lossMask(offsets([0, 1], [1, 1], [1, 2]), [{ start: 0, end: 2, train: true }], 2))).toEqual([0, 0, 1]);
  });
});

describe("checkSpans", () => {
  it.each([
    [[{ start: 0, end: 3, train: true }], 3, undefined],
    [[{ start: 2, end: 1, train: true }], 3, "span 0 [2, 1) is not inside the text (length 3)"],
    [[{ start: 0, end: 1, train: true }, { start: 1, end: 4, train: false }], 3, "span 1 [1, 4) is not inside the text (length 3)"],
    [[{ start: 0.5, end: 1, train: true }], 3, "span 0 [0.5, 1) is not inside the text (length 3)"],
  ])("%j in a text of %i", (spans, length, want) => expect(checkSpans(spans, length)).toBe(want));
});

describe("lossMask with the real tokenizer", () => {
  const bundle = loadTokenizerBundle("qwen3");

  async function trainedText(text: string, start: number, end: number): Promise<string> {
    const { ids, offsets: offs } = await bundle.encodeWithOffsets(text);
    const mask = lossMask(offs, [{ start, end, train: true }], text.length);
    return bundle.decode(ids.filter((_, t) => mask[t] === 1));
  }

  it("finds spans after astral characters by UTF-16 offsets (code-point offsets would be off by one per emoji)", async () => {
    const text = "user: 😀😀 ok\nbot:\n🇫🇷 Paris 世界<|im_end|>";
    const start = text.indexOf("🇫🇷");
    expect(await trainedText(text, start, text.length)).toBe(text.slice(start));
  });

  it("trains the whole token when a span edge falls inside it (straddle rule)", async () => {
    const text = "say: Hello world";
    // "rld" is inside the token " world": the whole token is trained, so decoding gives " world".
    expect(await trainedText(text, text.indexOf("rld"), text.length)).toBe(" world");
  });
});
