/**
 * The shared stage test suite (STYLE §3), imported from `@tooltune/core/testing` by each stage
 * package's own tests. Every stage must: give the same contentHash on a rerun; write a manifest
 * with all its fields; put a given bad row into `_rejects` with a reason; and, when interrupted,
 * leave nothing that looks complete. The helpers it is built from are exported too.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDataset } from "./dataset-reader.js";
import { describeFile, atomicOutput, removeStaleTemps } from "./files.js";
import { sha256 } from "./hash.js";
import { MANIFEST_FILE, REJECTS_FILE } from "./manifest.js";
import type { StageDefinition, StageInput } from "./stage.js";
import { killStageMidway, makeTestContext, runStageForTest } from "./testing-helpers.js";

export { killStageMidway, makeTestContext, runStageForTest, writeTestDataset, type TestRunOptions } from "./testing-helpers.js";

export interface StageContractCase {
  stage: StageDefinition;
  /** Raw params (as from YAML); the stage's schema parses them. */
  params: unknown;
  /** Make the stage's inputs under `dir` (see writeTestDataset). */
  inputs(dir: string): Promise<StageInput[]>;
  /** Inputs holding one bad row, and what its reject must say. Omit for stages that cannot reject. */
  badRow?: { inputs(dir: string): Promise<StageInput[]>; source: RegExp | string; reason: RegExp | string };
  /**
   * The module that exports the stage, for the kill test: a child process runs the stage from it
   * and is SIGKILLed midway. `import.meta.url` of a file that exports the stage, and the export's name.
   */
  module?: { url: string; exportName: string };
}

/** Register the four contract tests for one stage. */
export function stageContractSuite(name: string, c: StageContractCase): void {
  describe(`${name}: stage contract`, () => {
    let root: string;
    let inputs: StageInput[];
    beforeAll(async () => {
      root = await mkdtemp(join(tmpdir(), "tt-contract-"));
      inputs = await c.inputs(join(root, "inputs"));
    });
    afterAll(async () => { await rm(root, { recursive: true, force: true }); });

    it("gives the same contentHash when rerun", async () => {
      const a = await runStageForTest(c.stage, { params: c.params, inputs, finalDir: join(root, "a") });
      const b = await runStageForTest(c.stage, { params: c.params, inputs, finalDir: join(root, "b") });
      expect(b.files).toEqual(a.files);
      expect(b.contentHash).toBe(a.contentHash);
    });

    it("writes a manifest with its fields, true to the files", async () => {
      const dir = join(root, "m");
      const m = await runStageForTest(c.stage, { params: c.params, inputs, finalDir: dir });
      expect(m).toMatchObject({ stage: c.stage.kind, stageVersion: c.stage.version, params: c.stage.params.parse(c.params) });
      expect(m.inputs).toEqual(inputs.map((i) => ({ path: i.path, contentHash: i.manifest.contentHash })));
      expect(m.contentHash).toBe(sha256(m.files.map((f) => f.sha256).join("\n")));
      for (const f of m.files) expect(await describeFile(dir, f.name, f.rows)).toEqual(f);
      if (c.stage.output === "dataset") {
        const ds = await openDataset(dir);
        let rows = 0;
        for await (const batch of ds.batches()) rows += batch.length;
        expect(rows).toBe(m.rows);
        expect((await ds.rejects()).length).toBe(m.rejected);
      }
    });

    it.skipIf(!c.badRow)("puts a bad row into _rejects with a reason", async () => {
      const bad = c.badRow!;
      const dir = join(root, "bad");
      const m = await runStageForTest(c.stage, { params: c.params, inputs: await bad.inputs(join(root, "bad-inputs")), finalDir: dir });
      expect(m.rejected).toBeGreaterThanOrEqual(1);
      expect(m.files.map((f) => f.name)).toContain(REJECTS_FILE);
      const rejects = await (await openDataset(dir)).rejects();
      expect(rejects.some((r) => matches(r.source, bad.source) && matches(r.reason, bad.reason))).toBe(true);
      for (const r of rejects) expect(r.reason.length).toBeGreaterThan(0);
    });

    it("leaves nothing that looks complete when it fails midway", async () => {
      const finalDir = join(root, "failed");
      const err = await atomicOutput(finalDir, async (outDir) => {
        const { ctx, params } = makeTestContext(c.stage, { params: c.params, inputs, finalDir }, outDir);
        await c.stage.run(ctx, params);
        throw new Error("crash after the stage wrote its output, before the rename");
      }).catch((e: unknown) => e);
      expect(String(err)).toMatch(/crash after/);
      expect(existsSync(finalDir)).toBe(false);
      expect((await readdir(root)).filter((n) => n.startsWith("failed"))).toEqual([]);
    });

    it.skipIf(!c.module)("leaves nothing that looks complete when killed", async () => {
      const finalDir = join(root, "killed");
      const sawOutput = await killStageMidway(c.module!, { params: c.params, inputs, finalDir });
      expect(sawOutput).toBe(true);
      expect(existsSync(join(finalDir, MANIFEST_FILE))).toBe(false);
      expect(existsSync(finalDir)).toBe(false);
      expect((await removeStaleTemps(finalDir)).length).toBe(1);
    });
  });
}

function matches(text: string, want: RegExp | string): boolean {
  return typeof want === "string" ? text.includes(want) : want.test(text);
}

