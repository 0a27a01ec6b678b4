import * as tf from "@tensorflow/tfjs-core";
// Gradients of every op: tfjs-core registers none, and its own `dist/register_all_gradients.js` is
// ESM with directory imports that Node cannot load outside a bundler; the union package's Node
// build registers them all into tfjs's global gradient registry.
import "@tensorflow/tfjs";
import { TooltuneError } from "@tooltune/core";
import { AdamW, clipByGlobalNorm, type AdamWConfig } from "./adamw.js";
import { variableGrads } from "./grads.js";
import { nextBatch, type Batch, type BatchingConfig, type DataPosition, type TokenRow } from "./batches.js";
import { mixSeed } from "./rng.js";
import { lrAt, type Schedule } from "./schedule.js";

/** What the loop trains: named variables and a summed token loss (the model + adapter glue provides it). */
export interface TrainTarget {
  trainable: Map<string, tf.Variable>;
  /** Sum over the batch's target tokens of −log p(token). `dropoutSeed` makes dropout repeatable. */
  lossSum(batch: Batch, opts: { training: boolean; dropoutSeed: number }): tf.Scalar;
  /** Weight decay applies to this parameter (transformers exempts biases and norm weights). */
  decays?(name: string): boolean;
}

export interface LoopConfig {
  schedule: Schedule;
  gradAccum: number;
  maxGradNorm: number;
  optimizer: AdamWConfig;
  batching: BatchingConfig;
  seed: number;
  logEvery: number;
  evalEvery: number;
  checkpointEvery: number;
  /** Micro-batch size used for eval loss. */
  evalBatchSize: number;
}

export interface LogRow {
  step: number;
  loss: number;
  lr: number;
  grad_norm: number;
  tokens_per_s: number;
  eval_loss: number | null;
}

/** Everything a checkpoint holds besides the tensors: enough to continue exactly. */
export interface LoopState {
  step: number;
  position: DataPosition;
  log: LogRow[];
  tokensSeen: number;
}

export interface LoopHooks {
  /** Persist the trainable weights, the optimizer moments and `state`. */
  checkpoint(state: LoopState, optimizer: AdamW): Promise<void>;
  onStep?(row: LogRow, state: LoopState): void;
  signal?: AbortSignal;
}

/**
 * The training loop, in nanoGPT's order: set lr → maybe eval / checkpoint → micro-steps → clip →
 * step → log. The loss of an update is the mean over every target token of the accumulated batch
 * (not a mean of per-row means), so gradients are summed over micro-batches and divided once.
 */
export async function trainLoop(target: TrainTarget, train: TokenRow[], test: TokenRow[], cfg: LoopConfig, hooks: LoopHooks, resume?: { state: LoopState; restore(opt: AdamW): void }): Promise<{ state: LoopState; optimizer: AdamW }> {
  const optimizer = new AdamW(target.trainable, cfg.optimizer, target.decays?.bind(target));
  const state: LoopState = resume ? structuredClone(resume.state) : { step: 0, position: { epoch: 0, cursor: 0 }, log: [], tokensSeen: 0 };
  if (resume) resume.restore(optimizer);
  const total = cfg.schedule.totalSteps;
  let windowStart = Date.now();
  let windowTokens = 0;

  while (state.step < total) {
    const lr = lrAt(state.step, cfg.schedule);
    if (state.step > 0 && cfg.checkpointEvery > 0 && state.step % cfg.checkpointEvery === 0) await hooks.checkpoint(state, optimizer);
    if (hooks.signal?.aborted) {
      await hooks.checkpoint(state, optimizer);
      throw new TooltuneError("INTERRUPTED", `training stopped at step ${state.step}; a checkpoint was written`, { fix: "run the same command again to resume" });
    }

    const { loss, grads, tokens } = accumulate(target, train, state, cfg);
    const { grads: clipped, norm } = clipByGlobalNorm(grads, cfg.maxGradNorm);
    optimizer.apply(clipped, lr);
    for (const g of clipped.values()) g.dispose();
    state.step += 1;
    state.tokensSeen += tokens;
    windowTokens += tokens;

    const last = state.step === total;
    const evalNow = test.length > 0 && ((cfg.evalEvery > 0 && state.step % cfg.evalEvery === 0) || last);
    if (state.step % cfg.logEvery === 0 || last || evalNow) {
      const seconds = (Date.now() - windowStart) / 1000;
      const row: LogRow = { step: state.step, loss, lr, grad_norm: norm, tokens_per_s: windowTokens / Math.max(seconds, 1e-9), eval_loss: evalNow ? evalLoss(target, test, cfg) : null };
      state.log.push(row);
      hooks.onStep?.(row, state);
      windowStart = Date.now();
      windowTokens = 0;
    }
    await new Promise((r) => setImmediate(r)); // let Ctrl-C and progress output through
  }
  await hooks.checkpoint(state, optimizer);
  return { state, optimizer };
}

/** gradAccum micro-batches; returns mean loss per target token and the summed-then-divided gradients. */
function accumulate(target: TrainTarget, rows: TokenRow[], state: LoopState, cfg: LoopConfig): { loss: number; grads: Map<string, tf.Tensor>; tokens: number } {
  const vars = [...target.trainable.values()];
  const names = [...target.trainable.keys()];
  let sums: tf.Tensor[] | undefined;
  let lossTotal = 0;
  let targets = 0;
  let tokens = 0;
  for (let micro = 0; micro < cfg.gradAccum; micro++) {
    const { batch, next } = nextBatch(rows, state.position, cfg.batching);
    state.position = next;
    const dropoutSeed = mixSeed(cfg.seed, state.step, micro);
    const { value, grads } = variableGrads(() => target.lossSum(batch, { training: true, dropoutSeed }), vars);
    lossTotal += value.dataSync()[0];
    value.dispose();
    const ordered = vars.map((v) => grads[v.name]);
    if (!sums) sums = ordered;
    else {
      const added = sums.map((s, i) => tf.add(s, ordered[i]));
      tf.dispose([...sums, ...ordered]);
      sums = added;
    }
    targets += batch.targetTokens;
    tokens += batch.batchSize * batch.seqLen;
  }
  const denom = Math.max(targets, 1);
  const grads = new Map<string, tf.Tensor>();
  sums!.forEach((s, i) => {
    grads.set(names[i], tf.div(s, denom));
    s.dispose();
  });
  return { loss: lossTotal / denom, grads, tokens };
}

/** Mean loss per target token over the whole eval split (no dropout). */
export function evalLoss(target: TrainTarget, rows: TokenRow[], cfg: LoopConfig): number {
  let sum = 0;
  let count = 0;
  let position: DataPosition = { epoch: 0, cursor: 0 };
  const batching = { ...cfg.batching, shuffle: false, batchSize: cfg.evalBatchSize, batchTokens: undefined };
  while (position.epoch === 0 && position.cursor < rows.length) {
    const { batch, next } = nextBatch(rows, position, batching);
    position = next;
    const loss = tf.tidy(() => target.lossSum(batch, { training: false, dropoutSeed: 0 }));
    sum += loss.dataSync()[0];
    loss.dispose();
    count += batch.targetTokens;
  }
  return sum / Math.max(count, 1);
}

/** Optimizer updates for a run: epochs × updates per epoch, or max_steps when given. */
export function totalSteps(rows: TokenRow[], cfg: Pick<LoopConfig, "gradAccum" | "batching">, epochs: number, maxSteps?: number): number {
  if (maxSteps !== undefined && maxSteps > 0) return maxSteps;
  let micro = 0;
  let position: DataPosition = { epoch: 0, cursor: 0 };
  while (position.epoch === 0 && position.cursor < rows.length) {
    position = nextBatch(rows, position, cfg.batching).next;
    micro += 1;
  }
  return Math.max(1, Math.ceil((micro * epochs) / cfg.gradAccum));
}
