import { expect, it } from "vitest";
import { builtinRegistry } from "./stages.js";

// The registry's names are what users write in `uses:`; each must load a stage of that kind.
it("every built-in kind loads a stage of that kind", async () => {
  for (const kind of builtinRegistry.kinds) {
    const stage = await builtinRegistry.load(kind);
    expect(stage, kind).toMatchObject({ kind, version: expect.any(String), output: expect.stringMatching(/^(dataset|directory)$/) });
    expect(typeof stage!.params.safeParse, kind).toBe("function");
  }
  expect(await builtinRegistry.load("toString")).toBeUndefined();
});
