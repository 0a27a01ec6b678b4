import * as tf from "@tensorflow/tfjs-core";

/**
 * AdamW with decoupled weight decay, as torch.optim.AdamW (the optimizer TRL's SFTTrainer uses):
 *   p ← p − lr·wd·p;  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;  p ← p − lr·m̂ / (√v̂ + ε)
 * Moments are plain variables keyed by parameter name so checkpoints can save and restore them.
 */
export interface AdamWConfig {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

// torch.optim.AdamW defaults (betas=(0.9, 0.999), eps=1e-8); weight decay comes from the params.
export const ADAMW_DEFAULTS: AdamWConfig = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 };

export class AdamW {
  readonly m = new Map<string, tf.Variable>();
  readonly v = new Map<string, tf.Variable>();
  /** Number of updates taken so far (bias correction uses step + 1). */
  step = 0;

  constructor(
    readonly params: Map<string, tf.Variable>,
    readonly config: AdamWConfig,
    /** Which parameters decay (transformers exempts biases and norm weights). */
    readonly decays: (name: string) => boolean = () => true,
  ) {
    for (const [name, p] of params) {
      this.m.set(name, tf.variable(tf.zerosLike(p), false));
      this.v.set(name, tf.variable(tf.zerosLike(p), false));
    }
  }

  /** One update with gradients already averaged and clipped. */
  apply(grads: Map<string, tf.Tensor>, lr: number): void {
    const { beta1, beta2, eps, weightDecay } = this.config;
    const t = this.step + 1;
    const bc1 = 1 - beta1 ** t;
    const bc2 = 1 - beta2 ** t;
    tf.tidy(() => {
      for (const [name, p] of this.params) {
        const g = grads.get(name);
        if (!g) continue;
        const m = this.m.get(name)!;
        const v = this.v.get(name)!;
        const newM = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1));
        const newV = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2));
        m.assign(newM);
        v.assign(newV);
        const decayed = weightDecay > 0 && this.decays(name) ? tf.mul(p, 1 - lr * weightDecay) : p;
        const update = tf.mul(tf.div(tf.div(newM, bc1), tf.add(tf.sqrt(tf.div(newV, bc2)), eps)), lr);
        p.assign(tf.sub(decayed, update));
      }
    });
    this.step = t;
  }

  dispose(): void {
    for (const x of [...this.m.values(), ...this.v.values()]) x.dispose();
  }
}

/** Scale gradients so their global L2 norm is at most maxNorm (torch.nn.utils.clip_grad_norm_). Returns the norm before clipping. */
export function clipByGlobalNorm(grads: Map<string, tf.Tensor>, maxNorm: number): { grads: Map<string, tf.Tensor>; norm: number } {
  const norm = tf.tidy(() => tf.sqrt(tf.addN([...grads.values()].map((g) => tf.sum(tf.square(g))))).dataSync()[0]);
  if (!(maxNorm > 0) || norm <= maxNorm) return { grads, norm };
  // torch: clip_coef = max_norm / (total_norm + 1e-6)
  const coef = maxNorm / (norm + 1e-6);
  const clipped = new Map<string, tf.Tensor>();
  for (const [name, g] of grads) {
    clipped.set(name, tf.mul(g, coef));
    g.dispose();
  }
  return { grads: clipped, norm };
}
