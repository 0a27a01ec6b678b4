import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { describe, expect, it } from "vitest";
import type { AdamW } from "./adamw.js";
import { totalSteps, trainLoop, type LoopConfig, type LoopState } from "./loop.js";
import { bigramTarget, patternRows } from "./test-toy.js";

const vocab = 11;
const config = (steps: number, over: Partial<LoopConfig> = {}): LoopConfig => ({
  schedule: { kind: "cosine", lr: 0.3, warmupSteps: 2, totalSteps: steps },
  gradAccum: 2,
  maxGradNorm: 1,
  optimizer: { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 },
  batching: { batchSize: 3, shuffle: true, seed: 5, padId: 0 },
  seed: 5,
  logEvery: 1,
  evalEvery: 5,
  checkpointEvery: 4,
  evalBatchSize: 4,
  ...over,
});

describe("trainLoop", () => {
  it("lowers the loss and logs every step with eval loss", async () => {
    const target = bigramTarget(vocab, 1);
    const rows = patternRows(12, vocab);
    const { state } = await trainLoop(target, rows, rows.slice(0, 4), config(30), { checkpoint: async () => {} });
    expect(state.log).toHaveLength(30);
    expect(state.log.at(-1)!.loss).toBeLessThan(state.log[0].loss * 0.5);
    expect(state.log.at(-1)!.eval_loss).not.toBeNull();
    expect(state.log[0].lr).toBe(0); // warmup starts at zero, as transformers
  });

  it("resumed from a mid-run checkpoint ends with the same weights as an uninterrupted run", async () => {
    const rows = patternRows(10, vocab);
    const cfg = config(12);
    const full = bigramTarget(vocab, 2);
    await trainLoop(full, rows, [], cfg, { checkpoint: async () => {} });
    const expected = full.trainable.get("table")!.dataSync().slice() as Float32Array;

    // First run: stop after the checkpoint at step 8 by aborting.
    const interrupted = bigramTarget(vocab, 2);
    const controller = new AbortController();
    let saved: { state: LoopState; weights: Float32Array; m: Float32Array; v: Float32Array; step: number } | undefined;
    const checkpoint = async (state: LoopState, opt: AdamW) => {
      saved = { state: structuredClone(state), weights: interrupted.trainable.get("table")!.dataSync().slice() as Float32Array, m: opt.m.get("table")!.dataSync().slice() as Float32Array, v: opt.v.get("table")!.dataSync().slice() as Float32Array, step: opt.step };
      if (state.step === 8) controller.abort();
    };
    await expect(trainLoop(interrupted, rows, [], cfg, { checkpoint, signal: controller.signal })).rejects.toThrow(/stopped at step 8/);

    // A fresh process: new variables, restored from the checkpoint.
    const resumed = bigramTarget(vocab, 99);
    resumed.trainable.get("table")!.assign(tf.tensor(saved!.weights, [vocab, vocab]));
    const ck = saved!;
    await trainLoop(resumed, rows, [], cfg, { checkpoint: async () => {} }, {
      state: ck.state,
      restore: (opt) => {
        opt.m.get("table")!.assign(tf.tensor(ck.m, [vocab, vocab]));
        opt.v.get("table")!.assign(tf.tensor(ck.v, [vocab, vocab]));
        opt.step = ck.step;
      },
    });
    const got = resumed.trainable.get("table")!.dataSync();
    let maxDiff = 0;
    for (let i = 0; i < got.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i] - expected[i]));
    expect(maxDiff).toBeLessThanOrEqual(1e-6);
  });

  it("does not grow the number of live tensors across steps", async () => {
    const target = bigramTarget(vocab, 3);
    const rows = patternRows(6, vocab);
    const counts: number[] = [];
    await trainLoop(target, rows, [], config(20, { evalEvery: 0 }), { checkpoint: async () => {}, onStep: () => counts.push(tf.memory().numTensors) });
    expect(counts.at(-1)).toBe(counts[2]);
  });

  it("counts optimizer steps from epochs or max steps", () => {
    const rows = patternRows(10, vocab);
    const cfg = config(1);
    expect(totalSteps(rows, cfg, 1)).toBe(2); // 4 micro-batches of ≤3 rows, accumulation 2
    expect(totalSteps(rows, cfg, 3)).toBe(6);
    expect(totalSteps(rows, cfg, 3, 7)).toBe(7);
  });
});
