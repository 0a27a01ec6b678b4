import { readLock } from "./lock.js";
import { loadPipeline } from "./pipeline.js";
import { planRun, type Step } from "./plan.js";
import { lockPath, observe } from "./run.js";
import type { StageRegistry } from "./stages.js";

export interface StageStatus {
  stage: string;
  upToDate: boolean;
  reasons: string[];
}

/** `tooltune status`: the plan of a plain `run`, in words for a person. */
export async function pipelineStatus(file: string, options: { registry: StageRegistry; cwd?: string; sets?: string[] }): Promise<StageStatus[]> {
  const cwd = options.cwd ?? process.cwd();
  const pipeline = await loadPipeline(file, { ...options, cwd });
  const lock = await readLock(lockPath(pipeline), pipeline.name);
  const plan = planRun(pipeline.stages, lock, await observe(pipeline, cwd));
  return plan.map(toStatus);
}

const toStatus = (step: Step): StageStatus => ({
  stage: step.stage,
  upToDate: step.action === "skip",
  reasons: step.reasons.map((r) => r.replace(/^upstream '(.*)' will run$/, "upstream '$1' is stale")),
});

export function formatStatus(statuses: StageStatus[]): string[] {
  const width = Math.max(...statuses.map((s) => s.stage.length));
  return statuses.map((s) => `${s.upToDate ? "✓" : "✗"} ${s.stage.padEnd(width)}  ${s.upToDate ? "up to date" : `stale: ${s.reasons.join("; ")}`}`);
}
