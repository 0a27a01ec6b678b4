/**
 * Parquet ⇄ Arrow through parquet-wasm (Rust's parquet crate compiled to wasm). Tables cross the
 * wasm boundary as Arrow IPC streams. Every wasm-side object is freed (or consumed) here, so the
 * wasm heap stays at its high-water mark instead of growing with each file read or written.
 */
import { openAsBlob } from "node:fs";
import { readFile } from "node:fs/promises";
import { AsyncByteQueue, RecordBatch, RecordBatchStreamWriter, Schema, Table, tableFromIPC, Type } from "apache-arrow";
import * as pw from "parquet-wasm/node";
import { TooltuneError } from "./errors.js";

export type Compression = "zstd" | "snappy" | "none";

export interface ParquetWriteOptions {
  compression?: Compression;
  /** Rows per row group (readers get one batch per row group). */
  rowGroupRows?: number;
}

const CODECS: Record<Compression, pw.Compression> = {
  zstd: pw.Compression.ZSTD,
  snappy: pw.Compression.SNAPPY,
  none: pw.Compression.UNCOMPRESSED,
};

/** Serialise Arrow batches (all with `schema`) to Parquet bytes. */
export function writeParquetBytes(schema: Schema, batches: RecordBatch[], options: ParquetWriteOptions = {}): Uint8Array {
  const ipc = toIpcStream(new Table(schema, batches));
  let builder = new pw.WriterPropertiesBuilder()
    .setCompression(CODECS[options.compression ?? "zstd"])
    .setMaxRowGroupSize(options.rowGroupRows ?? 10_000)
    // Dictionary attempts and statistics on token-id lists cost most of the write time in the io
    // bench (ids do not dictionary-encode, and nobody filters on a list's min/max), so both are
    // off by default and back on, as pyarrow has them, for top-level columns.
    .setStatisticsEnabled(pw.EnabledStatistics.None)
    .setDictionaryEnabled(false);
  for (const f of schema.fields) {
    const id = f.type.typeId;
    if (id === Type.List || id === Type.Struct) continue;
    builder = builder.setColumnStatisticsEnabled(f.name, pw.EnabledStatistics.Chunk);
    if (id === Type.Utf8) builder = builder.setColumnDictionaryEnabled(f.name, true); // split, template, … repeat
  }
  const props = builder.build(); // build() consumes the builder
  const wasmTable = pw.Table.fromIPCStream(ipc);
  return pw.writeParquet(wasmTable, props); // consumes the table and the properties
}

/**
 * The table as one Arrow IPC stream in a reused scratch buffer. Why not `tableToIPC`: it joins
 * the stream's chunks into a fresh buffer each time, and first-touching fresh memory cost ~5 ms
 * per MB on these machines (vs ~0.1 ms/MB to rewrite warm memory) — most of the write time of a
 * tokens dataset. The scratch is only valid until the next call (wasm copies it in at once).
 */
function toIpcStream(table: Table): Uint8Array {
  const sink = new ChunkSink();
  const writer = new RecordBatchStreamWriter();
  writer.reset(sink); // no schema here: writeAll(table) sets it, and a preset one writes no batches
  writer.writeAll(table); // writes references to the batches' buffers into the sink, then closes it
  if (scratch.byteLength < sink.size) scratch = new Uint8Array(Math.max(sink.size, scratch.byteLength * 1.5));
  let at = 0;
  for (const chunk of sink.chunks) {
    scratch.set(chunk, at);
    at += chunk.byteLength;
  }
  return scratch.subarray(0, at);
}

let scratch = new Uint8Array(0);

class ChunkSink extends AsyncByteQueue {
  readonly chunks: Uint8Array[] = [];
  size = 0;
  override write(value: ArrayBufferView | ArrayBufferLike | ArrayLike<number> | Iterable<number>): void {
    const v = value as ArrayBufferView;
    if (v.byteLength > 0) this.chunks.push(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    this.size += v.byteLength;
  }
}

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

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
