/**
 * The `synth` stage: the embedded default's data. Writes a `conversations` dataset of generated
 * function-calling conversations; nothing is read, so nothing can be rejected.
 */
import { DatasetWriter, TooltuneError, defineStage } from "@tooltune/core";
import { toolCatalog } from "./catalog/index.js";
import { KINDS, generateConversation, type Kind, type SynthOptions } from "./generate.js";
import { synthParams } from "./params.js";

/** Rows per write call: keeps memory flat and lets Ctrl-C stop between chunks. */
const CHUNK = 1000;

export const synthStage = defineStage({
  kind: "synth",
  // 2: phrasings without article errors, more no-call prompts (same params now give other rows).
  version: "2",
  description: "Generate function-calling conversations over a built-in catalog of deterministic tools",
  params: synthParams,
  output: "dataset",
  async run(ctx, params) {
    const options: SynthOptions = {
      seed: params.seed ?? ctx.seed,
      testFraction: params.test_fraction,
      mix: params.mix,
      toolsOffered: [params.tools_min, params.tools_max],
      schemas: params.schemas,
    };
    const writer = await DatasetWriter.create(ctx.outDir, { kind: "conversations" });
    const kinds = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>;
    const splits: Record<string, number> = { train: 0, test: 0 };
    const progress = ctx.log.progress("synth", params.conversations);
    for (let start = 0; start < params.conversations; start += CHUNK) {
      if (ctx.signal.aborted) throw new TooltuneError("INTERRUPTED", "synth was stopped", { stage: ctx.stageName });
      const end = Math.min(start + CHUNK, params.conversations);
      const rows = Array.from({ length: end - start }, (_, i) => generateConversation(start + i, options));
      for (const row of rows) {
        kinds[JSON.parse(row.meta!).kind as Kind]++;
        splits[row.split]++;
      }
      await writer.write(rows);
      progress.tick(rows.length);
    }
    progress.done();
    await writer.finish(ctx.provenance, { seed: options.seed, kinds, splits, catalog_tools: Object.keys(toolCatalog).length });
    ctx.log.info(`synth: ${params.conversations} conversations (${splits.train} train, ${splits.test} test; ${JSON.stringify(kinds)})`);
  },
});
