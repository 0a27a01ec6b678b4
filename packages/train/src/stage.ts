import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { defineStage, finishDirectory, inputOfKind, TooltuneError, type StageContext } from "@tooltune/core";
import { createModel, loadModel, makeConfig, resizeTokenEmbeddings, selectBackend, type CausalLM } from "@tooltune/model";
import { loadTokenizerBundle, type TokenizerBundle } from "@tooltune/tokenize";
import { ADAMW_DEFAULTS } from "./adamw.js";
import { findCheckpoint, saveCheckpoint } from "./checkpoint.js";
import { lossCurveSvg } from "./curve.js";
import { loadTokenRows } from "./data.js";
import { trainLoop, totalSteps, type LogRow, type LoopConfig, type TrainTarget } from "./loop.js";
import { trainParams, type TrainParams } from "./params.js";
import { fullTrainee, loraTrainee } from "./trainee.js";
import { warmupStepsFrom } from "./schedule.js";
import { writeTrainLog } from "./train-log.js";

export const trainStage = defineStage({
  kind: "train",
  version: "1",
  description: "LoRA or full supervised fine-tuning of a causal LM on a tokens dataset",
  params: trainParams,
  output: "directory",
  fileDeps: (p) => (p.base ? [p.base] : []),
  async run(ctx, params) {
    const tokens = inputOfKind(ctx, "tokens");
    if (!tokens) throw new TooltuneError("CONFIG", "train needs a tokens dataset as input", { stage: ctx.stageName, fix: "add the tokenize stage to `needs`" });
    const backend = await selectBackend(params.backend, (l) => ctx.log.info(l));
    const bundle = loadTokenizerBundle(join(tokens.path, "tokenizer"));
    const { train, test } = await loadTokenRows(tokens.path);
    const seed = params.seed ?? ctx.seed;
    const { model, baseDir } = baseModel(ctx, params, bundle, seed);
    const trainee = params.mode === "full" ? fullTrainee(model, params) : loraTrainee(model, params, bundle, seed, baseDir, ctx.finalDir);

    const loop = loopConfig(params, train, seed, bundle.padId);
    ctx.log.info(`train: ${params.mode}, ${train.length} train rows, ${test.length} test rows, ${loop.schedule.totalSteps} updates, ${countParams(trainee.target)} trainable parameters`);
    const resume = findCheckpoint(ctx.stateDir, params);
    if (resume) ctx.log.info(`train: resuming from the checkpoint at step ${resume.state.step}`);
    const progress = ctx.log.progress("train", loop.schedule.totalSteps);
    let peakRss = process.memoryUsage().rss;
    let lastStep = resume?.state.step ?? 0;
    if (resume) progress.tick(resume.state.step);
    const { state, optimizer } = await trainLoop(trainee.target, train, test, loop, {
      checkpoint: async (s, opt) => saveCheckpoint(ctx.stateDir, trainee.target.trainable, opt, s, params),
      onStep: (row) => {
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
        progress.tick(row.step - lastStep, statusOf(row));
        lastStep = row.step;
      },
      signal: ctx.signal,
    }, resume && { state: resume.state, restore: (opt) => resume.restore(trainee.target.trainable, opt) });
    progress.done(statusOf(state.log.at(-1)));
    optimizer.dispose();

    trainee.save(ctx.outDir);
    bundle.save(join(ctx.outDir, "tokenizer"));
    await writeTrainLog(join(ctx.outDir, "train_log.parquet"), state.log);
    writeFileSync(join(ctx.outDir, "loss_curve.svg"), curveOf(state.log, params.mode));
    const last = state.log.at(-1);
    const stats = {
      mode: params.mode, backend: backend.name, ...(backend.microKernel && { micro_kernel: backend.microKernel }), steps: state.step, tokens: state.tokensSeen, final_loss: last?.loss ?? null,
      final_eval_loss: [...state.log].reverse().find((r) => r.eval_loss !== null)?.eval_loss ?? null,
      peak_rss_mb: Math.round(peakRss / 2 ** 20), tf_tensors: tf.memory().numTensors,
      tokens_per_s: state.log.length ? Math.round(state.log.reduce((s, r) => s + r.tokens_per_s, 0) / state.log.length) : null,
    };
    ctx.log.info(`train: done, ${state.step} updates, final loss ${fmt(stats.final_loss)}, eval loss ${fmt(stats.final_eval_loss)}, peak memory ${stats.peak_rss_mb} MB`);
    trainee.dispose();
    await finishDirectory(ctx.outDir, trainee.kind, ctx.provenance, stats);
  },
});

/** The base: an upstream `model` input, a checkpoint directory, or a fresh model from `init`. */
function baseModel(ctx: StageContext, params: TrainParams, bundle: TokenizerBundle, seed: number): { model: CausalLM; baseDir: string | null } {
  const dir = inputOfKind(ctx, "model")?.path ?? params.base;
  if (dir) {
    let model = loadModel(resolve(dir));
    if (bundle.vocabSize > model.config.vocabSize) {
      ctx.log.info(`train: resizing embeddings ${model.config.vocabSize} → ${bundle.vocabSize} for the added tokens (new rows = mean of the old)`);
      model = resizeTokenEmbeddings(model, bundle.vocabSize);
    }
    return { model, baseDir: resolve(dir) };
  }
  if (!params.init) throw new TooltuneError("CONFIG", "train needs a base model", { stage: ctx.stageName, fix: "set `base: DIR`, give an `init:` config, or add a model-producing stage to `needs`" });
  const { model_type, seed: initSeed, ...hf } = params.init;
  const config = makeConfig(model_type, {
    vocabSize: bundle.vocabSize, hiddenSize: hf.hidden_size, intermediateSize: hf.intermediate_size, numHiddenLayers: hf.num_hidden_layers,
    numAttentionHeads: hf.num_attention_heads, numKeyValueHeads: hf.num_key_value_heads, maxPositionEmbeddings: hf.max_position_embeddings,
    ropeTheta: hf.rope_theta, tieWordEmbeddings: hf.tie_word_embeddings, ...(hf.head_dim === undefined ? {} : { headDim: hf.head_dim }),
  });
  return { model: createModel(config, initSeed ?? seed), baseDir: null };
}

function loopConfig(p: TrainParams, train: Parameters<typeof totalSteps>[0], seed: number, padId: number): LoopConfig {
  const batching = { batchSize: p.batch_size, batchTokens: p.batch_tokens, shuffle: true, seed, padId };
  const steps = totalSteps(train, { gradAccum: p.grad_accum, batching }, p.epochs, p.max_steps);
  return {
    schedule: { kind: p.schedule, lr: p.lr, warmupSteps: warmupStepsFrom(steps, { ratio: p.warmup_ratio, steps: p.warmup_steps }), totalSteps: steps },
    gradAccum: p.grad_accum, maxGradNorm: p.max_grad_norm,
    optimizer: { ...ADAMW_DEFAULTS, weightDecay: p.weight_decay },
    batching, seed, logEvery: p.log_every, evalEvery: p.eval_every, checkpointEvery: p.checkpoint_every, evalBatchSize: Math.max(p.batch_size, 4),
  };
}

const countParams = (t: TrainTarget) => [...t.trainable.values()].reduce((n, v) => n + v.size, 0);
const fmt = (x: number | null) => (x === null ? "-" : x.toFixed(4));
const statusOf = (r?: LogRow) => (r ? `loss ${r.loss.toFixed(4)} lr ${r.lr.toExponential(2)} ${Math.round(r.tokens_per_s)} tok/s${r.eval_loss !== null ? ` eval ${r.eval_loss.toFixed(4)}` : ""}` : "");

function curveOf(log: LogRow[], mode: string): string {
  return lossCurveSvg(
    [
      { label: "train loss", color: "#1f77b4", points: log.map((r) => [r.step, r.loss]) },
      { label: "eval loss", color: "#d62728", points: log.filter((r) => r.eval_loss !== null).map((r) => [r.step, r.eval_loss!]) },
    ],
    { title: `${mode} training loss` },
  );
}

