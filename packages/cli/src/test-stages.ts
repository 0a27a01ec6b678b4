// Tiny stages for the runner's tests: they write real datasets through core, and record each
// run in `calls` so tests can assert exactly which stages ran.
import { readFile } from "node:fs/promises";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { DatasetWriter, defineStage, openDataset, TooltuneError, type StageContext, type StageDefinition } from "@tooltune/core";
import type { FormattedRow } from "@tooltune/core";
import { registryOf } from "./stages.js";

export const calls: string[] = [];

const row = (id: string, text: string): FormattedRow => ({ id, text, spans: [], template: "test", split: "train" });

async function writeRows(ctx: StageContext, rows: FormattedRow[], rejects: { source: string; reason: string }[] = []) {
  const writer = await DatasetWriter.create(ctx.outDir, { kind: "formatted" });
  await writer.write(rows);
  for (const r of rejects) writer.reject(r);
  await writer.finish(ctx.provenance);
}

async function readTexts(ctx: StageContext): Promise<string[]> {
  const texts: string[] = [];
  for (const input of ctx.inputs) for await (const r of (await openDataset<FormattedRow>(input.path)).rows()) texts.push(r.text);
  return texts;
}

/** n rows "prefix-i"; `reject` adds that many rejects. */
export const genStage = defineStage({
  kind: "gen", version: "1", description: "test: generate rows", output: "dataset",
  params: z.object({ n: z.number().int().default(3), prefix: z.string().default("row"), reject: z.number().int().default(0), opts: z.object({ a: z.number().default(1) }).default({ a: 1 }), backend: z.string().default("auto") }),
  async run(ctx, p) {
    calls.push(ctx.stageName);
    const rejects = Array.from({ length: p.reject }, (_, i) => ({ source: `gen:${i}`, reason: "test reject" }));
    await writeRows(ctx, Array.from({ length: p.n }, (_, i) => row(String(i), `${p.prefix}-${i}`)), rejects);
  },
});

/** Every input row's text with a suffix. */
export const suffixStage = defineStage({
  kind: "suffix", version: "1", description: "test: map rows", output: "dataset",
  params: z.strictObject({ suffix: z.string().default("!") }),
  async run(ctx, p) {
    calls.push(ctx.stageName);
    const texts = await readTexts(ctx);
    await writeRows(ctx, texts.map((t, i) => row(String(i), t + p.suffix)));
  },
});

/** One row per line of a file named in params: the file is a dependency by content. */
export const linesStage = defineStage({
  kind: "lines", version: "1", description: "test: read a file", output: "dataset",
  params: z.strictObject({ file: z.string() }),
  fileDeps: (p) => [p.file],
  async run(ctx, p) {
    calls.push(ctx.stageName);
    const lines = (await readFile(p.file, "utf8")).split("\n").filter(Boolean);
    await writeRows(ctx, lines.map((t, i) => row(String(i), t)));
  },
});

/** Writes a part file, then fails (or waits for Ctrl-C when `wait`). */
export const flakyStage = defineStage({
  kind: "flaky", version: "1", description: "test: fail midway", output: "dataset",
  params: z.strictObject({ fail: z.boolean().default(true), wait: z.boolean().default(false) }),
  async run(ctx, p) {
    calls.push(ctx.stageName);
    const writer = await DatasetWriter.create(ctx.outDir, { kind: "formatted", rowsPerFile: 1 });
    await writer.write([row("0", "a"), row("1", "b")]); // one full part file is on disk now
    await writeFile(join(ctx.stateDir, "checkpoint"), "step 1");
    if (p.wait) {
      if (!ctx.signal.aborted) await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve, { once: true }));
      throw new TooltuneError("INTERRUPTED", "stopped at a safe point", { stage: ctx.stageName });
    }
    if (p.fail) throw new Error("boom midway");
    await writer.finish(ctx.provenance);
  },
});

export const testStages: StageDefinition[] = [genStage, suffixStage, linesStage, flakyStage] as StageDefinition[];
export const testRegistry = () => registryOf(testStages);

export const tempDir = () => mkdtemp(join(tmpdir(), "tooltune-cli-"));
