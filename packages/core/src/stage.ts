import type { z } from "zod";
import type { Logger } from "./log.js";
import type { Manifest, Provenance } from "./manifest.js";

/** One upstream output handed to a stage: a dataset or a directory, with its manifest. */
export interface StageInput {
  /** The upstream stage's name in the pipeline (or the path, for one-off runs). */
  name: string;
  path: string;
  manifest: Manifest;
}

export interface StageContext {
  /** Upstream outputs in `needs` order. Stages pick theirs by `manifest.kind` (see `inputOfKind`). */
  inputs: StageInput[];
  /** Where the stage writes: a temporary sibling of the final directory; the runner renames it. */
  outDir: string;
  /** The final output directory (for messages and for paths recorded in outputs). */
  finalDir: string;
  /** Survives failed and interrupted runs of the same cache key: checkpoints for resume live here. */
  stateDir: string;
  /** The stage's name in the pipeline. */
  stageName: string;
  seed: number;
  /** Any rejected row fails the stage (DESIGN §7). */
  strict: boolean;
  log: Logger;
  /** Aborted on Ctrl-C: long stages stop at a safe point (after a checkpoint) and throw INTERRUPTED. */
  signal: AbortSignal;
  /** Put into the manifest the stage writes. */
  provenance: Provenance;
}

export interface StageDefinition<S extends z.ZodType = z.ZodType> {
  /** The name used in `uses:` and as the CLI subcommand. */
  kind: string;
  /** Bump when the stage's output for the same params and inputs changes: it is part of the cache key. */
  version: string;
  description: string;
  /** One zod schema with defaults and descriptions (STYLE §8). */
  params: S;
  /** What `run` writes into `ctx.outDir`: a dataset (Parquet shards + manifest) or any directory. */
  output: "dataset" | "directory";
  /** Files or directories named in params whose bytes the output depends on (part of the cache key). */
  fileDeps?: (params: z.output<S>) => string[];
  run(ctx: StageContext, params: z.output<S>): Promise<void>;
}

/** Identity helper that fixes the params type (STYLE §2). */
export function defineStage<S extends z.ZodType>(def: StageDefinition<S>): StageDefinition<S> {
  return def;
}

/** The first input whose manifest kind is one of `kinds`, or undefined. */
export function inputOfKind(ctx: StageContext, ...kinds: string[]): StageInput | undefined {
  return ctx.inputs.find((input) => kinds.includes(input.manifest.kind));
}
