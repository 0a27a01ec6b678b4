// Hugging Face checkpoint IO (config.json + model.safetensors, or shards with
// model.safetensors.index.json), fresh initialisation from a config and a seed, and embedding resize.
import * as tf from "@tensorflow/tfjs-core";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readJsonFile, TooltuneError } from "@tooltune/core";
import { fromHfConfig, hfConfigJson, isGemma, toHfConfig, type ModelConfig } from "./config.js";
import { CausalLM, isLinearWeight, type Params } from "./model.js";
import { seededRandomNormal } from "./random.js";
import { readSafetensors, writeSafetensors, dtypeBytes, type HostTensor, type StDtype } from "./safetensors.js";

/** Every parameter of a config with its shape in Hugging Face's layout ([out, in] for linears). */
export function parameterShapes(c: ModelConfig): Map<string, number[]> {
  const s = new Map<string, number[]>();
  const [H, I, hd] = [c.hiddenSize, c.intermediateSize, c.headDim];
  const [q, kv] = [c.numAttentionHeads * hd, c.numKeyValueHeads * hd];
  s.set("model.embed_tokens.weight", [c.vocabSize, H]);
  for (let i = 0; i < c.numHiddenLayers; i++) {
    const l = `model.layers.${i}`;
    s.set(`${l}.input_layernorm.weight`, [H]);
    if (c.fusedProjections) s.set(`${l}.self_attn.qkv_proj.weight`, [q + 2 * kv, H]);
    else for (const [p, n] of [["q", q], ["k", kv], ["v", kv]] as const) s.set(`${l}.self_attn.${p}_proj.weight`, [n, H]);
    s.set(`${l}.self_attn.o_proj.weight`, [H, q]);
    if (c.attentionBias) for (const [p, n] of [["q", q], ["k", kv], ["v", kv]] as const) s.set(`${l}.self_attn.${p}_proj.bias`, [n]);
    if (c.oProjBias) s.set(`${l}.self_attn.o_proj.bias`, [H]);
    if (c.qkNorm) for (const p of ["q", "k"]) s.set(`${l}.self_attn.${p}_norm.weight`, [hd]);
    s.set(`${l}.post_attention_layernorm.weight`, [H]);
    if (isGemma(c.family)) {
      s.set(`${l}.pre_feedforward_layernorm.weight`, [H]);
      s.set(`${l}.post_feedforward_layernorm.weight`, [H]);
    }
    if (c.fusedProjections) s.set(`${l}.mlp.gate_up_proj.weight`, [2 * I, H]);
    else for (const p of ["gate", "up"]) s.set(`${l}.mlp.${p}_proj.weight`, [I, H]);
    s.set(`${l}.mlp.down_proj.weight`, [H, I]);
  }
  s.set("model.norm.weight", [H]);
  if (!c.tieWordEmbeddings) s.set("lm_head.weight", [c.vocabSize, H]);
  return s;
}

/** HF tensor → variable in our layout (linear weights transposed to [in, out]). */
function toVariable(name: string, t: HostTensor, trainable: boolean): tf.Variable {
  return tf.tidy(() => {
    const x = tf.tensor(t.data, t.shape);
    return tf.variable(isLinearWeight(name) ? tf.transpose(x) : x, trainable); // tfjs names must be unique: unnamed
  });
}

/** Variable → HF tensor (linear weights back to [out, in]). */
export function toHostTensor(name: string, v: tf.Tensor): HostTensor {
  const x = isLinearWeight(name) ? tf.transpose(v) : v;
  const out = { shape: [...x.shape], data: new Float32Array(x.dataSync()) };
  if (x !== v) x.dispose();
  return out;
}

const MODEL_DIR_FIX = "give a Hugging Face model directory (config.json + model.safetensors): a download, or what the train stage writes";

export function readCheckpointTensors(dir: string): Map<string, HostTensor> {
  const index = join(dir, "model.safetensors.index.json");
  if (!existsSync(index)) return readSafetensors(join(dir, "model.safetensors"));
  const weightMap = (readJsonFile(index, "the shard index", MODEL_DIR_FIX) as { weight_map: Record<string, string> }).weight_map;
  const out = new Map<string, HostTensor>();
  for (const file of new Set(Object.values(weightMap))) for (const [k, v] of readSafetensors(join(dir, file))) out.set(k, v);
  return out;
}

export interface ParamOptions {
  /** Make the base parameters trainable (full fine-tuning). Default false (frozen, for LoRA). */
  trainable?: boolean;
}

/** Load a Hugging Face checkpoint directory (F32/F16/BF16 → float32). */
export function loadModel(dir: string, opts: ParamOptions = {}): CausalLM {
  const configFile = join(dir, "config.json");
  const config = fromHfConfig(readJsonFile(configFile, "the model's config.json", MODEL_DIR_FIX) as Record<string, unknown>, configFile);
  const tensors = readCheckpointTensors(dir);
  const params: Params = new Map();
  for (const [name, shape] of parameterShapes(config)) {
    const t = tensors.get(name);
    if (!t) throw new TooltuneError("INPUT", `checkpoint has no tensor ${name}`, { where: dir, fix: "its config.json and weights must be of the same model" });
    if (t.shape.join(",") !== shape.join(",")) throw new TooltuneError("INPUT", `${name} has shape [${t.shape}], config says [${shape}]`, { where: dir, fix: "its config.json and weights must be of the same model" });
    params.set(name, toVariable(name, t, opts.trainable ?? false));
  }
  return new CausalLM(config, params);
}

export interface SaveOptions {
  /** F32 (default), F16 or BF16. */
  dtype?: StDtype;
  /** Shard when the tensors exceed this many bytes (default 5 GB, as save_pretrained). */
  maxShardBytes?: number;
}

/** Save in Hugging Face layout: config.json + model.safetensors (or shards + index). */
export function saveModel(model: CausalLM, dir: string, opts: SaveOptions = {}): void {
  const dtype = opts.dtype ?? "F32";
  const maxShard = opts.maxShardBytes ?? 5e9;
  mkdirSync(dir, { recursive: true });
  const torchDtype = { F32: "float32", F16: "float16", BF16: "bfloat16" } as const;
  writeFileSync(join(dir, "config.json"), hfConfigJson(toHfConfig({ ...model.config, torchDtype: torchDtype[dtype] })));
  const shards: Map<string, HostTensor>[] = [new Map()];
  let size = 0;
  let total = 0;
  for (const name of parameterShapes(model.config).keys()) {
    const t = toHostTensor(name, model.params.get(name)!);
    const bytes = t.data.length * dtypeBytes(dtype);
    if (size > 0 && size + bytes > maxShard) { shards.push(new Map()); size = 0; }
    shards[shards.length - 1].set(name, t);
    size += bytes;
    total += bytes;
  }
  if (shards.length === 1) return writeSafetensors(join(dir, "model.safetensors"), shards[0], dtype);
  const weightMap: Record<string, string> = {};
  const n = String(shards.length).padStart(5, "0");
  shards.forEach((shard, i) => {
    const file = `model-${String(i + 1).padStart(5, "0")}-of-${n}.safetensors`;
    writeSafetensors(join(dir, file), shard, dtype);
    for (const name of shard.keys()) weightMap[name] = file;
  });
  writeFileSync(join(dir, "model.safetensors.index.json"), JSON.stringify({ metadata: { total_size: total }, weight_map: weightMap }, null, 2) + "\n");
}

/** A fresh model, deterministic in (config, seed): as transformers' _init_weights — linears and
 * embeddings N(0, initializer_range), biases 0, norms 1 (Gemma's (1 + w) norms: 0). */
export function createModel(config: ModelConfig, seed: number, opts: ParamOptions = {}): CausalLM {
  const params: Params = new Map();
  let k = 0;
  for (const [name, hfShape] of parameterShapes(config)) {
    const shape = isLinearWeight(name) ? [hfShape[1], hfShape[0]] : hfShape;
    const init = tf.tidy(() => {
      if (name.endsWith("norm.weight")) return isGemma(config.family) ? tf.zeros(shape) : tf.ones(shape);
      if (name.endsWith(".bias")) return tf.zeros(shape);
      return seededRandomNormal(shape, 0, config.initializerRange, seed * 1000 + k++);
    });
    params.set(name, tf.variable(init, opts.trainable ?? false));
    init.dispose();
  }
  return new CausalLM(config, params);
}

/** Grow the vocabulary to newVocab rows; new rows (embedding and untied lm_head) = mean of the old
 * rows (transformers' mean_resizing, without its tiny covariance noise). Returns the resized model,
 * which takes over the parameters of the one passed in. */
export function resizeTokenEmbeddings(model: CausalLM, newVocab: number): CausalLM {
  const old = model.config.vocabSize;
  if (newVocab < old) throw new Error(`resizeTokenEmbeddings: ${newVocab} < current vocab ${old}`);
  const grow = (name: string, rowsAxis: 0 | 1) => {
    const v = model.params.get(name)!;
    const next = tf.tidy(() => {
      const mean = tf.mean(v, rowsAxis, true);
      const reps = rowsAxis === 0 ? [newVocab - old, 1] : [1, newVocab - old];
      return tf.variable(tf.concat([v, tf.tile(mean, reps)], rowsAxis), v.trainable);
    });
    v.dispose();
    model.params.set(name, next);
  };
  if (newVocab > old) {
    grow("model.embed_tokens.weight", 0); // [V, H]
    if (!model.config.tieWordEmbeddings) grow("lm_head.weight", 1); // held as [H, V]
  }
  return new CausalLM({ ...model.config, vocabSize: newVocab }, model.params);
}
