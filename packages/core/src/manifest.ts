/** `_manifest.json`, written last into every stage output (DESIGN §3). */
export interface ManifestFile {
  name: string;
  rows?: number;
  bytes: number;
  sha256: string;
}

export interface ManifestInput {
  path: string;
  contentHash: string;
}

export interface Manifest {
  /** Dataset kinds: conversations, formatted, tokens, eval-results. Directory kinds: model, adapter, report, raw. */
  kind: string;
  schemaVersion: number;
  stage: string;
  stageVersion: string;
  params: unknown;
  inputs: ManifestInput[];
  files: ManifestFile[];
  rows: number;
  rejected: number;
  /** sha256 over the files' sha256 in order: what downstream cache keys use. */
  contentHash: string;
  /** Stage-specific figures (token counts, packing efficiency, final loss, …). */
  stats?: Record<string, unknown>;
  createdAt: string;
  tool: { name: string; version: string };
}

/** What the runner knows about a stage run; the stage's writer adds files, rows and stats. */
export interface Provenance {
  stage: string;
  stageVersion: string;
  params: unknown;
  inputs: ManifestInput[];
}

export const TOOL = { name: "tooltune", version: "0.1.0" } as const;
export const MANIFEST_FILE = "_manifest.json";
export const REJECTS_FILE = "_rejects.parquet";
