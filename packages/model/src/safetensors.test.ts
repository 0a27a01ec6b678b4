import { copyFileSync, mkdtempSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { finishDirectory, TooltuneError } from "@tooltune/core";
import { corruptFile } from "@tooltune/core/testing";
import { createModel, loadModel, saveModel } from "./checkpoint.js";
import { makeConfig } from "./config.js";
import { readSafetensors, writeSafetensors } from "./safetensors.js";

const tmp = () => mkdtempSync(join(tmpdir(), "tooltune-st-"));
const tensors = new Map([["a", { shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) }], ["b", { shape: [4], data: new Float32Array(4) }]]);
const thrown = (f: () => unknown): TooltuneError => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(TooltuneError);
    return e as TooltuneError;
  }
  throw new Error("did not throw");
};

describe("readSafetensors on a damaged file (no manifest to check against)", () => {
  it("refuses data offsets past the end, a header past the end, and a file shorter than 8 bytes, naming the file", () => {
    const file = join(tmp(), "w.safetensors");
    writeSafetensors(file, tensors);
    expect(readSafetensors(file).get("a")!.data).toEqual(tensors.get("a")!.data);
    const size = readFileSync(file).length;
    truncateSync(file, size - 4); // the last tensor's bytes cut short
    const cut = thrown(() => readSafetensors(file));
    expect(cut).toMatchObject({ code: "INPUT", where: file });
    expect(cut.message).toMatch(/^not a complete safetensors file: b's data_offsets \[24, 40\] point past the end of its 36 data bytes$/);
    truncateSync(file, 40); // inside the JSON header
    expect(thrown(() => readSafetensors(file)).message).toMatch(/^not a complete safetensors file: the header says it is \d+ bytes, the file has 32 after the length$/);
    truncateSync(file, 5);
    expect(thrown(() => readSafetensors(file)).message).toBe("not a complete safetensors file: it has 5 bytes, fewer than the 8 of the header length");
  });
});

describe("a model inside a finished stage output", () => {
  it("loadModel refuses a truncated or bit-flipped model.safetensors, naming it, instead of loading wrong weights", async () => {
    const dir = join(tmp(), "base");
    saveModel(createModel(makeConfig("llama", { vocabSize: 32, hiddenSize: 8, intermediateSize: 16, numHiddenLayers: 1, numAttentionHeads: 2 }), 1), dir);
    await finishDirectory(dir, "model", { stage: "train", stageVersion: "1", params: {}, inputs: [] });
    const file = join(dir, "model.safetensors");
    const good = join(dir, "..", "good.safetensors");
    copyFileSync(file, good);
    expect(loadModel(dir).config.vocabSize).toBe(32);
    for (const how of ["truncate", "flip"] as const) {
      await corruptFile(file, how);
      const err = thrown(() => loadModel(dir));
      expect(err).toMatchObject({ code: "INPUT", where: file });
      expect(err.message).toMatch(how === "truncate" ? /^model\.safetensors in the 'train' output .* is damaged: the manifest lists \d+ bytes/ : /^model\.safetensors in the 'train' output .* is damaged: its sha256 is/);
      copyFileSync(good, file);
    }
    writeFileSync(join(dir, "config.json"), readFileSync(join(dir, "config.json"), "utf8").replace('"hidden_size": 8', '"hidden_size": 9'));
    expect(thrown(() => loadModel(dir)).message).toMatch(/^config\.json in the 'train' output .* is damaged/);
  });
});
