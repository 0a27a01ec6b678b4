import { describe, expect, it } from "vitest";
import { ingestRecord } from "../ingest/adapt.js";
import { courseExamples } from "../test-data.js";
import type { Conversation } from "../conversation.js";
import { courseToolPrompt, gemmaCourse } from "./gemma-course.js";

function ingestCourse(record: object): Conversation {
  const r = ingestRecord(record, "auto", { source: "course:0" }, { seed: 0, testFraction: 0 });
  if (!("conv" in r)) throw new Error(JSON.stringify(r.problem));
  expect(r.format).toBe("hermes");
  return r.conv;
}

describe("gemma-course", () => {
  for (const ex of courseExamples()) {
    it(`renders the notebook's printed example ${ex.example} byte for byte`, () => {
      const conv = ingestCourse(ex);
      expect(gemmaCourse.render(conv).text).toBe(ex.expected_text);
    });

    it(`rebuilds example ${ex.example}'s system prompt from the parsed tools`, () => {
      const conv = ingestCourse(ex);
      expect(conv.tools.length).toBe(2);
      expect(courseToolPrompt(conv.tools)).toBe(ex.conversations[0].content);
      // Without the system message, the template writes the same prompt from `tools` alone.
      const noSystem = { ...conv, messages: conv.messages.filter((m) => m.role !== "system") };
      expect(gemmaCourse.render(noSystem).text).toBe(ex.expected_text);
    });
  }

  it("ends the prompt with the model's generation prefix", () => {
    const conv = ingestCourse(courseExamples()[0]);
    const prompt = gemmaCourse.renderPrompt(conv.messages.slice(0, 2), conv.tools);
    expect(prompt.endsWith("<end_of_turn><eos>\n<start_of_turn>model\n")).toBe(true);
    expect(courseExamples()[0].expected_text.startsWith(prompt)).toBe(true);
  });
});
