/**
 * Writing Parquet through parquet-wasm, streamed: each Arrow batch (a row group's worth) goes
 * into wasm as an IPC stream, the Rust ArrowWriter encodes it, and the bytes stream out to the
 * file while being hashed. So neither JS nor the wasm heap ever holds a whole file: peak memory
 * is about one row group, whatever `rowsPerFile` is.
 */
import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
import { AsyncByteQueue, RecordBatch, RecordBatchStreamWriter, Schema, Table, Type } from "apache-arrow";
import * as pw from "parquet-wasm/node";
import { TooltuneError } from "./errors.js";
import { errorText } from "./parquet.js";

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

function writerProperties(schema: Schema, options: ParquetWriteOptions): pw.WriterProperties {
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
  return builder.build(); // consumes the builder
}

export interface WrittenFile {
  bytes: number;
  sha256: string;
}

/** One Parquet file being written: `write` batches in order, then `close`. */
export class ParquetFileWriter {
  private readonly queue: (pw.RecordBatch | null)[] = [];
  private wakePull: (() => void) | null = null; // the wasm side waits for a batch
  private wakePush: (() => void) | null = null; // `write` waits for wasm to take its batch
  private readonly done: Promise<WrittenFile>;
  private failed: unknown = undefined;

  private constructor(readonly path: string, readonly schema: Schema, options: ParquetWriteOptions) {
    // The source hands wasm one batch per pull; `write` waits for the pull (backpressure).
    const source = new ReadableStream<pw.RecordBatch>({
      pull: async (controller) => {
        while (this.queue.length === 0) await new Promise<void>((resolve) => (this.wakePull = resolve));
        const batch = this.queue.shift()!;
        this.wakePush?.();
        if (batch === null) controller.close();
        else controller.enqueue(batch);
      },
    }, { highWaterMark: 0 });
    this.done = this.drain(source, writerProperties(schema, options));
    this.done.catch((e: unknown) => {
      this.failed = e;
      this.wakePush?.();
    });
  }

  static create(path: string, schema: Schema, options: ParquetWriteOptions = {}): ParquetFileWriter {
    return new ParquetFileWriter(path, schema, options);
  }

  private async drain(source: ReadableStream<pw.RecordBatch>, props: pw.WriterProperties): Promise<WrittenFile> {
    const out = await pw.transformParquetStream(source, props);
    const file = await open(this.path, "w");
    const hash = createHash("sha256");
    let bytes = 0;
    try {
      for await (const chunk of out as unknown as AsyncIterable<Uint8Array>) {
        hash.update(chunk);
        bytes += chunk.byteLength;
        // one write() may take only part of a chunk (a disk filling up): write the rest, so a
        // full disk surfaces as ENOSPC here instead of a short file with a full-length hash
        for (let at = 0; at < chunk.byteLength; ) at += (await file.write(chunk, at)).bytesWritten;
      }
    } finally {
      await file.close();
    }
    return { bytes, sha256: hash.digest("hex") };
  }

  async write(batch: RecordBatch): Promise<void> {
    const table = pw.Table.fromIPCStream(toIpcStream(new Table(this.schema, [batch])));
    try {
      for (const b of table.recordBatches()) await this.push(b);
    } finally {
      table.free();
    }
  }

  async close(): Promise<WrittenFile> {
    await this.push(null);
    try {
      return await this.done;
    } catch (cause) {
      throw new TooltuneError("INTERNAL", `writing Parquet failed: ${errorText(cause)}`, { where: this.path, cause });
    }
  }

  private async push(batch: pw.RecordBatch | null): Promise<void> {
    if (this.failed !== undefined) {
      batch?.free();
      return; // close() reports the error
    }
    this.queue.push(batch);
    this.wakePull?.();
    while (this.queue.length > 0 && this.failed === undefined) await new Promise<void>((resolve) => (this.wakePush = resolve));
  }
}

/** Write Arrow batches to one Parquet file (the same path DatasetWriter takes). */
export async function writeParquetFile(path: string, schema: Schema, batches: RecordBatch[], options: ParquetWriteOptions = {}): Promise<WrittenFile> {
  const writer = ParquetFileWriter.create(path, schema, options);
  for (const batch of batches) await writer.write(batch);
  return writer.close();
}

/**
 * Parquet bytes in memory, for small files written in one go (a training log). Same properties
 * and same bytes as `writeParquetFile` (pyarrow.test.ts checks both against pyarrow's reading).
 */
export function writeParquetBytes(schema: Schema, batches: RecordBatch[], options: ParquetWriteOptions = {}): Uint8Array {
  const props = writerProperties(schema, options);
  return pw.writeParquet(pw.Table.fromIPCStream(toIpcStream(new Table(schema, batches))), props); // consumes both
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
