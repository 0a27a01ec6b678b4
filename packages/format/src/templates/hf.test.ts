/**
 * `hf` against transformers: fixtures/hf_golden.json holds what `apply_chat_template` rendered
 * (fixtures/make_hf_golden.py, transformers 5.18) from the same canonical conversations.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { encodeToolCall } from "../codec.js";
import { stripToolUse } from "../format-stage.js";
import type { Conversation, Message, ToolSchema } from "../conversation.js";
import { ingestRecord } from "../ingest/adapt.js";
import { readRecords } from "../ingest/records.js";
import { SHARED_DATA } from "../test-data.js";
import { MAX_SPAN_RENDERED_MESSAGES, resolveTokenizerConfig } from "./hf.js";
import { getTemplate } from "./index.js";
import { trainedText } from "./types.js";

interface Case {
  tokenizer: string;
  name: string;
  tools: ToolSchema[];
  messages: Message[];
  add_generation_prompt: boolean;
  /** What transformers rendered; absent where it raised. */
  text?: string;
  /** transformers' error message. */
  raises?: string;
  /** What transformers' text lacks of the conversation (tooltune refuses the row). */
  leaves_out?: string[];
}
const all = (JSON.parse(readFileSync(new URL("../../fixtures/hf_golden.json", import.meta.url), "utf8")) as { cases: Case[] }).cases;
const golden = { cases: all.filter((c) => c.tokenizer === "qwen3") as (Case & { text: string })[] };
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

  it("refuses spans past MAX_SPAN_RENDERED_MESSAGES (prefix renders are quadratic) with the reason; last_assistant still renders", () => {
    const exchange = (k: number): Message[] => [{ role: "user", content: `q${k}` }, { role: "assistant", content: `a${k}` }];
    const rowOf = (n: number): Conversation => ({ id: "long", source: "t", split: "train", tools: [], messages: Array.from({ length: n }, (_, k) => exchange(k)).flat() });
    const rendered = (n: number) => Array.from({ length: n }, (_, k) => 2 * (2 * k + 1) + 1).reduce((a, b) => a + b, 0);
    let fits = 1;
    while (rendered(fits + 1) <= MAX_SPAN_RENDERED_MESSAGES) fits++;
    expect(trainedText(qwen3.render(rowOf(fits)))).toHaveLength(fits);
    expect(() => qwen3.render(rowOf(fits + 1))).toThrow(/over the 4,096 limit; use train_on: last_assistant/);
    const last = trainedText(qwen3.render(rowOf(fits + 1), { trainOn: "last_assistant" }));
    expect(last).toHaveLength(1);
    expect(last[0].endsWith(`a${fits}<|im_end|>`)).toBe(true);
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

describe("hf template: Gemma 3 equals transformers, and refuses what its template cannot write", () => {
  const gemma = all.filter((c) => c.tokenizer === "gemma3");
  const gemma3 = getTemplate("hf", { tokenizer: "gemma3" });
  const rendered = gemma.filter((c) => c.text !== undefined && !c.leaves_out);

  it.each(rendered)("$name", (c) => {
    const text = c.add_generation_prompt ? gemma3.renderPrompt(c.messages, c.tools) : gemma3.render(conv(c), { trainOn: "all" }).text;
    expect(text).toBe(c.text);
  });

  it("spans each model turn: the trimmed reply through <end_of_turn>, the system text folded into the prompt", () => {
    expect(gemma3.endOfTurn).toBe("<end_of_turn>");
    expect(gemma3.stopStrings).toContain("<end_of_turn>");
    const c = rendered.find((x) => x.messages[0].role === "system" && !x.add_generation_prompt)!;
    const r = gemma3.render(conv(c));
    expect(r.text).toBe(c.text);
    expect(trainedText(r)).toEqual(c.messages.filter((m) => m.role === "assistant").map((m) => `${m.content.trim()}<end_of_turn>`));
  });

  it("refuses rows the template raises on: transformers' own message, or which feature it cannot write", () => {
    const raising = gemma.filter((c) => c.raises);
    expect(raising.length).toBe(2);
    for (const c of raising) {
      const hasToolUse = c.tools.length > 0 || c.messages.some((m) => m.role === "tool");
      expect(() => gemma3.render(conv(c)), c.name).toThrow(hasToolUse ? /writes no tools, tool calls, tool results/ : c.raises);
    }
  });

  it("refuses tools, calls and reasoning, which transformers' text silently lacks; strip_tool_use gives transformers' text", () => {
    const c = gemma.find((x) => x.leaves_out)!;
    // The golden shows the loss: no schema, no call, no reasoning in what transformers rendered.
    for (const gone of ["get_weather", "Call the tool."]) expect(c.text).not.toContain(gone);
    expect(() => gemma3.render(conv(c))).toThrow(`writes no ${c.leaves_out!.join(", ")}`);
    expect(() => gemma3.renderPrompt(c.messages.slice(0, 1), c.tools)).toThrow("writes no tools");
    expect(gemma3.render(stripToolUse(conv(c)), { trainOn: "all" }).text).toBe(c.text);
  });

  it("real rows: tool use refused, naming it; with strip_tool_use every row spans, but tau-bench's back-to-back replies break Gemma's alternation", async () => {
    const counts: Record<string, Record<string, number>> = {};
    for (const f of ["glaive_toolcall_en_demo/glaive_toolcall_en_demo.json", "tau_bench_gpt4o_airline/gpt-4o-airline.json", "course/notebook_examples.jsonl"]) {
      const c: Record<string, number> = (counts[f] = {});
      for await (const rec of readRecords(SHARED_DATA + f)) {
        const r = ingestRecord(rec.value, "auto", { source: f }, { seed: 1, testFraction: 0 });
        if (!("conv" in r)) throw new Error(r.problem.reason);
        const toolUse = r.conv.tools.length > 0 || r.conv.messages.some((m) => m.role === "tool" || m.toolCalls?.length || m.reasoning);
        if (toolUse) expect(() => gemma3.render(r.conv)).toThrow("the tokenizer's chat template writes no ");
        if (toolUse) c.refused = (c.refused ?? 0) + 1;
        const stripped = stripToolUse(r.conv);
        let trained: string[];
        try {
          trained = trainedText(gemma3.render(stripped));
        } catch (e) {
          expect((e as Error).message).toBe("Conversation roles must alternate user/assistant/user/assistant/...");
          c.alternation = (c.alternation ?? 0) + 1;
          continue;
        }
        const turns = stripped.messages.filter((m) => m.role === "assistant");
        expect(trained).toEqual(turns.map((m) => `${m.content.trim()}<end_of_turn>`));
        c.rendered = (c.rendered ?? 0) + 1;
      }
    }
    expect(Object.values(counts)).toEqual([{ refused: 100, rendered: 150 }, { refused: 91, rendered: 80, alternation: 20 }, { refused: 2, rendered: 2 }]);
  });

  it("a shipped tokenizer without a chat_template (gemma2), or an unknown name, fails at load with what to use", () => {
    expect(() => getTemplate("hf", { tokenizer: "gemma2" })).toThrow(/no chat_template.*gemma-course/);
    expect(() => getTemplate("hf", { tokenizer: "gemma9" })).toThrow(/qwen3, gemma3, gemma2, llama3/);
  });
});

describe("hf template: Llama 3 (base) equals transformers; the header it appends after the last turn is not trained", () => {
  const llama = all.filter((c) => c.tokenizer === "llama3");
  const llama3 = getTemplate("hf", { tokenizer: "llama3" });

  it.each(llama)("$name", (c) => {
    const r = llama3.render(conv(c));
    expect(r.text).toBe(c.text);
    expect(llama3.endOfTurn).toBe("<|eot_id|>");
    expect(trainedText(r)).toEqual(c.messages.filter((m) => m.role === "assistant").map((m) => `${m.content.trim()}<|eot_id|>`));
    expect(r.text.endsWith("<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n")).toBe(true);
  });

  it("refuses tools like Gemma 3's (its template writes message text only)", () => {
    const c = all.find((x) => x.tokenizer === "gemma3" && x.leaves_out)!;
    expect(() => llama3.render(conv(c))).toThrow(`writes no ${c.leaves_out!.join(", ")}`);
  });
});
