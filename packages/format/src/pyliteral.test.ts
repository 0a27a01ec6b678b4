import { describe, expect, it } from "vitest";
import { parseLiteral, toPythonRepr } from "./pyliteral.js";

describe("parseLiteral", () => {
  it.each([
    ["{'a': 1, 'b': [True, False, None]}", { a: 1, b: [true, false, null] }],
    ['{"a": -2.5e3, "b": "x\\ny"}', { a: -2500, b: "x\ny" }],
    ["('x', 1,)", ["x", 1]],
    ["{'q': \"it's\", 'e': '\\u00e9\\x41\\'', 't': '''a'b'''}", { q: "it's", e: "éA'", t: "a'b" }],
    ["[ ]", []],
    ["{1: 'a'}", { "1": "a" }],
  ])("%s", (text, value) => expect(parseLiteral(text)).toEqual(value));

  it.each([["{'a': 1"], ["{'a' 1}"], ["'open"], ["os.system('x')"], ["[1] + [2]"], ["{'a': f(1)}"]])("rejects %s", (text) => {
    expect(() => parseLiteral(text)).toThrow();
  });

  // Found by the fuzz harness (eval's test-fuzz.ts): these threw RangeError instead of LiteralError.
  it.each([["'\\U00110000'"], ["[".repeat(5000) + "]".repeat(5000)]])("rejects %s with a LiteralError", (text) => {
    expect(() => parseLiteral(text)).toThrow(/escape beyond U\+10FFFF|nested too deeply/);
  });

  it("reads a long string in slices", () => expect(parseLiteral(`'${"é".repeat(100_000)}\\n'`)).toBe("é".repeat(100_000) + "\n"));
});

describe("toPythonRepr", () => {
  it.each([
    [{ a: "x", b: [1, 2.5, true, null] }, "{'a': 'x', 'b': [1, 2.5, True, None]}"],
    ["it's", `"it's"`],
    [`both ' and "`, `'both \\' and "'`],
    ["line\nbreak\\", "'line\\nbreak\\\\'"],
    [1e16, "1e+16"],
    [0.00001, "1e-05"],
    [123.456, "123.456"],
  ])("%j", (value, text) => expect(toPythonRepr(value)).toBe(text));
});
