import * as tf from "@tensorflow/tfjs-core";
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { loadModel } from "./checkpoint.js";
import { CausalLM } from "./model.js";
import { readSafetensors } from "./safetensors.js";
import { fixtures, maxRelErr, useTestBackend, values } from "./test-helpers.js";

beforeAll(useTestBackend);

interface Golden { input_ids: number[][]; loss_mask: number[][]; loss: number; packed_position_ids: number[][] }

describe.each(["llama", "mistral", "qwen2", "qwen3", "gemma2"])("%s matches transformers (float32)", (family) => {
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

  it.runIf(family === "mistral" || family === "gemma2")("the sliding window shapes the logits (the sequence is longer than it)", () => {
    const model = loadModel(dir);
    expect(model.config.slidingWindow).toBeLessThan(golden.input_ids[0].length);
    const unwindowed = new CausalLM({ ...model.config, slidingWindow: null }, model.params);
    const logits = unwindowed.forward(golden.input_ids);
    expect(maxRelErr(values(logits), expected.get("logits")!.data)).toBeGreaterThan(1e-2);
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
