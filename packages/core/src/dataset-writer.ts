/**
 * DatasetWriter: rows in, a dataset directory out (DESIGN §3): `part-NNNNN.parquet` shards of at
 * most `rowsPerFile` rows in row groups of at most `rowGroupRows`, `_rejects.parquet` when any
 * row was rejected, and `_manifest.json` written last.
 */
import { writeFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { RecordBatch, Schema } from "apache-arrow";
import { rowsToBatch } from "./arrow-build.js";
import { arrowSchemas } from "./arrow-schemas.js";
import { TooltuneError } from "./errors.js";
import { sha256 } from "./hash.js";
import { REJECTS_FILE, writeManifest, type Manifest, type ManifestFile, type Provenance } from "./manifest.js";
import { writeParquetBytes, type Compression } from "./parquet.js";
import type { RejectRow } from "./schemas.js";

export interface DatasetWriterOptions {
  /** Dataset kind recorded in the manifest (conversations, formatted, tokens, eval-results, …). */
  kind: string;
  /** Arrow schema of the rows; defaults to `arrowSchemas[kind]` for the DESIGN §3 kinds. */
  schema?: Schema;
  schemaVersion?: number;
  rowsPerFile?: number;
  rowGroupRows?: number;
  compression?: Compression;
}

export interface RejectInput {
  /** `file:row[:field]` of the offending input. */
  source: string;
  reason: string;
  /** The offending row; stored as JSON (bigint → string, typed arrays → arrays). */
  row?: unknown;
}

export class DatasetWriter {
  readonly dir: string;
  readonly kind: string;
  readonly schema: Schema;
  private readonly options: Required<Omit<DatasetWriterOptions, "schema">>;
  private pending: Record<string, unknown>[] = [];
  private batches: RecordBatch[] = [];
  private batchRows = 0;
  private readonly files: ManifestFile[] = [];
  private readonly rejected: RejectRow[] = [];
  private rows = 0;
  private finished = false;

  private constructor(dir: string, schema: Schema, options: DatasetWriterOptions) {
    this.dir = dir;
    this.kind = options.kind;
    this.schema = schema;
    this.options = {
      kind: options.kind,
      schemaVersion: options.schemaVersion ?? 1,
      rowsPerFile: options.rowsPerFile ?? 50_000,
      rowGroupRows: Math.min(options.rowGroupRows ?? 10_000, options.rowsPerFile ?? 50_000),
      compression: options.compression ?? "zstd",
    };
  }

  static async create(dir: string, options: DatasetWriterOptions): Promise<DatasetWriter> {
    const schema = options.schema ?? (arrowSchemas as Record<string, Schema>)[options.kind];
    if (!schema) {
      throw new TooltuneError("INTERNAL", `no Arrow schema for dataset kind '${options.kind}'`, {
        fix: `pass { schema } or use one of: ${Object.keys(arrowSchemas).join(", ")}`,
      });
    }
    for (const n of [options.rowsPerFile, options.rowGroupRows]) {
      if (n !== undefined && !(Number.isInteger(n) && n > 0)) throw new TooltuneError("INTERNAL", `rowsPerFile/rowGroupRows must be positive integers, got ${n}`);
    }
    await mkdir(dir, { recursive: true });
    return new DatasetWriter(dir, schema, options);
  }

  /** Buffer rows (typed rows such as TokensRow, or plain objects); full row groups become Arrow batches, full files are written. */
  async write(rows: Iterable<object>): Promise<void> {
    this.assertOpen();
    for (const row of rows) {
      this.pending.push(row as Record<string, unknown>);
      if (this.pending.length === this.options.rowGroupRows || this.batchRows + this.pending.length === this.options.rowsPerFile) {
        this.cutBatch();
        if (this.batchRows === this.options.rowsPerFile) await this.flushFile();
      }
    }
  }

  reject(reject: RejectInput): void {
    this.assertOpen();
    this.rejected.push({ source: reject.source, reason: reject.reason, row: reject.row === undefined ? null : toJson(reject.row) });
  }

  get rowCount(): number {
    return this.rows + this.batchRows + this.pending.length;
  }

  get rejectCount(): number {
    return this.rejected.length;
  }

  /** Write what is buffered, `_rejects.parquet`, and then `_manifest.json`. */
  async finish(provenance: Provenance, stats?: Record<string, unknown>): Promise<Manifest> {
    this.assertOpen();
    this.cutBatch();
    // An empty dataset still gets one (empty) part so that readers learn its schema.
    if (this.batchRows > 0 || this.files.length === 0) await this.flushFile();
    if (this.rejected.length > 0) {
      const batch = rowsToBatch(arrowSchemas.rejects, this.rejected as unknown as Record<string, unknown>[], REJECTS_FILE);
      await this.writeFileEntry(REJECTS_FILE, arrowSchemas.rejects, [batch], this.rejected.length);
    }
    this.finished = true;
    return writeManifest(this.dir, {
      kind: this.kind, schemaVersion: this.options.schemaVersion, files: this.files,
      rows: this.rows, rejected: this.rejected.length, stats,
    }, provenance);
  }

  private cutBatch(): void {
    if (this.pending.length === 0) return;
    // errors name the row's index among all rows written, which is what the caller can find
    this.batches.push(rowsToBatch(this.schema, this.pending, this.dir, this.rows + this.batchRows));
    this.batchRows += this.pending.length;
    this.pending = [];
  }

  private async flushFile(): Promise<void> {
    await this.writeFileEntry(partName(this.files.length), this.schema, this.batches, this.batchRows);
    this.rows += this.batchRows;
    this.batches = [];
    this.batchRows = 0;
  }

  private async writeFileEntry(name: string, schema: Schema, batches: RecordBatch[], rows: number): Promise<void> {
    const bytes = writeParquetBytes(schema, batches, { compression: this.options.compression, rowGroupRows: this.options.rowGroupRows });
    await writeFile(join(this.dir, name), bytes);
    this.files.push({ name, rows, bytes: bytes.byteLength, sha256: sha256(bytes) });
  }

  private assertOpen(): void {
    if (this.finished) throw new TooltuneError("INTERNAL", `DatasetWriter for ${this.dir} is already finished`);
  }
}

export const partName = (i: number) => `part-${String(i).padStart(5, "0")}.parquet`;

/** JSON for a reject's row: bigint → decimal string, typed arrays → arrays, never throws. */
export function toJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v)) ?? "null";
  } catch {
    return JSON.stringify(String(value));
  }
}
