import * as tf from "@tensorflow/tfjs-core";
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { loadModel } from "./checkpoint.js";
import { CausalLM, type KvCache } from "./model.js";
import { FAMILIES, type LongRope, type ModelConfig } from "./config.js";
import { readSafetensors } from "./safetensors.js";
import { fixtures, maxRelErr, useTestBackend, values } from "./test-helpers.js";

beforeAll(useTestBackend);

interface Golden { input_ids: number[][]; loss_mask: number[][]; loss: number; packed_position_ids: number[][]; cached_prompt?: number }

type Ablation = [string, (c: ModelConfig) => ModelConfig, "logits" | "packed_logits"];
const longRope = (c: ModelConfig) => c.ropeScaling as LongRope;
/** What a fixture's config turns on, each shown to matter: its goldens fail without it. */
const ablations: Record<string, Ablation[]> = {
  // the window is shorter than the sequence (and than the packed row's 7-token example)
  mistral: [["sliding window", (c) => ({ ...c, slidingWindow: null }), "logits"]],
  gemma2: [["sliding window", (c) => ({ ...c, slidingWindow: null }), "logits"]],
  gemma3_text: [
    ["sliding window", (c) => ({ ...c, slidingWindow: null }), "logits"],
    ["local RoPE base", (c) => ({ ...c, ropeLocalTheta: null }), "logits"],
    ["linear RoPE scaling", (c) => ({ ...c, ropeScaling: null }), "logits"],
    ["q/k norms", (c) => ({ ...c, qkNorm: false }), "logits"],
    ["query_pre_attn_scalar", (c) => ({ ...c, queryPreAttnScalar: null }), "logits"],
  ],
  phi3: [
    ["sliding window", (c) => ({ ...c, slidingWindow: null }), "logits"],
    // the batch (positions 0..11) is past original_max_position_embeddings 8: long factors; the packed examples are not
    ["LongRoPE long factors", (c) => ({ ...c, ropeScaling: { ...longRope(c), longFactor: longRope(c).shortFactor } }), "logits"],
    ["LongRoPE short factors", (c) => ({ ...c, ropeScaling: { ...longRope(c), shortFactor: longRope(c).longFactor } }), "packed_logits"],
    ["LongRoPE attention factor", (c) => ({ ...c, ropeScaling: { ...longRope(c), attentionFactor: 1 } }), "logits"],
    // all 8 dims turning (the extra ones unscaled) instead of the first 6
    ["partial rotary", (c) => ({ ...c, partialRotaryFactor: 1, ropeScaling: { ...longRope(c), longFactor: [...longRope(c).longFactor, 1], shortFactor: [...longRope(c).shortFactor, 1] } }), "logits"],
  ],
};

describe.each(FAMILIES)("%s matches transformers (float32)", (family) => {
  const dir = `${fixtures}${family}`;
  const golden = JSON.parse(readFileSync(`${dir}/golden.json`, "utf8")) as Golden;
  const expected = readSafetensors(`${dir}/golden.safetensors`);

  it("logits", () => {
    const model = loadModel(dir);
    const logits = model.forward(golden.input_ids);
    expect(logits.shape).toEqual(expected.get("logits")!.shape);
    expect(maxRelErr(values(logits), expected.get("logits")!.data)).toBeLessThan(1e-4);
    tf.dispose(logits);
    model.dispose();
  });

  it("packed rows never attend across examples", () => {
    const model = loadModel(dir);
    const ids = [golden.input_ids[0]];
    const packed = model.forward(ids, { positionIds: golden.packed_position_ids });
    expect(maxRelErr(values(packed), expected.get("packed_logits")!.data)).toBeLessThan(1e-4);
    // and the same row unpacked differs (the test can fail)
    const unpacked = model.forward(ids);
    expect(maxRelErr(values(unpacked), expected.get("packed_logits")!.data)).toBeGreaterThan(1e-2);
    tf.dispose([packed, unpacked]);
    model.dispose();
  });

  it.each(ablations[family] ?? [])("the goldens fail without its %s", (_, ablate, which) => {
    const model = loadModel(dir);
    const changed = new CausalLM(ablate(model.config), model.params);
    const logits = which === "logits" ? changed.forward(golden.input_ids) : changed.forward([golden.input_ids[0]], { positionIds: golden.packed_position_ids });
    expect(maxRelErr(values(logits), expected.get(which)!.data)).toBeGreaterThan(1e-2);
    tf.dispose(logits);
    model.dispose();
  });

  it("loss over masked targets equals transformers' labels=-100 loss", () => {
    const model = loadModel(dir);
    const r = model.loss(golden.input_ids, golden.loss_mask);
    const count = golden.loss_mask.flat().filter((m, i) => m === 1 && i % golden.loss_mask[0].length !== 0).length;
    expect(r.count).toBe(count);
    expect(Math.abs(r.loss.dataSync()[0] - golden.loss) / golden.loss).toBeLessThan(1e-5);
    expect(Math.abs(r.sum.dataSync()[0] / count - golden.loss) / golden.loss).toBeLessThan(1e-5);
    tf.dispose([r.loss, r.sum]);
    model.dispose();
  });
});

// phi3's goldens also hold transformers' KV-cache decoding (make_golden.py CACHED)
describe("phi3 decodes with a KV cache as transformers does", () => {
  const dir = `${fixtures}phi3`;
  const golden = JSON.parse(readFileSync(`${dir}/golden.json`, "utf8")) as Golden;
  const expected = readSafetensors(`${dir}/golden.safetensors`);

  it("KV-cache decoding gives transformers' cached logits, LongRoPE's factor switch included", () => {
    const model = loadModel(dir);
    const row = golden.input_ids[0];
    const P = golden.cached_prompt!;
    const cache: KvCache = { layers: [], length: 0, keyValid: [Uint8Array.from(row, () => 1)] };
    const calls = [row.slice(0, P), ...row.slice(P).map((id) => [id])];
    const got = calls.flatMap((ids) => {
      const logits = model.forward([ids], { cache });
      const last = Array.from(values(logits).subarray((ids.length - 1) * model.config.vocabSize));
      logits.dispose();
      return last;
    });
    for (const l of cache.layers) tf.dispose([l.k, l.v]);
    expect(maxRelErr(got, expected.get("cached_logits")!.data)).toBeLessThan(1e-4);
    // recomputing the whole row rotates every key with the long factors: not what the cache gives
    const whole = values(model.forward([row])).subarray((P - 1) * model.config.vocabSize);
    expect(maxRelErr(whole, expected.get("cached_logits")!.data)).toBeGreaterThan(1e-2);
    model.dispose();
  });
});
