import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { canonicalJson, sha256 } from "@tooltune/core";
import { readSafetensors, writeSafetensors, type HostTensor } from "@tooltune/model";
import type { AdamW } from "./adamw.js";
import type { LoopState } from "./loop.js";

/**
 * A training checkpoint in the stage's state directory: the trainable weights, the AdamW moments
 * and step, and the loop state (step, data position, log). Written into a temporary directory and
 * renamed, so a run killed while saving keeps the previous checkpoint.
 */
const DIR = "checkpoint";

interface CheckpointMeta {
  /** Hash of the params that shape the run: a checkpoint from other settings is never resumed. */
  paramsHash: string;
  optimizerStep: number;
  state: LoopState;
}

export const paramsHash = (params: unknown) => sha256(canonicalJson(params));

export function saveCheckpoint(stateDir: string, trainable: Map<string, tf.Variable>, optimizer: AdamW, state: LoopState, params: unknown): void {
  const tmp = join(stateDir, `${DIR}.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  writeSafetensors(join(tmp, "trainable.safetensors"), host(trainable));
  writeSafetensors(join(tmp, "adam_m.safetensors"), host(optimizer.m));
  writeSafetensors(join(tmp, "adam_v.safetensors"), host(optimizer.v));
  const meta: CheckpointMeta = { paramsHash: paramsHash(params), optimizerStep: optimizer.step, state };
  writeFileSync(join(tmp, "state.json"), JSON.stringify(meta));
  // Move the old checkpoint aside in one rename rather than deleting it in place: a kill midway
  // through a recursive delete could leave state.json without its weights (a checkpoint that
  // looks resumable and is not). From here a kill leaves a whole checkpoint, or none.
  const final = join(stateDir, DIR);
  const old = join(stateDir, `${DIR}.old-${process.pid}`);
  rmSync(old, { recursive: true, force: true });
  if (existsSync(final)) renameSync(final, old);
  renameSync(tmp, final);
  rmSync(old, { recursive: true, force: true });
}

/** The checkpoint to resume from, or undefined when there is none for these params. */
export function findCheckpoint(stateDir: string, params: unknown): { state: LoopState; restore(trainable: Map<string, tf.Variable>, optimizer: AdamW): void } | undefined {
  const dir = join(stateDir, DIR);
  if (!existsSync(join(dir, "state.json"))) return undefined;
  const meta = JSON.parse(readFileSync(join(dir, "state.json"), "utf8")) as CheckpointMeta;
  if (meta.paramsHash !== paramsHash(params)) return undefined;
  return {
    state: meta.state,
    restore(trainable, optimizer) {
      assign(trainable, readSafetensors(join(dir, "trainable.safetensors")));
      assign(optimizer.m, readSafetensors(join(dir, "adam_m.safetensors")));
      assign(optimizer.v, readSafetensors(join(dir, "adam_v.safetensors")));
      optimizer.step = meta.optimizerStep;
    },
  };
}

function host(vars: Map<string, tf.Variable>): Map<string, HostTensor> {
  const out = new Map<string, HostTensor>();
  for (const [name, v] of vars) out.set(name, { shape: [...v.shape], data: new Float32Array(v.dataSync()) });
  return out;
}

function assign(vars: Map<string, tf.Variable>, saved: Map<string, HostTensor>): void {
  for (const [name, v] of vars) {
    const t = saved.get(name);
    if (!t) throw new Error(`checkpoint has no tensor ${name}`);
    tf.tidy(() => v.assign(tf.tensor(t.data, t.shape)));
  }
}
