import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { createModel, makeConfig, selectBackend } from "@tooltune/model";
import { loadTokenizerBundle, type TokenizerBundle } from "@tooltune/tokenize";
import { copyProbeItems, runCopyProbe, type NextTokenLogits, type ProbeItem } from "./copy-probe.js";
import { FILLERS, VALUE_TEMPLATES } from "./copy-probe-text.js";

const full = loadTokenizerBundle("qwen3");
/** A trimmed vocabulary as the tiny from-scratch base has: a few hundred ids and an <unk>. */
let trimmed: TokenizerBundle;

beforeAll(async () => {
  await selectBackend("cpu");
  trimmed = loadTokenizerBundle("qwen3");
  const corpus = [...FILLERS, "0123456789 ,.-:% $ The total is, on March 3, 2024."];
  const used = new Set<number>();
  for (const text of corpus) for (const id of await trimmed.encode(text)) used.add(id);
  trimmed.trimVocab(used);
});

/** The ideal copier: at each scored position, the token `distance` back (it knows the items). */
function copyOracle(items: ProbeItem[], V: number): NextTokenLogits {
  const distance = new Map(items.map((it) => [it.ids.join(","), it.distance]));
  return (rows, at) => {
    const next = at.flatMap((ts, b) => ts.map((t) => rows[b][t - distance.get(rows[b].join(","))!]));
    return tf.oneHot(tf.tensor1d(next, "int32"), V).toFloat() as tf.Tensor2D;
  };
}
const zeros = (V: number): NextTokenLogits => (_, at) => tf.zeros([at.flat().length, V]);
const noise = (V: number): NextTokenLogits => (_, at) => tf.randomNormal([at.flat().length, V], 0, 1, "float32", 7);

describe("copy probe items", () => {
  it("are the same for the same seed and differ for another", async () => {
    const a = await copyProbeItems(full, { seed: 3, perKind: 10 });
    expect(await copyProbeItems(full, { seed: 3, perKind: 10 })).toEqual(a);
    expect(await copyProbeItems(full, { seed: 4, perKind: 10 })).not.toEqual(a);
    expect(a.filter((it) => it.kind === "spans")).toHaveLength(10);
    expect(a.filter((it) => it.kind === "values")).toHaveLength(10);
  });

  it("repeat what came before, hold no added, eos, pad or unk token, and no tool markup", async () => {
    for (const bundle of [full, trimmed]) {
      const items = await copyProbeItems(bundle, { seed: 1, perKind: 30 });
      expect(items.filter((it) => it.kind === "values").length).toBe(30);
      const banned = new Set([...bundle.addedTokenIds, bundle.eosId, bundle.padId]);
      for (const it of items) {
        for (const t of it.targets) expect(it.ids[t]).toBe(it.ids[t - it.distance]);
        expect(it.targets.some((t) => it.ids[t] === bundle.unkId)).toBe(false);
        if (it.kind === "spans") {
          expect(it.ids.some((id) => banned.has(id) || id === bundle.unkId)).toBe(false);
          expect(it.targets.length).toBeGreaterThanOrEqual(2); // spans of 3–12, the first not scored
          expect(it.targets.length).toBeLessThanOrEqual(11);
        }
        // Filler words a trimmed vocabulary lacks are unk: context only, never scored.
        expect(it.ids.some((id) => banned.has(id) && id !== bundle.unkId)).toBe(false);
        expect(await bundle.decode(it.ids)).not.toMatch(/<\/?(tool_call|tool_response|tools|think)>|<\|/);
      }
    }
  });

  it("state values in sentences and score only the value's tokens in the repeat", async () => {
    expect(VALUE_TEMPLATES.length).toBeGreaterThanOrEqual(20);
    const items = (await copyProbeItems(full, { seed: 5, perKind: 40 })).filter((it) => it.kind === "values");
    const texts = await Promise.all(items.map((it) => full.decode(it.ids)));
    const values = await Promise.all(items.map((it) => full.decode(it.targets.map((t) => it.ids[t]))));
    values.forEach((v, i) => {
      const at = texts[i].lastIndexOf(v.trim());
      expect(texts[i].indexOf(v.trim())).toBeLessThan(at); // stated once before the repeat
    });
    expect(values.some((v) => /(\d)\1/.test(v))).toBe(true); // repeated digits occur
    expect(new Set(texts.map((t) => t.split(" ")[1])).size).toBeGreaterThan(10); // many templates used
  });
});

describe("copy probe scoring", () => {
  it("gives a perfect copier 1.0 and a zero or random model about chance", async () => {
    const items = await copyProbeItems(full, { seed: 2, perKind: 20 });
    const V = full.vocabSize;
    const oracle = runCopyProbe(copyOracle(items, V), items, { batchSize: 4 });
    expect(oracle).toMatchObject({ copy_accuracy: 1, spans: { items: 20, token_accuracy: 1, exact_match: 1 }, values: { items: 20, token_accuracy: 1, exact_match: 1 } });
    for (const model of [zeros(V), noise(V)]) {
      const r = runCopyProbe(model, items, { batchSize: 4 });
      expect(r.copy_accuracy).toBeLessThan(0.02);
      expect(r.spans.exact_match).toBe(0);
    }
  });

  it("runs a tiny random model: scores in [0, 1] near chance, whatever the batching", async () => {
    const model = createModel(makeConfig("qwen2", { vocabSize: trimmed.vocabSize, hiddenSize: 16, intermediateSize: 32, numHiddenLayers: 1, numAttentionHeads: 2, numKeyValueHeads: 1 }), 3);
    const items = await copyProbeItems(trimmed, { seed: 0, perKind: 12 });
    const before = tf.memory().numTensors;
    const r = runCopyProbe(model, items, { batchSize: 5 });
    expect(tf.memory().numTensors).toBe(before);
    for (const x of [r.copy_accuracy, r.spans.token_accuracy, r.values.token_accuracy, r.spans.exact_match, r.values.exact_match]) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(1);
    }
    expect(r.copy_accuracy).toBeLessThan(0.2);
    // Right padding never reaches an earlier position: one item at a time gives the same figures.
    expect(runCopyProbe(model, items, { batchSize: 1 })).toEqual(r);
    model.dispose();
  });
});
