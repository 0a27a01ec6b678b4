/**
 * Helpers for stage tests that need no test runner (so the kill test's child process can use
 * them too): make input datasets, build the context a runner would give, run a stage atomically,
 * and kill a stage midway in a child process.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DatasetWriter } from "./dataset-writer.js";
import { atomicOutput } from "./files.js";
import { createMemoryLogger } from "./log.js";
import { manifestSchema, MANIFEST_FILE, type Manifest } from "./manifest.js";
import type { StageContext, StageDefinition, StageInput } from "./stage.js";

/** Write `rows` as a finished dataset at `dir` and return it as a stage input. */
export async function writeTestDataset(dir: string, kind: string, rows: object[], name = kind): Promise<StageInput> {
  const writer = await DatasetWriter.create(dir, { kind });
  await writer.write(rows);
  const manifest = await writer.finish({ stage: "test-fixture", stageVersion: "0", params: {}, inputs: [] });
  return { name, path: dir, manifest };
}

export interface TestRunOptions {
  params: unknown;
  inputs: StageInput[];
  /** The final output directory; its parent must be writable. */
  finalDir: string;
  strict?: boolean;
  signal?: AbortSignal;
  seed?: number;
}

/** The context a runner would give the stage (params parsed with the stage's zod schema). */
export function makeTestContext(stage: StageDefinition, options: TestRunOptions, outDir: string): { ctx: StageContext; params: unknown } {
  const params = stage.params.parse(options.params);
  const ctx: StageContext = {
    inputs: options.inputs,
    outDir,
    finalDir: options.finalDir,
    stateDir: `${options.finalDir}.state`,
    stageName: stage.kind,
    seed: options.seed ?? 42,
    strict: options.strict ?? false,
    log: createMemoryLogger(),
    signal: options.signal ?? new AbortController().signal,
    provenance: {
      stage: stage.kind,
      stageVersion: stage.version,
      params,
      inputs: options.inputs.map((i) => ({ path: i.path, contentHash: i.manifest.contentHash })),
    },
  };
  return { ctx, params };
}

/** Run a stage the way the runner does: into a temp sibling, renamed to `finalDir` on success. */
export async function runStageForTest(stage: StageDefinition, options: TestRunOptions): Promise<Manifest> {
  await atomicOutput(options.finalDir, async (outDir) => {
    const { ctx, params } = makeTestContext(stage, options, outDir);
    await stage.run(ctx, params);
  });
  return manifestSchema.parse(JSON.parse(await readFile(join(options.finalDir, MANIFEST_FILE), "utf8"))) as Manifest;
}

/**
 * Run the stage in a child process and SIGKILL it once it has written into its temp dir (or, if
 * it is too quick for that, while it waits before the rename). Resolves true if output was seen.
 */
export async function killStageMidway(module: { url: string; exportName: string }, options: TestRunOptions): Promise<boolean> {
  const child = spawn(process.execPath, ["--conditions=tooltune-src", "--import", "tsx", childScript()], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  child.stdin.write(JSON.stringify({ ...module, params: options.params, inputs: options.inputs, finalDir: options.finalDir }) + "\n");
  let out = "";
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const seen = await new Promise<boolean>((resolve, reject) => {
    const timer = setInterval(async () => {
      const tmp = /^tmp (.+)$/m.exec(out)?.[1];
      const wrote = tmp !== undefined && existsSync(tmp) && (await readdir(tmp)).length > 0;
      if (wrote || out.includes("\nwaiting")) {
        clearInterval(timer);
        resolve(true);
      }
    }, 5);
    child.stdout.on("data", (d: Buffer) => { out += d.toString(); });
    child.on("exit", (code) => { clearInterval(timer); code === null ? resolve(false) : reject(new Error(`stage child exited (${code}) before it could be killed: ${out}`)); });
  });
  child.kill("SIGKILL");
  await exited;
  return seen;
}

/** The child script beside this file: `.ts` when run from source (tests), `.js` from dist/. */
function childScript(): string {
  return fileURLToPath(new URL(import.meta.url.endsWith(".ts") ? "./testing-child.ts" : "./testing-child.js", import.meta.url));
}
