import { describe, expect, it } from "vitest";
import { DEFAULT_MARKERS } from "./codec.js";
import { getSpecialTokens } from "./special-tokens.js";

describe("special-token sets", () => {
  it("course: DESIGN §4's list, response pair spelled right", () => {
    const s = getSpecialTokens("course");
    expect(s.tokens).toEqual(["<tools>", "</tools>", "<think>", "</think>", "<tool_call>", "</tool_call>", "<tool_response>", "</tool_response>", "<pad>", "<eos>"]);
    expect(s.markers).toEqual(DEFAULT_MARKERS);
  });

  it("course-notebook: the notebook's list in its order, misspelling included (course/SOURCE.md)", () => {
    const s = getSpecialTokens("course-notebook");
    expect(s.tokens.join(" ")).toBe("<tools> </tools> <think> </think> <tool_call> </tool_call> <tool_reponse> </tool_reponse> <pad> <eos>");
    expect([s.markers.responseStart, s.markers.responseEnd]).toEqual(["<tool_reponse>", "</tool_reponse>"]);
  });

  it("an explicit list is kept as given", () => {
    expect(getSpecialTokens(["<a>", "<b>"])).toEqual({ name: "custom", tokens: ["<a>", "<b>"], markers: DEFAULT_MARKERS });
    expect(() => getSpecialTokens("nope")).toThrow(/unknown special-token set/);
  });
});
