export { TooltuneError, isTooltuneError, type ErrorCode, type ErrorDetails } from "./errors.js";
export { canonicalJson, sha256, cacheKey, type CacheKeyParts } from "./hash.js";
export { createLogger, createMemoryLogger, formatSeconds, type Logger, type Progress, type LoggerOptions } from "./log.js";
export {
  TOOL, MANIFEST_FILE, REJECTS_FILE, manifestSchema, readManifest,
  type Manifest, type ManifestFile, type ManifestInput, type Provenance,
} from "./manifest.js";
export { defineStage, inputOfKind, type StageDefinition, type StageContext, type StageInput } from "./stage.js";
export type { ConversationRow, MessageRow, ToolCallRow, FormattedRow, SpanRow, TokensRow, RejectRow, EvalResultRow, ParseStatus } from "./schemas.js";
export { arrowSchemas, type DatasetKind } from "./arrow-schemas.js";
export { rowsToBatch } from "./arrow-build.js";
export { tableToRows } from "./arrow-read.js";
export { readParquetTable, wasmHeapBytes } from "./parquet.js";
export { writeParquetFile, type Compression, type ParquetWriteOptions, type WrittenFile } from "./parquet-write.js";
export { DatasetWriter, type DatasetWriterOptions, type RejectInput } from "./dataset-writer.js";
export { openDataset, type Dataset, type Row, type ReadOptions } from "./dataset-reader.js";
export { atomicOutput, removeStaleTemps, finishDirectory, describeFile, fileSha256, listFiles } from "./files.js";
export { verifyInputFileSync, verifyOutputFiles } from "./verify.js";
export { readJsonFile } from "./json-file.js";
export { readRawRecords, RAW_EXTENSIONS, type RawRecord } from "./raw.js";
