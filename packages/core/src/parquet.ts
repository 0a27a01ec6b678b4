/**
 * Reading Parquet through parquet-wasm (Rust's parquet crate compiled to wasm): a file is opened
 * as a Blob (read lazily), one row group at a time, and crosses the wasm boundary as an Arrow IPC
 * stream. Every wasm-side object is freed or consumed here, so the wasm heap stays at its
 * high-water mark instead of growing with each file (parquet.test.ts checks this).
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

export async function openParquet(path: string): Promise<ParquetReader> {
  let file: pw.ParquetFile;
  try {
    file = await pw.ParquetFile.fromFile(await openAsBlob(path));
  } catch (cause) {
    throw new TooltuneError("INPUT", `cannot read Parquet file: ${errorText(cause)}`, { where: path, cause, fix: "check that the file exists and is Parquet" });
  }
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
  const schema = tableFromIPC(file.schema().intoIPCStream()).schema;
  let closed = false;
  return {
    path, schema, numRows, numRowGroups: groups.length,
    rowGroupRows: (i) => groups[i],
    async readRowGroup(i, columns) {
      // batchSize = the group's size, so one row group arrives as one record batch
      const t = await file.read({ rowGroups: [i], batchSize: Math.max(1, groups[i]), ...(columns ? { columns } : {}) });
      return tableFromIPC(t.intoIPCStream());
    },
    close() {
      if (!closed) file.free();
      closed = true;
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
