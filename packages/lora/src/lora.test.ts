import * as tf from "@tensorflow/tfjs-core";
import { createModel, fusedOps, loadModel, makeConfig, readSafetensors, selectBackend, setFusedOps, type CausalLM, type FusedOps } from "@tooltune/model";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { defaultLoraConfig, fromAdapterConfig, toAdapterConfig, type LoraConfig } from "./config.js";
import { loadAdapter, saveAdapter, saveMerged } from "./io.js";
import { createLora, mergeAdapter } from "./lora.js";

const fixtures = new URL("../fixtures/", import.meta.url).pathname;
const models = new URL("../../model/fixtures/", import.meta.url).pathname;
const tmp = () => mkdtempSync(join(tmpdir(), "tooltune-lora-"));
const values = (t: tf.Tensor) => t.dataSync() as Float32Array;

/** max |a - b| / max |b| */
function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let err = 0, scale = 0;
  for (let i = 0; i < b.length; i++) { err = Math.max(err, Math.abs(a[i] - b[i])); scale = Math.max(scale, Math.abs(b[i])); }
  return err / scale;
}

beforeAll(async () => { await selectBackend((process.env.TOOLTUNE_BACKEND as "cpu" | undefined) ?? "cpu"); });

const inputs = (base: string): number[][] => JSON.parse(readFileSync(`${models}${base}/golden.json`, "utf8")).input_ids;

describe.each([["ours-llama", "llama"], ["ours-mistral", "mistral"], ["ours-gemma2", "gemma2"], ["ours-qwen3", "qwen3"], ["ours-phi3", "phi3"], ["ours-gemma3", "gemma3_text"]])("%s: saved here, loaded by PEFT", (name, base) => {
  it("PEFT's logits equal ours (and differ from the base's); transformers reads our merged checkpoint", () => {
    const model = loadModel(`${models}${base}`);
    const adapter = loadAdapter(model, `${fixtures}${name}/adapter`);
    const golden = readSafetensors(`${fixtures}${name}/golden.safetensors`).get("logits")!.data;
    expect(maxRelErr(values(model.forward(inputs(base), { adapter })), golden)).toBeLessThan(1e-4);
    expect(maxRelErr(values(model.forward(inputs(base))), golden)).toBeGreaterThan(1e-2);
    // the merged BF16 checkpoint saved here: transformers reads it with the same logits as we do
    const merged = loadModel(`${fixtures}${name}/merged`);
    const mergedGolden = readSafetensors(`${fixtures}${name}/golden.safetensors`).get("merged_logits")!.data;
    expect(maxRelErr(values(merged.forward(inputs(base))), mergedGolden)).toBeLessThan(1e-4);
    const bf16Err = maxRelErr(mergedGolden, golden); // merged (rounded to BF16) ≈ base + adapter
    expect(bf16Err).toBeGreaterThan(0);
    expect(bf16Err).toBeLessThan(3e-2);
    // saving again writes the same tensors
    const dir = tmp();
    saveAdapter(adapter, dir, model);
    const a = readSafetensors(`${fixtures}${name}/adapter/adapter_model.safetensors`);
    const b = readSafetensors(`${dir}/adapter_model.safetensors`);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [k, t] of a) expect(b.get(k)!.data).toEqual(t.data);
    // and merging again writes the checkpoint transformers was shown to read (so that test covers today's code)
    const again = tmp();
    saveMerged(model, adapter, again, { dtype: "BF16" });
    expect(JSON.parse(readFileSync(`${again}/config.json`, "utf8"))).toEqual(JSON.parse(readFileSync(`${fixtures}${name}/merged/config.json`, "utf8")));
    const [m0, m1] = [readSafetensors(`${fixtures}${name}/merged/model.safetensors`), readSafetensors(`${again}/model.safetensors`)];
    expect([...m1.keys()].sort()).toEqual([...m0.keys()].sort());
    // equal on cpu; on native the merge's matmul may round differently, flipping a BF16 ulp here and there
    for (const [k, t] of m0) expect(maxRelErr(m1.get(k)!.data, t.data), k).toBeLessThan(1e-2);
  });
});

describe.each([["peft-llama", "llama"], ["peft-mistral", "mistral"], ["peft-gemma2", "gemma2"], ["peft-qwen3", "qwen3"], ["peft-phi3", "phi3"], ["peft-gemma3", "gemma3_text"]])("%s: saved by PEFT, loaded here", (name, base) => {
  it("same logits as PEFT, merged and unmerged", () => {
    const model = loadModel(`${models}${base}`);
    const adapter = loadAdapter(model, `${fixtures}${name}/adapter`);
    const golden = readSafetensors(`${fixtures}${name}/golden.safetensors`);
    const ids = inputs(base);
    expect(maxRelErr(values(model.forward(ids, { adapter })), golden.get("logits")!.data)).toBeLessThan(1e-4);
    const merged = mergeAdapter(model, adapter);
    expect(maxRelErr(values(merged.forward(ids)), golden.get("merged_logits")!.data)).toBeLessThan(1e-4);
    expect(maxRelErr(values(model.forward(ids)), golden.get("logits")!.data)).toBeGreaterThan(1e-2);
  });
});

type TinyFamily = "llama" | "mistral" | "gemma2" | "gemma3_text" | "qwen3" | "phi3";
const tiny = (family: TinyFamily) =>
  createModel({ ...makeConfig(family, {
    vocabSize: 24, hiddenSize: 16, intermediateSize: 20, numHiddenLayers: 2, numAttentionHeads: 4, numKeyValueHeads: 2,
    slidingWindow: family === "qwen3" || family === "llama" ? null : 3, headDim: family === "qwen3" || family === "gemma3_text" ? 6 : 4,
    partialRotaryFactor: family === "phi3" ? 0.5 : 1,
    ...(family === "gemma3_text" ? { layerTypes: ["sliding_attention", "full_attention"] as const, ropeLocalTheta: 10000, ropeTheta: 1e6 } : {}),
  }), initializerRange: 0.3 }, 1);
const allTargets: LoraConfig["targetModules"] = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj", "lm_head", "embed_tokens"];
/** Every module of the family (Phi-3's projections are fused). */
const targetsOf = (family: TinyFamily): LoraConfig["targetModules"] => (family === "phi3" ? ["qkv_proj", "o_proj", "gate_up_proj", "down_proj", "lm_head", "embed_tokens"] : allTargets);
const ids = [[1, 5, 9, 3, 7, 2, 4], [8, 1, 2, 3, 9, 9, 1]];
const positions = [[0, 1, 2, 0, 1, 2, 3], [0, 1, 2, 3, 4, 5, 6]];
const mask = [[0, 1, 1, 0, 1, 1, 1], [0, 0, 1, 1, 1, 1, 1]];

function perturb(vars: tf.Variable[], seed: number, std = 0.2): void {
  vars.forEach((v, i) => v.assign(tf.tidy(() => tf.add(v, tf.randomNormal(v.shape, 0, std, "float32", seed + i)))));
}

describe("LoRA on a tiny model", () => {
  it("PEFT init: B = 0 (embedding A = 0) so logits equal the base; A within Kaiming bounds", () => {
    const model = tiny("llama");
    const adapter = createLora(model, { ...defaultLoraConfig, r: 4, targetModules: allTargets }, 3);
    expect(values(model.forward(ids, { adapter }))).toEqual(values(model.forward(ids)));
    const a = values(adapter.loraA.get("model.layers.0.mlp.down_proj")!); // in = intermediate 20
    expect(Math.max(...a.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(20));
    expect(Math.max(...a.map(Math.abs))).toBeGreaterThan(0.5 / Math.sqrt(20));
    expect(values(adapter.loraB.get("model.layers.0.mlp.down_proj")!).every((x) => x === 0)).toBe(true);
    expect(values(adapter.loraA.get("model.embed_tokens")!).every((x) => x === 0)).toBe(true);
    expect(adapter.loraB.get("model.embed_tokens")!.shape).toEqual([4, 16]);
    expect(adapter.scaling).toBe(64 / 4);
    expect(createLora(model, { ...defaultLoraConfig, r: 4, useRslora: true }).scaling).toBe(64 / 2);
  });

  it("seed 0 draws the same embedding B every time (tfjs reads a seed of 0 as none)", () => {
    const model = tiny("llama");
    const config = { ...defaultLoraConfig, r: 2, targetModules: ["embed_tokens"] as LoraConfig["targetModules"] };
    const [a, b] = [createLora(model, config, 0), createLora(model, config, 0)];
    expect(values(a.loraB.get("model.embed_tokens")!)).toEqual(values(b.loraB.get("model.embed_tokens")!));
  });

  it("names its variables the same way in every process, whatever tfjs variables exist before", () => {
    const model = tiny("llama");
    const config = { ...defaultLoraConfig, r: 2, targetModules: allTargets, trainableTokenIndices: [3] };
    const first = createLora(model, config, 1);
    tf.variable(tf.zeros([1])); // moves tfjs's own variable counter, as a base trained earlier in the process does
    const second = createLora(model, config, 1);
    expect([...second.namedVariables().keys()]).toEqual([...first.namedVariables().keys()]);
    expect(first.namedVariables().get("model.layers.0.self_attn.q_proj.lora_A")).toBe(first.loraA.get("model.layers.0.self_attn.q_proj"));
    expect(first.namedVariables().size).toBe(first.variables().length);
    expect([...first.namedVariables().keys()].every((k) => /\.(lora_A|lora_B|trainable_tokens)$/.test(k))).toBe(true);
  });

  it.each(["llama", "mistral", "gemma2", "gemma3_text", "qwen3", "phi3"] as const)("%s: gradients w.r.t. adapter variables match finite differences", (family) => {
    const model = tiny(family);
    const adapter = createLora(model, { ...defaultLoraConfig, r: 2, loraAlpha: 4, loraDropout: 0, targetModules: targetsOf(family), trainableTokenIndices: family === "gemma2" || family === "gemma3_text" ? [20, 23] : null }, 5);
    perturb(adapter.variables(), 9);
    const vars = adapter.variables();
    const lossOf = () => model.loss(ids, mask, positions, adapter).loss;
    const { value, grads } = tf.variableGrads(lossOf, vars);
    // directional derivative along a random direction, central differences in float32
    const raw = vars.map((v, i) => tf.randomNormal(v.shape, 0, 1, "float32", 77 + i));
    const norm = Math.sqrt(raw.reduce((s, d) => s + values(tf.sum(tf.square(d)))[0], 0));
    const dirs = raw.map((d) => tf.div(d, norm)); // unit direction over all variables
    const analytic = vars.reduce((s, v, i) => s + values(tf.sum(tf.mul(grads[v.name], dirs[i])))[0], 0);
    const shift = (eps: number) => vars.forEach((v, i) => v.assign(tf.add(v, tf.mul(dirs[i], eps))));
    const eps = 1e-2;
    shift(eps);
    const up = values(tf.tidy(lossOf))[0];
    shift(-2 * eps);
    const down = values(tf.tidy(lossOf))[0];
    shift(eps);
    const numeric = (up - down) / (2 * eps);
    expect(Math.abs(analytic)).toBeGreaterThan(1e-3);
    expect(Math.abs(analytic - numeric) / Math.abs(numeric)).toBeLessThan(1e-2);
    // every variable gets a gradient, the base none
    for (const v of vars) expect(values(tf.sum(tf.abs(grads[v.name])))[0]).toBeGreaterThan(0);
    tf.dispose([value, ...Object.values(grads), ...dirs]);
  });

  it.each(["llama", "mistral", "gemma2", "gemma3_text", "qwen3", "phi3"] as const)("%s: merged logits = base + adapter logits; merged checkpoint loads the same", (family) => {
    const model = tiny(family);
    const adapter = createLora(model, { ...defaultLoraConfig, r: 3, targetModules: targetsOf(family), trainableTokenIndices: null }, 2);
    perturb(adapter.variables(), 4, 0.05);
    const withAdapter = values(model.forward(ids, { positionIds: positions, adapter }));
    const merged = mergeAdapter(model, adapter);
    expect(maxRelErr(values(merged.forward(ids, { positionIds: positions })), withAdapter)).toBeLessThan(1e-5);
    const dir = tmp();
    saveMerged(model, adapter, dir);
    const reloaded: CausalLM = loadModel(dir);
    expect(maxRelErr(values(reloaded.forward(ids, { positionIds: positions })), withAdapter)).toBeLessThan(1e-5);
    expect(maxRelErr(values(model.forward(ids, { positionIds: positions })), withAdapter)).toBeGreaterThan(1e-3); // base untouched
  });

  it("on Phi-3 the parts of a fused projection name it (the usual 7 projections work), some parts only fail; a module the model lacks fails", () => {
    const phi3 = tiny("phi3");
    const usual = createLora(phi3, { ...defaultLoraConfig, r: 2 }); // q, k, v, o, gate, up, down
    expect(usual.config.targetModules).toEqual(["qkv_proj", "o_proj", "gate_up_proj", "down_proj"]);
    expect(usual.loraB.get("model.layers.0.self_attn.qkv_proj")!.shape).toEqual([2, 16 + 2 * 8]); // one A, one B over q|k|v
    expect(usual.loraB.get("model.layers.1.mlp.gate_up_proj")!.shape).toEqual([2, 40]);
    expect(usual.loraA.size).toBe(2 * 4);
    // the course's order, with lm_head and embed_tokens kept
    const course = createLora(phi3, { ...defaultLoraConfig, targetModules: ["gate_proj", "q_proj", "lm_head", "o_proj", "k_proj", "embed_tokens", "down_proj", "up_proj", "v_proj"] });
    expect(course.config.targetModules).toEqual(["gate_up_proj", "qkv_proj", "lm_head", "o_proj", "embed_tokens", "down_proj"]);
    // what is saved is what PEFT's Phi3 has
    const dir = tmp();
    saveAdapter(usual, dir);
    expect(JSON.parse(readFileSync(join(dir, "adapter_config.json"), "utf8")).target_modules).toEqual(["qkv_proj", "o_proj", "gate_up_proj", "down_proj"]);
    expect(values(phi3.forward(ids, { adapter: loadAdapter(phi3, dir) }))).toEqual(values(phi3.forward(ids, { adapter: usual })));
    expect(() => createLora(phi3, { ...defaultLoraConfig, targetModules: ["q_proj", "v_proj", "o_proj"] })).toThrow(
      expect.objectContaining({ message: "LoRA target_modules q_proj, v_proj: the phi3 model fuses q_proj, k_proj, v_proj into qkv_proj, which one LoRA covers whole", fix: "target qkv_proj (or all of q_proj, k_proj, v_proj)" }),
    );
    expect(() => createLora(tiny("llama"), { ...defaultLoraConfig, targetModules: ["qkv_proj", "o_proj"] })).toThrow(
      expect.objectContaining({ message: "LoRA target_modules qkv_proj: the llama model has no such module", fix: "target among its projections: q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj" }),
    );
  });

  it("trainable token rows: only those rows change, tied lm_head follows; save → load round trip", () => {
    const model = tiny("gemma2"); // tied
    const adapter = createLora(model, { ...defaultLoraConfig, targetModules: ["q_proj"], trainableTokenIndices: [21, 22] }, 2);
    expect(values(model.forward(ids, { adapter }))).toEqual(values(model.forward(ids)));
    perturb(adapter.variables(), 6);
    const table = adapter.embeddingWeight("model.embed_tokens", model.params.get("model.embed_tokens.weight")! as tf.Tensor2D);
    const base = values(model.params.get("model.embed_tokens.weight")!);
    const t = values(table);
    for (let row = 0; row < 24; row++) {
      const same = t.subarray(row * 16, row * 16 + 16).every((x, j) => x === base[row * 16 + j]);
      expect(same).toBe(row !== 21 && row !== 22);
    }
    const dir = tmp();
    saveAdapter(adapter, dir);
    const config = JSON.parse(readFileSync(join(dir, "adapter_config.json"), "utf8"));
    expect(config).toMatchObject({ peft_type: "LORA", task_type: "CAUSAL_LM", r: 16, lora_alpha: 64, trainable_token_indices: [21, 22], target_modules: ["q_proj"], bias: "none", fan_in_fan_out: false });
    const again = loadAdapter(model, dir);
    expect(values(model.forward(ids, { adapter: again }))).toEqual(values(model.forward(ids, { adapter })));
  });

  it("adapter_config.json: PEFT's fields both ways; unsupported settings fail with the reason", () => {
    const c: LoraConfig = { ...defaultLoraConfig, r: 8, loraAlpha: 16, useRslora: true, trainableTokenIndices: [7], baseModelNameOrPath: "base" };
    const json = toAdapterConfig(c);
    expect(fromAdapterConfig(json)).toEqual(c);
    expect(fromAdapterConfig({ ...json, trainable_token_indices: { embed_tokens: [7] } })).toEqual(c);
    expect(() => fromAdapterConfig({ ...json, use_dora: true })).toThrow(/use_dora/);
    expect(() => fromAdapterConfig({ ...json, target_modules: "q_proj|v_proj" })).toThrow(/regex/);
    expect(() => fromAdapterConfig({ ...json, target_modules: ["c_attn"] })).toThrow(/c_attn/);
    expect(() => fromAdapterConfig({ ...json, trainable_token_indices: { lm_head: [7] } })).toThrow(/lm_head/);
  });

  it("dropout only while training, repeatable from the seed", () => {
    const model = tiny("llama");
    const make = () => { const a = createLora(model, { ...defaultLoraConfig, r: 2, loraDropout: 0.5 }, 8); perturb(a.variables(), 1); return a; };
    const [a, b] = [make(), make()];
    const evalLoss = values(model.loss(ids, mask, positions, a).loss)[0];
    a.training = b.training = true;
    const la = values(model.loss(ids, mask, positions, a).loss)[0];
    const lb = values(model.loss(ids, mask, positions, b).loss)[0];
    expect(la).toBe(lb);
    expect(Math.abs(la - evalLoss)).toBeGreaterThan(1e-4);
    expect(values(model.loss(ids, mask, positions, a).loss)[0]).not.toBe(la); // next masks differ
  });

  it("on native, the fused linear + LoRA op gives linearDelta's loss and gradients, dropout included", async () => {
    const before = tf.getBackend();
    try {
      await selectBackend("native");
    } catch {
      return; // no native addon on this machine
    }
    const model = tiny("llama");
    const ops = fusedOps();
    expect(ops.loraLinear).toBeDefined();
    let fusedCalls = 0;
    const run = (fused: FusedOps["loraLinear"]) => {
      setFusedOps("native", { ...ops, loraLinear: fused });
      const adapter = createLora(model, { ...defaultLoraConfig, r: 2, loraDropout: 0.3, targetModules: allTargets }, 3);
      perturb(adapter.variables(), 4);
      adapter.training = true;
      const { value, grads } = tf.variableGrads(() => model.loss(ids, mask, positions, adapter).loss, adapter.variables());
      return [values(value), ...adapter.variables().map((v) => values(grads[v.name]))];
    };
    try {
      const want = run(undefined);
      const got = run((...args) => (fusedCalls++, ops.loraLinear!(...args)));
      expect(fusedCalls).toBeGreaterThan(0);
      want.forEach((w, i) => expect(maxRelErr(got[i], w), `output ${i}`).toBeLessThan(1e-5));
    } finally {
      setFusedOps("native", ops);
      await selectBackend(before as "cpu");
    }
  });
  it.each(["cpu", "native"] as const)("on %s, the chunked head loss and gradient checkpointing give the plain path's loss and gradients (LoRA on lm_head, trainable tokens, dropout)", async (backend) => {
    const before = tf.getBackend();
    if (!(await selectBackend(backend).then(() => true, () => false))) return; // no native addon on this machine
    try {
      for (const family of ["llama", "gemma2"] as const) {
        const model = tiny(family); // tied: lm_head's LoRA and the trainable rows both reach the chunked head
        const run = (opts: { logitsChunkRows?: number; gradientCheckpointing?: boolean }) => {
          const adapter = createLora(model, { ...defaultLoraConfig, r: 2, loraDropout: 0.3, targetModules: allTargets, trainableTokenIndices: [3, 9] }, 3);
          perturb(adapter.variables(), 4);
          adapter.training = true;
          const { value, grads } = tf.variableGrads(() => model.loss(ids, mask, positions, adapter, opts).loss, adapter.variables());
          const out = [values(value), ...adapter.variables().map((v) => values(grads[v.name]))];
          tf.dispose([value, ...Object.values(grads)]);
          adapter.dispose();
          return out;
        };
        const want = run({ logitsChunkRows: 1e9 });
        for (const opts of [{ logitsChunkRows: 2 }, { gradientCheckpointing: true }, { logitsChunkRows: 3, gradientCheckpointing: true }]) {
          const got = run(opts);
          want.forEach((w, i) => expect(maxRelErr(got[i], w), `${family} ${JSON.stringify(opts)} output ${i}`).toBeLessThan(1e-5));
        }
        model.dispose();
      }
    } finally {
      await selectBackend(before as "cpu");
    }
  });
});
