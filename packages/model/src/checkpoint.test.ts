import * as tf from "@tensorflow/tfjs-core";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { isTooltuneError } from "@tooltune/core";
import { createModel, loadModel, resizeTokenEmbeddings, saveModel } from "./checkpoint.js";
import { FAMILIES, fromHfConfig, hfConfigJson, makeConfig, toHfConfig } from "./config.js";
import { readSafetensors, writeSafetensors } from "./safetensors.js";
import { maxRelErr, useTestBackend, values } from "./test-helpers.js";

beforeAll(useTestBackend);

const config = makeConfig("qwen2", { vocabSize: 40, hiddenSize: 16, intermediateSize: 24, numHiddenLayers: 2, numAttentionHeads: 4, numKeyValueHeads: 2, tieWordEmbeddings: false });
const ids = [[1, 5, 9, 3, 7, 2]];
const tmp = () => mkdtempSync(join(tmpdir(), "tooltune-model-"));

describe("checkpoints", () => {
  it("config survives toHfConfig → fromHfConfig", () => {
    for (const family of FAMILIES) {
      const c = makeConfig(family, { vocabSize: 40, hiddenSize: 16, intermediateSize: 24, numHiddenLayers: 3, numAttentionHeads: 4 });
      expect(fromHfConfig(toHfConfig(c))).toEqual(c);
    }
  });

  it("an unsupported model_type fails naming the supported ones", () => {
    const dir = tmp();
    writeFileSync(join(dir, "config.json"), JSON.stringify({ model_type: "falcon", vocab_size: 8, hidden_size: 4, intermediate_size: 8, num_hidden_layers: 1, num_attention_heads: 1 }));
    expect(() => loadModel(dir)).toThrow(expect.objectContaining({ code: "INPUT", where: join(dir, "config.json"), message: `model_type "falcon" is not supported (supported: ${FAMILIES.join(", ")})` }));
    expect(FAMILIES.join(", ")).toBe("llama, mistral, qwen2, qwen3, gemma2, gemma3_text, phi3");
    expect(() => fromHfConfig({})).toThrow(`model_type "" is not supported (supported: ${FAMILIES.join(", ")})`);
  });

  it("a directory that is not a checkpoint is the user's error (TooltuneError at the file), not a bare ENOENT", () => {
    const dir = tmp();
    const caught = (f: () => unknown) => { try { f(); } catch (e) { return e; } throw new Error("did not throw"); };
    const missing = caught(() => loadModel(join(dir, "nope")));
    expect(isTooltuneError(missing)).toBe(true);
    expect(missing).toMatchObject({ code: "INPUT", where: join(dir, "nope", "config.json"), message: "cannot read the model's config.json: no such file" });
    writeFileSync(join(dir, "config.json"), JSON.stringify(toHfConfig(makeConfig("llama", { vocabSize: 8, hiddenSize: 4, intermediateSize: 8, numHiddenLayers: 1, numAttentionHeads: 1 }))));
    expect(caught(() => loadModel(dir))).toMatchObject({ code: "INPUT", where: join(dir, "model.safetensors"), message: "no such file" });
    writeFileSync(join(dir, "model.safetensors"), "not safetensors at all");
    expect(caught(() => loadModel(dir))).toMatchObject({ code: "INPUT", where: join(dir, "model.safetensors"), message: /^not a complete safetensors file/ });
  });

  it("qwen3 config.json as transformers' Qwen3Config reads it", () => {
    const hf = { model_type: "qwen3", vocab_size: 40, hidden_size: 16, intermediate_size: 24, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2 };
    // defaults: head_dim 128 (not hidden/heads), no biases, untied, q/k norms, full attention everywhere
    expect(fromHfConfig(hf)).toMatchObject({ headDim: 128, attentionBias: false, oProjBias: false, tieWordEmbeddings: false, qkNorm: true, slidingWindow: null, layerTypes: ["full_attention", "full_attention"] });
    expect(fromHfConfig({ ...hf, head_dim: 12, tie_word_embeddings: true, attention_bias: true })).toMatchObject({ headDim: 12, tieWordEmbeddings: true, attentionBias: true, oProjBias: true });
    // sliding_window is kept in Qwen3 configs but used only with use_sliding_window (Qwen3Config.__post_init__)
    expect(fromHfConfig({ ...hf, sliding_window: 4, use_sliding_window: false, max_window_layers: 1 })).toMatchObject({ slidingWindow: null, layerTypes: ["full_attention", "full_attention"] });
    expect(() => fromHfConfig({ ...hf, sliding_window: 4, use_sliding_window: true })).toThrow(/Qwen3 use_sliding_window: true is not supported/);
    expect(() => fromHfConfig({ ...hf, layer_types: ["full_attention", "sliding_attention"] })).toThrow(/layer_types names sliding_attention layers/);
    expect(() => fromHfConfig({ ...hf, model_type: "qwen2", use_sliding_window: true })).toThrow(/Qwen2 use_sliding_window: true is not supported/);
    for (const family of ["llama", "qwen2", "gemma2"] as const) expect(fromHfConfig({ ...hf, model_type: family }).qkNorm).toBe(false);
  });

  it("mistral config.json as transformers' MistralConfig reads it", () => {
    const hf = { model_type: "mistral", vocab_size: 40, hidden_size: 16, intermediate_size: 24, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2 };
    const slideAll = ["sliding_attention", "sliding_attention"];
    // no sliding_window key: MistralConfig's default 4096 (Mistral-7B-v0.1); null (v0.2 on): full attention
    expect(fromHfConfig(hf)).toMatchObject({ slidingWindow: 4096, layerTypes: slideAll, headDim: 4, attentionBias: false, tieWordEmbeddings: false, qkNorm: false });
    expect(fromHfConfig({ ...hf, sliding_window: null })).toMatchObject({ slidingWindow: null, layerTypes: ["full_attention", "full_attention"] });
    // modeling_mistral slides every layer whatever a layer_types says
    expect(fromHfConfig({ ...hf, sliding_window: 7, layer_types: ["full_attention", "full_attention"] })).toMatchObject({ slidingWindow: 7, layerTypes: slideAll });
    expect(fromHfConfig({ ...hf, head_dim: 12 }).headDim).toBe(12);
    for (const slidingWindow of [null, 5]) {
      const c = makeConfig("mistral", { vocabSize: 40, hiddenSize: 16, intermediateSize: 24, numHiddenLayers: 2, numAttentionHeads: 4, slidingWindow });
      const written = JSON.parse(hfConfigJson(toHfConfig(c)));
      expect(written).toMatchObject({ model_type: "mistral", architectures: ["MistralForCausalLM"], sliding_window: slidingWindow });
      expect(written).not.toHaveProperty("layer_types");
      expect(fromHfConfig(written)).toEqual(c);
    }
  });

  it("gemma3_text config.json as gemma-3-1b ships it (rope_local_base_freq, sliding_window_pattern) and as transformers 5 writes it", () => {
    const shipped = {
      model_type: "gemma3_text", vocab_size: 40, hidden_size: 16, intermediate_size: 24, num_hidden_layers: 7, num_attention_heads: 4, num_key_value_heads: 1,
      head_dim: 8, query_pre_attn_scalar: 8, rope_theta: 1000000, rope_local_base_freq: 10000, rope_scaling: null, sliding_window: 512, sliding_window_pattern: 6,
      final_logit_softcapping: null, attn_logit_softcapping: null,
    };
    const S = "sliding_attention", F = "full_attention";
    const c = fromHfConfig(shipped);
    // every 6th layer global (Gemma3TextConfig's (i + 1) % pattern), the others local; tied, q/k norms, no soft-caps
    expect(c).toMatchObject({ layerTypes: [S, S, S, S, S, F, S], slidingWindow: 512, ropeTheta: 1e6, ropeLocalTheta: 10000, ropeScaling: null, qkNorm: true, tieWordEmbeddings: true, attnLogitSoftcapping: null, finalLogitSoftcapping: null, hiddenAct: "gelu_pytorch_tanh" });
    expect(fromHfConfig(JSON.parse(hfConfigJson(toHfConfig(c))))).toEqual(c);
    // Gemma-3-4B's text config: linear scaling on the global layers
    const scaled = fromHfConfig({ ...shipped, rope_scaling: { rope_type: "linear", factor: 8.0 } });
    expect(scaled.ropeScaling).toEqual({ ropeType: "linear", factor: 8 });
    expect(fromHfConfig(JSON.parse(hfConfigJson(toHfConfig(scaled))))).toEqual(scaled);
    // transformers 5: one rope dict per layer type
    const v5 = { ...shipped, rope_theta: undefined, rope_local_base_freq: undefined, rope_scaling: undefined, layer_types: [S, S, S, S, S, F, S],
      rope_parameters: { full_attention: { rope_type: "linear", factor: 8.0, rope_theta: 1e6 }, sliding_attention: { rope_type: "default", rope_theta: 10000 } } };
    expect(fromHfConfig(v5)).toEqual(scaled);
    // defaults: head_dim 256, window 4096, bases 1e6 / 1e4
    const bare = { model_type: "gemma3_text", vocab_size: 40, hidden_size: 16, intermediate_size: 24, num_hidden_layers: 2, num_attention_heads: 4 };
    expect(fromHfConfig(bare)).toMatchObject({ headDim: 256, slidingWindow: 4096, ropeTheta: 1e6, ropeLocalTheta: 10000, queryPreAttnScalar: 256 });
    expect(() => fromHfConfig({ ...shipped, use_bidirectional_attention: true })).toThrow("Gemma 3 use_bidirectional_attention: true is not supported");
    expect(() => fromHfConfig({ ...v5, rope_parameters: { ...v5.rope_parameters, sliding_attention: { rope_type: "linear", factor: 2 } } })).toThrow('rope_parameters.sliding_attention rope_type "linear" is not supported');
    expect(() => fromHfConfig({ ...shipped, rope_scaling: { rope_type: "yarn", factor: 2 } })).toThrow('rope_scaling type "yarn" is not supported for gemma3_text (llama3, linear)');
  });

  it("gemma3_text checkpoints hold per-head q_norm/k_norm and the sandwich norms; fresh norms are 0 ((1 + w))", () => {
    const c = makeConfig("gemma3_text", { vocabSize: 40, hiddenSize: 16, intermediateSize: 24, numHiddenLayers: 2, numAttentionHeads: 4, numKeyValueHeads: 2, headDim: 6, slidingWindow: 3, layerTypes: ["sliding_attention", "full_attention"] });
    const model = createModel({ ...c, initializerRange: 0.2 }, 5);
    const dir = tmp();
    saveModel(model, dir);
    const st = readSafetensors(join(dir, "model.safetensors"));
    for (const n of ["self_attn.q_norm", "self_attn.k_norm"]) expect(st.get(`model.layers.1.${n}.weight`)!.shape).toEqual([6]);
    for (const n of ["pre_feedforward_layernorm", "post_feedforward_layernorm"]) expect(st.get(`model.layers.0.${n}.weight`)!.data.every((x) => x === 0)).toBe(true);
    expect(st.has("lm_head.weight")).toBe(false);
    const json = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
    expect(json).toMatchObject({ model_type: "gemma3_text", architectures: ["Gemma3ForCausalLM"], rope_local_base_freq: 10000, layer_types: ["sliding_attention", "full_attention"], sliding_window: 3 });
    expect(values(loadModel(dir).forward(ids))).toEqual(values(model.forward(ids)));
  });

  it("phi3 config.json as Phi-4-mini ships it (top-level partial_rotary_factor, old rope_scaling) and as transformers 5 writes it", () => {
    const short = [1, 1.25, 1.5], long = [2, 4, 8]; // head_dim 8 · 0.75 = 6 rotary dims: 3 factors
    const shipped = {
      model_type: "phi3", vocab_size: 40, hidden_size: 32, intermediate_size: 24, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2,
      max_position_embeddings: 131072, original_max_position_embeddings: 4096, partial_rotary_factor: 0.75, rope_theta: 10000.0,
      rope_scaling: { type: "longrope", short_factor: short, long_factor: long }, sliding_window: 262144, tie_word_embeddings: true,
    };
    const c = fromHfConfig(shipped);
    expect(c).toMatchObject({ headDim: 8, partialRotaryFactor: 0.75, fusedProjections: true, rmsNormEps: 1e-5, slidingWindow: 262144, tieWordEmbeddings: true, layerTypes: ["sliding_attention", "sliding_attention"] });
    expect(c.ropeScaling).toEqual({ ropeType: "longrope", shortFactor: short, longFactor: long, originalMaxPositionEmbeddings: 4096, factor: null, attentionFactor: null });
    expect(fromHfConfig(JSON.parse(hfConfigJson(toHfConfig(c))))).toEqual(c);
    // transformers 5's rope_parameters form of the same, and Phi3Config's old name "su" for it
    const v5 = { ...shipped, rope_scaling: undefined, partial_rotary_factor: undefined, rope_parameters: { rope_type: "longrope", rope_theta: 10000.0, partial_rotary_factor: 0.75, original_max_position_embeddings: 4096, short_factor: short, long_factor: long } };
    expect(fromHfConfig(v5)).toEqual(c);
    expect(fromHfConfig({ ...shipped, rope_scaling: { ...shipped.rope_scaling, type: "su" } })).toEqual(c);
    expect(fromHfConfig({ ...shipped, sliding_window: null, rope_scaling: null, partial_rotary_factor: undefined })).toMatchObject({ slidingWindow: null, ropeScaling: null, partialRotaryFactor: 1, layerTypes: ["full_attention", "full_attention"] });
    expect(fromHfConfig({ ...shipped, sliding_window: undefined }).slidingWindow).toBe(null); // Phi3Config's default: none
    expect(fromHfConfig({ ...shipped, attention_bias: true })).toMatchObject({ attentionBias: false, oProjBias: false }); // Phi3Attention has none
    expect(fromHfConfig({ ...shipped, rope_scaling: null, model_type: "llama" }).partialRotaryFactor).toBe(1); // only Phi3's modeling reads it
    expect(() => fromHfConfig({ ...shipped, rope_scaling: { type: "longrope", short_factor: short, long_factor: [1, 2] } })).toThrow("rope_scaling.long_factor must be 3 numbers (rotary dims / 2)");
    expect(() => fromHfConfig({ ...shipped, rope_scaling: { type: "dynamic", factor: 2 } })).toThrow('rope_scaling type "dynamic" is not supported for phi3 (llama3, longrope)');
    expect(() => fromHfConfig({ ...shipped, model_type: "llama" })).toThrow('rope_scaling type "longrope" is not supported for llama (llama3)');
  });

  it("phi3 checkpoints hold fused qkv_proj and gate_up_proj, as transformers' Phi3 names them", () => {
    const c = makeConfig("phi3", { vocabSize: 40, hiddenSize: 16, intermediateSize: 24, numHiddenLayers: 2, numAttentionHeads: 4, numKeyValueHeads: 2, partialRotaryFactor: 0.5, tieWordEmbeddings: true });
    const model = createModel({ ...c, initializerRange: 0.2 }, 5);
    const dir = tmp();
    saveModel(model, dir);
    const st = readSafetensors(join(dir, "model.safetensors"));
    expect(st.get("model.layers.1.self_attn.qkv_proj.weight")!.shape).toEqual([16 + 2 * 8, 16]); // q 4·4, k and v 2·4
    expect(st.get("model.layers.1.mlp.gate_up_proj.weight")!.shape).toEqual([48, 16]);
    expect([...st.keys()].filter((k) => /\.(q|k|v|gate|up)_proj\./.test(k))).toEqual([]);
    const json = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
    expect(json).toMatchObject({ model_type: "phi3", architectures: ["Phi3ForCausalLM"], partial_rotary_factor: 0.5 });
    expect(values(loadModel(dir).forward(ids))).toEqual(values(model.forward(ids)));
  });

  it("qwen3 checkpoints hold per-head q_norm/k_norm weights; tied and untied both round-trip", () => {
    for (const tie of [true, false]) {
      const c = makeConfig("qwen3", { vocabSize: 40, hiddenSize: 16, intermediateSize: 24, numHiddenLayers: 2, numAttentionHeads: 4, numKeyValueHeads: 2, headDim: 6, tieWordEmbeddings: tie });
      const model = createModel({ ...c, initializerRange: 0.2 }, 5);
      const dir = tmp();
      saveModel(model, dir);
      const st = readSafetensors(join(dir, "model.safetensors"));
      expect(st.get("model.layers.1.self_attn.q_norm.weight")!.shape).toEqual([6]);
      expect(st.get("model.layers.1.self_attn.k_norm.weight")!.shape).toEqual([6]);
      expect(st.get("model.layers.0.self_attn.q_proj.weight")!.shape).toEqual([24, 16]); // 4 heads · 6, independent of 16 / 4
      expect(st.has("model.layers.0.self_attn.q_proj.bias")).toBe(false);
      expect(st.has("lm_head.weight")).toBe(!tie);
      const json = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
      expect(json).toMatchObject({ model_type: "qwen3", architectures: ["Qwen3ForCausalLM"], head_dim: 6, attention_bias: false, use_sliding_window: false, tie_word_embeddings: tie });
      expect(values(loadModel(dir).forward(ids))).toEqual(values(model.forward(ids)));
    }
  });

  it("config.json keeps float fields floats (transformers 5 rejects 3 for 3.0)", () => {
    const c = makeConfig("gemma2", { vocabSize: 40, hiddenSize: 16, intermediateSize: 24, numHiddenLayers: 2, numAttentionHeads: 4, finalLogitSoftcapping: 30, ropeTheta: 10000 });
    const text = hfConfigJson(toHfConfig(c));
    expect(text).toContain('"final_logit_softcapping": 30.0');
    expect(text).toContain('"rope_theta": 10000.0');
    expect(text).toContain('"vocab_size": 40,');
    expect(fromHfConfig(JSON.parse(text))).toEqual(c);
  });

  it("fresh init is deterministic in the seed", () => {
    const [a, b, c] = [createModel(config, 1), createModel(config, 1), createModel(config, 2)];
    const [la, lb, lc] = [a, b, c].map((m) => m.forward(ids));
    expect(values(la)).toEqual(values(lb));
    expect(maxRelErr(values(lc), values(la))).toBeGreaterThan(1e-2);
    tf.dispose([la, lb, lc]);
    [a, b, c].forEach((m) => m.dispose());
  });

  it("fresh init with seed 0 (init's default) is deterministic too: tfjs reads a seed of 0 as none", () => {
    const [a, b] = [createModel(config, 0), createModel(config, 0)];
    for (const [name, v] of a.params) expect(v.dataSync(), name).toEqual(b.params.get(name)!.dataSync());
    [a, b].forEach((m) => m.dispose());
  });

  it("save → load gives the same logits; F32 exact, BF16/F16 close; sharded with an index", () => {
    const model = createModel({ ...config, initializerRange: 0.2 }, 3);
    const ref = values(model.forward(ids));
    const dir = tmp();
    saveModel(model, dir);
    expect(values(loadModel(dir).forward(ids))).toEqual(ref);
    const sharded = tmp();
    saveModel(model, sharded, { maxShardBytes: 2000 });
    const index = JSON.parse(readFileSync(join(sharded, "model.safetensors.index.json"), "utf8"));
    expect(new Set(Object.values(index.weight_map)).size).toBeGreaterThan(2);
    expect(existsSync(join(sharded, "model.safetensors"))).toBe(false);
    expect(values(loadModel(sharded).forward(ids))).toEqual(ref);
    for (const [dtype, tol] of [["BF16", 5e-2], ["F16", 5e-3]] as const) {
      const d = tmp();
      saveModel(model, d, { dtype });
      expect(JSON.parse(readFileSync(join(d, "config.json"), "utf8")).torch_dtype).toBe(dtype === "BF16" ? "bfloat16" : "float16");
      const err = maxRelErr(values(loadModel(d).forward(ids)), ref);
      expect(err).toBeGreaterThan(0);
      expect(err).toBeLessThan(tol);
    }
    // HF layout: [out, in] linears, no lm_head when tied
    const st = readSafetensors(join(dir, "model.safetensors"));
    expect(st.get("model.layers.0.self_attn.q_proj.weight")!.shape).toEqual([16, 16]);
    expect(st.get("model.layers.0.mlp.up_proj.weight")!.shape).toEqual([24, 16]);
    expect(st.get("model.layers.0.self_attn.k_proj.bias")!.shape).toEqual([8]);
    expect(st.has("lm_head.weight")).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(["config.json", "model.safetensors"]);
  });

  it("safetensors half conversions round to nearest", () => {
    const d = tmp();
    const data = Float32Array.from([1, -2.5, 65504, 1e-8, 3.14159, 0.1]);
    for (const dtype of ["F16", "BF16"] as const) {
      writeSafetensors(join(d, "x.safetensors"), new Map([["x", { shape: [6], data }]]), dtype);
      const back = readSafetensors(join(d, "x.safetensors")).get("x")!.data;
      const tol = dtype === "F16" ? 2 ** -11 : 2 ** -8;
      data.forEach((x, i) => { if (Math.abs(x) > 1e-4) expect(Math.abs(back[i] - x) / Math.abs(x)).toBeLessThanOrEqual(tol); });
    }
  });

  it("resizeTokenEmbeddings: new rows are the mean of the old ones, old logits unchanged", () => {
    const model = createModel(config, 4);
    const before = values(model.forward(ids));
    const bigger = resizeTokenEmbeddings(model, 44);
    expect(bigger.config.vocabSize).toBe(44);
    const emb = bigger.params.get("model.embed_tokens.weight")!;
    expect(emb.shape).toEqual([44, 16]);
    const mean = values(tf.mean(tf.slice(emb, [0, 0], [40, 16]), 0));
    expect(maxRelErr(values(tf.slice(emb, [43, 0], [1, 16])), mean)).toBeLessThan(1e-6);
    const after = bigger.forward(ids);
    expect(after.shape).toEqual([1, 6, 44]);
    expect(maxRelErr(values(tf.slice(after, [0, 0, 0], [1, 6, 40])), before)).toBeLessThan(1e-6);
    bigger.dispose();
  });
});
