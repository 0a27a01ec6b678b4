/**
 * DatasetWriter: rows in, a dataset directory out (DESIGN §3): `part-NNNNN.parquet` shards of at
 * most `rowsPerFile` rows in row groups of at most `rowGroupRows`, `_rejects.parquet` when any
 * row was rejected, and `_manifest.json` written last.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Schema } from "apache-arrow";
import { Arena, rowsToBatch } from "./arrow-build.js";
import { arrowSchemas } from "./arrow-schemas.js";
import { TooltuneError } from "./errors.js";
import { describeFile } from "./files.js";
import { REJECTS_FILE, writeManifest, type Manifest, type ManifestFile, type Provenance } from "./manifest.js";
import { ParquetFileWriter, writeParquetFile, type Compression } from "./parquet-write.js";
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
  private pending: object[] = [];
  private readonly arena = new Arena();
  private part: ParquetFileWriter | null = null;
  private partRows = 0;
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

  /**
   * Add rows (typed rows such as TokensRow, or plain objects). Each full row group is converted
   * to Arrow and streamed into the current part file at once, so memory holds one row group.
   */
  async write(rows: Iterable<object>): Promise<void> {
    this.assertOpen();
    for (const row of rows) {
      this.pending.push(row);
      if (this.pending.length === this.options.rowGroupRows || this.partRows + this.pending.length === this.options.rowsPerFile) {
        await this.writeRowGroup();
      }
    }
  }

  reject(reject: RejectInput): void {
    this.assertOpen();
    this.rejected.push({ source: reject.source, reason: reject.reason, row: reject.row === undefined ? null : toJson(reject.row) });
  }

  get rowCount(): number {
    return this.rows + this.partRows + this.pending.length;
  }

  get rejectCount(): number {
    return this.rejected.length;
  }

  /**
   * Write what is buffered, `_rejects.parquet`, and then `_manifest.json`. `sideFiles`: other files
   * the stage wrote into the directory (eval's metrics.json, report.html), listed with their sha256
   * so the contentHash covers them and readers can verify them.
   */
  async finish(provenance: Provenance, stats?: Record<string, unknown>, sideFiles: string[] = []): Promise<Manifest> {
    this.assertOpen();
    // An empty dataset still gets one (empty) part so that readers learn its schema.
    if (this.pending.length > 0 || this.files.length + (this.part ? 1 : 0) === 0) await this.writeRowGroup();
    if (this.part) await this.closePart();
    if (this.rejected.length > 0) {
      const batch = rowsToBatch(arrowSchemas.rejects, this.rejected, REJECTS_FILE);
      const written = await writeParquetFile(join(this.dir, REJECTS_FILE), arrowSchemas.rejects, [batch], this.parquetOptions());
      this.files.push({ name: REJECTS_FILE, rows: this.rejected.length, ...written });
    }
    for (const name of sideFiles) this.files.push(await describeFile(this.dir, name));
    this.finished = true;
    return writeManifest(this.dir, {
      kind: this.kind, schemaVersion: this.options.schemaVersion, files: this.files,
      rows: this.rows, rejected: this.rejected.length, stats,
    }, provenance);
  }

  private async writeRowGroup(): Promise<void> {
    // errors name the row's index among all rows written, which is what the caller can find
    this.arena.reset(); // the previous row group is already copied into wasm
    const batch = rowsToBatch(this.schema, this.pending, this.dir, this.rowCount - this.pending.length, this.arena);
    this.part ??= ParquetFileWriter.create(join(this.dir, partName(this.files.length)), this.schema, this.parquetOptions());
    await this.part.write(batch);
    this.partRows += this.pending.length;
    this.pending = [];
    if (this.partRows === this.options.rowsPerFile) await this.closePart();
  }

  private async closePart(): Promise<void> {
    const written = await this.part!.close();
    this.files.push({ name: partName(this.files.length), rows: this.partRows, ...written });
    this.rows += this.partRows;
    this.part = null;
    this.partRows = 0;
  }

  private parquetOptions() {
    return { compression: this.options.compression, rowGroupRows: this.options.rowGroupRows };
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
