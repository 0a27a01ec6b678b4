import { describe, expect, it } from "vitest";
import { parseJsonPy } from "./json.js";
import { pyRepr } from "./repr.js";

describe("parseJsonPy", () => {
  it.each([
    ["5", "5"],
    ["5.0", "5.0"],
    ["1e3", "1000.0"],
    ['{"a": [1, 2.5, "x", true, null]}', "{'a': [1, 2.5, 'x', True, None]}"],
    ["1".repeat(4300), "1".repeat(4300)], // up to Python's int digit limit (a 400-char cut used to reject these)
  ])("%s → %s", (json, repr) => expect(pyRepr(parseJsonPy(json))).toBe(repr));
  it.each(["{a: 1}", "[1,]", "01", '"x', "[".repeat(1001) + "]".repeat(1001), "1".repeat(4301)])("rejects %s", (json) => expect(() => parseJsonPy(json)).toThrow(SyntaxError));
});
