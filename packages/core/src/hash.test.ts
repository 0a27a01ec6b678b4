import { describe, expect, it } from "vitest";
import { cacheKey, canonicalJson } from "./hash.js";

describe("cacheKey", () => {
  const base = { kind: "format", stageVersion: "1", params: { template: "chatml", a: { x: 1, y: [1, 2] } }, inputHashes: ["h1"] };
  it("does not change when params keys are reordered", () => {
    const reordered = { inputHashes: ["h1"], params: { a: { y: [1, 2], x: 1 }, template: "chatml" }, stageVersion: "1", kind: "format" };
    expect(cacheKey(reordered)).toBe(cacheKey(base));
    expect(canonicalJson({ b: 1, a: 2 })).toBe('{"a":2,"b":1}');
  });
  it("changes when a value, the version or an input changes", () => {
    const k = cacheKey(base);
    expect(cacheKey({ ...base, params: { ...base.params, template: "llama3" } })).not.toBe(k);
    expect(cacheKey({ ...base, stageVersion: "2" })).not.toBe(k);
    expect(cacheKey({ ...base, inputHashes: ["h2"] })).not.toBe(k);
    expect(cacheKey({ ...base, params: { ...base.params, a: { x: 1, y: [2, 1] } } })).not.toBe(k);
  });
});
