import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { describe, expect, it } from "vitest";
import { AdamW, clipByGlobalNorm } from "./adamw.js";

describe("AdamW", () => {
  it("matches a hand-computed torch.optim.AdamW trajectory", () => {
    // Reference: torch.optim.AdamW([p], lr=0.1, betas=(0.9,0.999), eps=1e-8, weight_decay=0.01)
    // on p=[1,-2] with the constant gradient g=[0.5,-1], three steps, recomputed here in float64.
    const p = tf.variable(tf.tensor1d([1, -2]));
    const opt = new AdamW(new Map([["p", p]]), { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 });
    const ref = [1, -2];
    const m = [0, 0], v = [0, 0], g = [0.5, -1];
    for (let t = 1; t <= 3; t++) {
      opt.apply(new Map([["p", tf.tensor1d(g)]]), 0.1);
      for (let i = 0; i < 2; i++) {
        ref[i] *= 1 - 0.1 * 0.01;
        m[i] = 0.9 * m[i] + 0.1 * g[i];
        v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
        ref[i] -= (0.1 * (m[i] / (1 - 0.9 ** t))) / (Math.sqrt(v[i] / (1 - 0.999 ** t)) + 1e-8);
      }
    }
    const got = Array.from(p.dataSync());
    got.forEach((x, i) => expect(x).toBeCloseTo(ref[i], 5));
    expect(opt.step).toBe(3);
  });

  it("does not decay parameters the filter exempts", () => {
    const w = tf.variable(tf.tensor1d([1]));
    const b = tf.variable(tf.tensor1d([1]));
    const opt = new AdamW(new Map([["w", w], ["norm.weight", b]]), { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.5 }, (n) => !n.includes("norm"));
    opt.apply(new Map([["w", tf.tensor1d([0])], ["norm.weight", tf.tensor1d([0])]]), 0.1);
    expect(w.dataSync()[0]).toBeCloseTo(0.95, 6);
    expect(b.dataSync()[0]).toBeCloseTo(1, 6);
  });
});

describe("clipByGlobalNorm", () => {
  it("scales to the max norm and reports the norm before", () => {
    const grads = new Map<string, tf.Tensor>([["a", tf.tensor1d([3, 0])], ["b", tf.tensor1d([0, 4])]]);
    const { grads: clipped, norm } = clipByGlobalNorm(grads, 1);
    expect(norm).toBeCloseTo(5, 6);
    expect(Array.from(clipped.get("a")!.dataSync())[0]).toBeCloseTo(0.6, 5);
    expect(Array.from(clipped.get("b")!.dataSync())[1]).toBeCloseTo(0.8, 5);
  });
  it("leaves small gradients alone", () => {
    const grads = new Map<string, tf.Tensor>([["a", tf.tensor1d([0.3, 0.4])]]);
    const out = clipByGlobalNorm(grads, 1);
    expect(out.grads.get("a")).toBe(grads.get("a"));
  });
});
