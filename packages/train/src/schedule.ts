/**
 * Learning-rate schedules with linear warmup, as transformers' `get_*_schedule_with_warmup`
 * (the course's SFTConfig uses cosine with warmup_ratio 0.1). Pure: the trainer and the
 * checkpoints only ever need the step number.
 */
export type ScheduleKind = "cosine" | "linear" | "constant";

export interface Schedule {
  kind: ScheduleKind;
  lr: number;
  warmupSteps: number;
  totalSteps: number;
  /** Floor as a fraction of lr for cosine/linear decay (0 in transformers). */
  minLrRatio?: number;
}

/** lr for optimizer step `step` (0-based: the lr used by the first update is lrAt(0)). */
export function lrAt(step: number, s: Schedule): number {
  if (s.warmupSteps > 0 && step < s.warmupSteps) return (s.lr * step) / s.warmupSteps;
  if (s.kind === "constant") return s.lr;
  const decaySteps = Math.max(1, s.totalSteps - s.warmupSteps);
  const progress = Math.min(1, (step - s.warmupSteps) / decaySteps);
  const floor = s.minLrRatio ?? 0;
  const shape = s.kind === "cosine" ? 0.5 * (1 + Math.cos(Math.PI * progress)) : 1 - progress;
  return s.lr * (floor + (1 - floor) * shape);
}

/** Warmup given as a ratio of total steps (transformers rounds up: math.ceil). */
export function warmupStepsFrom(totalSteps: number, warmup: { ratio?: number; steps?: number }): number {
  if (warmup.steps !== undefined) return warmup.steps;
  return Math.ceil((warmup.ratio ?? 0) * totalSteps);
}
