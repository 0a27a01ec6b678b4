import { describe, expect, it } from "vitest";
import { globSync } from "tinyglobby";
import type { Conversation } from "../conversation.js";
import { SHARED_DATA } from "../test-data.js";
import { detectFormat, ingestRecord, splitOf, type SourceFormat } from "./adapt.js";
import { bfclCategory, loadBfclAnswers } from "./bfcl.js";
import { readRecords } from "./records.js";

const opts = { seed: 7, testFraction: 0.2 };

async function ingestFile(file: string, format: SourceFormat | "auto" = "auto") {
  const answers = loadBfclAnswers(file);
  const run = { ...opts, seen: new Map<string, number>() };
  const convs: Conversation[] = [];
  const problems: string[] = [];
  const formats = new Set<string>();
  for await (const rec of readRecords(file)) {
    const r = ingestRecord(rec.value, format, { source: `${file}:${rec.row}`, answers }, run);
    if ("conv" in r) {
      convs.push(r.conv);
      formats.add(r.format);
    } else problems.push(r.problem.reason);
  }
  return { convs, problems, formats };
}

const count = (convs: Conversation[], pred: (m: Conversation["messages"][number]) => boolean) => convs.flatMap((c) => c.messages).filter(pred).length;

describe("shared fixtures ingest without a reject", () => {
  it("glaive (ShareGPT): 150 rows; counts as its SOURCE.md states them", async () => {
    const { convs, problems, formats } = await ingestFile(SHARED_DATA + "glaive_toolcall_en_demo/glaive_toolcall_en_demo.json");
    expect(problems).toEqual([]);
    expect([...formats]).toEqual(["sharegpt"]);
    expect(convs.length).toBe(150);
    expect(count(convs, (m) => m.role === "user")).toBe(354);
    expect(count(convs, (m) => m.role === "tool")).toBe(109);
    expect(count(convs, (m) => !!m.toolCalls)).toBe(109);
    expect(count(convs, (m) => m.role === "assistant")).toBe(354 + 109);
    expect(convs.filter((c) => c.tools.length === 0).length).toBe(50);
    // results carry the name of the call they answer
    const first = convs[0].messages;
    expect(first[3].toolCalls).toEqual([{ name: "search_recipes", arguments: { ingredients: ["chicken", "bell peppers", "rice"] } }]);
    expect(first[4]).toMatchObject({ role: "tool", name: "search_recipes" });
  });

  it("tau-bench (OpenAI messages in `traj`): 100 rows with call ids and labels", async () => {
    const { convs, problems, formats } = await ingestFile(SHARED_DATA + "tau_bench_gpt4o_airline/gpt-4o-airline.json");
    expect(problems).toEqual([]);
    expect([...formats]).toEqual(["openai"]);
    expect(convs.length).toBe(100);
    expect([100, 686, 1163, 577]).toEqual(["system", "user", "assistant", "tool"].map((r) => count(convs, (m) => m.role === r)));
    const call = convs[0].messages.find((m) => m.toolCalls)!.toolCalls![0];
    expect(call.id).toMatch(/^call_/);
    expect(typeof call.arguments).toBe("object");
    expect(convs[0].meta).toEqual({ task_id: 0, reward: 0, trial: 0 });
    expect(convs.filter((c) => c.meta?.reward === 1).length).toBe(49);
  });

  it("course (Hermes): tools from the system text, reasoning and Python-literal calls split out", async () => {
    const { convs, problems, formats } = await ingestFile(SHARED_DATA + "course/notebook_examples.jsonl");
    expect(problems).toEqual([]);
    expect([...formats]).toEqual(["hermes"]);
    const a = convs[0];
    expect(a.tools.map((t) => t.function.name)).toEqual(["get_news_headlines", "search_recipes"]);
    const call = a.messages[2];
    expect(call.reasoning?.startsWith("Okay, so the user asked")).toBe(true);
    expect(call.content).toBe("");
    expect(call.toolCalls).toEqual([{ name: "get_news_headlines", arguments: { country: "United States" } }]);
    expect(a.messages[3]).toMatchObject({ role: "tool", name: "get_news_headlines" });
    expect(a.messages[3].content.startsWith("{'headlines': [")).toBe(true);
  });

  it("BFCL: every question file, with category, answers and id in meta, all in the test split", async () => {
    const files = globSync(SHARED_DATA + "bfcl/BFCL_v4_*.json").sort();
    expect(files.length).toBe(10);
    let rows = 0;
    for (const file of files) {
      const { convs, problems } = await ingestFile(file);
      expect(problems).toEqual([]);
      rows += convs.length;
      for (const c of convs) {
        expect(c.split).toBe("test");
        const meta = c.meta as { category: string; possible_answer: unknown; bfcl_id: string };
        expect(file.endsWith(`BFCL_v4_${meta.category}.json`)).toBe(true);
        expect(Array.isArray(meta.possible_answer)).toBe(true);
      }
    }
    expect(rows).toBe(200 + 100 + 100 + 100 + 120 + 129 + 527 + 8 + 12 + 442);
    const { convs } = await ingestFile(SHARED_DATA + "bfcl/BFCL_v4_live_simple.json");
    expect(convs[0].meta).toEqual({ category: "live_simple", bfcl_id: "live_simple_0-0-0", possible_answer: [{ get_user_info: { user_id: [7890], special: ["black"] } }] });
    expect(convs[0].tools[0].function.name).toBe("get_user_info");
  });
});

describe("ids and splits", () => {
  it("ids are stable across runs and differ between rows; splits follow the seed", async () => {
    const file = SHARED_DATA + "glaive_toolcall_en_demo/glaive_toolcall_en_demo.json";
    const a = await ingestFile(file);
    const b = await ingestFile(file);
    expect(b.convs.map((c) => c.id)).toEqual(a.convs.map((c) => c.id));
    expect(new Set(a.convs.map((c) => c.id)).size).toBe(150);
    // 12 rows repeat an earlier row exactly: kept, with a numbered id, in the same split
    const repeats = a.convs.filter((c) => /-\d+$/.test(c.id));
    expect(repeats.length).toBe(12);
    for (const r of repeats) expect(r.split).toBe(a.convs.find((c) => c.id === r.id.replace(/-\d+$/, ""))!.split);
    expect(b.convs.map((c) => c.split)).toEqual(a.convs.map((c) => c.split));
    const test = a.convs.filter((c) => c.split === "test").length;
    expect(test).toBeGreaterThan(15);
    expect(test).toBeLessThan(50);
  });

  it("splitOf is a pure function of id, seed and fraction", () => {
    expect(splitOf("x", 1, 0)).toBe("train");
    expect(splitOf("x", 1, 1)).toBe("test");
    const ids = Array.from({ length: 2000 }, (_, i) => `id${i}`);
    const share = ids.filter((id) => splitOf(id, 3, 0.25) === "test").length / ids.length;
    expect(Math.abs(share - 0.25)).toBeLessThan(0.04);
    expect(ids.map((id) => splitOf(id, 3, 0.25))).not.toEqual(ids.map((id) => splitOf(id, 4, 0.25)));
  });

  it("bfclCategory strips the row suffix", () => {
    expect(bfclCategory("live_simple_2-2-0")).toBe("live_simple");
    expect(bfclCategory("parallel_multiple_12")).toBe("parallel_multiple");
    expect(bfclCategory("simple_python_0")).toBe("simple_python");
  });
});

describe("OpenAI messages with Hermes markup in the text", () => {
  it("splits think and calls out of assistant content", () => {
    const r = ingestRecord(
      { messages: [{ role: "user", content: "q" }, { role: "assistant", content: '<think>plan</think>\n<tool_call>\n{"name": "f", "arguments": {"x": 1}}\n</tool_call>' }, { role: "tool", content: "1" }] },
      "auto",
      { source: "s" },
      opts,
    );
    expect("conv" in r && r.conv.messages[1]).toEqual({ role: "assistant", content: "", reasoning: "plan", toolCalls: [{ name: "f", arguments: { x: 1 } }] });
  });
});

describe("detection", () => {
  it.each([
    [{ messages: [{ role: "user", content: "hi" }] }, "openai"],
    [{ traj: [{ role: "user", content: "hi" }] }, "openai"],
    [{ conversations: [{ from: "human", value: "hi" }] }, "sharegpt"],
    [{ conversations: [{ from: "human", value: "hi" }, { from: "function_call", value: "{}" }] }, "sharegpt"],
    [{ conversations: [{ from: "gpt", value: "<tool_call>{}</tool_call>" }] }, "hermes"],
    [{ conversations: [{ role: "human", content: "hi" }] }, "hermes"],
    [{ id: "simple_0", question: [[]], function: [] }, "bfcl"],
    [{ id: "a", source: "f:1", tools: "[]", messages: [], split: "train", meta: null }, "conversations"],
    [{ text: "hi" }, undefined],
  ])("%j → %s", (record, format) => expect(detectFormat(record)).toBe(format));
});

/** Every reject ingest makes, one row each, with the field and reason it must name. */
const rejects: { name: string; format?: SourceFormat; record: unknown; field: string; reason: RegExp }[] = [
  { name: "openai unknown role", record: { messages: [{ role: "robot", content: "x" }] }, field: "messages[0].role", reason: /unknown role 'robot'/ },
  { name: "openai tool result without a call", record: { messages: [{ role: "user", content: "q" }, { role: "tool", tool_call_id: "c9", content: "1" }] }, field: "messages[1]", reason: /tool result without a call/ },
  {
    name: "openai arguments not JSON",
    record: { messages: [{ role: "user", content: "q" }, { role: "assistant", content: null, tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: "{city: Paris" } }] }] },
    field: "messages[1].tool_calls[0].function.arguments",
    reason: /arguments are not JSON/,
  },
  {
    name: "openai inline call that does not parse",
    record: { messages: [{ role: "user", content: "q" }, { role: "assistant", content: "<tool_call>{'name': 'f', 'arguments': {</tool_call>" }] },
    field: "messages[1].content",
    reason: /arguments are not JSON/,
  },
  { name: "openai empty conversation", record: { messages: [] }, field: "messages", reason: /empty conversation/ },
  { name: "only a system message is empty too", record: { messages: [{ role: "system", content: "s" }] }, field: "messages", reason: /empty conversation/ },
  { name: "sharegpt unknown role", record: { conversations: [{ from: "narrator", value: "x" }] }, field: "conversations[0].role", reason: /unknown role 'narrator'/ },
  { name: "sharegpt observation first", record: { conversations: [{ from: "human", value: "q" }, { from: "observation", value: "{}" }] }, field: "messages[1]", reason: /tool result without a call/ },
  {
    name: "sharegpt call not JSON",
    record: { conversations: [{ from: "human", value: "q" }, { from: "function_call", value: "{'name': 'f'" }] },
    field: "conversations[1].value",
    reason: /tool call is not JSON/,
  },
  {
    name: "sharegpt arguments not an object",
    record: { conversations: [{ from: "human", value: "q" }, { from: "function_call", value: '{"name": "f", "arguments": "x"}' }] },
    field: "conversations[1].value[0].arguments",
    reason: /arguments are not JSON/,
  },
  {
    name: "hermes malformed inline call",
    record: { conversations: [{ role: "human", content: "q" }, { role: "model", content: "<tool_call>\n{'name': 'f', 'arguments': {'x': }\n</tool_call>" }] },
    field: "conversations[1].content",
    reason: /arguments are not JSON/,
  },
  { name: "hermes tool turn with no call before", record: { conversations: [{ role: "human", content: "q" }, { role: "tool", content: "<tool_response>\n1\n</tool_response>" }] }, field: "messages[1]", reason: /tool result without a call/ },
  { name: "hermes bad tool list", record: { conversations: [{ role: "system", content: "<tools> [{'name': </tools>" }, { role: "human", content: "q" }] }, field: "conversations[0].content", reason: /tools are not JSON/ },
  { name: "bfcl unknown role", record: { id: "simple_1", question: [[{ role: "critic", content: "x" }]], function: [] }, field: "question[0][0].role", reason: /unknown role/ },
  { name: "canonical arguments not JSON", record: { id: "a", source: "s", tools: "[]", split: "train", meta: null, messages: [{ role: "user", content: "q" }, { role: "assistant", content: "", tool_calls: [{ id: null, name: "f", arguments: "nope" }] }] }, field: "messages[1].tool_calls[0].arguments", reason: /arguments are not JSON/ },
  { name: "no format fits", record: { text: "hello" }, field: "", reason: /no known source format/ },
  { name: "forced format that does not fit", format: "bfcl", record: { messages: [] }, field: "id", reason: /no id/ },
];

describe("rejects: named, placed, never thrown", () => {
  it.each(rejects)("$name", ({ record, format, field, reason }) => {
    const r = ingestRecord(record, format ?? "auto", { source: "f.jsonl:3" }, opts);
    expect("problem" in r).toBe(true);
    if (!("problem" in r)) return;
    expect(r.problem.field).toBe(field);
    expect(r.problem.reason).toMatch(reason);
  });
});

// Found by the fuzz harness (eval's test-fuzz.ts): a bigint (a Parquet int64) in a message threw
// "Do not know how to serialize a BigInt" out of ingest; a very deep record overflowed the stack.
describe("ingestRecord on values JSON cannot hold", () => {
  const opts = { seed: 1, testFraction: 0 };
  const ctx = { source: "t:1" };
  it.each([
    ["an exact int64 becomes a number", { conversations: [{ from: "human", value: 5n }, { from: "gpt", value: "ok" }] }, ""],
    ["an inexact int64 is a reject", { conversations: [{ from: "human", value: 2n ** 60n }, { from: "gpt", value: "ok" }] }, "does not fit a JSON number"],
    ["a record nested 2,000 deep is a reject", { conversations: [{ from: "human", value: "q", x: JSON.parse("[".repeat(2000) + "]".repeat(2000)) as unknown }] }, "nested deeper"],
  ])("%s", (_name, record, reason) => {
    const r = ingestRecord(record, "sharegpt", ctx, opts);
    if (!reason) expect("conv" in r && r.conv.messages[0].content).toBe("5");
    else expect("problem" in r && r.problem.reason).toMatch(reason);
  });
});
