// The fused ops this package gives the model: picked up by the model's selectBackend when it
// chooses `native`, used only while `native` is the active backend. FusedOps is the contract (the
// model imports it as a type); the tfjs formulations in @tooltune/model are the reference each op
// must match within 1e-5, gradients included (tf.customGrad).
import type * as tf from "@tensorflow/tfjs-core";
import { attention, type AttentionOptions } from "./attention.js";
import { crossEntropy } from "./cross-entropy.js";
import { dropout, gatedActivation, rmsNorm, rope } from "./fused.js";
import { loraLinear } from "./lora-linear.js";

/** Members are added as the kernels package gains fused ops; all are optional. */
export interface FusedOps {
  /** Per-row −log softmax(logits)[target]: logits [N, V], targets [N] int32 → [N]. */
  crossEntropy?(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D;
  /**
   * RMSNorm over the last axis: x · rsqrt(mean(x²) + eps) · w, or · (1 + w) when plusOne (Gemma).
   * x [N, H], w [H] → [N, H]; gradients for x and w.
   */
  rmsNorm?(x: tf.Tensor2D, w: tf.Tensor1D, eps: number, plusOne: boolean): tf.Tensor2D;
  /**
   * HF's rotary embedding: x·cos + rotate_half(x)·sin, rotate_half(x) = cat(−x2, x1) on the last axis.
   * x [N, heads, headDim], cos/sin [N, 1, headDim] → [N, heads, headDim]; gradient for x only.
   */
  rope?(x: tf.Tensor3D, cos: tf.Tensor3D, sin: tf.Tensor3D): tf.Tensor3D;
  /**
   * The gated MLP's activation act(gate) · up, act = SiLU ("silu") or tanh-approximated GELU
   * ("gelu_tanh"). gate, up [N, I] → [N, I]; gradients for both.
   */
  gatedActivation?(gate: tf.Tensor2D, up: tf.Tensor2D, activation: "silu" | "gelu_tanh"): tf.Tensor2D;
  /**
   * Causal self-attention over packed rows, without a KV cache: q [N, nH, hd] (rope applied), k and
   * v [N, nKv, hd], N = batch·seqLen; query head h reads kv head ⌊h / (nH / nKv)⌋. Returns
   * [N, nH·hd], heads concatenated (o_proj's input). Scores are scale·q·k, soft-capped as
   * softcap·tanh(s / softcap) when softcap is set; query t sees the keys from the start of its run
   * of equal segment ids (segmentsOf: a packed example, or a lone padding token) up to itself, and
   * only those with t − j < window when window is set. Gradients for q, k and v.
   */
  attention?(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, opts: AttentionOptions): tf.Tensor2D;
  /**
   * A frozen linear layer with a LoRA delta: x W + scale · (loraInput A) B, loraInput = x unless
   * given (x after the adapter's dropout). x, loraInput [N, in], w [in, out], a [in, r], b [r, out]
   * → [N, out]; gradients for x, loraInput, a and b, none for w.
   */
  loraLinear?(x: tf.Tensor2D, w: tf.Tensor2D, a: tf.Tensor2D, b: tf.Tensor2D, scale: number, loraInput?: tf.Tensor2D): tf.Tensor2D;
  /**
   * Inverted dropout, x / (1 − rate) where kept, else 0, with a mask fixed by (seed, element
   * index): same seed, same mask (a backend's masks need not be tf.dropout's). Gradient for x.
   */
  dropout?(x: tf.Tensor2D, rate: number, seed: number): tf.Tensor2D;
}

export const fusedOps: Required<FusedOps> = { crossEntropy, rmsNorm, rope, gatedActivation, loraLinear, dropout, attention };
