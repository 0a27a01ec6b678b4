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
import { open, readFile } from "node:fs/promises";
import { Schema, Table, tableFromIPC } from "apache-arrow";
import * as pw from "parquet-wasm/node";
import { TooltuneError } from "./errors.js";
import { verifyInputFile } from "./verify.js";

/** An open Parquet file, read one row group at a time. Call `close()` when done. */
export interface ParquetReader {
  path: string;
  schema: Schema;
  numRows: number;
  numRowGroups: number;
  rowGroupRows(i: number): number;
  readRowGroup(i: number, columns?: string[]): Promise<Table>;
  /** Several row groups in one decode call (each call copies the whole file into wasm). */
  readRowGroups(indices: number[], columns?: string[]): Promise<Table>;
  /** Uncompressed bytes of each row group, from the footer. */
  rowGroupBytes: number[];
  close(): void;
}

interface Footer {
  schema: Schema;
  groups: number[];
  groupBytes: number[];
  numRows: number;
}

/** Schema and row-group sizes from the footer only (the Blob reads just those bytes). */
async function readFooter(path: string): Promise<Footer> {
  let file: pw.ParquetFile | undefined;
  try {
    file = await pw.ParquetFile.fromFile(await openAsBlob(path));
    const meta = file.metadata();
    const groups: number[] = [];
    const groupBytes: number[] = [];
    for (const g of meta.rowGroups()) {
      groups.push(g.numRows());
      groupBytes.push(g.totalByteSize());
      g.free();
    }
    const fileMeta = meta.fileMetadata();
    const numRows = fileMeta.numRows();
    fileMeta.free();
    meta.free();
    return { schema: tableFromIPC(file.schema().intoIPCStream()).schema, groups, groupBytes, numRows };
  } catch (cause) {
    throw new TooltuneError("INPUT", `cannot read Parquet file: ${errorText(cause)}`, { where: path, cause, fix: "check that the file exists and is Parquet" });
  } finally {
    file?.free();
  }
}

/**
 * File buffers of closed readers, reused by the next open: reading a dataset opens its parts one
 * after another, and fresh memory costs ~5 ms per MB on first touch here (warm: ~0.1 ms/MB).
 */
const spare: Uint8Array[] = [];

async function readIntoSpare(path: string): Promise<Uint8Array> {
  const file = await open(path, "r");
  try {
    const { size } = await file.stat();
    const i = spare.findIndex((b) => b.byteLength >= size);
    const buffer = i >= 0 ? spare.splice(i, 1)[0] : new Uint8Array(size);
    let at = 0;
    while (at < size) {
      const { bytesRead } = await file.read(buffer, at, size - at, at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    return buffer.subarray(0, at);
  } finally {
    await file.close();
  }
}

function release(bytes: Uint8Array): void {
  spare.push(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.buffer.byteLength - bytes.byteOffset));
  if (spare.length > 2) spare.sort((a, b) => b.byteLength - a.byteLength).pop(); // keep the two largest
}

export async function openParquet(path: string): Promise<ParquetReader> {
  const { schema, groups, groupBytes, numRows } = await readFooter(path);
  let bytes: Uint8Array | null = await readIntoSpare(path);
  const read = async (indices: number[], columns?: string[]): Promise<Table> => {
    if (!bytes) throw new TooltuneError("INTERNAL", "Parquet reader used after close()", { where: path });
    const missing = columns?.filter((c) => !schema.fields.some((f) => f.name === c)) ?? [];
    if (missing.length > 0) {
      throw new TooltuneError("SCHEMA", `no column ${missing.join(", ")} in a Parquet file`, {
        where: path, fix: `columns are: ${schema.fields.map((f) => f.name).join(", ")}`,
      });
    }
    try {
      // batchSize = the largest group, so each row group arrives as one record batch. The sync
      // reader decodes every column (it ignores `columns`): projection happens on the Arrow side.
      const batchSize = Math.max(1, ...indices.map((i) => groups[i]));
      const table = tableFromIPC(pw.readParquet(bytes, { rowGroups: indices, batchSize }).intoIPCStream());
      return columns ? table.select(columns) : table;
    } catch (cause) {
      throw new TooltuneError("INPUT", `cannot read row group ${indices.join(",")} of a Parquet file: ${errorText(cause)}`, {
        where: `${path}:row-group-${indices[0]}`, cause, fix: "the file is damaged: rewrite it (or rerun the stage that made it)",
      });
    }
  };
  return {
    path, schema, numRows, numRowGroups: groups.length, rowGroupBytes: groupBytes,
    rowGroupRows: (i) => groups[i],
    readRowGroup: (i, columns) => read([i], columns),
    readRowGroups: read,
    close() {
      if (bytes) release(bytes);
      bytes = null;
    },
  };
}

/**
 * Consecutive row groups packed into spans of at most `limit` uncompressed bytes (at least one
 * group each), so that a file with many small row groups is not copied into wasm once per group.
 */
export function rowGroupSpans(groupBytes: readonly number[], limit = 64 << 20): number[][] {
  const spans: number[][] = [];
  let span: number[] = [];
  let size = 0;
  groupBytes.forEach((bytes, i) => {
    if (span.length > 0 && size + bytes > limit) {
      spans.push(span);
      span = [];
      size = 0;
    }
    span.push(i);
    size += bytes;
  });
  if (span.length > 0) spans.push(span);
  return spans;
}

/** A whole Parquet file as one Arrow table (small files: rejects, fixtures). */
export async function readParquetTable(path: string): Promise<Table> {
  await verifyInputFile(path); // a train_log.parquet inside a model output, say
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
