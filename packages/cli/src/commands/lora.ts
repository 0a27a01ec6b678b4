import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Argv } from "yargs";
import type { AdapterInfo } from "@tooltune/lora";
import type { CliIO } from "../io.js";
import { at } from "./paths.js";

export function loraCommand(io: CliIO) {
  return {
    command: "lora <command>",
    describe: "inspect a LoRA adapter, or merge it into its base",
    builder: (y: Argv) => y
      .command({
        command: "inspect <adapter>",
        describe: "config, targets, ranks, parameter counts and new tokens of an adapter",
        builder: (s: Argv) => s.positional("adapter", { type: "string", demandOption: true }),
        handler: async (a: { adapter: string }) => {
          // Files only (config, safetensors, the bundle's JSON): instant, no base model.
          const [{ inspectAdapter }, { readBundleSummary }] = await Promise.all([import("@tooltune/lora"), import("@tooltune/tokenize")]);
          const dir = at(io, a.adapter);
          formatAdapterInfo(inspectAdapter(dir), readBundleSummary(join(dir, "tokenizer"))).forEach((line) => io.out(line));
        },
      })
      .command({
        command: "merge",
        describe: "fold the adapter into the base: an HF checkpoint with the tokenizer bundle",
        builder: (s: Argv) => s
          .option("base", { type: "string", demandOption: true, describe: "base model directory" })
          .option("adapter", { type: "string", demandOption: true, describe: "PEFT adapter directory" })
          .option("out", { type: "string", demandOption: true, describe: "output directory (written atomically)" }),
        handler: async (a: { base: string; adapter: string; out: string }) => {
          const [{ selectBackend }, { mergeLora, readAdapterConfig }, { loadTokenizerBundle }] = await Promise.all([import("@tooltune/model"), import("@tooltune/lora"), import("@tooltune/tokenize")]);
          const adapter = at(io, a.adapter);
          readAdapterConfig(adapter); // a wrong --adapter fails here, before any talk of its bundle or the backend
          const bundleDir = join(adapter, "tokenizer");
          const hasBundle = existsSync(bundleDir);
          if (!hasBundle) io.log.info(`lora merge: ${a.adapter} has no tokenizer/ bundle; the merged model will have none`);
          await selectBackend("auto", (l) => io.log.info(l));
          // The bundle's vocabulary includes the tokens the adapter added: the base is resized to it.
          await mergeLora({ base: at(io, a.base), adapter, out: at(io, a.out), vocabSize: hasBundle ? loadTokenizerBundle(bundleDir).vocabSize : undefined });
          io.log.info(`lora merge: wrote ${a.out}`);
        },
      })
      .demandCommand(1, "name a lora command: inspect or merge"),
    handler: () => {},
  };
}

/** `lora inspect`'s lines; `bundle` is what the adapter's tokenizer/ bundle says, if it has one. */
export function formatAdapterInfo(info: AdapterInfo, bundle?: { template: string | null; newTokens: { content: string; id: number }[] }): string[] {
  const c = info.config;
  const n = (x: number) => x.toLocaleString("en-US");
  const newTokens = bundle?.newTokens ?? [];
  return [
    `adapter ${info.dir}`,
    `  base: ${c.baseModelNameOrPath ?? "(not recorded)"}`,
    `  r ${c.r}, lora_alpha ${c.loraAlpha}, scaling ${+info.scaling.toFixed(6)}${c.useRslora ? " (rsLoRA)" : ""}, dropout ${c.loraDropout}`,
    `  target_modules: ${c.targetModules.join(", ") || "(none)"}`,
    `  trainable_token_indices: ${c.trainableTokenIndices ? c.trainableTokenIndices.join(", ") : "none"}`,
    `  parameters: ${n(info.loraParams)} LoRA + ${n(info.tokenParams)} token rows = ${n(info.loraParams + info.tokenParams)} trainable` +
      (info.savedBaseParams ? `; ${n(info.savedBaseParams)} base embedding weights saved beside them` : ""),
    `  template: ${bundle?.template ?? "(no tokenizer bundle)"}`,
    `  new tokens: ${newTokens.length ? newTokens.map((t) => `${t.content}=${t.id}`).join(" ") : "none"}`,
    `  modules (${info.modules.length}):`,
    ...info.modules.map((m) => `    ${m.module}  ${m.kind}  r ${m.r}  ${m.inDim}→${m.outDim}  ${n(m.params)}`),
  ];
}
