/**
 * `hf` against transformers: fixtures/hf_golden.json holds what `apply_chat_template` rendered
 * (fixtures/make_hf_golden.py, transformers 5.18) from the same canonical conversations.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { encodeToolCall } from "../codec.js";
import type { Conversation, Message, ToolSchema } from "../conversation.js";
import { ingestRecord } from "../ingest/adapt.js";
import { readRecords } from "../ingest/records.js";
import { SHARED_DATA } from "../test-data.js";
import { resolveTokenizerConfig } from "./hf.js";
import { getTemplate } from "./index.js";
import { trainedText } from "./types.js";

interface Case {
  name: string;
  tools: ToolSchema[];
  messages: Message[];
  add_generation_prompt: boolean;
  text: string;
}
const golden = JSON.parse(readFileSync(new URL("../../fixtures/hf_golden.json", import.meta.url), "utf8")) as { cases: Case[] };
const conv = (c: Case): Conversation => ({ id: c.name, source: "golden", split: "train", tools: c.tools, messages: c.messages });
const qwen3 = getTemplate("hf", { tokenizer: "qwen3" });

describe("hf template: Qwen3 equals transformers byte for byte", () => {
  it.each(golden.cases)("$name", (c) => {
    const text = c.add_generation_prompt ? qwen3.renderPrompt(c.messages, c.tools) : qwen3.render(conv(c), { trainOn: "all" }).text;
    expect(text).toBe(c.text);
  });

  it("has the golden cases it claims (tools, calls, results, reasoning)", () => {
    const all = golden.cases.flatMap((c) => c.messages);
    expect(all.some((m) => m.toolCalls && m.toolCalls.length > 1)).toBe(true);
    expect(all.some((m) => m.role === "tool")).toBe(true);
    expect(all.some((m) => m.reasoning)).toBe(true);
    expect(golden.cases.some((c) => c.tools.length === 0)).toBe(true);
  });

  it("spans over the golden text: each assistant turn from its generation prefix through <|im_end|>", () => {
    const [single, parallel, twoTurns] = golden.cases;
    for (const c of [single, parallel]) {
      const r = qwen3.render(conv(c));
      expect(r.text).toBe(c.text);
      const trained = trainedText(r);
      expect(trained.length).toBe(c.messages.filter((m) => m.role === "assistant").length);
      for (const [k, m] of c.messages.filter((x) => x.role === "assistant").entries()) {
        expect(trained[k].endsWith("<|im_end|>")).toBe(true);
        expect(trained[k]).toContain(m.content);
        if (m.reasoning) expect(trained[k].startsWith(`<think>\n${m.reasoning}\n</think>\n\n`)).toBe(true);
        for (const call of m.toolCalls ?? []) expect(trained[k]).toContain(encodeToolCall({ name: call.name, arguments: call.arguments }));
      }
    }
    const last = qwen3.render(conv(twoTurns), { trainOn: "last_assistant" });
    expect(last.text).toBe(twoTurns.text);
    expect(trainedText(last)).toEqual(["<think>\nNo tool fits; just answer.\n</think>\n\nWhy did the cloud stay home? It was feeling under the weather.<|im_end|>"]);
  });

  it("chatml writes the same text as Qwen3 where Qwen3 keeps every turn's reasoning", () => {
    expect(getTemplate("chatml").render(conv(golden.cases[0])).text).toBe(golden.cases[0].text);
  });

  it("loads the same template from a tokenizer directory (a model's or tokenize's bundle)", () => {
    const dir = mkdtempSync(join(tmpdir(), "tt-hf-"));
    try {
      copyFileSync(resolveTokenizerConfig("qwen3"), join(dir, "tokenizer_config.json"));
      expect(getTemplate("hf", { tokenizer: dir }).render(conv(golden.cases[1]), { trainOn: "all" }).text).toBe(golden.cases[1].text);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it("spans every multi-turn row of glaive and tau-bench; refuses the course rows whose history had reasoning", async () => {
    const counts: Record<string, [number, number]> = {};
    for (const f of ["glaive_toolcall_en_demo/glaive_toolcall_en_demo.json", "tau_bench_gpt4o_airline/gpt-4o-airline.json", "course/notebook_examples.jsonl"]) {
      counts[f] = [0, 0];
      for await (const rec of readRecords(SHARED_DATA + f)) {
        const r = ingestRecord(rec.value, "auto", { source: f }, { seed: 1, testFraction: 0 });
        if (!("conv" in r)) throw new Error(r.problem.reason);
        let trained: string[];
        try {
          trained = trainedText(qwen3.render(r.conv));
        } catch {
          counts[f][1]++;
          continue;
        }
        const turns = r.conv.messages.filter((m) => m.role === "assistant");
        expect(trained.length).toBe(turns.length);
        for (const [k, m] of turns.entries()) {
          expect(trained[k].endsWith("<|im_end|>")).toBe(true);
          expect(trained[k]).toContain(m.content);
        }
        counts[f][0]++;
      }
    }
    expect(Object.values(counts)).toEqual([[150, 0], [100, 0], [0, 2]]);
  });
});
