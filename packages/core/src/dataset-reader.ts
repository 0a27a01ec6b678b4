/**
 * openDataset: a finished dataset directory, read row group by row group so that no stage needs
 * the whole dataset in memory. A directory without `_manifest.json` is not a dataset (it is an
 * interrupted or unfinished write) and is refused; so is one whose files do not match the sizes
 * and sha256s its manifest lists (verify.ts).
 */
import { join } from "node:path";
import type { Schema } from "apache-arrow";
import { batchToRows } from "./arrow-read.js";
import { TooltuneError } from "./errors.js";
import { readManifest, REJECTS_FILE, type Manifest } from "./manifest.js";
import { openParquet, readParquetTable } from "./parquet.js";
import type { RejectRow } from "./schemas.js";
import { verifyOutputFiles } from "./verify.js";

export type Row = Record<string, unknown>;

export interface ReadOptions {
  /** Only these columns (all by default). */
  columns?: string[];
}

/** `R` is the row type the caller expects (e.g. TokensRow); values are not checked against it. */
export interface Dataset<R = Row> {
  dir: string;
  manifest: Manifest;
  schema: Schema;
  rows(options?: ReadOptions): AsyncIterable<R>;
  /** One array of rows per row group, in order. */
  batches(options?: ReadOptions): AsyncIterable<R[]>;
  readAll(options?: ReadOptions): Promise<R[]>;
  rejects(): Promise<RejectRow[]>;
}

export async function openDataset<R = Row>(dir: string): Promise<Dataset<R>> {
  const manifest = await readManifest(dir);
  const parts = manifest.files.filter((f) => f.name !== REJECTS_FILE && f.name.endsWith(".parquet"));
  if (parts.length === 0) {
    throw new TooltuneError("SCHEMA", `manifest of kind '${manifest.kind}' lists no Parquet parts: not a dataset`, {
      where: join(dir, "_manifest.json"), fix: "pass a dataset directory (conversations, formatted, tokens, eval-results)",
    });
  }
  // Every part (and the rejects) against the manifest's size and sha256, before any is decoded.
  await verifyOutputFiles(dir, manifest);
  const first = await openParquet(join(dir, parts[0].name));
  const schema = first.schema;
  first.close();

  async function* batches(options: ReadOptions = {}): AsyncIterable<R[]> {
    for (const part of parts) {
      const reader = await openParquet(join(dir, part.name));
      try {
        for (let g = 0; g < reader.numRowGroups; g++) {
          const table = await reader.readRowGroup(g, options.columns);
          // one yield per row group, even if Arrow split the group into several batches
          yield (table.batches.length === 1 ? batchToRows(table.batches[0]) : table.batches.flatMap((b) => batchToRows(b))) as R[];
        }
      } finally {
        reader.close();
      }
    }
  }
  async function* rows(options: ReadOptions = {}): AsyncIterable<R> {
    for await (const batch of batches(options)) yield* batch;
  }
  return {
    dir, manifest, schema, rows, batches,
    async readAll(options) {
      const out: R[] = [];
      for await (const batch of batches(options)) for (const r of batch) out.push(r);
      return out;
    },
    async rejects() {
      if (!manifest.files.some((f) => f.name === REJECTS_FILE)) return [];
      const table = await readParquetTable(join(dir, REJECTS_FILE));
      return table.batches.flatMap((b) => batchToRows(b)) as unknown as RejectRow[];
    },
  };
}
