// LoRA in PEFT's words (tuners/lora/layer.py): for a targeted linear W,
//   y = W x + scaling · loraB(loraA(dropout(x)))
// and for a targeted embedding, y = E[ids] + scaling · (loraEmbeddingAᵀ[ids] @ loraEmbeddingBᵀ).
// Trainable token rows (PEFT trainable_token_indices) replace chosen rows of the embedding table
// (and of a tied lm_head). One adapter per run: none of PEFT's multi-adapter bookkeeping.
//
// Layout: every matrix is held as the transpose of PEFT's, so each product is a plain matmul:
//   linear loraA [in, r] (PEFT lora_A.weight [r, in]),  loraB [r, out] (PEFT lora_B.weight [out, r]);
//   embedding loraA [vocab, r] (PEFT lora_embedding_A [r, vocab]), loraB [r, dim] (lora_embedding_B [dim, r]).
import * as tf from "@tensorflow/tfjs-core";
import { TooltuneError } from "@tooltune/core";
import { CausalLM, gatherRows, seededDropout, seededRandomNormal, type Adapter } from "@tooltune/model";
import { scalingOf, type LoraConfig, type LoraTarget } from "./config.js";

export const EMBED = "model.embed_tokens";

const as2d = (t: tf.Tensor): tf.Tensor2D => t as tf.Tensor2D;

export interface TrainableTokens {
  indices: number[];
  /** The rows themselves [n, dim] (PEFT trainable_tokens_delta: values, not differences). */
  delta: tf.Variable;
}

export interface TargetModule {
  module: string;
  kind: "linear" | "embedding";
  inDim: number;
  outDim: number;
}

/** The model's modules a config targets (HF paths), with their sizes. */
export function targetModulesOf(model: CausalLM, config: LoraConfig): TargetModule[] {
  const c = model.config;
  const out: TargetModule[] = [];
  for (const name of model.params.keys()) {
    const m = /^(.*\.(\w+_proj))\.weight$/.exec(name);
    if (!m || !(config.targetModules as string[]).includes(m[2])) continue;
    const [inDim, outDim] = model.params.get(name)!.shape; // held [in, out]
    out.push({ module: m[1], kind: "linear", inDim, outDim });
  }
  // PEFT fails only when nothing matches; a named projection the model lacks (q_proj on Phi-3) would
  // silently train less than asked, so it fails here
  const missing = config.targetModules.filter((t) => t !== "lm_head" && t !== "embed_tokens" && !out.some((m) => m.module.endsWith(`.${t}`)));
  if (missing.length) {
    const names = [...new Set([...model.params.keys()].map((n) => /\.(\w+_proj)\.weight$/.exec(n)?.[1]).filter((n) => n !== undefined))];
    throw new TooltuneError("CONFIG", `LoRA target_modules ${missing.join(", ")}: the ${c.family} model has no such module`, { fix: `target among its projections: ${names.join(", ")}` });
  }
  if (config.targetModules.includes("lm_head")) out.push({ module: "lm_head", kind: "linear", inDim: c.hiddenSize, outDim: c.vocabSize });
  if (config.targetModules.includes("embed_tokens")) out.push({ module: EMBED, kind: "embedding", inDim: c.vocabSize, outDim: c.hiddenSize });
  return out;
}

export class LoraAdapter implements Adapter {
  readonly scaling: number;
  /** Dropout is applied only while training. */
  training = false;
  /** Dropout calls so far: with `seed`, fixes the masks (save it to resume exactly). */
  dropoutCalls = 0;
  private tokenScatter: { keep: tf.Tensor2D; place: tf.Tensor2D } | null = null;

  constructor(
    readonly config: LoraConfig,
    readonly loraA: Map<string, tf.Variable>,
    readonly loraB: Map<string, tf.Variable>,
    readonly tokens: TrainableTokens | null,
    readonly seed = 0,
  ) {
    this.scaling = scalingOf(config);
  }

  linearDelta(module: string, x: tf.Tensor2D): tf.Tensor2D | null {
    const a = this.loraA.get(module);
    if (!a) return null;
    return tf.matMul<tf.Tensor2D>(tf.matMul(this.dropout(x), tf.mul(as2d(a), this.scaling)), as2d(this.loraB.get(module)!)); // scale A [in, r], not [N, r]
  }

  /** linearDelta as its parts, delta = scale · (input A) B, for a backend that fuses it with W. */
  linearFactors(module: string, x: tf.Tensor2D): { a: tf.Tensor2D; b: tf.Tensor2D; scale: number; input: tf.Tensor2D } | null {
    const a = this.loraA.get(module);
    if (!a) return null;
    return { a: as2d(a), b: as2d(this.loraB.get(module)!), scale: this.scaling, input: this.dropout(x) };
  }

  /** x with PEFT's lora_dropout while training (one mask per call, from seed and call count). */
  private dropout(x: tf.Tensor2D): tf.Tensor2D {
    const rate = this.config.loraDropout;
    if (!this.training || !(rate > 0)) return x;
    return seededDropout(x, rate, this.seed * 1_000_003 + this.dropoutCalls++); // native: its own masks (a hash of seed and index), as repeatable
  }

  embeddingDelta(module: string, ids: tf.Tensor1D): tf.Tensor2D | null {
    const a = this.loraA.get(module);
    if (!a) return null;
    const afterA = gatherRows(as2d(a), ids); // [N, r]
    return tf.matMul<tf.Tensor2D>(afterA, tf.mul(as2d(this.loraB.get(module)!), this.scaling)); // [N, dim]; scale B [r, dim], not [N, r]
  }

  /** The table with the trainable rows in place: W·keep + place @ delta (differentiable in delta). */
  embeddingWeight(module: string, weight: tf.Tensor2D): tf.Tensor2D {
    if (!this.tokens || module !== EMBED) return weight;
    if (!this.tokenScatter) this.tokenScatter = tokenScatter(this.tokens.indices, weight.shape[0]);
    const { keep, place } = this.tokenScatter;
    return tf.add<tf.Tensor2D>(tf.mul(weight, keep), tf.matMul(place, as2d(this.tokens.delta))); // [V, dim]
  }

  /** A and B of the modules under this path prefix (`model.layers.3.`): a checkpointed layer's inputs. */
  trainableOf(prefix: string): tf.Variable[] {
    return [...this.loraA.keys()].filter((m) => m.startsWith(prefix)).flatMap((m) => [this.loraA.get(m)!, this.loraB.get(m)!]);
  }

  /** The trainable variables (what train differentiates). */
  variables(): tf.Variable[] {
    return [...this.namedVariables().values()];
  }

  /**
   * The trainable variables by a name that is the same in every process (`<module>.lora_A`, …):
   * tfjs's own variable names count the variables made before, so a resumed run would not find them.
   */
  namedVariables(): Map<string, tf.Variable> {
    const named = new Map<string, tf.Variable>();
    for (const [module, a] of this.loraA) named.set(`${module}.lora_A`, a);
    for (const [module, b] of this.loraB) named.set(`${module}.lora_B`, b);
    if (this.tokens) named.set(`${EMBED}.trainable_tokens`, this.tokens.delta);
    return named;
  }

  dispose(): void {
    tf.dispose(this.variables());
    if (this.tokenScatter) tf.dispose([this.tokenScatter.keep, this.tokenScatter.place]);
  }
}

function tokenScatter(indices: number[], vocab: number): { keep: tf.Tensor2D; place: tf.Tensor2D } {
  const keep = new Float32Array(vocab).fill(1);
  const place = new Float32Array(vocab * indices.length);
  indices.forEach((row, k) => {
    keep[row] = 0;
    place[row * indices.length + k] = 1;
  });
  return { keep: tf.keep(tf.tensor2d(keep, [vocab, 1])), place: tf.keep(tf.tensor2d(place, [vocab, indices.length])) };
}

/** Phi-3's fused projections and the parts each holds. */
const FUSED_PARTS: [LoraTarget, LoraTarget[]][] = [["qkv_proj", ["q_proj", "k_proj", "v_proj"]], ["gate_up_proj", ["gate_proj", "up_proj"]]];

/**
 * Targets as this model names its modules: on fused projections (Phi-3), all the parts of one
 * (q_proj, k_proj, v_proj) name the fused module (qkv_proj), so the 7 usual projections mean the
 * same layers on every family; some parts only cannot be had (one LoRA covers the whole), and fail.
 */
function resolveTargets(model: CausalLM, targets: LoraTarget[]): LoraTarget[] {
  if (!model.config.fusedProjections) return targets;
  let out = [...targets];
  for (const [fused, parts] of FUSED_PARTS) {
    const named = parts.filter((p) => out.includes(p));
    if (!named.length) continue;
    if (named.length < parts.length)
      throw new TooltuneError("CONFIG", `LoRA target_modules ${named.join(", ")}: the ${model.config.family} model fuses ${parts.join(", ")} into ${fused}, which one LoRA covers whole`, { fix: `target ${fused} (or all of ${parts.join(", ")})` });
    out = out.flatMap((t) => (t === parts[0] ? (out.includes(fused) ? [] : [fused]) : parts.includes(t) ? [] : [t]));
  }
  return out;
}

/**
 * A fresh adapter with PEFT's initialisation (init_lora_weights=True): linear loraA
 * Kaiming-uniform with a=√5 (= U(±1/√in), as nn.Linear), loraB zeros; embedding loraA zeros,
 * loraB N(0, 1); trainable token rows start as the current rows. Targets are resolveTargets'.
 */
export function createLora(model: CausalLM, given: LoraConfig, seed = 0): LoraAdapter {
  if (!(given.r > 0)) throw new Error(`LoRA r must be a positive integer, got ${given.r}`);
  const config = { ...given, targetModules: resolveTargets(model, given.targetModules) };
  const loraA = new Map<string, tf.Variable>();
  const loraB = new Map<string, tf.Variable>();
  targetModulesOf(model, config).forEach((t, k) => {
    const r = config.r;
    const [a, b] = tf.tidy(() => {
      if (t.kind === "embedding") return [tf.zeros([t.inDim, r]), seededRandomNormal([r, t.outDim], 0, 1, seed * 7919 + k)];
      const bound = 1 / Math.sqrt(t.inDim); // kaiming_uniform_(a=√5): gain √(2/6), bound = gain·√3/√fan_in
      return [tf.randomUniform([t.inDim, r], -bound, bound, "float32", seed * 7919 + k), tf.zeros([r, t.outDim])];
    });
    loraA.set(t.module, tf.variable(a, true));
    loraB.set(t.module, tf.variable(b, true));
    tf.dispose([a, b]);
  });
  let tokens: TrainableTokens | null = null;
  if (config.trainableTokenIndices?.length) {
    const indices = config.trainableTokenIndices;
    const rows = tf.tidy(() => tf.gather(model.params.get(`${EMBED}.weight`)!, tf.tensor1d(indices, "int32")));
    tokens = { indices, delta: tf.variable(rows, true) };
    rows.dispose();
  }
  return new LoraAdapter(config, loraA, loraB, tokens, seed);
}

/**
 * A new model with the adapter folded into copies of the base weights (the base is untouched).
 * LoRA on lm_head of a tied model unties it (the embedding must not change with it).
 */
export function mergeAdapter(model: CausalLM, adapter: LoraAdapter): CausalLM {
  const params = new Map<string, tf.Variable>();
  for (const [name, v] of model.params) params.set(name, tf.variable(v, v.trainable));
  let config = model.config;
  const untie = config.tieWordEmbeddings && adapter.loraA.has("lm_head");
  if (untie) {
    params.set("lm_head.weight", tf.tidy(() => tf.variable(tf.transpose(model.params.get(`${EMBED}.weight`)!), false))); // [H, V]
    config = { ...config, tieWordEmbeddings: false };
  }
  tf.tidy(() => {
    if (adapter.tokens) {
      const e = params.get(`${EMBED}.weight`)!;
      e.assign(adapter.embeddingWeight(EMBED, as2d(e)));
      const head = untie ? params.get("lm_head.weight")! : null; // [H, V]: tied rows follow the tokens
      if (head) head.assign(tf.transpose(adapter.embeddingWeight(EMBED, tf.transpose(as2d(head)))));
    }
    for (const [module, a] of adapter.loraA) {
      const w = params.get(`${module}.weight`)!; // linear [in, out]; embedding [V, dim]
      w.assign(tf.add(w, tf.mul(tf.matMul(a, adapter.loraB.get(module)!), adapter.scaling)));
    }
  });
  return new CausalLM(config, params);
}
