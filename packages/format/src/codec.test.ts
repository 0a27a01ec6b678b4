import { describe, expect, it } from "vitest";
import { DEFAULT_MARKERS, encodeToolCall, encodeToolCalls, encodeToolResponse, parseAssistantOutput, type ParseStatus } from "./codec.js";
import { getSpecialTokens } from "./special-tokens.js";

const weather = { name: "get_weather", arguments: { city: "Paris", days: 2 } };

describe("encode", () => {
  it("writes one call in DESIGN §4's form", () => {
    expect(encodeToolCall(weather)).toBe('<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris", "days": 2}}\n</tool_call>');
  });
  it("writes the course's Python-literal form", () => {
    expect(encodeToolCall({ name: "f", arguments: { ok: true, x: null, s: "it's" } }, { style: "python" })).toBe(
      `<tool_call>\n{'name': 'f', 'arguments': {'ok': True, 'x': None, 's': "it's"}}\n</tool_call>`,
    );
  });
  it("separates several calls by a newline", () => {
    expect(encodeToolCalls([weather, weather])).toBe(`${encodeToolCall(weather)}\n${encodeToolCall(weather)}`);
  });
  it("wraps results, with Hermes' name/content object when named", () => {
    expect(encodeToolResponse('{"t": 21}')).toBe('<tool_response>\n{"t": 21}\n</tool_response>');
    expect(encodeToolResponse('{"t": 21}', { name: "w" })).toBe('<tool_response>\n{"name": "w", "content": {"t": 21}}\n</tool_response>');
    expect(encodeToolResponse("sunny", { name: "w" })).toBe('<tool_response>\n{"name": "w", "content": "sunny"}\n</tool_response>');
  });
  it("round-trips through the parser in both styles", () => {
    for (const style of ["json", "python"] as const) {
      const text = `<think>plan</think>${encodeToolCalls([weather, { name: "g", arguments: { l: [1, 2.5, "x"], d: { a: false } } }], { style })}`;
      const out = parseAssistantOutput(text);
      expect(out.status).toBe("valid_call");
      expect(out.calls).toEqual([weather, { name: "g", arguments: { l: [1, 2.5, "x"], d: { a: false } } }]);
      expect(out.reasoning).toBe("plan");
    }
  });
});

interface Case {
  name: string;
  text: string;
  status: ParseStatus;
  calls?: { name: string; arguments: Record<string, unknown> }[];
  content?: string;
  reasoning?: string | null;
  errors?: number;
}

const cases: Case[] = [
  { name: "plain answer", text: "It is 21°C in Paris.", status: "no_call", content: "It is 21°C in Paris.", reasoning: null },
  { name: "JSON call", text: '<tool_call>\n{"name": "f", "arguments": {"x": 1}}\n</tool_call>', status: "valid_call", calls: [{ name: "f", arguments: { x: 1 } }], content: "" },
  { name: "Python literal call", text: "<tool_call>\n{'name': 'f', 'arguments': {'x': 'a', 'b': True, 'n': None}}\n</tool_call>", status: "valid_call", calls: [{ name: "f", arguments: { x: "a", b: true, n: null } }] },
  { name: "tuple becomes array", text: "<tool_call>{'name': 'f', 'arguments': {'p': (1, 2)}}</tool_call>", status: "valid_call", calls: [{ name: "f", arguments: { p: [1, 2] } }] },
  { name: "arguments as a JSON string (OpenAI habit)", text: '<tool_call>{"name": "f", "arguments": "{\\"x\\": 1}"}</tool_call>', status: "valid_call", calls: [{ name: "f", arguments: { x: 1 } }] },
  {
    name: "think, prose and two calls",
    text: '<think>need both</think>Checking.\n<tool_call>\n{"name": "a", "arguments": {}}\n</tool_call>\n<tool_call>\n{"name": "b", "arguments": {"y": [1]}}\n</tool_call>\nDone.',
    status: "valid_call",
    calls: [{ name: "a", arguments: {} }, { name: "b", arguments: { y: [1] } }],
    content: "Checking.\nDone.",
    reasoning: "need both",
  },
  { name: "output that starts inside a think block", text: "plan it</think>\n\nAnswer.", status: "no_call", reasoning: "plan it", content: "Answer." },
  { name: "unterminated call", text: '<tool_call>\n{"name": "f", "arguments": {"x": 1}}', status: "malformed_call", calls: [], errors: 1 },
  { name: "bad JSON", text: '<tool_call>\n{"name": "f", "arguments": {"x": }}\n</tool_call>', status: "malformed_call", errors: 1 },
  { name: "no name", text: '<tool_call>{"arguments": {}}</tool_call>', status: "malformed_call", errors: 1 },
  { name: "arguments not an object", text: '<tool_call>{"name": "f", "arguments": [1]}</tool_call>', status: "malformed_call", errors: 1 },
  {
    name: "one good call and one cut off",
    text: '<tool_call>{"name": "a", "arguments": {}}</tool_call><tool_call>{"name": "b"',
    status: "malformed_call",
    calls: [{ name: "a", arguments: {} }],
    errors: 1,
  },
  { name: "second start before an end", text: '<tool_call>{"name": "a"<tool_call>{"name": "b", "arguments": {}}</tool_call>', status: "malformed_call", calls: [{ name: "b", arguments: {} }], errors: 1 },
  { name: "code is never evaluated", text: "<tool_call>{'name': __import__('os').getcwd()}</tool_call>", status: "malformed_call", errors: 1 },
];

describe("parseAssistantOutput", () => {
  it.each(cases)("$name", (c) => {
    const out = parseAssistantOutput(c.text);
    expect(out.status).toBe(c.status);
    if (c.calls) expect(out.calls).toEqual(c.calls);
    if (c.content !== undefined) expect(out.content).toBe(c.content);
    if (c.reasoning !== undefined) expect(out.reasoning).toBe(c.reasoning);
    expect(out.errors.length).toBe(c.errors ?? 0);
    expect(out.bodies.length).toBe(out.calls.length);
  });

  it("keeps each parsed call's body text, so a reader can keep 1.0 apart from 1", () => {
    const out = parseAssistantOutput('<tool_call>\n{"name": "f", "arguments": {"x": 1.0}}\n</tool_call><tool_call>{oops</tool_call>');
    expect(out.calls).toEqual([{ name: "f", arguments: { x: 1 } }]);
    expect(out.bodies).toEqual(['\n{"name": "f", "arguments": {"x": 1.0}}\n']);
  });

  it("reads the notebook's misspelled markers when told to", () => {
    const { markers } = getSpecialTokens("course-notebook");
    expect(markers.responseStart).toBe("<tool_reponse>");
    const custom = { ...DEFAULT_MARKERS, callStart: "<function>", callEnd: "</function>" };
    const out = parseAssistantOutput('<function>{"name": "f", "arguments": {}}</function>', { markers: custom });
    expect(out.status).toBe("valid_call");
    expect(parseAssistantOutput('<function>{"name": "f", "arguments": {}}</function>').status).toBe("no_call");
  });
});
