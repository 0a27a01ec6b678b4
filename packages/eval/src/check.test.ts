import { describe, expect, it } from "vitest";
import type { FunctionDoc, PossibleAnswer } from "./ast-checker.js";
import { checkOutput, type CheckTarget } from "./check.js";
import { parseJsonPy } from "@tooltune/format";

const WEATHER: FunctionDoc = {
  name: "get_weather",
  parameters: { type: "object", required: ["city"], properties: { city: { type: "string" }, days: { type: "integer" } } },
};
const answer = parseJsonPy(`{"get_weather": {"city": ["Paris"], "days": [2, ""]}}`) as unknown as PossibleAnswer;
const CALL: CheckTarget = { category: "simple", functions: [WEATHER], answers: [answer] };
const NONE: CheckTarget = { category: "irrelevance", functions: [WEATHER], answers: [] };

const block = (json: string) => `<tool_call>\n${json}\n</tool_call>`;
const good = block('{"name": "get_weather", "arguments": {"city": "Paris"}}');

/**
 * [case, target, output, parse_status ("bfcl/strict" when they differ), pass in bfcl, pass in strict,
 * reason prefix when failing ("bfcl|strict" when they differ; strict reports every malformed call as
 * "malformed_call")]
 */
const CASES: [string, CheckTarget, string, string, boolean, boolean, string][] = [
  ["tool_call block", CALL, good, "valid_call", true, true, ""],
  ["think block then call", CALL, `<think>Need the weather.</think>${good}`, "valid_call", true, true, ""],
  ["prose around a tool_call block", CALL, `Let me check.\n${good}\nOne moment.`, "valid_call", true, true, ""],
  ["Python call", CALL, "[get_weather(city='Paris', days=2)]", "valid_call", true, true, ""],
  ["prose around a Python call", CALL, "Sure! get_weather(city='Paris')", "malformed_call", false, false, "ast_decoder:decoder_failed"],
  ["plain answer, no call", CALL, "It is sunny in Paris.", "no_call", false, false, "ast_decoder:decoder_failed|no_call"],
  ["empty output", CALL, "", "no_call", false, false, "simple_function_checker:wrong_count|no_call"],
  ["empty call list", CALL, "[]", "no_call", false, false, "simple_function_checker:wrong_count|no_call"],
  ["malformed JSON in the block", CALL, block('{"name": "get_weather", "arguments": {"city": "Paris"'), "malformed_call", false, false, ""],
  ["unclosed block", CALL, '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}', "malformed_call", false, false, ""],
  // BFCL drops the bad block and keeps the good one; strict reports the bad block.
  ["one good, one malformed block", CALL, `${good}\n${block("{oops")}`, "valid_call/malformed_call", true, false, "malformed_call"],
  ["Python-literal dict in the block (course data)", CALL, block("{'name': 'get_weather', 'arguments': {'city': 'Paris'}}"), "malformed_call/valid_call", false, true, "ast_decoder"],
  ["irrelevance: plain answer", NONE, "I have no tool for that.", "no_call", true, true, ""],
  ["irrelevance: think, then plain answer", NONE, "<think>No tool fits.</think>I cannot do that.", "no_call", true, true, ""],
  ["irrelevance: a call", NONE, good, "valid_call", false, false, "irrelevance_error:decoder_success"],
  ["prose mentioning a function in passing", NONE, "I could call get_time() but no tool fits.", "no_call", true, true, ""],
  ["a bare empty-argument call", CALL, "get_time()", "valid_call", false, false, "simple_function_checker:wrong_func_name"],
  ["irrelevance: prose around a Python call", NONE, "Sure! get_weather(city='Paris')", "malformed_call", true, false, "malformed_call"],
  ["irrelevance: malformed block counts as abstention in bfcl only", NONE, block("{oops"), "malformed_call", true, false, "malformed_call"],
];

describe("checkOutput: parse status, abstentions and malformed calls in both modes", () => {
  it.each(CASES)("%s", (_name, target, output, status, bfclPass, strictPass, reason) => {
    for (const [mode, passes] of [["bfcl", bfclPass], ["strict", strictPass]] as const) {
      const r = checkOutput(target, output, mode);
      expect.soft(r.pass, mode).toBe(passes);
      const [bfclReason, strictReason = bfclReason] = reason.split("|");
      const prefix = mode === "strict" && r.parse_status === "malformed_call" ? "malformed_call" : mode === "bfcl" ? bfclReason : strictReason;
      if (!passes) expect.soft(r.reason.length > 0 && r.reason.startsWith(prefix), `${mode}: ${r.reason}`).toBe(true);
      else expect.soft(r.reason, mode).toBe("");
      const [bfclStatus, strictStatus = bfclStatus] = status.split("/");
      expect.soft(r.parse_status, mode).toBe(mode === "bfcl" ? bfclStatus : strictStatus);
    }
  });

  it("reports names and arguments separately", () => {
    const wrongArg = checkOutput(CALL, block('{"name": "get_weather", "arguments": {"city": "Rome"}}'), "strict");
    expect([wrongArg.name_ok, wrongArg.args_ok, wrongArg.pass]).toEqual([true, false, false]);
    const wrongName = checkOutput(CALL, block('{"name": "get_forecast", "arguments": {"city": "Paris"}}'), "strict");
    expect([wrongName.name_ok, wrongName.args_ok, wrongName.pass]).toEqual([false, false, false]);
  });

  it("keeps JSON's int/float distinction in tool_call blocks (3.0 for an integer fails)", () => {
    const r = checkOutput(CALL, block('{"name": "get_weather", "arguments": {"city": "Paris", "days": 2.0}}'), "bfcl");
    expect(r.reason).toMatch(/^type_error:simple/);
  });

  it("treats a JSON key __proto__ as a plain key", () => {
    const r = checkOutput(CALL, block('{"name": "get_weather", "arguments": {"city": "Paris", "__proto__": {"x": 1}}}'), "bfcl");
    expect(r.reason).toMatch(/^simple_function_checker:unexpected_param: .*__proto__/);
  });

  it("records whether the output had a think block", () => {
    expect(checkOutput(CALL, `<think>x</think>${good}`, "bfcl").think).toBe(true);
    expect(checkOutput(CALL, good, "bfcl").think).toBe(false);
  });
});

const SCALE: FunctionDoc = {
  name: "scale",
  parameters: {
    type: "dict",
    required: ["x"],
    properties: { x: { type: "float" }, xs: { type: "array", items: { type: "float" } }, n: { type: "integer" } },
  },
};
const scaleAnswer = parseJsonPy(`{"scale": {"x": [1.0], "xs": [[1.0, 2.5]], "n": [3, ""]}}`) as unknown as PossibleAnswer;
const SCALE_CALL: CheckTarget = { category: "simple", functions: [SCALE], answers: [scaleAnswer] };
// BFCL quirk: when a list parameter's alternatives include "" (optional), its nested type check passes any list.
const optionalXs = parseJsonPy(`{"scale": {"x": [1.0], "xs": [[1.0, 2.5], ""]}}`) as unknown as PossibleAnswer;
const SCALE_OPTIONAL: CheckTarget = { ...SCALE_CALL, answers: [optionalXs] };
const scaleBlock = (args: string) => block(`{"name": "scale", "arguments": ${args}}`);
/** [case, target, output, pass in bfcl, pass in strict] */
const NUMBER_CASES: [string, CheckTarget, string, boolean, boolean][] = [
  ["1.0 for a float, [1.0, 2.5] for a list of floats", SCALE_CALL, scaleBlock('{"x": 1.0, "xs": [1.0, 2.5]}'), true, true],
  ["1 for a top-level float (BFCL accepts an int there)", SCALE_CALL, scaleBlock('{"x": 1, "xs": [1.0, 2.5]}'), true, true],
  ["[1, 2.5] for a list of floats (no int → float inside arrays)", SCALE_CALL, scaleBlock('{"x": 1.0, "xs": [1, 2.5]}'), false, false],
  ["[1, 2.5] for an optional list of floats (BFCL's quirk: passes)", SCALE_OPTIONAL, scaleBlock('{"x": 1.0, "xs": [1, 2.5]}'), true, true],
  ["3.0 for an integer", SCALE_CALL, scaleBlock('{"x": 1.0, "xs": [1.0, 2.5], "n": 3.0}'), false, false],
  ["3 for an integer", SCALE_CALL, scaleBlock('{"x": 1.0, "xs": [1.0, 2.5], "n": 3}'), true, true],
  ["a Python-literal body keeps the types too", SCALE_CALL, block("{'name': 'scale', 'arguments': {'x': 1.0, 'xs': [1.0, 2.5]}}"), false, true],
  ["arguments as a JSON string (OpenAI)", SCALE_CALL, block(`{"name": "scale", "arguments": "{\\"x\\": 1.0, \\"xs\\": [1.0, 2.5], \\"n\\": 3.0}"}`), false, false],
];

describe("checkOutput: JSON numbers keep int vs float in both modes", () => {
  it.each(NUMBER_CASES)("%s", (_name, target, output, bfclPass, strictPass) => {
    expect.soft(checkOutput(target, output, "bfcl").pass, "bfcl").toBe(bfclPass);
    expect.soft(checkOutput(target, output, "strict").pass, "strict").toBe(strictPass);
  });
});

/** [case, output, status in bfcl, status in strict, pass on an irrelevance item in bfcl] */
const ATTEMPT_CASES: [string, string, string, string, boolean][] = [
  ["a ** splat (BFCL decodes it, with an argument named None)", "[get_weather(**{'city': 'Paris'})]", "valid_call", "malformed_call", false],
  ["an unclosed ** splat", "get_weather(**{'city': 'Paris'}", "malformed_call", "malformed_call", true],
  ["an unclosed list of calls", "[get_weather(", "malformed_call", "malformed_call", true],
  ["an unclosed list of calls after a think block", "<think>x</think>\n[get_weather(", "malformed_call", "malformed_call", true],
];

describe("checkOutput: call attempts are never abstentions", () => {
  it.each(ATTEMPT_CASES)("%s", (_name, output, bfclStatus, strictStatus, bfclIrrelevancePass) => {
    expect.soft(checkOutput(CALL, output, "bfcl").parse_status, "bfcl").toBe(bfclStatus);
    expect.soft(checkOutput(CALL, output, "strict").parse_status, "strict").toBe(strictStatus);
    expect.soft(checkOutput(CALL, output, "bfcl").pass).toBe(false);
    expect.soft(checkOutput(CALL, output, "strict").pass).toBe(false);
    expect.soft(checkOutput(NONE, output, "bfcl").pass, "bfcl irrelevance").toBe(bfclIrrelevancePass);
    expect.soft(checkOutput(NONE, output, "strict").pass, "strict irrelevance").toBe(false);
  });
});
