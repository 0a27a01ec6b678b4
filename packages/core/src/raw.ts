/**
 * readRawRecords: ingest's reader for raw input files. JSON (an array of objects), JSONL/NDJSON
 * (one object per line; a line that does not parse is yielded as `{error}` so ingest can reject
 * it and go on), and Parquet from any writer (pyarrow, Hugging Face `datasets`), row group by
 * row group, with values as CONTRIBUTING.md fixes them (int64 → bigint, dictionary → value).
 */
import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { createInterface } from "node:readline";
import { batchToRows } from "./arrow-read.js";
import { TooltuneError } from "./errors.js";
import { openParquet, rowGroupSpans } from "./parquet.js";
import { verifyInputFile } from "./verify.js";

export type RawRecord =
  /** `row`: 0-based record index; `line`: 1-based line number (JSONL only), for messages. */
  | { row: number; line?: number; value: unknown; error?: undefined }
  | { row: number; line?: number; value?: undefined; error: string };

export const RAW_EXTENSIONS = [".json", ".jsonl", ".ndjson", ".parquet"] as const;

export function readRawRecords(file: string): AsyncIterable<RawRecord> {
  const ext = extname(file).toLowerCase();
  if (ext === ".json") return verifiedFirst(file, readJsonArray(file));
  if (ext === ".jsonl" || ext === ".ndjson") return verifiedFirst(file, readJsonLines(file));
  if (ext === ".parquet") return verifiedFirst(file, readParquetRecords(file));
  throw new TooltuneError("INPUT", `unsupported raw file type '${ext || "(none)"}'`, {
    where: file, fix: `use one of ${RAW_EXTENSIONS.join(", ")}`,
  });
}

/** A raw file inside a stage output (synth's) is checked against its manifest before its first record. */
async function* verifiedFirst(file: string, records: AsyncIterable<RawRecord>): AsyncIterable<RawRecord> {
  await verifyInputFile(file);
  yield* records;
}

async function* readJsonArray(file: string): AsyncIterable<RawRecord> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, "utf8"));
  } catch (cause) {
    throw new TooltuneError("INPUT", `not valid JSON: ${cause instanceof Error ? cause.message : String(cause)}`, {
      where: file, cause, fix: "a .json input must hold one JSON array of records (use .jsonl for one record per line)",
    });
  }
  if (!Array.isArray(data)) {
    throw new TooltuneError("INPUT", `expected a JSON array of records, found ${data === null ? "null" : typeof data}`, {
      where: file, fix: "a .json input must hold one JSON array of records (use .jsonl for one record per line)",
    });
  }
  for (let row = 0; row < data.length; row++) yield { row, value: data[row] };
}

async function* readJsonLines(file: string): AsyncIterable<RawRecord> {
  const lines = createInterface({ input: createReadStream(file, "utf8"), crlfDelay: Infinity });
  let line = 0;
  let row = 0;
  for await (const text of lines) {
    line++;
    if (text.trim() === "") continue; // blank lines (often a trailing one) are not records
    try {
      yield { row, line, value: JSON.parse(text) };
    } catch (e) {
      yield { row, line, error: `line ${line} is not valid JSON: ${e instanceof Error ? e.message : String(e)}` };
    }
    row++;
  }
}

async function* readParquetRecords(file: string): AsyncIterable<RawRecord> {
  const reader = await openParquet(file);
  try {
    let row = 0;
    // raw files (HF exports) can have hundreds of small row groups: decode several per call
    for (const span of rowGroupSpans(reader.rowGroupBytes)) {
      const table = await reader.readRowGroups(span);
      for (const batch of table.batches) for (const value of batchToRows(batch)) yield { row: row++, value };
    }
  } finally {
    reader.close();
  }
}
