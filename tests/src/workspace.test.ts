import { expect, it } from "vitest";
import { cacheKey } from "@tooltune/core";
it("resolves workspace packages from source", () => expect(cacheKey({ kind: "k", stageVersion: "1", params: {}, inputHashes: [] })).toMatch(/^[0-9a-f]{64}$/));
