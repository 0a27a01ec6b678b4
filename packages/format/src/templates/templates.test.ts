/**
 * One suite run against every template: the text under train spans is exactly each assistant
 * turn's own text plus its end-of-turn marker, spans tile the text, and train_on selects turns.
 */
import { describe, expect, it } from "vitest";
import { encodeToolCall, parseAssistantOutput } from "../codec.js";
import type { Conversation, Message } from "../conversation.js";
import { courseAssistantText } from "./gemma-course.js";
import { hermesAssistantText } from "./hermes.js";
import { getTemplate } from "./index.js";
import { trainedText, type ChatTemplate, type Rendered } from "./types.js";

const tools: Conversation["tools"] = [
  { type: "function", function: { name: "get_weather", description: "Weather", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } } },
];

/** One user query, a reasoning call, a result, a final answer: the common shape. */
const oneQuery: Conversation = {
  id: "a",
  source: "test:0",
  split: "train",
  tools,
  messages: [
    { role: "system", content: "Be brief." },
    { role: "user", content: "Weather in Paris and Rome?" },
    {
      role: "assistant",
      content: "Checking both.",
      reasoning: "Two cities, two calls.",
      toolCalls: [
        { name: "get_weather", arguments: { city: "Paris" } },
        { name: "get_weather", arguments: { city: "Rome" } },
      ],
    },
    { role: "tool", content: '{"temp": 21}', name: "get_weather" },
    { role: "tool", content: '{"temp": 25}', name: "get_weather" },
    { role: "assistant", content: "Paris 21 °C, Rome 25 °C.", reasoning: "Report." },
  ],
};

/** Two user turns: what templates that rewrite history must handle. */
const twoQueries: Conversation = {
  ...oneQuery,
  id: "b",
  messages: [...oneQuery.messages, { role: "user", content: "Thanks!" }, { role: "assistant", content: "You're welcome." }],
};

const assistants = (c: Conversation) => c.messages.filter((m) => m.role === "assistant");

function expectTiled(r: Rendered): void {
  let at = 0;
  for (const s of r.spans) {
    expect(s.start).toBe(at);
    expect(s.end).toBeGreaterThan(s.start);
    at = s.end;
  }
  expect(at).toBe(r.text.length);
}

/** What each template's assistant turn text is, independent of the rendering code under test. */
const ownText: Record<string, (m: Message) => string> = {
  "gemma-course": courseAssistantText,
  chatml: hermesAssistantText,
  llama3: hermesAssistantText,
};

const named: ChatTemplate[] = ["gemma-course", "chatml", "llama3"].map((n) => getTemplate(n));

describe.each(named)("$name", (t) => {
  it("trains exactly the assistant text plus end-of-turn, turn by turn", () => {
    for (const conv of [oneQuery, twoQueries]) {
      const r = t.render(conv);
      expectTiled(r);
      expect(trainedText(r)).toEqual(assistants(conv).map((m) => ownText[t.name](m) + t.endOfTurn));
    }
  });

  it("last_assistant trains only the final turn; all trains everything", () => {
    const last = t.render(twoQueries, { trainOn: "last_assistant" });
    expect(trainedText(last)).toEqual([ownText[t.name](assistants(twoQueries).at(-1)!) + t.endOfTurn]);
    const all = t.render(twoQueries, { trainOn: "all" });
    expect(all.spans.every((s) => s.train)).toBe(true);
    expect(trainedText(all).join("")).toBe(all.text);
  });

  it("all_but_system trains every token after the system message", () => {
    const r = t.render(oneQuery, { trainOn: "all_but_system" });
    expectTiled(r);
    const trained = trainedText(r).join("");
    if (t.name !== "gemma-course") expect(trained).not.toContain("Be brief."); // gemma folds it into the user turn
    expect(trained).toContain(oneQuery.messages[1].content);
    expect(r.text.endsWith(trained)).toBe(true);
  });

  it("is the prompt plus the trained turn: what the model sees at inference", () => {
    const i = oneQuery.messages.length - 1;
    const prompt = t.renderPrompt(oneQuery.messages.slice(0, i), tools);
    const r = t.render(oneQuery, { trainOn: "last_assistant" });
    const span = r.spans.find((s) => s.train)!;
    expect(r.text.slice(0, span.start)).toBe(prompt);
  });

  it("writes calls the shared parser reads back", () => {
    const body = trainedText(t.render(oneQuery))[0].slice(0, -t.endOfTurn.length);
    const parsed = parseAssistantOutput(body);
    expect(parsed.status).toBe("valid_call");
    expect(parsed.calls).toEqual(oneQuery.messages[2].toolCalls);
    expect(parsed.reasoning?.trim()).toBe("Two cities, two calls.");
    expect(parsed.content).toBe("Checking both.");
  });
});

describe("hf (Qwen3's own template)", () => {
  const t = getTemplate("hf", { tokenizer: "qwen3" });

  it("finds the end-of-turn marker from the template", () => {
    expect(t.endOfTurn).toBe("<|im_end|>");
  });

  it("trains each assistant turn from its generation prefix to its end marker", () => {
    const r = t.render(oneQuery);
    expectTiled(r);
    const trained = trainedText(r);
    expect(trained).toEqual([
      "<think>\nTwo cities, two calls.\n</think>\n\nChecking both.\n" +
        encodeToolCall({ name: "get_weather", arguments: { city: "Paris" } }) + "\n" +
        encodeToolCall({ name: "get_weather", arguments: { city: "Rome" } }) + "<|im_end|>",
      "<think>\nReport.\n</think>\n\nParis 21 °C, Rome 25 °C.<|im_end|>",
    ]);
    // Every trained turn starts right where the generation prompt for it ends.
    const firstTrain = r.spans.find((s) => s.train)!;
    expect(r.text.slice(0, firstTrain.start)).toBe(t.renderPrompt(oneQuery.messages.slice(0, 2), tools));
  });

  it("refuses spans it cannot derive honestly, and trains the last turn instead", () => {
    expect(() => t.render(twoQueries)).toThrow(/differently once later messages follow/);
    const r = t.render(twoQueries, { trainOn: "last_assistant" });
    expect(trainedText(r)).toEqual(["<think>\n\n</think>\n\nYou're welcome.<|im_end|>"]);
  });
});
