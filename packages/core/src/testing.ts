/**
 * The shared stage test suite (STYLE §3), imported from `@tooltune/core/testing` by each stage
 * package's own tests. Every stage must: give the same contentHash on a rerun; write a manifest
 * with all its fields; put a given bad row into `_rejects` with a reason; refuse a damaged input
 * file by name; and, when it fails or is SIGKILLed at any point, leave nothing that looks complete,
 * so that the rerun gives the same bytes. The helpers it is built from are exported too.
 */
import { existsSync } from "node:fs";
import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDataset } from "./dataset-reader.js";
import { describeFile, atomicOutput, removeStaleTemps } from "./files.js";
import { sha256 } from "./hash.js";
import { REJECTS_FILE, type Manifest } from "./manifest.js";
import type { StageDefinition, StageInput } from "./stage.js";
import { corruptFile, killStageAt, makeTestContext, runStageForTest, seededDelays } from "./testing-helpers.js";

export {
  corruptFile, killStageAt, makeTestContext, runStageForTest, seededDelays, withTmpfs, writeTestDataset, type KillPhase, type TestRunOptions,
} from "./testing-helpers.js";

/** SIGKILLs per stage in the contract suite (each costs a child process). */
export const KILLS = 3;

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
   * and is SIGKILLed at seeded random points. `import.meta.url` of a file that exports the stage, and the export's name.
   */
  module?: { url: string; exportName: string };
  /** Seed of the kill points (default 1). */
  killSeed?: number;
}

/** Register the contract tests for one stage. */
export function stageContractSuite(name: string, c: StageContractCase): void {
  describe(`${name}: stage contract`, () => {
    let root: string;
    let inputs: StageInput[];
    beforeAll(async () => {
      root = await mkdtemp(join(tmpdir(), "tt-contract-"));
      inputs = await c.inputs(join(root, "inputs"));
    });
    afterAll(async () => { await rm(root, { recursive: true, force: true }); });

    /** The first uninterrupted run and how long it took: the kill test's reference. */
    let reference: { manifest: Manifest; ms: number } | undefined;
    const referenceRun = async () => {
      const started = performance.now();
      const manifest = await runStageForTest(c.stage, { params: c.params, inputs, finalDir: join(root, "a") });
      return (reference = { manifest, ms: performance.now() - started });
    };

    it("gives the same contentHash when rerun", async () => {
      const a = (await referenceRun()).manifest;
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

    it("refuses a truncated or bit-flipped input file, naming it, before writing anything", async (t) => {
      const target = inputs.flatMap((input) => input.manifest.files.filter((f) => f.name !== REJECTS_FILE).map((file) => ({ input, file })))[0];
      if (!target) t.skip("the stage has no input files");
      for (const how of ["truncate", "flip"] as const) {
        const copies = join(root, `corrupt-${how}`);
        const damaged = await Promise.all(inputs.map(async (input, i) => {
          const path = join(copies, `${i}-${basename(input.path)}`);
          await cp(input.path, path, { recursive: true });
          return { ...input, path };
        }));
        const file = join(damaged[inputs.indexOf(target.input)].path, target.file.name);
        await corruptFile(file, how);
        const finalDir = join(root, `corrupt-${how}-out`);
        const err = await runStageForTest(c.stage, { params: c.params, inputs: damaged, finalDir }).catch((e: unknown) => e);
        expect(err, how).toMatchObject({ name: "TooltuneError", code: "INPUT", where: file });
        expect((err as Error).message).toContain(`${target.file.name} in the`);
        expect((err as Error).message).toMatch(how === "truncate" ? /lists \d+ bytes, the file has \d+/ : /its sha256 is [0-9a-f]{12}…, the manifest lists/);
        expect(existsSync(finalDir)).toBe(false);
      }
    });

    it.skipIf(!c.module)(`killed at ${KILLS} seeded random points: nothing looks complete, and the rerun gives the same bytes`, async () => {
      const { manifest: uninterrupted, ms: runMs } = reference ?? (await referenceRun()); // the first test's run, unless filtered out
      // over the stage's in-process run time and a bit beyond (the child is colder, and the last
      // stretch, after the manifest, is worth a kill too); the children run side by side, each
      // into its own directory, so the suite pays about one process start, not KILLS
      const delays = seededDelays(c.killSeed ?? 1, KILLS, runMs * 1.2);
      const dirs = delays.map((_, i) => join(root, `killed-${i}`));
      const phases = await Promise.all(delays.map((delay, i) => killStageAt(c.module!, { params: c.params, inputs, finalDir: dirs[i] }, delay)));
      for (const [i, finalDir] of dirs.entries()) {
        const at = `killed ${delays[i]} ms in (${phases[i]})`;
        expect(existsSync(finalDir), at).toBe(false);
        const left = (await readdir(root)).filter((n) => n.startsWith(`killed-${i}`));
        expect(left.length, at).toBe(1);
        expect(left[0].startsWith(`killed-${i}.tmp-`), at).toBe(true);
        const rerun = await runStageForTest(c.stage, { params: c.params, inputs, finalDir });
        expect(rerun.files, `rerun after being ${at}`).toEqual(uninterrupted.files);
        expect(rerun.contentHash).toBe(uninterrupted.contentHash);
        expect((await removeStaleTemps(finalDir)).length).toBe(1);
      }
      expect(phases).toContain("running");
    });
  });
}

function matches(text: string, want: RegExp | string): boolean {
  return typeof want === "string" ? text.includes(want) : want.test(text);
}

