import { expect, it } from "vitest";
import { evalStage, evalParams } from "./index.js";
it("exports the eval stage with its params' defaults", () => {
  expect(evalStage.kind).toBe("eval");
  expect(evalParams.parse({})).toMatchObject({ split: "test", mode: "strict", compare_base: false, temperature: 0, episodes: 0 });
  expect(() => evalParams.parse({ mode: "exact" })).toThrow();
});
