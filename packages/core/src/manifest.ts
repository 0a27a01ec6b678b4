import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { TooltuneError } from "./errors.js";
import { sha256 } from "./hash.js";

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

// ---- reading and writing `_manifest.json` -------------------------------------------------


export const manifestSchema = z.object({
  kind: z.string(),
  schemaVersion: z.number().int(),
  stage: z.string(),
  stageVersion: z.string(),
  params: z.unknown(),
  inputs: z.array(z.object({ path: z.string(), contentHash: z.string() })),
  files: z.array(z.object({ name: z.string(), rows: z.number().int().optional(), bytes: z.number().int(), sha256: z.string() })),
  rows: z.number().int(),
  rejected: z.number().int(),
  contentHash: z.string(),
  stats: z.record(z.string(), z.unknown()).optional(),
  createdAt: z.string(),
  tool: z.object({ name: z.string(), version: z.string() }),
});

/** sha256 over the files' sha256 hex strings in order, newline-separated. */
export function contentHashOf(files: readonly ManifestFile[]): string {
  return sha256(files.map((f) => f.sha256).join("\n"));
}

export interface ManifestBody {
  kind: string;
  schemaVersion?: number;
  files: ManifestFile[];
  rows: number;
  rejected: number;
  stats?: Record<string, unknown>;
}

/** Build the manifest and write it into `dir` (always the last file a stage writes). */
export async function writeManifest(dir: string, body: ManifestBody, provenance: Provenance): Promise<Manifest> {
  const manifest: Manifest = {
    kind: body.kind,
    schemaVersion: body.schemaVersion ?? 1,
    stage: provenance.stage,
    stageVersion: provenance.stageVersion,
    params: provenance.params ?? {},
    inputs: provenance.inputs ?? [],
    files: body.files,
    rows: body.rows,
    rejected: body.rejected,
    contentHash: contentHashOf(body.files),
    ...(body.stats ? { stats: body.stats } : {}),
    createdAt: new Date().toISOString(),
    tool: { ...TOOL },
  };
  const path = join(dir, MANIFEST_FILE);
  await writeFile(path, JSON.stringify(manifest, null, 2) + "\n").catch((cause: unknown) => {
    throw new TooltuneError("STAGE", `cannot write ${MANIFEST_FILE}: ${(cause as Error).message}`, { where: path, cause }); // fs errors name no file
  });
  return manifest;
}

export async function readManifest(dir: string): Promise<Manifest> {
  const path = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw new TooltuneError("INPUT", `${dir} has no ${MANIFEST_FILE}: it is not a finished stage output (incomplete or interrupted write?)`, {
      where: path, cause, fix: "rerun the stage that writes it",
    });
  }
  return parseManifest(text, path);
}

/** The text of a `_manifest.json` at `path`, validated. */
export function parseManifest(text: string, path: string): Manifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new TooltuneError("INPUT", `${MANIFEST_FILE} is not valid JSON`, { where: path, cause, fix: "rerun the stage that writes it" });
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TooltuneError("INPUT", `${MANIFEST_FILE} is malformed: ${issue.path.join(".")}: ${issue.message}`, {
      where: `${path}:${issue.path.join(".")}`, fix: "rerun the stage that writes it",
    });
  }
  return parsed.data as Manifest;
}
