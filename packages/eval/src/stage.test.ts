import { describe, expect, it, beforeAll, afterAll } from "vitest";
import { copyFile, cp, mkdtemp, rm, mkdir, writeFile, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { Field, Float64, Int32, Schema } from "apache-arrow";
import { DatasetWriter, finishDirectory, openDataset, readManifest, type StageInput } from "@tooltune/core";
import { runStageForTest, writeTestDataset } from "@tooltune/core/testing";
import { stageContractSuite } from "@tooltune/core/testing";
import { encodeToolCalls, getTemplate, toRow, type Conversation } from "@tooltune/format";
import { loadTokenizerBundle } from "@tooltune/tokenize";
import { scriptedGenerator } from "./generator.js";
import { itemsFromRow } from "./items.js";
import { scoreOutputs } from "./score.js";
import { baseOf } from "./model-dir.js";
import { capRoundRobin, makeEvalStage, type ModelSpec } from "./stage.js";
import { scriptedEvalStage } from "./test-stage.js";
import type { ResultRow } from "./evaluate.js";

const weather = { type: "function" as const, function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } } };
const conv = (id: string, city: string, split = "test"): Conversation => ({
  id, source: `t:${id}`, split, tools: [weather],
  messages: [
    { role: "user", content: `Weather in ${city}?` },
    { role: "assistant", content: "", toolCalls: [{ id: "a", name: "get_weather", arguments: { city } }] },
    { role: "tool", content: `{"temp": ${city.length}}`, name: "get_weather", toolCallId: "a" },
    { role: "assistant", content: `It is ${city.length} degrees in ${city}.` },
  ],
});
const CONVS = [conv("c1", "Paris"), conv("c2", "Oslo"), conv("c3", "Lima", "train")];

const chatml = getTemplate("chatml");
/** The reference answer of every test prompt: what a perfectly trained adapter would write. */
const REFERENCE = new Map(
  CONVS.flatMap((c) => itemsFromRow(toRow(c))).map((item) => {
    const turn = CONVS.find((c) => c.id === item.conversationId)!.messages[item.messages.length];
    return [chatml.renderPrompt(item.messages, item.tools), turn.toolCalls ? encodeToolCalls(turn.toolCalls) : turn.content] as const;
  }),
);
/**
 * Stand-ins for the copy probe's logits: the base always predicts id 0 (it copies nothing); the
 * adapter predicts the token right after the previous occurrence of the current one (an induction
 * rule: it copies, mostly right).
 */
const probeLogits = (copies: boolean) => (rows: number[][], at: number[][]) => {
  const prev = (row: number[], p: number) => { for (let j = p - 1; j >= 0; j--) if (row[j] === row[p]) return row[j + 1]; return 0; };
  const next = at.flatMap((ts, b) => ts.map((t) => (copies ? prev(rows[b], t - 1) : 0)));
  return tf.oneHot(tf.tensor1d(next, "int32"), probeBundle().vocabSize).toFloat() as tf.Tensor2D;
};
let bundle: ReturnType<typeof loadTokenizerBundle> | undefined;
const probeBundle = () => (bundle ??= loadTokenizerBundle(savedBundle()));
const loadGenerator = async (spec: ModelSpec) => ({
  ...(spec.adapterDir ? scriptedGenerator("x", (p) => REFERENCE.get(p) ?? "") : scriptedGenerator("x", () => "I am not sure.")),
  probe: { bundle: probeBundle(), logits: probeLogits(spec.adapterDir !== undefined) },
});
const stage = makeEvalStage(loadGenerator);

let root: string;
let inputs: StageInput[];

/** A tokenizer bundle recording the chatml template, saved once (loading one takes seconds). */
let bundleDir: string | undefined;
function savedBundle(): string {
  if (!bundleDir) {
    const bundle = loadTokenizerBundle("qwen3");
    bundle.setTemplate({ name: "chatml", specialTokens: [] });
    bundleDir = join(root, "bundle");
    bundle.save(bundleDir);
  }
  return bundleDir;
}

/** An adapter directory as train writes it: adapter_config naming the base (relative to the adapter), bundle, train logs. */
async function makeInputs(dir: string): Promise<StageInput[]> {
  const convs = await writeTestDataset(join(dir, "convs"), "conversations", CONVS.map(toRow));
  const base = join(dir, "base");
  const adapter = join(dir, "adapter");
  for (const d of [base, adapter]) {
    await mkdir(d, { recursive: true });
    await cp(savedBundle(), join(d, "tokenizer"), { recursive: true });
  }
  await trainLog(join(base, "train_log.parquet"), [3, 2.5, 2.2]);
  await trainLog(join(adapter, "train_log.parquet"), [2.0, 1.0, 0.5]);
  await writeFile(join(adapter, "adapter_config.json"), JSON.stringify({ base_model_name_or_path: "../base", peft_type: "LORA", r: 4 }));
  const provenance = { stage: "test-fixture", stageVersion: "0", params: {}, inputs: [] };
  await finishDirectory(base, "model", provenance);
  await finishDirectory(adapter, "adapter", provenance);
  return [convs, { name: "adapter", path: adapter, manifest: await readManifest(adapter) }];
}

async function trainLog(file: string, losses: number[]): Promise<void> {
  const schema = new Schema([new Field("step", new Int32(), false), new Field("loss", new Float64(), false), new Field("eval_loss", new Float64(), true)]);
  const rows = losses.map((loss, i) => ({ step: i + 1, loss, eval_loss: i === losses.length - 1 ? loss + 0.1 : null }));
  // One Parquet file through core's dataset writer (its single part), as train writes its log.
  const writer = await DatasetWriter.create(`${file}.ds`, { kind: "train-log", schema });
  await writer.write(rows);
  await writer.finish({ stage: "test-fixture", stageVersion: "0", params: {}, inputs: [] });
  await copyFile(join(`${file}.ds`, "part-00000.parquet"), file);
  await rm(`${file}.ds`, { recursive: true });
}

const PARAMS = { compare_base: true, episodes: 2, max_steps: 4, copy_probe: 6 };

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "tt-eval-"));
  inputs = await makeInputs(join(root, "in"));
});
afterAll(async () => { await rm(root, { recursive: true, force: true }); });

describe("eval stage", () => {
  it("evaluates base and adapter into one results table, metrics.json and an offline report", async () => {
    const out = join(root, "out");
    const m = await runStageForTest(stage, { params: PARAMS, inputs, finalDir: out });
    const rows = await (await openDataset<ResultRow>(out)).readAll();
    // 2 test conversations × 2 judged turns × 2 models; the train conversation is left out.
    expect(m.rows).toBe(8);
    expect(rows.filter((r) => r.model === "adapter").every((r) => r.pass)).toBe(true);
    expect(rows.filter((r) => r.model === "base").map((r) => r.pass)).toEqual([false, true, false, true]);
    expect(rows[0]).toMatchObject({ id: "c1#1", category: "simple", parse_status: "no_call", model: "base", reason: "no_call: expected a call" });
    expect(rows[4]).toMatchObject({ id: "c1#1", category: "simple", parse_status: "valid_call", model: "adapter", reason: null });
    expect(JSON.parse(rows[4].calls)).toEqual([{ name: "get_weather", arguments: { city: "Paris" } }]);

    const metrics = JSON.parse(await readFile(join(out, "metrics.json"), "utf8"));
    expect(Object.keys(metrics.models)).toEqual(["base", "adapter"]);
    expect(metrics.models.adapter.overall.full_call_accuracy).toBe(1);
    expect(metrics.models.base.overall.full_call_accuracy).toBe(0);
    expect(metrics.models.base.overall.irrelevance_accuracy).toBe(1);
    expect(metrics.episodes.adapter).toEqual({ episodes: 2, success_rate: 1, finished_rate: 1, mean_steps: 2 });
    expect(metrics.episodes.base.success_rate).toBe(0);
    expect(Object.keys(metrics.copy_probe)).toEqual(["base", "adapter"]);
    expect(metrics.copy_probe.adapter.spans).toMatchObject({ items: 6, exact_match: 1 });
    expect(metrics.copy_probe.adapter.copy_accuracy).toBeGreaterThan(0.8);
    expect(metrics.copy_probe.base).toMatchObject({ spans: { items: 6, token_accuracy: 0 }, values: { items: 6, token_accuracy: 0 }, copy_accuracy: 0 });

    // `tooltune score` on the same outputs (issue 10) gives the stage's metrics.
    const targets = CONVS.map(toRow).filter((r) => r.split === "test").flatMap(itemsFromRow);
    for (const model of ["base", "adapter"]) {
      const scored = scoreOutputs(rows.filter((r) => r.model === model).map((r) => ({ id: r.id, output: r.output })), targets, "strict", model);
      expect(scored.metrics).toEqual(metrics.models[model]);
    }

    const html = await readFile(join(out, "report.html"), "utf8");
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(html).toContain("<style>");
    expect((html.match(/<svg /g) ?? []).length).toBe(2); // bars + loss curves
    expect((html.match(/<polyline /g) ?? []).length).toBe(4); // base + adapter, train + eval loss
    expect(html).toContain("base vs adapter");
    expect(html).toContain("Failing examples (2)");
    expect(html).toContain("In-context copy probe");
  });

  it("finds a base recorded relative to the adapter directory whatever the working directory, and an absolute one as it is", async () => {
    const adapter = join(root, "in", "adapter");
    expect(baseOf(adapter)).toBe(join(root, "in", "base"));
    const other = join(root, "abs-adapter");
    await mkdir(other, { recursive: true });
    await writeFile(join(other, "adapter_config.json"), JSON.stringify({ base_model_name_or_path: join(root, "in", "base") }));
    expect(baseOf(other)).toBe(join(root, "in", "base"));
  });

  it("evaluates a model directory alone as the base", async () => {
    const modelInput = { name: "base", path: join(root, "in", "base"), manifest: await readManifest(join(root, "in", "base")) };
    const m = await runStageForTest(stage, { params: { compare_base: true }, inputs: [inputs[0], modelInput], finalDir: join(root, "model-only") });
    expect(m.rows).toBe(4);
    expect(m.stats?.base).toBeDefined();
    expect(m.stats?.adapter).toBeUndefined();
  });

  it("caps items round-robin over categories", () => {
    const items = ["a", "a", "a", "b", "c", "c"].map((category, i) => ({ id: String(i), category }) as never);
    expect(capRoundRobin(items, 4).map((i: { id: string }) => i.id)).toEqual(["0", "3", "4", "1"]);
  });
});

stageContractSuite("eval", {
  stage: scriptedEvalStage,
  params: PARAMS,
  inputs: (dir) => makeInputs(dir),
  // A conversation whose tools column is not JSON cannot become items: it is rejected, not fatal.
  badRow: {
    inputs: async (dir) => {
      const [convs, adapter] = await makeInputs(dir);
      const bad = { ...toRow(conv("bad", "Rome")), tools: "not json" };
      return [await writeTestDataset(join(dir, "bad-convs"), "conversations", [...CONVS.map(toRow), bad]), adapter].filter((i) => i !== convs);
    },
    source: "t:bad",
    reason: /^cannot make eval items: /,
  },
  module: { url: new URL("./test-stage.ts", import.meta.url).href, exportName: "scriptedEvalStage" },
});
