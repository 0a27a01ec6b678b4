/**
 * The `ingest` stage: raw conversations in many source schemas → the canonical `conversations`
 * dataset. Reads files named in params and/or upstream outputs (a `conversations` dataset, e.g.
 * synth's, passes through with validation; any other upstream directory is read for raw files).
 */
import { readdirSync } from "node:fs";
import { extname, isAbsolute, join } from "node:path";
import { DatasetWriter, defineStage, openDataset, RAW_EXTENSIONS, TooltuneError, type ConversationRow } from "@tooltune/core";
import { globSync, isDynamicPattern } from "tinyglobby";
import { z } from "zod";
import { toRow } from "../conversation.js";
import { ingestRecord, SOURCE_FORMATS, type IngestOptions, type SourceFormat } from "./adapt.js";
import { bfclAnswerFile, loadBfclAnswers } from "./bfcl.js";
import { readRecords } from "./records.js";

export const ingestParams = z.object({
  source: z
    .enum(["auto", ...SOURCE_FORMATS])
    .default("auto")
    .describe("Source schema of the raw records: openai, sharegpt, hermes, bfcl, conversations, or auto to detect per record"),
  path: z
    .union([z.string(), z.array(z.string()).min(1)])
    .optional()
    .describe("Raw input files: a file, a glob, or a list of them (.json arrays, .jsonl, .parquet); relative to the working directory"),
  test_fraction: z.number().min(0).max(1).default(0.1).describe("Share of rows in the test split, chosen by a hash of id and seed (BFCL rows are always test)"),
});
export type IngestParams = z.output<typeof ingestParams>;

/** The files `path` names, in a stable order (globs sorted, lists in the order given). */
export function expandPaths(path: string | string[] | undefined): string[] {
  const patterns = path === undefined ? [] : Array.isArray(path) ? path : [path];
  const files = patterns.flatMap((p) => {
    if (!isDynamicPattern(p)) return [p];
    // Matches come back in the form the pattern was written in (absolute or relative to cwd).
    const found = globSync(p, { onlyFiles: true, absolute: isAbsolute(p) }).sort();
    if (!found.length) throw new TooltuneError("CONFIG", `no file matches '${p}'`, { fix: "check the ingest `path` glob" });
    return found;
  });
  return [...new Set(files)];
}

/** Raw files plus the BFCL answer files they pull in: everything the output depends on. */
function fileDeps(params: IngestParams): string[] {
  return expandPaths(params.path).flatMap((f) => [f, bfclAnswerFile(f)].filter((x): x is string => x !== undefined));
}

const BATCH = 1000;

export const ingestStage = defineStage({
  kind: "ingest",
  version: "1",
  description: "Read raw function-calling conversations (OpenAI, ShareGPT, Hermes/course, BFCL, canonical) into the conversations dataset",
  params: ingestParams,
  output: "dataset",
  fileDeps,
  async run(ctx, params) {
    const files = expandPaths(params.path);
    const upstream = ctx.inputs;
    if (!files.length && !upstream.length) {
      throw new TooltuneError("CONFIG", "ingest has nothing to read", { stage: ctx.stageName, fix: "set `path` or add an upstream stage in `needs`" });
    }
    const writer = await DatasetWriter.create(ctx.outDir, { kind: "conversations" });
    // One conversations dataset (synth's, or an earlier ingest's) has unique ids already: its
    // writer made them so. Only several sources, or raw files, can repeat one, and only they pay
    // for the set of every id seen (O(rows) memory), so ingest of synth stays flat at any size.
    const single = files.length === 0 && upstream.length === 1 && upstream[0].manifest.kind === "conversations";
    const sink = new Sink(writer, ctx.seed, params.test_fraction, !single);
    for (const input of upstream) {
      if (input.manifest.kind === "conversations") await sink.dataset(input.path, input.name);
      else for (const f of rawFilesIn(input.path)) await sink.file(f, params.source);
    }
    for (const f of files) await sink.file(f, params.source);
    await sink.flush();
    ctx.log.info(`ingest: ${writer.rowCount} conversations, ${writer.rejectCount} rejected (${JSON.stringify(sink.formats)})`);
    await writer.finish(ctx.provenance, { formats: sink.formats, splits: sink.splits });
  },
});

/** Raw files an upstream directory holds (its manifest and other `_` files are not data). */
function rawFilesIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => !n.startsWith("_") && (RAW_EXTENSIONS as readonly string[]).includes(extname(n).toLowerCase()))
    .sort()
    .map((n) => join(dir, n));
}

/** Turns records into rows or rejects, batching writes; counts formats and splits for the manifest. */
class Sink {
  readonly formats: Record<string, number> = {};
  readonly splits: Record<string, number> = {};
  private rows: ConversationRow[] = [];
  private readonly opts: IngestOptions;

  constructor(private readonly writer: DatasetWriter, seed: number, testFraction: number, numberRepeats: boolean) {
    this.opts = { seed, testFraction, seen: numberRepeats ? new Map() : undefined };
  }

  async file(file: string, format: SourceFormat | "auto"): Promise<void> {
    const answers = format === "auto" || format === "bfcl" ? loadBfclAnswers(file) : undefined;
    for await (const rec of readRecords(file)) {
      const source = `${file}:${rec.row}`;
      if (rec.error !== undefined) this.writer.reject({ source, reason: rec.error });
      else await this.add(rec.value, format, source, answers);
    }
  }

  async dataset(dir: string, name: string): Promise<void> {
    const ds = await openDataset(dir);
    let row = 0;
    for await (const value of ds.rows()) await this.add(value, "conversations", `${name}:${row++}`);
  }

  private async add(value: unknown, format: SourceFormat | "auto", source: string, answers?: Map<string, unknown>): Promise<void> {
    const r = ingestRecord(value, format, { source, answers }, this.opts);
    if ("problem" in r) {
      const where = r.problem.field ? `${source}:${r.problem.field}` : source;
      this.writer.reject({ source: where, reason: r.problem.reason, row: value });
      return;
    }
    this.formats[r.format] = (this.formats[r.format] ?? 0) + 1;
    this.splits[r.conv.split] = (this.splits[r.conv.split] ?? 0) + 1;
    this.rows.push(toRow(r.conv));
    if (this.rows.length >= BATCH) await this.flush();
  }

  async flush(): Promise<void> {
    await this.writer.write(this.rows);
    this.rows = [];
  }
}
