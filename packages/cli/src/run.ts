import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { createLogger, formatSeconds, isTooltuneError, readManifest, TooltuneError, type Logger, type StageInput } from "@tooltune/core";
import { contentHash } from "./content-hash.js";
import { executeStage, validOutputHash } from "./execute-stage.js";
import { readLock, writeLock, type InputHash, type Lock } from "./lock.js";
import { loadPipeline, type Pipeline, type PipelineStage } from "./pipeline.js";
import { decide, planRun, type Observed, type PlanOptions, type Step } from "./plan.js";
import { S3Workdir } from "./s3-workdir.js";
import type { StageRegistry } from "./stages.js";

export interface RunOptions extends PlanOptions {
  dryRun?: boolean;
  strict?: boolean;
  sets?: string[];
  cwd?: string;
  signal?: AbortSignal;
  /** Progress and stage logs (stderr by default). */
  log?: Logger;
  /** Where --dry-run prints the plan (stdout by default). */
  print?: (line: string) => void;
  /** Set as the `backend` param of every stage that has one. */
  backend?: string;
  /** Stage kinds `uses:` may name (the CLI passes the built-ins). */
  registry: StageRegistry;
}

export interface RunResult {
  pipeline: Pipeline;
  plan: Step[];
  ran: string[];
  skipped: string[];
}

const LOCK_FILE = "pipeline.lock.json";
export const lockPath = (p: Pipeline) => join(p.workdir, LOCK_FILE);

/** `tooltune run`: load and check the pipeline, plan, then run the plan (or print it). */
export async function runPipeline(file: string, options: RunOptions): Promise<RunResult> {
  const cwd = options.cwd ?? process.cwd();
  const pipeline = await loadPipeline(file, { registry: options.registry, sets: options.sets, backend: options.backend, cwd });
  const remote = pipeline.remote ? await S3Workdir.open(pipeline.remote, pipeline.workdir) : undefined;
  if (remote) {
    const fetched = await remote.pull(pipeline.stages.map((s) => s.name), LOCK_FILE);
    (options.log ?? createLogger()).info(`workdir ${pipeline.remote}: mirrored in ${relative(cwd, pipeline.workdir)}${fetched.length ? `, fetched ${fetched.join(", ")}` : ""}`);
  }
  const lock = await readLock(lockPath(pipeline), pipeline.name);
  // A dry run plans even when a file a stage reads is not there yet (a model or data set still to be
  // downloaded): it says so instead of failing, since the point is to see what would run.
  const missing: string[] | undefined = options.dryRun ? [] : undefined;
  const observed = await observe(pipeline, cwd, missing);
  const plan = planRun(pipeline.stages, lock, observed, options);
  if (options.dryRun) {
    const print = options.print ?? ((line: string) => process.stdout.write(line + "\n"));
    printPlan(pipeline, plan, print);
    for (const m of missing ?? []) print(`note: ${m}`);
    return { pipeline, plan, ran: [], skipped: plan.map((s) => s.stage) };
  }
  const release = await claimWorkdir(pipeline.workdir);
  try {
    return { pipeline, plan, ...(await executePlan(pipeline, plan, lock, observed, { ...options, cwd, remote })) };
  } finally {
    await release();
  }
}

/**
 * One run per workdir at a time: two runs would race on outputs and the lock file. A marker left
 * by a run that died (its pid is gone) is taken over.
 */
export async function claimWorkdir(workdir: string): Promise<() => Promise<void>> {
  await mkdir(workdir, { recursive: true });
  const marker = join(workdir, ".running");
  for (;;) {
    try {
      await writeFile(marker, String(process.pid), { flag: "wx" });
      return () => rm(marker, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    const pid = Number(await readFile(marker, "utf8").catch(() => "0"));
    if (pid > 0 && pid !== process.pid && isAlive(pid)) {
      throw new TooltuneError("CONFIG", `another tooltune run (pid ${pid}) is using this workdir`, {
        where: workdir, fix: `wait for it to finish, or stop it; if no such run exists, delete ${marker}`,
      });
    }
    await rm(marker, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Everything planning needs from disk: output hashes and the inputs known before running. */
export async function observe(pipeline: Pipeline, cwd: string, missing?: string[]): Promise<Record<string, Observed>> {
  const observed: Record<string, Observed> = {};
  for (const stage of pipeline.stages) {
    let inputs: InputHash[];
    try {
      inputs = await fixedInputs(pipeline, stage, cwd);
    } catch (e) {
      // With a `missing` list (dry runs), a file the stage reads that is not there is noted, not fatal.
      if (!missing || !isTooltuneError(e) || e.code !== "CONFIG") throw e;
      missing.push(`stage '${stage.name}': ${e.message} — a real run stops here`);
      inputs = [{ from: "missing", hash: "missing" }];
    }
    observed[stage.name] = { outputHash: await validOutputHash(join(pipeline.workdir, stage.name)), fixedInputs: inputs };
  }
  return observed;
}

/** The seed, the stage module's source, and the bytes of files its params name. */
async function fixedInputs(pipeline: Pipeline, stage: PipelineStage, cwd: string): Promise<InputHash[]> {
  const inputs: InputHash[] = [{ from: "seed", hash: `seed:${pipeline.seed}` }];
  if (stage.moduleFile) inputs.push({ from: `module:${relative(cwd, stage.moduleFile)}`, hash: await contentHash(stage.moduleFile) });
  let deps: string[];
  try {
    deps = stage.definition.fileDeps?.(stage.params) ?? [];
  } catch (e) {
    // e.g. a glob that matches nothing: the stage's own message, placed at the stage in the YAML
    if (isTooltuneError(e)) throw new TooltuneError(e.code, e.message, { where: e.where ?? stage.where, stage: stage.name, fix: e.fix, cause: e });
    throw e;
  }
  for (const dep of deps) {
    const hash = await contentHash(resolve(cwd, dep)).catch((e: TooltuneError) => {
      throw new TooltuneError("CONFIG", `${e.message}, but the stage reads it`, { where: stage.where, stage: stage.name, fix: "create the file or fix its path (paths are relative to the current directory)" });
    });
    inputs.push({ from: `file:${dep}`, hash });
  }
  return inputs;
}

interface Executed {
  ran: string[];
  skipped: string[];
}

async function executePlan(pipeline: Pipeline, plan: Step[], lock: Lock, observed: Record<string, Observed>, options: RunOptions & { cwd: string; remote?: S3Workdir }): Promise<Executed> {
  const log = options.log ?? createLogger();
  const signal = options.signal ?? new AbortController().signal;
  const outputs = new Map<string, string | undefined>(Object.entries(observed).map(([k, v]) => [k, v.outputHash]));
  const result: Executed = { ran: [], skipped: [] };
  for (const planned of plan) {
    const stage = pipeline.stages.find((s) => s.name === planned.stage)!;
    if (signal.aborted) throw new TooltuneError("INTERRUPTED", "stopped by the user before this stage", { stage: stage.name });
    if (planned.action === "skip") {
      log.info(`· ${stage.name}: skip (${planned.reasons.join("; ")})`);
      result.skipped.push(stage.name);
      continue;
    }
    // Decide again now that upstream outputs are final: an upstream rerun that wrote the same bytes stops here.
    const upstream = stage.needs.map((n) => ({ from: `stage:${n}`, hash: outputs.get(n)! }));
    const inputs = [...upstream, ...observed[stage.name].fixedInputs];
    const step = decide(stage, lock.stages[stage.name], inputs, outputs.get(stage.name), options.force ?? false);
    if (step.action === "skip") {
      log.info(`· ${stage.name}: skip (up to date: upstream output unchanged)`);
      result.skipped.push(stage.name);
      continue;
    }
    const manifest = await runOne(pipeline, stage, step, options.cwd, { log, signal, strict: options.strict ?? false, fresh: options.force ?? false });
    outputs.set(stage.name, manifest.contentHash);
    lock.stages[stage.name] = {
      kind: stage.kind, stageVersion: stage.stageVersion, key: step.key!, params: stage.params, inputs,
      outputHash: manifest.contentHash, rows: manifest.rows, rejected: manifest.rejected,
      finishedAt: new Date().toISOString(), seconds: manifest.seconds,
    };
    await writeLock(lockPath(pipeline), pruned(lock, pipeline));
    // the output first, its lock entry after: a lock on S3 never names an output that is not there
    await options.remote?.pushStage(stage.name);
    await options.remote?.pushFile(LOCK_FILE);
    result.ran.push(stage.name);
  }
  return result;
}

/** Where a stage's run keeps what survives an interruption (train's checkpoints), keyed by its cache key. */
const stateDirOf = (pipeline: Pipeline, stage: PipelineStage, step: Step) => join(pipeline.workdir, ".state", stage.name, step.key!.slice(0, 16));

async function runOne(pipeline: Pipeline, stage: PipelineStage, step: Step, cwd: string, env: { log: Logger; signal: AbortSignal; strict: boolean; fresh: boolean }) {
  // --force recomputes: a kept state would let train resume from its last (final) checkpoint and
  // "rerun" in a second without training a step (issue 15).
  if (env.fresh) await rm(stateDirOf(pipeline, stage, step), { recursive: true, force: true });
  const inputs: StageInput[] = [];
  for (const need of stage.needs) {
    const path = join(pipeline.workdir, need);
    inputs.push({ name: need, path, manifest: await readManifest(path) });
  }
  const started = Date.now();
  env.log.info(`▶ ${stage.name} (${stage.kind}): ${step.reasons.join("; ")}`);
  const manifest = await executeStage({
    name: stage.name, definition: stage.definition, params: stage.params, inputs,
    finalDir: join(pipeline.workdir, stage.name),
    // Keyed by the cache key, so train resumes only a run of the very same params and inputs.
    stateDir: stateDirOf(pipeline, stage, step),
    seed: pipeline.seed, strict: env.strict, signal: env.signal, log: prefixed(env.log, stage.name),
    provenance: {
      stage: stage.kind, stageVersion: stage.stageVersion, params: stage.params,
      inputs: inputs.map((i) => ({ path: relative(cwd, i.path), contentHash: i.manifest.contentHash })),
    },
    directoryKind: kindForDirectory(stage),
  });
  const seconds = (Date.now() - started) / 1000;
  const rejected = manifest.rejected ? `, ${manifest.rejected} rejected` : "";
  env.log.info(`✓ ${stage.name} ${formatSeconds(seconds)}: ${manifest.kind}, ${manifest.rows} rows${rejected}`);
  return { ...manifest, seconds };
}

const kindForDirectory = (stage: PipelineStage) =>
  stage.kind === "cmd" ? (stage.params as { kind: string }).kind : stage.kind;

function prefixed(log: Logger, name: string): Logger {
  const p = (m: string) => `[${name}] ${m}`;
  return {
    info: (m) => log.info(p(m)),
    warn: (m) => log.warn(p(m)),
    debug: (m) => log.debug(p(m)),
    progress: (label, total) => log.progress(p(label), total),
  };
}

/** Drop lock entries of stages that left the pipeline. */
function pruned(lock: Lock, pipeline: Pipeline): Lock {
  const names = new Set(pipeline.stages.map((s) => s.name));
  return { ...lock, stages: Object.fromEntries(Object.entries(lock.stages).filter(([k]) => names.has(k))) };
}

export function printPlan(pipeline: Pipeline, plan: Step[], print: (line: string) => void): void {
  const width = Math.max(...plan.map((s) => s.stage.length));
  print(`pipeline ${pipeline.name} (${pipeline.file}), workdir ${pipeline.workdir}`);
  for (const step of plan) {
    const kind = pipeline.stages.find((s) => s.name === step.stage)!.kind;
    print(`  ${step.action === "run" ? "run " : "skip"}  ${step.stage.padEnd(width)}  ${`(${kind})`.padEnd(12)} ${step.reasons.join("; ")}`);
  }
}
