// The config's own dropouts (attention_dropout in every family, Phi-3's resid_pdrop) apply only while
// training (a dropoutSeed given), with masks fixed by the seed; without one, or at rate 0, nothing
// changes, bit for bit, so inference, eval and the goldens are untouched.
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, describe, expect, it } from "vitest";
import { selectBackend } from "./backend.js";
import { createModel } from "./checkpoint.js";
import { fromHfConfig, makeConfig, toHfConfig } from "./config.js";
import { CausalLM, type Adapter } from "./model.js";
import { lossAndGrads, maxRelErr, packedBatch, useTestBackend, values } from "./test-helpers.js";

const { ids, positions } = packedBatch;
// weights of std 0.5, not HF's 0.02: sublayer outputs then move the loss well past float noise
const small = { vocabSize: 32, hiddenSize: 16, intermediateSize: 24, numHiddenLayers: 2, numAttentionHeads: 2, numKeyValueHeads: 1, initializerRange: 0.5 };
const phi3 = makeConfig("phi3", small);

describe("config", () => {
  it("reads attention_dropout (every family) and resid_pdrop (phi3 only), writes them back only when set", () => {
    const hf = { model_type: "phi3", vocab_size: 32, hidden_size: 16, intermediate_size: 24, num_hidden_layers: 2, num_attention_heads: 2, attention_dropout: 0.1, resid_pdrop: 0.2, embd_pdrop: 0.3 };
    const c = fromHfConfig(hf);
    expect([c.attentionDropout, c.residDropout]).toEqual([0.1, 0.2]);
    expect(toHfConfig(c)).toMatchObject({ attention_dropout: 0.1, resid_pdrop: 0.2 });
    expect(toHfConfig(c)).not.toHaveProperty("embd_pdrop"); // transformers 5.18's Phi3Model never applies it
    const llama = fromHfConfig({ ...hf, model_type: "llama" });
    expect([llama.attentionDropout, llama.residDropout]).toEqual([0.1, 0]); // LlamaConfig has no resid_pdrop
    // absent or 0: nothing written, so a saved config.json keeps its bytes
    expect(Object.keys(toHfConfig(makeConfig("phi3", small))).filter((k) => /drop/.test(k))).toEqual([]);
    expect(() => fromHfConfig({ ...hf, resid_pdrop: 1 })).toThrow(/"resid_pdrop" must be in \[0, 1\), got 1/);
  });
});


const same = (a: Float32Array[], b: Float32Array[]) => a.every((x, i) => x.every((v, j) => Object.is(v, b[i][j])));

afterAll(useTestBackend);

describe.each(["cpu", "native"] as const)("on %s", (backend) => {
  const ready = async () => selectBackend(backend).then(() => true, () => false); // native: absent without a C++ toolchain
  const dropped = { ...phi3, attentionDropout: 0.3, residDropout: 0.3 };

  it("no seed (eval, inference) or rate 0: bit for bit the path without dropout", async () => {
    if (!(await ready())) return;
    const plain = lossAndGrads(phi3, {});
    expect(same(lossAndGrads(dropped, {}), plain)).toBe(true);
    expect(same(lossAndGrads(phi3, { dropoutSeed: 5 }), plain)).toBe(true);
    expect(same(lossAndGrads(phi3, { dropoutSeed: 5, gradientCheckpointing: true }), plain)).toBe(true);
  });

  it("training with rates > 0: loss and gradients change, the same for a seed, another for another seed", async () => {
    if (!(await ready())) return;
    const plain = lossAndGrads(phi3, {});
    const a = lossAndGrads(dropped, { dropoutSeed: 5 });
    expect(same(lossAndGrads(dropped, { dropoutSeed: 5 }), a)).toBe(true);
    expect(maxRelErr(a[0], plain[0])).toBeGreaterThan(1e-3);
    expect(maxRelErr(a[1], plain[1])).toBeGreaterThan(1e-3);
    expect(maxRelErr(lossAndGrads(dropped, { dropoutSeed: 6 })[0], a[0])).toBeGreaterThan(1e-4);
  });

  it.each([
    ["phi3 attention_dropout alone", { ...phi3, attentionDropout: 0.3 }],
    ["phi3 resid_pdrop alone", { ...phi3, residDropout: 0.3 }],
    ["llama attention_dropout", { ...makeConfig("llama", small), attentionDropout: 0.3 }],
    ["gemma2 attention_dropout", { ...makeConfig("gemma2", small), attentionDropout: 0.3 }],
  ])("%s changes the training loss", async (_, config) => {
    if (!(await ready())) return;
    const off = lossAndGrads(config, {});
    expect(maxRelErr(lossAndGrads(config, { dropoutSeed: 5 })[0], off[0])).toBeGreaterThan(1e-4);
  });

  it("gradient checkpointing redraws the forward's masks: the same loss and gradients", async () => {
    if (!(await ready())) return;
    const plain = lossAndGrads(dropped, { dropoutSeed: 9 });
    const recomputed = lossAndGrads(dropped, { dropoutSeed: 9, gradientCheckpointing: true });
    plain.forEach((w, i) => expect(maxRelErr(recomputed[i], w), `output ${i}`).toBeLessThan(1e-5));
  });

  it("resid_pdrop drops its share of a sublayer's output and scales the rest by 1 / (1 − p)", async () => {
    if (!(await ready())) return;
    // zero embeddings make every sublayer output 0 but the MLP's down_proj, which an adapter sets to
    // ones: the final hidden state is then norm(dropout(ones)), 0 exactly where the mask drops
    const p = 0.25;
    const config = { ...phi3, numHiddenLayers: 1, hiddenSize: 32, residDropout: p };
    const model = createModel(config, 1);
    const embed = model.params.get("model.embed_tokens.weight")!;
    embed.assign(tf.zerosLike(embed));
    const ones: Adapter = { linearDelta: (module, x) => (module === "model.layers.0.mlp.down_proj" ? tf.ones([x.shape[0], 32]) : null) };
    const row = [Array.from({ length: 64 }, (_, t) => t % 32)];
    const h = (dropoutSeed?: number) => values(model.hidden(row, { adapter: ones, dropoutSeed }));
    expect(h().every((x) => Math.abs(x - 1) < 1e-3)).toBe(true); // no dropout: norm(ones) = ones
    const trained = h(4);
    const share = trained.filter((x) => x === 0).length / trained.length;
    expect(Math.abs(share - p)).toBeLessThan(0.05); // 2,048 draws: σ ≈ 0.01
    // each row: k kept of 32 at 1 / (1 − p), normed to √(32 / k)
    for (let t = 0; t < 64; t++) {
      const r = trained.subarray(t * 32, t * 32 + 32);
      const kept = r.filter((x) => x !== 0);
      for (const x of kept) expect(x).toBeCloseTo(Math.sqrt(32 / kept.length), 3);
    }
    expect(Array.from(h(4))).toEqual(Array.from(trained));
    model.dispose();
  });
});

it("the goldens' path is untouched: a CausalLM whose config has dropout, run without a seed, gives the same logits", async () => {
  await useTestBackend();
  const model = createModel(phi3, 2);
  const withDropout = new CausalLM({ ...phi3, attentionDropout: 0.5, residDropout: 0.5 }, model.params);
  const [a, b] = [model.forward(ids, { positionIds: positions }), withDropout.forward(ids, { positionIds: positions })];
  expect(Array.from(values(b))).toEqual(Array.from(values(a)));
  tf.dispose([a, b]);
  model.dispose();
});
