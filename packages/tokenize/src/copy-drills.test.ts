import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DatasetWriter, openDataset, type FormattedRow, type StageInput, type TokensRow } from "@tooltune/core";
import { runStageForTest, stageContractSuite } from "@tooltune/core/testing";
import { Rng } from "@tooltune/format";
import { loadTokenizerBundle } from "./bundle.js";
import { copyDrillsStage } from "./copy-drills-stage.js";
import { drillRow, drillRows, idCounts, type DrillOptions } from "./copy-drills.js";
import { tokenizeStage, TOKENIZER_DIR } from "./stage.js";

const COURSE = ["<tools>", "</tools>", "<think>", "</think>", "<tool_call>", "</tool_call>", "<tool_response>", "</tool_response>", "<pad>", "<eos>"];
const OPTIONS: DrillOptions = { alphabet: [5, 6, 7, 8, 9], rows: 3, length: 64, spanMin: 3, spanMax: 5, repeatsMin: 2, repeatsMax: 3, seed: 1 };

describe("drill rows", () => {
  it("are spans written back to back several times, from the alphabet only", () => {
    // A fixed span (alphabet of one id per position would be ambiguous): every id drawn from the alphabet.
    const row = drillRow(new Rng(3), { ...OPTIONS, spanMin: 4, spanMax: 4, repeatsMin: 2, repeatsMax: 2, length: 16 });
    expect(row.length).toBe(16);
    for (const id of row) expect(OPTIONS.alphabet).toContain(id);
    // Each 8-token block is one span written twice.
    for (let b = 0; b < 16; b += 8) expect([...row.subarray(b, b + 4)]).toEqual([...row.subarray(b + 4, b + 8)]);
  });

  it("are a function of the options and seed", () => {
    expect(drillRows(OPTIONS)).toEqual(drillRows(OPTIONS));
    expect(drillRows({ ...OPTIONS, seed: 2 })).not.toEqual(drillRows(OPTIONS));
  });

  it("draw ids by their weights when given: never a zero-weight id, the others in proportion", () => {
    const counts = new Map<number, number>();
    for (const row of drillRows({ ...OPTIONS, alphabet: [5, 6, 7], weights: [1, 0, 3], rows: 50 })) for (const id of row) counts.set(id, (counts.get(id) ?? 0) + 1);
    expect(counts.has(6)).toBe(false);
    expect(counts.get(7)! / counts.get(5)!).toBeGreaterThan(2);
    expect(counts.get(7)! / counts.get(5)!).toBeLessThan(4.5);
  });

  it("orders ids by frequency, ties by id", () => {
    expect(idCounts([[3, 1, 1], [2, 3, 9]])).toEqual([[1, 2], [3, 2], [2, 1], [9, 1]]);
  });
});

const tmp = mkdtempSync(join(tmpdir(), "copy-drills-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A tokens dataset of plain chat text (no tool tokens in it), made by the tokenize stage. */
async function plainTokens(dir: string): Promise<StageInput> {
  const rows: FormattedRow[] = ["The cat sat on the mat", "Order 4821 ships on 2026-03-14", "Meet me at noon in Lima"].map((t, i) => {
    const text = `<|im_start|>user\n${t}<|im_end|>\n`;
    return { id: `p${i}`, text, spans: [{ start: 0, end: text.length, role: "user", train: true }], template: "chatml", split: "train" };
  });
  const formatted = join(dir, "formatted");
  const writer = await DatasetWriter.create(formatted, { kind: "formatted" });
  await writer.write(rows);
  const fm = await writer.finish({ stage: "format", stageVersion: "1", params: {}, inputs: [] }, { template: "chatml", special_tokens: { name: "course", tokens: COURSE } });
  const out = join(dir, "tokens");
  const manifest = await runStageForTest(tokenizeStage, { params: { max_length: 64, vocab: "trim" }, inputs: [{ name: "text", path: formatted, manifest: fm }], finalDir: out });
  return { name: "plain_tokens", path: out, manifest };
}

stageContractSuite("copy_drills", {
  stage: copyDrillsStage,
  params: { rows: 20, test_rows: 2, length: 32 },
  inputs: async (dir) => [await plainTokens(dir)],
  module: { url: new URL("./copy-drills-stage.ts", import.meta.url).href, exportName: "copyDrillsStage" },
});

describe("copy_drills stage", () => {
  it("draws only the input's non-markup ids, keeps its bundle, and appends its rows when asked", async () => {
    const input = await plainTokens(join(tmp, "in"));
    const dir = join(tmp, "out");
    const manifest = await runStageForTest(copyDrillsStage, { params: { rows: 30, test_rows: 3, length: 48, alphabet: 8, include_input: true }, inputs: [input], finalDir: dir });
    const rows = await (await openDataset<TokensRow>(dir)).readAll();
    const inputRows = await (await openDataset<TokensRow>(input.path)).readAll();
    expect(rows.length).toBe(33 + inputRows.length);
    expect(rows.filter((r) => r.split === "test").length).toBe(3 + inputRows.filter((r) => r.split === "test").length);

    const bundle = loadTokenizerBundle(join(dir, TOKENIZER_DIR));
    // Every added token (<|im_start|>… as well as the course's set) is markup, as in the copy probe.
    const special = new Set(bundle.addedTokenIds);
    const expected = idCounts(inputRows.map((r) => r.input_ids)).map(([id]) => id).filter((id) => !special.has(id) && id !== bundle.padId && id !== bundle.eosId).slice(0, 8);
    const drilled = new Set(rows.filter((r) => r.id.startsWith("drill-")).flatMap((r) => [...r.input_ids]));
    expect([...drilled].sort((a, b) => a - b)).toEqual([...expected].sort((a, b) => a - b));
    for (const markup of [...COURSE.slice(0, 8), "<|im_start|>", "<|im_end|>"]) expect(drilled.has(bundle.idOf(markup)!), markup).toBe(false);
    expect(manifest.stats).toMatchObject({ alphabet_size: 8, vocab_size: bundle.vocabSize, drill_tokens: 33 * 48 });
    expect(loadTokenizerBundle(join(input.path, TOKENIZER_DIR)).vocabSize).toBe(bundle.vocabSize);
  });

  it("with alphabet: vocabulary, also draws the vocabulary's text ids the input never uses, and no markup", async () => {
    const full = await plainTokens(join(tmp, "vocab-in"));
    // The same bundle over the first 8 tokens: the other words are in its vocabulary only.
    const oneRow = join(tmp, "vocab-one");
    const writer = await DatasetWriter.create(oneRow, { kind: "tokens" });
    const whole = (await (await openDataset<TokensRow>(full.path)).readAll())[0];
    const first = [{ ...whole, input_ids: whole.input_ids.slice(0, 8), loss_mask: whole.loss_mask.slice(0, 8), position_ids: whole.position_ids.slice(0, 8) }];
    await writer.write(first);
    const input = { name: "one", path: oneRow, manifest: await writer.finish({ stage: "tokenize", stageVersion: "1", params: {}, inputs: [] }, {}) };
    cpSync(join(full.path, TOKENIZER_DIR), join(oneRow, TOKENIZER_DIR), { recursive: true });
    const dir = join(tmp, "vocab-out");
    await runStageForTest(copyDrillsStage, { params: { rows: 400, test_rows: 0, length: 64, alphabet: "vocabulary", sampling: "sqrt_frequency" }, inputs: [input], finalDir: dir });
    const bundle = loadTokenizerBundle(join(dir, TOKENIZER_DIR));
    const drilled = new Set((await (await openDataset<TokensRow>(dir)).readAll()).flatMap((r) => [...r.input_ids]));
    const inFirst = new Set(first[0].input_ids);
    const markup = new Set([...bundle.addedTokenIds, bundle.padId, bundle.eosId, bundle.unkId!]);
    const text = [...new Set((await (await openDataset<TokensRow>(full.path)).readAll()).flatMap((r) => [...r.input_ids]))].filter((id) => !markup.has(id));
    expect(text.some((id) => !inFirst.has(id))).toBe(true);
    expect([...drilled].sort((a, b) => a - b)).toEqual(text.sort((a, b) => a - b));
  });
});
