import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDataset, type ConversationRow } from "@tooltune/core";
import { runStageForTest, stageContractSuite } from "@tooltune/core/testing";
import { fromRow, validateConversation } from "../conversation.js";
import { generateConversations } from "./generate.js";
import { synthStage } from "./stage.js";

const tmp = mkdtempSync(join(tmpdir(), "synth-stage-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// synth reads nothing, so it has no bad row to reject: the suite skips that case.
stageContractSuite("synth", {
  stage: synthStage,
  params: { conversations: 300 },
  inputs: async () => [],
  module: { url: new URL("./stage.ts", import.meta.url).href, exportName: "synthStage" },
});

async function run(name: string, params: unknown, seed = 42) {
  const dir = join(tmp, name);
  const manifest = await runStageForTest(synthStage, { params, inputs: [], finalDir: dir, seed });
  return { manifest, rows: await (await openDataset<ConversationRow>(dir)).readAll() };
}

describe("synth stage", () => {
  it("writes exactly the generated conversations, readable back as canonical rows", async () => {
    const { manifest, rows } = await run("read-back", { conversations: 2500, test_fraction: 0.2 });
    const mix = { single: 0.5, parallel: 0.2, multi_step: 0.15, no_call: 0.15 };
    const expected = generateConversations(2500, { seed: 42, testFraction: 0.2, mix });
    expect(manifest).toMatchObject({ kind: "conversations", rows: 2500, rejected: 0 });
    // Arrow gives back plain arrays of structs; compare through JSON to ignore prototypes.
    expect(JSON.parse(JSON.stringify(rows))).toEqual(expected);
    const stats = manifest.stats as { kinds: Record<string, number>; splits: Record<string, number>; seed: number };
    expect(stats.seed).toBe(42);
    expect(stats.splits.train + stats.splits.test).toBe(2500);
    expect(stats.splits.test).toBe(rows.filter((r) => r.split === "test").length);
    expect(Object.values(stats.kinds).reduce((a, b) => a + b, 0)).toBe(2500);
    for (const row of rows) {
      const conv = fromRow(row);
      expect(validateConversation(conv), row.id).toBeNull();
    }
  });

  it("takes the pipeline seed unless params override it", async () => {
    const a = await run("seed-a", { conversations: 50 }, 7);
    const b = await run("seed-b", { conversations: 50, seed: 7 }, 99);
    const c = await run("seed-c", { conversations: 50 }, 8);
    expect(b.manifest.contentHash).toBe(a.manifest.contentHash);
    expect(c.manifest.contentHash).not.toBe(a.manifest.contentHash);
  });

  it("offers between tools_min and tools_max tools", async () => {
    const { rows } = await run("tools", { conversations: 200, tools_min: 2, tools_max: 2 });
    const counts = new Set(rows.map((r) => (JSON.parse(r.tools) as unknown[]).length));
    expect(counts).toEqual(new Set([2]));
    expect(() => synthStage.params.parse({ tools_min: 5, tools_max: 4 })).toThrow(/tools_min must not exceed tools_max/);
  });

  it("honours the mix", async () => {
    const { rows } = await run("mix", { conversations: 200, mix: { single: 0, parallel: 0, multi_step: 1, no_call: 0 } });
    expect(rows.every((r) => JSON.parse(r.meta!).kind === "multi_step")).toBe(true);
  });
});
