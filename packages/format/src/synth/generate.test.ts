import type { ConversationRow } from "@tooltune/core";
import { describe, expect, it } from "vitest";
import { openAiTool, toolCatalog } from "./catalog/index.js";
import { validateArgs, type Json } from "./catalog/tool.js";
import { KINDS, drawConversation, generateConversation, generateConversations, splitOf, type SynthOptions } from "./generate.js";
import { PoolExhausted, SENTENCES, cityPool, flightPool, productPool } from "./pools.js";

const options: SynthOptions = { seed: 42, testFraction: 0.1, mix: { single: 0.5, parallel: 0.2, multi_step: 0.15, no_call: 0.15 } };
const rows = generateConversations(2000, options);

const leaves = (value: Json): Json[] =>
  Array.isArray(value) ? value.flatMap(leaves) : value !== null && typeof value === "object" ? Object.values(value).flatMap(leaves) : [value];
const kindOf = (row: ConversationRow): string => JSON.parse(row.meta ?? "{}").kind;
const calls = (row: ConversationRow) => row.messages.flatMap((m) => m.tool_calls ?? []);

/** Values the user states: call arguments that are not schema enums and not copied from an earlier tool result. */
function statedValues(row: ConversationRow): Set<string> {
  const out = new Set<string>();
  const seen = new Set<string>();
  for (const m of row.messages) {
    if (m.role === "tool") for (const v of leaves(JSON.parse(m.content))) seen.add(String(v));
    for (const call of m.tool_calls ?? []) {
      const props = toolCatalog[call.name].schema.parameters.properties;
      for (const [name, value] of Object.entries(JSON.parse(call.arguments) as Record<string, Json>)) {
        const param = props[name];
        if (param.type === "string" && param.enum) continue;
        for (const v of leaves(value)) if (!seen.has(String(v))) out.add(String(v));
      }
      const a = JSON.parse(call.arguments);
      if (call.name === "convert_currency") out.add(`pair:${a.from_currency}>${a.to_currency}`);
      if (call.name === "get_exchange_rate") out.add(`pair:${a.base}>${a.target}`);
    }
  }
  return out;
}

describe("generateConversations", () => {
  it("is deterministic from the seed, and row i does not depend on the count", () => {
    expect(generateConversations(200, options)).toEqual(rows.slice(0, 200));
    expect(generateConversation(1234, options)).toEqual(rows[1234]);
    const other = generateConversations(200, { ...options, seed: 43 });
    const same = other.filter((row, i) => JSON.stringify(row) === JSON.stringify(rows[i])).length;
    expect(same).toBeLessThan(20);
  });

  it("gives unique stable ids and canonical rows", () => {
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    expect(rows[7].id).toBe("synth-000007");
    for (const row of rows) {
      expect(row.messages[0].role).toBe("system");
      expect(row.messages[1].role).toBe("user");
      const last = row.messages[row.messages.length - 1];
      expect(last.role).toBe("assistant");
      expect(last.tool_calls).toBeNull();
      expect(last.content.length).toBeGreaterThan(0);
      for (const m of row.messages.filter((m) => m.role === "assistant" && m.tool_calls)) {
        // One short think sentence before every action.
        expect(m.reasoning).toMatch(/^[^\n]{10,200}[.]$/);
      }
    }
  });

  it("offers 3-6 tools in OpenAI shape, always including the ones called", () => {
    for (const row of rows) {
      const tools = JSON.parse(row.tools) as { type: string; function: { name: string } }[];
      expect(tools.length).toBeGreaterThanOrEqual(3);
      expect(tools.length).toBeLessThanOrEqual(6);
      expect(tools.every((t) => t.type === "function" && toolCatalog[t.function.name] !== undefined)).toBe(true);
      const offered = tools.map((t) => t.function.name);
      expect(row.tools).toBe(JSON.stringify(offered.map((name) => openAiTool(toolCatalog[name]))));
      for (const call of calls(row)) expect(offered).toContain(call.name);
    }
  });

  it("compact schemas keep each tool's name, parameter names, types, enums and required, in fewer characters", () => {
    const compact = generateConversations(200, { ...options, schemas: "compact" });
    const chars = (list: ConversationRow[]) => list.reduce((n, r) => n + r.tools!.length, 0);
    expect(chars(compact)).toBeLessThan(0.75 * chars(rows.slice(0, 200)));
    compact.forEach((row, i) => {
      expect(row.messages).toEqual(rows[i].messages); // only the schemas' wording changes
      const full = JSON.parse(rows[i].tools!) as { function: { name: string; parameters: { properties: Record<string, { type: string; enum?: string[] }>; required: string[] } } }[];
      const short = JSON.parse(row.tools!) as typeof full;
      expect(row.tools!.length).toBeLessThan(rows[i].tools!.length);
      short.forEach((t, k) => {
        const f = full[k].function;
        expect(t.function.name).toBe(f.name);
        expect(t.function.parameters.required).toEqual(f.parameters.required);
        for (const [name, p] of Object.entries(f.parameters.properties)) {
          expect(t.function.parameters.properties[name].type).toBe(p.type);
          expect(t.function.parameters.properties[name].enum).toEqual(p.enum);
        }
        expect(JSON.stringify(t)).not.toMatch(/additionalProperties|minimum|maximum|pattern/);
      });
    });
  });

  it("every call validates against its schema and its recorded response is the tool's real output", () => {
    let checked = 0;
    for (const row of rows) {
      const responses = new Map(row.messages.filter((m) => m.role === "tool").map((m) => [m.tool_call_id, m]));
      for (const call of calls(row)) {
        const tool = toolCatalog[call.name];
        const args = JSON.parse(call.arguments);
        expect(validateArgs(tool.schema.parameters, args)).toBeNull();
        for (const name of tool.schema.parameters.required) expect(args).toHaveProperty(name);
        const response = responses.get(call.id);
        expect(response?.name).toBe(call.name);
        expect(response?.content).toBe(JSON.stringify(tool.run(args)));
        expect(JSON.parse(response!.content)).not.toHaveProperty("error");
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(2000);
  });

  it("final answers quote the values of the last tool results", () => {
    for (const row of rows.filter((r) => kindOf(r) !== "no_call")) {
      const lastAct = row.messages.map((m) => m.tool_calls !== null).lastIndexOf(true);
      const results = row.messages.slice(lastAct + 1).filter((m) => m.role === "tool");
      const answer = row.messages[row.messages.length - 1].content;
      expect(results.length).toBeGreaterThan(0);
      for (const result of results) {
        for (const value of leaves(JSON.parse(result.content))) {
          // Booleans (is_prime) are said in words, not as true/false.
          if (typeof value !== "boolean") expect(answer, row.id).toContain(String(value));
        }
      }
    }
  });

  it("shape follows the kind: parallel calls in one turn, multi-step in two, no-call none", () => {
    for (const row of rows) {
      const acts = row.messages.filter((m) => m.tool_calls !== null).map((m) => m.tool_calls!.length);
      const expected = { single: [1], parallel: [2], multi_step: [1, 1], no_call: [] }[kindOf(row) as (typeof KINDS)[number]];
      expect(acts, row.id).toEqual(expected);
    }
  });

  it("mixes kinds in the configured proportions and splits by test_fraction", () => {
    const mix = { single: 0.4, parallel: 0.3, multi_step: 0.2, no_call: 0.1 };
    const sample = generateConversations(2000, { ...options, mix, testFraction: 0.2 });
    for (const kind of KINDS) {
      const share = sample.filter((r) => kindOf(r) === kind).length / sample.length;
      expect(Math.abs(share - mix[kind]), kind).toBeLessThan(0.01);
    }
    const testShare = sample.filter((r) => r.split === "test").length / sample.length;
    expect(Math.abs(testShare - 0.2)).toBeLessThan(0.03);
    const none = generateConversations(300, { ...options, mix: { single: 1, parallel: 0, multi_step: 0, no_call: 0 } });
    expect(none.every((r) => kindOf(r) === "single")).toBe(true);
  });
});

describe("held-out test split", () => {
  const many = generateConversations(4000, { ...options, testFraction: 0.25 });
  const bySplit = (split: string) => many.filter((r) => r.split === split);

  const union = (rows: ConversationRow[], f: (r: ConversationRow) => Iterable<string>) => new Set(rows.flatMap((r) => [...f(r)]));

  it("every value pool keeps values for both splits", () => {
    for (const pool of [cityPool, productPool, flightPool, SENTENCES]) {
      expect(pool.test.length).toBeGreaterThanOrEqual(3);
      expect(pool.train.length).toBeGreaterThan(pool.test.length);
      expect(pool.test.filter((v) => pool.train.includes(v))).toEqual([]);
    }
  });

  it("has every kind in both splits", () => {
    for (const split of ["train", "test"]) expect(new Set(bySplit(split).map(kindOf))).toEqual(new Set(KINDS));
  });

  it("test argument values (cities, amounts, dates, currency pairs, …) never appear in train", () => {
    const train = union(bySplit("train"), statedValues);
    const test = union(bySplit("test"), statedValues);
    expect(test.size).toBeGreaterThan(300);
    expect([...test].filter((v) => train.has(v))).toEqual([]);
  });

  it("test phrasings (templates and no-call prompts) never appear in train", () => {
    const templates = (r: ConversationRow): string[] => JSON.parse(r.meta ?? "{}").templates;
    const train = union(bySplit("train"), templates);
    const test = union(bySplit("test"), templates);
    expect(test.size).toBeGreaterThan(30);
    expect([...test].filter((t) => train.has(t))).toEqual([]);
    const userTexts = (rows: ConversationRow[]) => new Set(rows.map((r) => r.messages[1].content));
    const trainTexts = userTexts(bySplit("train"));
    expect([...userTexts(bySplit("test"))].filter((t) => trainTexts.has(t))).toEqual([]);
  });
});

describe("at scale", () => {
  // Row 40,148 of seed 42 drew a currency pair whose source has no other test-split target, which
  // ended every run of 40,149 rows or more (ids 19,042 of seed 7: the same).
  it("a row whose draw runs its pool dry is drawn again from the next stream; the others are unchanged", () => {
    for (const [seed, index] of [[42, 40148], [7, 19042]]) {
      const opts = { ...options, seed };
      expect(() => drawConversation(index, opts)).toThrow(PoolExhausted);
      const row = generateConversation(index, opts);
      expect(row).toEqual(drawConversation(index, opts, 1));
      expect(row.id).toBe(`synth-0${index}`);
      expect(row.split).toBe(splitOf(row.id, seed, opts.testFraction));
      expect(kindOf(row)).toBe("parallel");
    }
    expect(generateConversation(1234, options)).toEqual(drawConversation(1234, options, 0));
  });

  it("60,000 rows generate, and their test values and phrasings never appear in train", () => {
    const big = generateConversations(60_000, options);
    const train = new Set<string>();
    const test = new Set<string>();
    for (const row of big) {
      const into = row.split === "test" ? test : train;
      for (const v of statedValues(row)) into.add(`v:${v}`);
      for (const t of JSON.parse(row.meta ?? "{}").templates as string[]) into.add(`t:${t}`);
    }
    expect(test.size).toBeGreaterThan(1000);
    expect([...test].filter((v) => train.has(v))).toEqual([]);
  });
});

describe("catalog under hostile arguments", () => {
  // One real call per tool, then every parameter replaced by values a confused model might write.
  const examples = new Map<string, Record<string, Json>>();
  for (const row of rows) for (const call of calls(row)) if (!examples.has(call.name)) examples.set(call.name, JSON.parse(call.arguments));
  const hostile: Json[] = [-1e308, 1e308, -1, 0, 0.5, 1e12, "", "x".repeat(1000), "2026-13-45", "99:99", "0000-00-00", [], [1e308, 1e308], {}, null, true];

  it("covers every tool with a generated call", () => {
    expect([...examples.keys()].sort()).toEqual(Object.keys(toolCatalog).sort());
  });

  it("never throws and always returns a JSON object with finite numbers", () => {
    for (const [name, args] of examples) {
      for (const key of Object.keys(toolCatalog[name].schema.parameters.properties)) {
        for (const value of hostile) {
          const result = toolCatalog[name].run({ ...args, [key]: value });
          const text = JSON.stringify(result);
          expect(JSON.parse(text), `${name} ${key}=${JSON.stringify(value)}`).toEqual(result);
          expect(typeof result).toBe("object");
        }
      }
    }
  });
});
