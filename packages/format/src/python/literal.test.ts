import { describe, expect, it } from "vitest";
import { DecodeError } from "./lexer.js";
import { jsonShaped, parseLiteral, parsePyLiteral } from "./literal.js";
import { pyRepr, toPythonRepr } from "./repr.js";
import { NON_STRING_KEY, PyTuple } from "./value.js";

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

  // Found by the fuzz harness (eval's test-fuzz.ts): these threw RangeError instead of a DecodeError.
  it.each([["'\\U00110000'"], ["[".repeat(5000) + "]".repeat(5000)]])("rejects %s with a DecodeError", (text) => {
    expect(() => parseLiteral(text)).toThrow(/illegal Unicode character|too many nested parentheses/);
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

describe("parsePyLiteral", () => {
  it("keeps int apart from float and tuples apart from lists", () => {
    const v = parsePyLiteral("(1, 2.0, [3], -4)");
    expect(v).toBeInstanceOf(PyTuple);
    expect((v as PyTuple).items).toEqual([1n, 2, [3n], -4n]);
  });

  it("keeps a non-string key as its repr, out of the way of string keys", () => {
    const v = parsePyLiteral("{1: 'a', '1': 'b', (1, 2.5): None}");
    expect(Object.keys(v as object)).toEqual(["1", NON_STRING_KEY + "1", NON_STRING_KEY + "(1, 2.5)"]);
    expect(pyRepr(v)).toBe("{'1': 'b', 1: 'a', (1, 2.5): None}"); // integer-like string keys come first (plain objects)
  });

  it("gives the codec's shape on request: tuples as lists, keys as text, number types kept", () => {
    expect(jsonShaped(parsePyLiteral("{1: (2, 3.0)}"))).toEqual({ "1": [2n, 3] });
  });

  it.each([["b'x'"], ["{1, 2}"], ["1j"], ["..."], ["f(1)"], ["'a'\n'b'"]])("rejects %j with a DecodeError", (text) => {
    expect(() => parsePyLiteral(text)).toThrow(DecodeError);
  });
});
