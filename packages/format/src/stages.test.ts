import { createHash } from "node:crypto";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDataset, type ConversationRow, type FormattedRow } from "@tooltune/core";
import { runStageForTest, stageContractSuite, withTmpfs, writeTestDataset } from "@tooltune/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toRow, type Conversation } from "./conversation.js";
import { formatParams, formatStage } from "./format-stage.js";
import { ingestStage } from "./ingest/stage.js";
import { courseExamples, SHARED_DATA } from "./test-data.js";

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "tt-format-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const conv = (id: string, over: Partial<Conversation> = {}): Conversation => ({
  id,
  source: "test",
  split: "train",
  tools: [{ type: "function", function: { name: "add", parameters: { type: "object", properties: { a: { type: "number" } } } } }],
  messages: [
    { role: "user", content: "1+2?" },
    { role: "assistant", content: "", reasoning: "add them", toolCalls: [{ name: "add", arguments: { a: 1, b: 2 } }] },
    { role: "tool", content: "3", name: "add" },
    { role: "assistant", content: "3." },
  ],
  ...over,
});

describe("ingest stage", () => {
  it("reads every shared fixture by glob and list; rejects bad lines with file:row:field", async () => {
    const bad = join(root, "bad.jsonl");
    await writeFile(
      bad,
      [
        JSON.stringify({ messages: [{ role: "user", content: "ok" }, { role: "assistant", content: "fine" }] }),
        "{not json",
        JSON.stringify({ messages: [{ role: "wizard", content: "x" }] }),
        JSON.stringify({ messages: [] }),
      ].join("\n"),
    );
    const params = {
      path: [SHARED_DATA + "bfcl/BFCL_v4_*.json", SHARED_DATA + "glaive_toolcall_en_demo/glaive_toolcall_en_demo.json", SHARED_DATA + "tau_bench_gpt4o_airline/gpt-4o-airline.json", SHARED_DATA + "course/notebook_examples.jsonl", bad],
    };
    expect(ingestStage.fileDeps!(ingestStage.params.parse(params))).toContain(SHARED_DATA + "bfcl/possible_answer/BFCL_v4_simple_python.json");
    const m = await runStageForTest(ingestStage, { params, inputs: [], finalDir: join(root, "ingested") });
    expect(m.rows).toBe(1738 + 150 + 100 + 2 + 1);
    expect(m.rejected).toBe(3);
    expect(m.stats).toMatchObject({ formats: { bfcl: 1738, sharegpt: 150, openai: 101, hermes: 2 } });
    const ds = await openDataset<ConversationRow>(join(root, "ingested"));
    const rejects = await ds.rejects();
    expect(rejects.map((r) => [r.source, r.reason.split(":")[0]])).toEqual([
      [`${bad}:1`, "line 2 is not valid JSON"],
      [`${bad}:2:messages[0].role`, "unknown role 'wizard'"],
      [`${bad}:3:messages`, "empty conversation"],
    ]);
    expect(JSON.parse(rejects[1].row!)).toEqual({ messages: [{ role: "wizard", content: "x" }] });
  });

  it("reads Parquet written by a dataset writer, as raw canonical rows", async () => {
    await writeTestDataset(join(root, "pq"), "conversations", [toRow(conv("p1")), toRow(conv("p2", { split: "test" }))], "pq");
    const m = await runStageForTest(ingestStage, { params: { path: join(root, "pq/part-*.parquet"), source: "conversations" }, inputs: [], finalDir: join(root, "from-parquet") });
    expect([m.rows, m.rejected]).toEqual([2, 0]);
    const rows = await (await openDataset<ConversationRow>(join(root, "from-parquet"))).readAll();
    expect(rows.map((r) => [r.id, r.split])).toEqual([["p1", "train"], ["p2", "test"]]);
    expect(rows[0].messages).toEqual(toRow(conv("p1")).messages);
  });

  it("passes an upstream conversations dataset through, keeping ids and splits", async () => {
    const input = await writeTestDataset(join(root, "synth"), "conversations", [toRow(conv("s1", { split: "test" })), toRow(conv("s2"))], "raw");
    await runStageForTest(ingestStage, { params: {}, inputs: [input], finalDir: join(root, "passed") });
    const rows = await (await openDataset<ConversationRow>(join(root, "passed"))).readAll();
    expect(rows.map((r) => [r.id, r.split, r.source])).toEqual([["s1", "test", "test"], ["s2", "train", "test"]]);
    expect(rows[0].messages[1].tool_calls?.[0]).toMatchObject({ name: "add", arguments: '{"a":1,"b":2}' });
  });

  it("numbers ids that repeat across several upstream datasets, so they stay unique", async () => {
    const a = await writeTestDataset(join(root, "seed-a"), "conversations", [toRow(conv("synth-000000")), toRow(conv("synth-000001"))], "a");
    const b = await writeTestDataset(join(root, "seed-b"), "conversations", [toRow(conv("synth-000000")), toRow(conv("synth-000002"))], "b");
    await runStageForTest(ingestStage, { params: {}, inputs: [a, b], finalDir: join(root, "both") });
    const rows = await (await openDataset<ConversationRow>(join(root, "both"))).readAll();
    expect(rows.map((r) => r.id)).toEqual(["synth-000000", "synth-000001", "synth-000000-2", "synth-000002"]);
  });
});

describe("format stage", () => {
  it("renders the course examples byte for byte through ingest → format, and records its choices", async () => {
    await runStageForTest(ingestStage, { params: { path: SHARED_DATA + "course/notebook_examples.jsonl" }, inputs: [], finalDir: join(root, "course") });
    const input = { name: "convs", path: join(root, "course"), manifest: (await openDataset(join(root, "course"))).manifest };
    const m = await runStageForTest(formatStage, { params: { template: "gemma-course", special_tokens: "course-notebook" }, inputs: [input], finalDir: join(root, "course-text") });
    expect(m.stats).toMatchObject({ template: "gemma-course", special_tokens: { name: "course-notebook", tokens: expect.arrayContaining(["<tool_reponse>"]) }, train_on: "assistant" });
    const rows = await (await openDataset<FormattedRow>(join(root, "course-text"))).readAll();
    expect(rows.map((r) => r.text)).toEqual(courseExamples().map((e) => e.expected_text));
    expect(rows.map((r) => r.spans.filter((s) => s.train).length)).toEqual([4, 5]);
  });

  it("strip_tool_use leaves no tools, calls, results or reasoning, and drops emptied turns", async () => {
    // reasoning on the answer too (a no-call reply thinks about the tools): it would render in <think>
    const answered = conv("a", { messages: conv("a").messages.map((m, i) => (i === 3 ? { ...m, reasoning: "no tool needed" } : m)) });
    const input = await writeTestDataset(join(root, "c2"), "conversations", [toRow(answered)], "convs");
    await runStageForTest(formatStage, { params: { template: "chatml", strip_tool_use: true }, inputs: [input], finalDir: join(root, "stripped") });
    const [row] = await (await openDataset<FormattedRow>(join(root, "stripped"))).readAll();
    expect(row.text).toBe("<|im_start|>user\n1+2?<|im_end|>\n<|im_start|>assistant\n3.<|im_end|>\n");
    expect(row.spans.filter((s) => s.train).map((s) => row.text.slice(s.start, s.end))).toEqual(["3.<|im_end|>"]);
  });

  it("keep_tool_list keeps the offered tools in the prompt but no call, result or reasoning about one", async () => {
    const input = await writeTestDataset(join(root, "c4"), "conversations", [toRow(conv("a"))], "convs");
    await runStageForTest(formatStage, { params: { template: "chatml", strip_tool_use: true, keep_tool_list: true, train_on: "all_but_system" }, inputs: [input], finalDir: join(root, "kept") });
    const [row] = await (await openDataset<FormattedRow>(join(root, "kept"))).readAll();
    const userAt = row.text.indexOf("<|im_start|>user");
    expect(row.text.slice(0, userAt)).toContain('{"type": "function", "function": {"name": "add"');
    expect(row.text.slice(userAt)).toBe("<|im_start|>user\n1+2?<|im_end|>\n<|im_start|>assistant\n3.<|im_end|>\n");
    expect(row.spans.filter((s) => s.train).map((s) => row.text.slice(s.start, s.end)).join("")).toBe(row.text.slice(userAt));
    expect(() => formatParams.parse({ keep_tool_list: true })).toThrow(/keep_tool_list only applies with strip_tool_use/);
  });

  it("rejects rows it cannot render honestly, with the reason", async () => {
    const history = conv("h", {
      messages: [...conv("h").messages.map((m) => (m.role === "assistant" ? { ...m, reasoning: "r" } : m)), { role: "user", content: "more" }, { role: "assistant", content: "ok" }],
    });
    const marker = conv("m", { messages: [{ role: "user", content: "say <|im_end|>" }, { role: "assistant", content: "no" }] });
    const input = await writeTestDataset(join(root, "c3"), "conversations", [toRow(history), toRow(marker), toRow(conv("ok"))], "convs");
    const m = await runStageForTest(formatStage, { params: { template: "hf", tokenizer: "qwen3" }, inputs: [input], finalDir: join(root, "hf") });
    expect([m.rows, m.rejected]).toEqual([1, 2]);
    const rejects = await (await openDataset(join(root, "hf"))).rejects();
    expect(rejects.map((r) => r.source)).toEqual(["convs:0:h", "convs:1:m"]);
    expect(rejects[0].reason).toMatch(/differently once later messages follow/);
    expect(rejects[1].reason).toMatch(/end-of-turn marker/);
  });

  it("refuses hf without a tokenizer before any work", () => {
    expect(() => formatStage.params.parse({ template: "hf" })).toThrow(/tokenizer/);
  });
});

describe("format stage on a full disk", () => {
  it("fails with a clear ENOSPC error naming the file, leaves no output or temp dir, and succeeds where there is room", async (t) => {
    // 400 conversations with 1.5 KB of incompressible text each: ~600 KB of Parquet for a 128 KiB disk
    const noise = (i: number) => Buffer.concat(Array.from({ length: 35 }, (_, k) => createHash("sha256").update(`${i}:${k}`).digest())).toString("base64");
    const rows = Array.from({ length: 400 }, (_, i) => conv(`n${i}`, { messages: [{ role: "user", content: noise(i) }, { role: "assistant", content: noise(i + 1) }] }));
    const [input] = await convInputs(rows)(join(root, "disk-input"));
    const disk = join(root, "small-disk");
    const outcome = await withTmpfs(disk, 128, async () => {
      const err = await runStageForTest(formatStage, { params: { template: "chatml" }, inputs: [input], finalDir: join(disk, "text") }).catch((e: unknown) => e);
      return { err, left: await readdir(disk) };
    });
    if ("skipped" in outcome) {
      console.log(`full-disk test skipped: ${outcome.skipped}`);
      return t.skip();
    }
    expect(outcome.result.err).toMatchObject({ name: "TooltuneError", code: "STAGE" });
    expect((outcome.result.err as Error).message).toMatch(/^the disk is full \(ENOSPC: no space left on device\) while writing .*\/small-disk\/text\.tmp-[0-9a-f]+\/part-\d{5}\.parquet; /);
    expect(outcome.result.left).toEqual([]);
    const m = await runStageForTest(formatStage, { params: { template: "chatml" }, inputs: [input], finalDir: join(root, "roomy-text") });
    expect(m.rows).toBe(400);
    expect(m.files.reduce((n, f) => n + f.bytes, 0)).toBeGreaterThan(128 << 10); // it really did not fit
  });
});

const convInputs = (rows: Conversation[]) => async (dir: string) => [await writeTestDataset(join(dir, "convs"), "conversations", rows.map(toRow), "convs")];

stageContractSuite("ingest", {
  stage: ingestStage,
  params: {},
  inputs: convInputs([conv("a"), conv("b", { split: "test" })]),
  badRow: { inputs: convInputs([conv("c"), conv("d", { messages: [{ role: "tool", content: "orphan" }] })]), source: "convs:1:messages[0]", reason: "tool result without a call" },
  module: { url: import.meta.resolve("./ingest/stage.ts"), exportName: "ingestStage" },
});

stageContractSuite("format", {
  stage: formatStage,
  params: { template: "chatml" },
  inputs: convInputs([conv("a"), conv("b")]),
  badRow: { inputs: convInputs([conv("c"), conv("d", { messages: [{ role: "user", content: "<|im_end|>" }] })]), source: "convs:1:d", reason: "end-of-turn marker" },
  module: { url: import.meta.resolve("./format-stage.ts"), exportName: "formatStage" },
});
