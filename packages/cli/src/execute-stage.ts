import { existsSync } from "node:fs";
import { mkdir, stat } from "node:fs/promises";
import { join } from "node:path";
import {
  atomicOutput, finishDirectory, isTooltuneError, MANIFEST_FILE, readManifest, removeStaleTemps, TooltuneError,
  type Logger, type Manifest, type Provenance, type StageDefinition, type StageInput,
} from "@tooltune/core";

export interface StageRun {
  name: string;
  definition: StageDefinition;
  params: unknown;
  inputs: StageInput[];
  finalDir: string;
  stateDir: string;
  seed: number;
  strict: boolean;
  signal: AbortSignal;
  log: Logger;
  provenance: Provenance;
  /** Manifest kind for a directory output whose stage wrote no manifest (cmd stages). */
  directoryKind: string;
}

/**
 * Run one stage into a temporary sibling of its output and rename it into place only when it
 * finished (DESIGN §3): a stage that throws, is interrupted, or (with --strict) rejected rows
 * leaves the previous output, or nothing, behind. Used by pipelines and one-off runs alike.
 */
export async function executeStage(run: StageRun): Promise<Manifest> {
  for (const stale of await removeStaleTemps(run.finalDir)) run.log.debug(`removed ${stale}, left by an interrupted run`);
  await mkdir(run.stateDir, { recursive: true });
  return atomicOutput(run.finalDir, async (outDir) => {
    const ctx = {
      inputs: run.inputs, outDir, finalDir: run.finalDir, stateDir: run.stateDir, stageName: run.name,
      seed: run.seed, strict: run.strict, log: run.log, signal: run.signal, provenance: run.provenance,
    };
    try {
      await run.definition.run(ctx, run.params);
    } catch (e) {
      throw asStageError(e, run);
    }
    // Only directory stages may leave the manifest to the runner; a dataset without one is a bug.
    if (run.definition.output === "directory" && !existsSync(join(outDir, MANIFEST_FILE))) {
      await finishDirectory(outDir, run.directoryKind, run.provenance);
    }
    const manifest = await readManifest(outDir).catch((cause) => {
      throw new TooltuneError("STAGE", `stage finished without a valid ${MANIFEST_FILE}`, {
        stage: run.name, cause, fix: `the '${run.definition.kind}' stage must finish its dataset (DatasetWriter.finish)`,
      });
    });
    if (run.strict && manifest.rejected > 0) {
      throw new TooltuneError("REJECTS", `${manifest.rejected} row(s) rejected and --strict is on`, {
        stage: run.name, fix: "fix the input rows (see the reasons with `tooltune show` on a run without --strict) or drop --strict",
      });
    }
    return manifest;
  });
}

/** The stage's error as this copy of core's TooltuneError (another copy's keeps its fields), naming the stage. */
function asStageError(e: unknown, run: StageRun): TooltuneError {
  if (run.signal.aborted) {
    return e instanceof TooltuneError && e.code === "INTERRUPTED" ? e : new TooltuneError("INTERRUPTED", "stopped by the user", { stage: run.name, cause: e });
  }
  if (isTooltuneError(e)) {
    return e instanceof TooltuneError && e.stage ? e : new TooltuneError(e.code, e.message, { where: e.where, fix: e.fix, stage: e.stage ?? run.name, cause: e.cause ?? e });
  }
  return new TooltuneError("STAGE", `'${run.definition.kind}' failed: ${(e as Error)?.message ?? String(e)}`, {
    stage: run.name, cause: e, fix: "see the cause above; the stage's previous output, if any, is untouched",
  });
}

/**
 * The output's contentHash if its manifest is valid and the files it lists are there with the
 * sizes it records (a cheap check: rehashing every file on each run would cost as much as a stage).
 */
export async function validOutputHash(dir: string): Promise<string | undefined> {
  try {
    const manifest = await readManifest(dir);
    for (const file of manifest.files) {
      if ((await stat(join(dir, file.name))).size !== file.bytes) return undefined;
    }
    return manifest.contentHash;
  } catch {
    return undefined;
  }
}
