/**
 * Reading Parquet through parquet-wasm (Rust's parquet crate compiled to wasm), one row group at
 * a time; tables cross the wasm boundary as Arrow IPC streams. Every wasm-side object is freed or
 * consumed here, so the wasm heap stays at its high-water mark (parquet.test.ts checks this).
 *
 * Row groups are decoded with the synchronous `readParquet`, not `ParquetFile.read`: on damaged
 * data the decoder panics, and a panic inside the async reader leaves its promise pending forever
 * (a hang), while the sync call throws and becomes a TooltuneError naming the file and row group.
 */
import { openAsBlob } from "node:fs";
import { readFile } from "node:fs/promises";
import { Schema, Table, tableFromIPC } from "apache-arrow";
import * as pw from "parquet-wasm/node";
import { TooltuneError } from "./errors.js";

/** An open Parquet file, read one row group at a time. Call `close()` when done. */
export interface ParquetReader {
  path: string;
  schema: Schema;
  numRows: number;
  numRowGroups: number;
  rowGroupRows(i: number): number;
  readRowGroup(i: number, columns?: string[]): Promise<Table>;
  close(): void;
}

interface Footer {
  schema: Schema;
  groups: number[];
  numRows: number;
}

/** Schema and row-group sizes from the footer only (the Blob reads just those bytes). */
async function readFooter(path: string): Promise<Footer> {
  let file: pw.ParquetFile | undefined;
  try {
    file = await pw.ParquetFile.fromFile(await openAsBlob(path));
    const meta = file.metadata();
    const groups = meta.rowGroups().map((g) => {
      const n = g.numRows();
      g.free();
      return n;
    });
    const fileMeta = meta.fileMetadata();
    const numRows = fileMeta.numRows();
    fileMeta.free();
    meta.free();
    return { schema: tableFromIPC(file.schema().intoIPCStream()).schema, groups, numRows };
  } catch (cause) {
    throw new TooltuneError("INPUT", `cannot read Parquet file: ${errorText(cause)}`, { where: path, cause, fix: "check that the file exists and is Parquet" });
  } finally {
    file?.free();
  }
}

export async function openParquet(path: string): Promise<ParquetReader> {
  const { schema, groups, numRows } = await readFooter(path);
  let bytes: Uint8Array | null = await readFile(path);
  return {
    path, schema, numRows, numRowGroups: groups.length,
    rowGroupRows: (i) => groups[i],
    async readRowGroup(i, columns) {
      if (!bytes) throw new TooltuneError("INTERNAL", "Parquet reader used after close()", { where: path });
      const missing = columns?.filter((c) => !schema.fields.some((f) => f.name === c)) ?? [];
      if (missing.length > 0) {
        throw new TooltuneError("SCHEMA", `no column ${missing.join(", ")} in a Parquet file`, {
          where: path, fix: `columns are: ${schema.fields.map((f) => f.name).join(", ")}`,
        });
      }
      try {
        // batchSize = the group's size, so one row group arrives as one record batch. The sync
        // reader decodes every column (it ignores `columns`): projection happens on the Arrow side.
        const table = tableFromIPC(pw.readParquet(bytes, { rowGroups: [i], batchSize: Math.max(1, groups[i]) }).intoIPCStream());
        return columns ? table.select(columns) : table;
      } catch (cause) {
        throw new TooltuneError("INPUT", `cannot read row group ${i} of a Parquet file: ${errorText(cause)}`, {
          where: `${path}:row-group-${i}`, cause, fix: "the file is damaged: rewrite it (or rerun the stage that made it)",
        });
      }
    },
    close() {
      bytes = null;
    },
  };
}

/** A whole Parquet file as one Arrow table (small files: rejects, fixtures). */
export async function readParquetTable(path: string): Promise<Table> {
  const bytes = await readFile(path);
  try {
    return tableFromIPC(pw.readParquet(bytes).intoIPCStream());
  } catch (cause) {
    throw new TooltuneError("INPUT", `cannot read Parquet file: ${errorText(cause)}`, { where: path, cause });
  }
}

/** Bytes of wasm linear memory (it never shrinks; what matters is that it stops growing). */
export function wasmHeapBytes(): number {
  return pw.wasmMemory().buffer.byteLength;
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
