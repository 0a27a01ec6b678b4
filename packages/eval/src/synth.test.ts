import { describe, expect, it } from "vitest";
import { encodeToolCalls, fromRow, generateConversations, getTemplate, SYNTH_KINDS, toolCatalog } from "@tooltune/format";
import { evaluateItems, scoredRow } from "./evaluate.js";
import { scriptedGenerator } from "./generator.js";
import { itemsFromRow } from "./items.js";
import { catalogExecutor, runEpisode } from "./loop.js";
import { computeMetrics } from "./metrics.js";

// format's synthetic conversations (every kind) rendered with chatml, answered by an oracle that
// writes the data's own next assistant turn: items, codec, template and catalog must agree.
const rows = generateConversations(40, { seed: 7, testFraction: 1, mix: Object.fromEntries(SYNTH_KINDS.map((k) => [k, 1])) as never });
const chatml = getTemplate("chatml");
const render = chatml.renderPrompt.bind(chatml);
const items = rows.flatMap(itemsFromRow);
const oracle = new Map(items.map((item) => {
  const turn = fromRow(rows.find((r) => r.id === item.conversationId)!).messages[item.messages.length];
  const think = turn.reasoning ? `<think>${turn.reasoning}</think>` : "";
  return [render(item.messages, item.tools), think + (turn.toolCalls?.length ? encodeToolCalls(turn.toolCalls) : turn.content)] as const;
}));
const model = () => scriptedGenerator("oracle", (p) => oracle.get(p) ?? "(prompt not in the data)");
const GEN = { maxNewTokens: 256, temperature: 0 };

describe("synthetic conversations from @tooltune/format", () => {
  it("the data's own answers pass every item in strict and bfcl mode", async () => {
    expect(new Set(items.map((i) => i.category))).toEqual(new Set(["simple", "parallel", "no_call", "final_answer"]));
    for (const mode of ["strict", "bfcl"] as const) {
      const results = await evaluateItems(items, model(), { render, generate: GEN, mode });
      expect(results.filter((r) => !r.pass).map((r) => `${r.id}: ${r.reason}`)).toEqual([]);
      const m = computeMetrics(results.map(scoredRow)).overall;
      expect([m.parse_rate, m.full_call_accuracy, m.irrelevance_accuracy]).toEqual([1, 1, 1]);
    }
  });

  it("episodes run on the catalog's real tools reproduce the data's tool results and succeed", async () => {
    const convs = rows.map(fromRow).filter((c) => c.messages.some((m) => m.toolCalls?.length));
    expect(convs.length).toBeGreaterThan(10);
    for (const conv of convs) {
      const ep = await runEpisode(conv, model(), { render, generate: GEN, executor: catalogExecutor(toolCatalog), maxSteps: 6 });
      const recorded = conv.messages.filter((m) => m.role === "tool").map((m) => m.content);
      expect(ep.steps.flatMap((s) => s.results)).toEqual(recorded);
      expect([ep.id, ep.success, ep.reason]).toEqual([conv.id, true, ""]);
    }
  });
});
