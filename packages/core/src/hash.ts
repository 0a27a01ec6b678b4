import { createHash } from "node:crypto";

/**
 * JSON with object keys sorted at every depth, so that two equal values always give the same
 * text (DVC's `dict_hash` idea): cache keys must not depend on YAML key order.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object" && !ArrayBuffer.isView(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value as object).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

export function sha256(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

export interface CacheKeyParts {
  kind: string;
  stageVersion: string;
  params: unknown;
  inputHashes: string[];
}

/** The one cache-key function (STYLE §9): hash of canonical JSON of kind, version, params, inputs. */
export function cacheKey(parts: CacheKeyParts): string {
  return sha256(canonicalJson(parts));
}
