import { describe, expect, it } from "vitest";
import { getTemplate, toRow, type Conversation } from "@tooltune/format";
import { evaluateItems, scoredRow } from "./evaluate.js";
import { scriptedGenerator } from "./generator.js";
import { itemsFromRow } from "./items.js";
import { catalogExecutor, replayExecutor, runEpisode, runStep } from "./loop.js";
import { computeMetrics } from "./metrics.js";

const chatml = getTemplate("chatml");
const render = chatml.renderPrompt.bind(chatml);
const GEN = { maxNewTokens: 64, temperature: 0 };

const tools: Conversation["tools"] = [
  { type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" }, unit: { type: "string", default: "c" } }, required: ["city"] } } },
  { type: "function", function: { name: "convert_temperature", parameters: { type: "object", properties: { value: { type: "number" }, to: { type: "string" } }, required: ["value", "to"] } } },
];

/** Weather in Paris (one call), then in °F (a second call on the first result), then the answer. */
const conv: Conversation = {
  id: "c1",
  source: "test:1",
  split: "test",
  tools,
  messages: [
    { role: "user", content: "How warm is Paris, in Fahrenheit?" },
    { role: "assistant", content: "", reasoning: "Weather first.", toolCalls: [{ id: "a", name: "get_weather", arguments: { city: "Paris" } }] },
    { role: "tool", content: '{"temp": 20, "unit": "c"}', name: "get_weather", toolCallId: "a" },
    { role: "assistant", content: "", toolCalls: [{ id: "b", name: "convert_temperature", arguments: { value: 20, to: "f" } }] },
    { role: "tool", content: '{"value": 68}', name: "convert_temperature", toolCallId: "b" },
    { role: "assistant", content: "It is 68 °F in Paris." },
  ],
};

const call = (name: string, args: object) => `<tool_call>\n${JSON.stringify({ name, arguments: args })}\n</tool_call>`;

/** A model that follows the data: it reads the last tool response in its prompt. */
const follower = () =>
  scriptedGenerator("adapter", (prompt) => {
    const parts = prompt.split("<tool_response>");
    const last = parts[parts.length - 1];
    if (parts.length === 1) return `<think>Weather first.</think>${call("get_weather", { city: "paris" })}`;
    if (parts.length === 2) return call("convert_temperature", { value: Number(/"temp": ?(\d+)/.exec(last)![1]), to: "f" });
    return `It is ${/"value": ?(\d+)/.exec(last)![1]} °F in Paris.`;
  });

describe("items from a conversation", () => {
  it("makes one item per assistant turn, answered with calls or with no call", () => {
    const items = itemsFromRow(toRow(conv));
    expect(items.map((i) => [i.id, i.category, i.messages.length, i.answers.length])).toEqual([
      ["c1#1", "simple", 1, 1],
      ["c1#3", "simple", 3, 1],
      ["c1#5", "final_answer", 5, 0],
    ]);
    // An omitted parameter with a schema default may be given that default or left out.
    expect(items[0].answers[0]).toEqual({ get_weather: { city: ["Paris"], unit: ["c", ""] } });
  });

  it("uses meta.possible_answer for BFCL rows", () => {
    const meta = JSON.stringify({ category: "simple_python", bfcl_id: "b1", possible_answer: [{ get_weather: { city: ["Paris", "paris, fr"], unit: ["", "c"] } }] });
    const [item] = itemsFromRow({ ...toRow({ ...conv, id: "b1", messages: conv.messages.slice(0, 1) }), meta });
    expect([item.id, item.category, item.answers[0].get_weather.city]).toEqual(["b1", "simple_python", ["Paris", "paris, fr"]]);
  });
});

describe("evaluateItems with a scripted model", () => {
  it("renders prompts with the template, checks outputs, and scores them", async () => {
    const items = itemsFromRow(toRow(conv));
    const gen = follower();
    const rows = await evaluateItems(items, gen, { render, generate: GEN, mode: "strict", batchSize: 2 });
    expect(gen.prompts[1]).toContain("<tool_response>\n{\"temp\": 20, \"unit\": \"c\"}\n</tool_response>");
    expect(rows.map((r) => [r.id, r.parse_status, r.pass, r.model])).toEqual([
      ["c1#1", "valid_call", true, "adapter"],
      ["c1#3", "valid_call", true, "adapter"],
      ["c1#5", "no_call", true, "adapter"],
    ]);
    const m = computeMetrics(rows.map(scoredRow)).overall;
    expect([m.full_call_accuracy, m.irrelevance_accuracy, m.think_rate]).toEqual([1, 1, 1 / 3]);

    const wrong = scriptedGenerator("base", () => call("get_weather", { city: "Rome" }));
    const bad = await evaluateItems(items, wrong, { render, generate: GEN, mode: "strict" });
    expect(bad.map((r) => r.pass)).toEqual([false, false, false]);
    expect(bad[0].reason).toMatch(/^value_error:string/);
    expect(bad[1].reason).toMatch(/^simple_function_checker:wrong_func_name/);
    expect(bad[2].reason).toMatch(/^irrelevance/);
  });
});

describe("stopping", () => {
  it("stops between batches once the signal is aborted (Ctrl-C)", async () => {
    const items = itemsFromRow(toRow(conv));
    const ctl = new AbortController();
    const gen = scriptedGenerator("m", () => { ctl.abort(); return ""; });
    await expect(evaluateItems(items, gen, { render, generate: GEN, mode: "strict", batchSize: 1, signal: ctl.signal })).rejects.toMatchObject({ code: "INTERRUPTED" });
    expect(gen.prompts).toHaveLength(1);
  });
});

describe("Thought → Act → Observe episodes", () => {
  it("replays recorded tool responses until the final answer", async () => {
    const gen = follower();
    const ep = await runEpisode(conv, gen, { render, generate: GEN, executor: replayExecutor(conv), maxSteps: 5 });
    expect([ep.finished, ep.success, ep.steps.length, ep.reason]).toEqual([true, true, 3, ""]);
    expect(ep.steps[0].results).toEqual(['{"temp": 20, "unit": "c"}']);
    expect(ep.steps[2].output).toBe("It is 68 °F in Paris.");
  });

  it("executes calls with real implementations, whose results drive the next step", async () => {
    const catalog = {
      get_weather: { run: (a: unknown) => ({ temp: (a as { city: string }).city.toLowerCase() === "paris" ? 25 : 10, unit: "c" }) },
      convert_temperature: { run: (a: unknown) => ({ value: ((a as { value: number }).value * 9) / 5 + 32 }) },
    };
    const ep = await runEpisode(conv, follower(), { render, generate: GEN, executor: catalogExecutor(catalog), maxSteps: 5 });
    expect(ep.finished).toBe(true);
    expect(ep.steps.map((s) => s.results)).toEqual([['{"temp":25,"unit":"c"}'], ['{"value":77}'], []]);
    // The model converted 25, not the data's 20: step 2 differs from the data, so no success.
    expect(ep.success).toBe(false);
    expect(ep.reason).toMatch(/^step 2: value_error/);
    expect(ep.steps[2].output).toBe("It is 77 °F in Paris.");
  });

  it("stops at the step limit, and on a malformed call", async () => {
    const looping = scriptedGenerator("base", () => call("get_weather", { city: "Paris" }));
    const ep = await runEpisode(conv, looping, { render, generate: GEN, executor: replayExecutor(conv), maxSteps: 4 });
    expect([ep.finished, ep.success, ep.steps.length]).toEqual([false, false, 4]);
    expect(ep.steps[1].results).toEqual(['{"error":"no recorded response for get_weather"}']);

    const broken = scriptedGenerator("base", () => '<tool_call>\n{"name": "get_weather", "arguments": {"city": \n</tool_call>');
    const ep2 = await runEpisode(conv, broken, { render, generate: GEN, executor: replayExecutor(conv), maxSteps: 4 });
    expect([ep2.finished, ep2.success, ep2.steps.length]).toEqual([false, false, 1]);
    expect(ep2.reason).toMatch(/^step 1: malformed_call/);
  });

  it("answers unknown tools with an error instead of crashing", async () => {
    const exec = catalogExecutor({ boom: { run: () => { throw new Error("kaput"); } } });
    expect(await exec({ name: "nope", arguments: {} })).toBe('{"error":"unknown tool \'nope\'"}');
    expect(await exec({ name: "boom", arguments: {} })).toBe('{"error":"kaput"}');
  });
});

describe("runStep (the one Thought → Act → Observe step the eval loop and the CLI's agent share)", () => {
  const good = '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>';
  const bad = "<tool_call>\n{not a call}\n</tool_call>";
  const run = async (output: string, extra: { actOnMalformed?: boolean; callId?: () => string }) => {
    const history: Conversation["messages"] = [{ role: "user", content: "Weather in Paris?" }];
    const ran: string[] = [];
    const step = await runStep(history, scriptedGenerator("s", () => output), {
      render: (m) => render(m, tools), generate: GEN, executor: async (c) => { ran.push(c.name); return '{"temp": 20}'; }, ...extra,
    });
    return { step, history, ran };
  };

  it("appends the turn, runs each call and appends its answer, numbering calls when asked", async () => {
    let n = 0;
    const { step, history, ran } = await run(`<think>Paris.</think>${good}`, { callId: () => `call_${++n}` });
    expect(ran).toEqual(["get_weather"]);
    expect(step.results).toEqual(['{"temp": 20}']);
    expect(history.slice(1)).toEqual([
      { role: "assistant", content: "", reasoning: "Paris.", toolCalls: [{ id: "call_1", name: "get_weather", arguments: { city: "Paris" } }] },
      { role: "tool", content: '{"temp": 20}', name: "get_weather", toolCallId: "call_1" },
    ]);
  });

  it("a turn with a malformed call is not acted on, unless the caller asks to run the calls that parsed", async () => {
    expect((await run(good + bad, {})).ran).toEqual([]);
    const { ran, step } = await run(good + bad, { actOnMalformed: true });
    expect(step.parsed.status).toBe("malformed_call");
    expect(ran).toEqual(["get_weather"]);
  });
});
