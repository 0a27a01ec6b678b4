/**
 * The real generator: a model directory (HF layout) with its tokenizer bundle, optionally with a
 * PEFT adapter on top, generating with @tooltune/model's KV-cache `generate`.
 */
import { join } from "node:path";
import { existsSync } from "node:fs";
import { loadWithAdapter } from "@tooltune/lora";
import { generate, loadModel, selectBackend, type Adapter, type CausalLM } from "@tooltune/model";
import { loadTokenizerBundle, type TokenizerBundle } from "@tooltune/tokenize";
import { TooltuneError } from "@tooltune/core";
import { modelLogits } from "./copy-probe.js";
import type { GenerateOptions, Generator } from "./generator.js";
import type { ModelSpec } from "./stage.js";

export async function loadModelGenerator(spec: ModelSpec): Promise<Generator> {
  await selectBackend("auto", spec.log);
  const bundleDir = join(spec.adapterDir ?? spec.modelDir, "tokenizer");
  if (!existsSync(bundleDir)) throw new TooltuneError("INPUT", "no tokenizer bundle next to the model", { where: bundleDir, fix: "evaluate directories written by the train stage" });
  const bundle = loadTokenizerBundle(bundleDir);
  const { model, adapter } = spec.adapterDir ? loadWithAdapter(spec.modelDir, spec.adapterDir, bundle.vocabSize) : { model: loadModel(spec.modelDir), adapter: undefined };
  return modelGenerator(spec.role, model, bundle, adapter);
}

export function modelGenerator(name: string, model: CausalLM, bundle: TokenizerBundle, adapter?: Adapter): Generator {
  let generated = 0;
  return {
    name,
    generatedTokens: () => generated,
    probe: { bundle, logits: modelLogits(model, adapter) },
    async generate(prompts: string[], opts: GenerateOptions): Promise<string[]> {
      const ids = await Promise.all(prompts.map(async (p) => Array.from(await bundle.encode(p))));
      // Stop strings that are single tokens (<|im_end|>, <end_of_turn>) stop on their id; decoding
      // is async in the tokenizer binding, so longer stop strings are cut after generation.
      const stopTokenIds = [bundle.eosId, ...(opts.stop ?? []).map((s) => bundle.idOf(s)).filter((id): id is number => id !== undefined)];
      const out = generate(model, ids, { maxNewTokens: opts.maxNewTokens, temperature: opts.temperature, seed: opts.seed, stopTokenIds, adapter, padTokenId: bundle.padId });
      generated += out.ids.reduce((s, row) => s + row.length, 0);
      const texts = await Promise.all(out.ids.map((row) => bundle.decode(row)));
      return texts.map((t) => cutAtStop(t, opts.stop ?? []));
    },
  };
}

export function cutAtStop(text: string, stops: string[]): string {
  const at = Math.min(...stops.map((s) => text.indexOf(s)).filter((i) => i >= 0), text.length);
  return text.slice(0, at);
}
