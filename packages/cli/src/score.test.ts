import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { finishDirectory, openDataset, readManifest } from "@tooltune/core";
import { runStageForTest, writeTestDataset } from "@tooltune/core/testing";
import { BFCL_CATEGORIES, groundTruthToPython, loadBfclCategory, makeEvalStage, scriptedGenerator, type ResultRow } from "@tooltune/eval";
import { toRow, type Conversation } from "@tooltune/format";
import { loadTokenizerBundle } from "@tooltune/tokenize";
import { formatScore, scoreFiles } from "./score.js";
import { sharedData } from "@tooltune/core/shared-data";

const BFCL_DIR = sharedData("bfcl", "/");

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
const CONVS = [conv("c1", "Paris"), conv("c2", "Oslo"), conv("c3", "Lima"), conv("c4", "Rome", "train")];

/** A stand-in model that is right on some items and wrong in each of the ways the metrics count. */
function respond(prompt: string): string {
  const last = prompt.slice(prompt.lastIndexOf("<|im_start|>user"));
  if (last.includes("<tool_response>")) return last.includes("Paris") || last.includes("5") ? "<think>done</think>It is 5 degrees." : '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Oslo"}';
  if (last.includes("Paris")) return '<think>easy</think><tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>';
  if (last.includes("Oslo")) return '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Bergen"}}\n</tool_call>';
  return "I cannot help with that.";
}

let root: string;
beforeAll(async () => { root = await mkdtemp(join(tmpdir(), "tt-score-")); });
afterAll(async () => { await rm(root, { recursive: true, force: true }); });

describe("tooltune score", () => {
  it("reproduces the eval stage's metrics on the stage's own outputs (dataset and JSONL answers)", async () => {
    const convs = await writeTestDataset(join(root, "convs"), "conversations", CONVS.map(toRow));
    const model = join(root, "model");
    await mkdir(model);
    const bundle = loadTokenizerBundle("qwen3");
    bundle.setTemplate({ name: "chatml", specialTokens: [] });
    bundle.save(join(model, "tokenizer"));
    await finishDirectory(model, "model", { stage: "fixture", stageVersion: "0", params: {}, inputs: [] });
    const stage = makeEvalStage(async () => scriptedGenerator("stand-in", respond));
    const out = join(root, "eval");
    await runStageForTest(stage, { params: {}, inputs: [convs, { name: "model", path: model, manifest: await readManifest(model) }], finalDir: out });
    const stageMetrics = JSON.parse(await readFile(join(out, "metrics.json"), "utf8")).models.base;
    const rows = await (await openDataset<ResultRow>(out)).readAll();
    // The stand-in is neither all right nor all wrong, so equal metrics say something.
    expect(rows.map((r) => r.pass)).toContain(true);
    expect(rows.map((r) => r.pass)).toContain(false);
    expect(rows.map((r) => r.parse_status)).toContain("malformed_call");

    const outputsFile = join(root, "outputs.jsonl");
    await writeFile(outputsFile, rows.map((r) => JSON.stringify({ id: r.id, output: r.output })).join("\n") + "\n");
    const fromDataset = await scoreFiles({ outputs: outputsFile, answers: convs.path, mode: "strict", split: "test", report: join(root, "report") });
    expect(fromDataset.metrics).toEqual(stageMetrics);
    expect(JSON.parse(await readFile(join(root, "report", "metrics.json"), "utf8")).models.model).toEqual(stageMetrics);
    expect(existsSync(join(root, "report", "report.html"))).toBe(true);

    // The same answers as an OpenAI-style JSONL file (ids kept), as a user would export them.
    const answersFile = join(root, "answers.jsonl");
    const openai = CONVS.filter((c) => c.split === "test").map((c) => ({
      id: c.id, tools: c.tools,
      messages: c.messages.map((m) => m.toolCalls
        ? { role: "assistant", content: "", tool_calls: m.toolCalls.map((t) => ({ id: t.id, type: "function", function: { name: t.name, arguments: JSON.stringify(t.arguments) } })) }
        : m.role === "tool" ? { role: "tool", content: m.content, tool_call_id: m.toolCallId } : { role: m.role, content: m.content }),
    }));
    await writeFile(answersFile, openai.map((o) => JSON.stringify(o)).join("\n") + "\n");
    const fromJsonl = await scoreFiles({ outputs: outputsFile, answers: answersFile, mode: "strict" });
    expect(fromJsonl.metrics).toEqual(stageMetrics);
    expect(formatScore(fromJsonl)[0]).toMatch(/^6 items: accuracy /);
  });

  it("on the shared BFCL files, ground-truth outputs fail exactly the four rows no output can pass", async () => {
    const answers = BFCL_CATEGORIES.flatMap((c) => loadBfclCategory(BFCL_DIR, c));
    const file = join(root, "bfcl_result.jsonl");
    // BFCL result files: {id, result}; irrelevance rows answer in prose (no call decodes).
    await writeFile(file, answers.map((a) => JSON.stringify({ id: a.id, result: a.answers.length ? groundTruthToPython(a) : "No function fits." })).join("\n") + "\n");
    const s = await scoreFiles({ outputs: file, answers: BFCL_DIR, mode: "bfcl" });
    expect(s.rows.length).toBe(1738);
    expect(s.missing).toEqual([]);
    // CHECKER.md "Known data quirks": unsatisfiable answers that BFCL's checker fails too.
    expect(s.rows.filter((r) => !r.pass).map((r) => r.id).sort()).toEqual(["live_multiple_862-181-3", "live_multiple_964-207-0", "live_simple_106-63-0", "live_simple_112-68-0"]);
    const by = s.metrics.by_category;
    expect(s.metrics.bfcl).toEqual({ non_live: 1, irrelevance: 1, live: (by.live_simple.rows + by.live_multiple.rows + by.live_parallel.rows + by.live_parallel_multiple.rows - 4) / (by.live_simple.rows + by.live_multiple.rows + by.live_parallel.rows + by.live_parallel_multiple.rows) });
    expect(formatScore(s)[1]).toMatch(/^BFCL: non-live 100\.0%, live 99\.\d%, irrelevance 100\.0%$/);

    // A call in an irrelevance row fails it; an output left out counts as a failure.
    const irr = answers.find((a) => a.category === "irrelevance")!;
    const simple = answers.find((a) => a.category === "simple_python")!;
    await writeFile(file, [JSON.stringify({ id: irr.id, result: `[${irr.functions[0].name}()]` }), JSON.stringify({ id: "nope_1", result: "x" })].join("\n"));
    const one = await scoreFiles({ outputs: file, answers: join(BFCL_DIR, "BFCL_v4_irrelevance.json"), mode: "bfcl" });
    expect(one.rows.find((r) => r.id === irr.id)!.pass).toBe(false);
    expect(one.unknown).toEqual(["nope_1"]);
    const missing = await scoreFiles({ outputs: file, answers: join(BFCL_DIR, "possible_answer", "BFCL_v4_simple_python.json"), mode: "bfcl" });
    expect(missing.missing).toContain(simple.id);
    expect(missing.metrics.overall.accuracy).toBe(0);
  });
});
