/**
 * Helpers for stage tests that need no test runner (so the kill test's child process can use
 * them too): make input datasets, build the context a runner would give, run a stage atomically,
 * kill a stage at a given point in a child process, damage a file, and mount a small tmpfs.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
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
    // Where the runner keeps it (cli run.ts, oneoff.ts): under .state/, not a sibling that looks like an output.
    stateDir: join(dirname(options.finalDir), ".state", basename(options.finalDir)),
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

/** Where a kill landed: while the stage ran, or after it returned (waiting before the rename). */
export type KillPhase = "running" | "waiting";

/**
 * Run the stage in a child process (testing-child.ts) and SIGKILL it `delayMs` after it started
 * writing (the child says so once its temp dir exists); a stage quicker than that is killed while
 * it waits before the rename. Resolves where the kill landed.
 */
export async function killStageAt(module: { url: string; exportName: string }, options: TestRunOptions, delayMs: number): Promise<KillPhase> {
  const child = spawn(process.execPath, ["--conditions=tooltune-src", "--import", "tsx", childScript()], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  child.stdin.write(JSON.stringify({ ...module, params: options.params, inputs: options.inputs, finalDir: options.finalDir, seed: options.seed }) + "\n");
  let out = "";
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const phase = await new Promise<KillPhase>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (timer === undefined && /^tmp .+$/m.test(out)) {
        timer = setTimeout(() => {
          const phase = out.includes("\nwaiting") ? "waiting" : "running";
          child.kill("SIGKILL");
          resolve(phase);
        }, delayMs);
      }
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (signal !== "SIGKILL") reject(new Error(`stage child exited (${code}) before it could be killed: ${out}`));
    });
  });
  await exited;
  return phase;
}

/** `n` delays in [0, maxMs), the same for the same seed (mulberry32). */
export function seededDelays(seed: number, n: number, maxMs: number): number[] {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  return Array.from({ length: n }, () => Math.round(next() * maxMs));
}

/** Damage a file in place as a disk or a bad copy would: cut it to half, or flip one bit in its middle. */
export async function corruptFile(path: string, how: "truncate" | "flip"): Promise<void> {
  const bytes = await readFile(path);
  if (how === "truncate") await writeFile(path, bytes.subarray(0, bytes.length >> 1));
  else {
    bytes[bytes.length >> 1] ^= 0x10;
    await writeFile(path, bytes);
  }
}

/**
 * Mount a tmpfs of `kib` KiB at `dir` for `fn` and unmount it after. Resolves `{ skipped: reason }`
 * instead when this machine does not let the test mount (not root, no CAP_SYS_ADMIN).
 */
export async function withTmpfs<T>(dir: string, kib: number, fn: (dir: string) => Promise<T>): Promise<{ result: T } | { skipped: string }> {
  await mkdir(dir, { recursive: true });
  const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", `size=${kib}k`, "tmpfs", dir], { encoding: "utf8" });
  if (mounted.status !== 0) return { skipped: `cannot mount a tmpfs at ${dir}: ${(mounted.stderr || mounted.error?.message || "").trim()}` };
  try {
    return { result: await fn(dir) };
  } finally {
    spawnSync("umount", [dir]);
  }
}

/** The child script beside this file: `.ts` when run from source (tests), `.js` from dist/. */
function childScript(): string {
  return fileURLToPath(new URL(import.meta.url.endsWith(".ts") ? "./testing-child.ts" : "./testing-child.js", import.meta.url));
}
