// What a train run trains, and how its result is saved: the whole model (full fine-tuning) or a
// LoRA adapter on a frozen base. The stage picks one by `mode` and trains its `target`.
import { isAbsolute, join, relative, resolve } from "node:path";
import { saveModel, type CausalLM } from "@tooltune/model";
import { createLora, saveAdapter, type LoraConfig } from "@tooltune/lora";
import type { TokenizerBundle } from "@tooltune/tokenize";
import type { TrainParams } from "./params.js";
import type { Batch } from "./batches.js";
import type { TrainTarget } from "./loop.js";
import { lossSumOf } from "./loss.js";

/** What one run trains and how its result is saved: full weights (a model dir) or an adapter. */
export interface Trainee {
  target: TrainTarget;
  /** Output kind: `model` (HF layout) or `adapter` (PEFT layout). */
  kind: "model" | "adapter";
  save(dir: string): void;
  dispose(): void;
}

/** Every weight trains; weight decay skips norms and biases (as HF's Trainer). */
export function fullTrainee(model: CausalLM, params: TrainParams): Trainee {
  for (const v of model.params.values()) v.trainable = true;
  return {
    kind: "model",
    target: {
      trainable: model.params,
      // the config's own dropouts (attention_dropout, Phi-3's resid_pdrop) while training, masks from the step's seed
      lossSum: (b: Batch, { training, dropoutSeed }) => lossSumOf(model, b, undefined, { gradientCheckpointing: params.gradient_checkpointing, dropoutSeed: training ? dropoutSeed : undefined }),
      decays: (name) => !name.endsWith("norm.weight") && !name.endsWith(".bias"),
    },
    save: (dir) => saveModel(model, dir),
    dispose: () => model.dispose(),
  };
}

/**
 * LoRA on a frozen base. The adapter is saved in PEFT's layout; a base that exists only in this run
 * (`init:`) is saved beside it in `base/` so the adapter always has a loadable base.
 */
export function loraTrainee(model: CausalLM, params: TrainParams, bundle: TokenizerBundle, seed: number, baseDir: string | null, finalDir: string): Trainee {
  const p = params.lora;
  const config: LoraConfig = {
    r: p.r, loraAlpha: p.alpha, loraDropout: p.dropout, targetModules: [...p.target_modules], useRslora: p.use_rslora,
    trainableTokenIndices: p.trainable_tokens === "new" && bundle.newTokenIds.length > 0 ? bundle.newTokenIds : null,
    baseModelNameOrPath: recordedBase(params, baseDir, finalDir),
  };
  const adapter = createLora(model, config, seed);
  const trainable = adapter.namedVariables(); // checkpoint keys: stable across processes
  for (const v of trainable.values()) v.trainable = true;
  return {
    kind: "adapter",
    target: {
      trainable,
      lossSum: (batch, { training, dropoutSeed }) => {
        adapter.training = training;
        // Dropout masks are a function of (run seed, step, micro-step), so a resumed run draws the same ones.
        adapter.dropoutCalls = dropoutSeed * 4096;
        return lossSumOf(model, batch, adapter, { gradientCheckpointing: params.gradient_checkpointing, dropoutSeed: training ? dropoutSeed : undefined });
      },
    },
    save: (dir) => {
      saveAdapter(adapter, dir, model);
      if (!baseDir) saveModel(model, join(dir, "base"));
    },
    dispose: () => {
      adapter.dispose();
      model.dispose();
    },
  };
}

/**
 * The base as adapter_config.json records it. An absolute path there made the same adapter differ
 * by clone and workdir (issue 15), so it is relative to the adapter directory: `base` for a base
 * saved beside it, `../base` for a sibling stage's (eval's baseOf reads it so). Only a base the
 * user named by an absolute path keeps it, as the params do.
 */
function recordedBase(params: TrainParams, baseDir: string | null, finalDir: string): string {
  if (!baseDir) return "base";
  if (params.base && isAbsolute(params.base) && resolve(params.base) === baseDir) return params.base;
  return relative(resolve(finalDir), baseDir);
}
