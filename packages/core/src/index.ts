export { TooltuneError, isTooltuneError, type ErrorCode, type ErrorDetails } from "./errors.js";
export { canonicalJson, sha256, cacheKey, type CacheKeyParts } from "./hash.js";
export { createLogger, createMemoryLogger, formatSeconds, type Logger, type Progress, type LoggerOptions } from "./log.js";
export { TOOL, MANIFEST_FILE, REJECTS_FILE, type Manifest, type ManifestFile, type ManifestInput, type Provenance } from "./manifest.js";
export { defineStage, inputOfKind, type StageDefinition, type StageContext, type StageInput } from "./stage.js";
export type { ConversationRow, MessageRow, ToolCallRow, FormattedRow, SpanRow, TokensRow, RejectRow } from "./schemas.js";
