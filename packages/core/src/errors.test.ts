import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isTooltuneError, readJsonFile, TooltuneError } from "./index.js";

const thrown = (f: () => unknown): unknown => {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error("did not throw");
};

describe("isTooltuneError", () => {
  it.each([
    ["this copy's class", new TooltuneError("INPUT", "x"), true],
    ["another copy's (same name, a string code)", Object.assign(new Error("x"), { name: "TooltuneError", code: "INPUT" }), true],
    ["a plain Error", new Error("x"), false],
    ["a TooltuneError name without a code", Object.assign(new Error("x"), { name: "TooltuneError" }), false],
    ["an object that is not an Error", { name: "TooltuneError", code: "INPUT" }, false],
    ["undefined", undefined, false],
  ])("%s → %s", (_what, e, want) => {
    expect(isTooltuneError(e)).toBe(want);
  });

  it("format() reads only fields, so it formats another copy's error", () => {
    const foreign = Object.assign(new Error("row 3 is not JSON"), { name: "TooltuneError", code: "INPUT", where: "data.jsonl:3", fix: "fix line 3" });
    expect(TooltuneError.prototype.format.call(foreign)).toBe("data.jsonl:3: INPUT: row 3 is not JSON\n  fix: fix line 3");
  });
});

describe("readJsonFile", () => {
  const dir = mkdtempSync(join(tmpdir(), "tt-json-"));
  it("reads JSON; a missing file or bad JSON is an INPUT error at the file with the fix", () => {
    writeFileSync(join(dir, "ok.json"), '{"r": 8}');
    expect(readJsonFile(join(dir, "ok.json"), "adapter_config.json", "give an adapter")).toEqual({ r: 8 });
    expect(thrown(() => readJsonFile(join(dir, "none.json"), "adapter_config.json", "give an adapter"))).toMatchObject({
      code: "INPUT", where: join(dir, "none.json"), message: "cannot read adapter_config.json: no such file", fix: "give an adapter",
    });
    writeFileSync(join(dir, "bad.json"), "{r: 8");
    expect(thrown(() => readJsonFile(join(dir, "bad.json"), "adapter_config.json", "give an adapter"))).toMatchObject({ code: "INPUT", message: /^adapter_config.json is not JSON: / });
    expect(thrown(() => readJsonFile(dir, "adapter_config.json", "give an adapter"))).toMatchObject({ code: "INPUT", message: /^cannot read adapter_config.json: EISDIR/ });
  });
});
