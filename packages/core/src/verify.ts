/**
 * Input verification: a file inside a finished stage output (the nearest directory above it that
 * has a `_manifest.json`, which lists the file) is checked against the manifest's size and sha256
 * before a reader uses it, so a truncated or bit-flipped Parquet part, safetensors file or
 * tokenizer file is refused with its name instead of being decoded into wrong rows or weights.
 * The size check (a stat) comes first; the sha256 is streamed, once per file per process: a file
 * verified at a given size, mtime and expected hash is not hashed again. Files outside any output
 * (a base model given by path, the shipped tokenizer) have nothing to be checked against.
 */
import { createHash } from "node:crypto";
import { closeSync, createReadStream, existsSync, openSync, readFileSync, readSync, statSync, type Stats } from "node:fs";
import { stat } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { TooltuneError } from "./errors.js";
import { MANIFEST_FILE, parseManifest, type Manifest, type ManifestFile } from "./manifest.js";

interface Listed {
  /** The output directory whose manifest lists the file. */
  dir: string;
  manifest: Manifest;
  entry: ManifestFile;
  path: string;
}

// 1 MiB reads: large enough for full hashing speed; fresh memory is slow to first touch here, so
// the sync reader keeps its buffer
const CHUNK = 1 << 20;
let syncChunk: Buffer | undefined;

/** `${path}\0${size}\0${mtime}\0${sha256}` of every file that matched its manifest in this process. */
const verified = new Set<string>();

/** Check `path` against the manifest of the output it is in (if any) before it is read. */
export async function verifyInputFile(path: string): Promise<void> {
  const listed = listingOf(path);
  if (listed) await verifyListed(listed);
}

/** `verifyInputFile` for synchronous readers (safetensors, configs, tokenizer files). */
export function verifyInputFileSync(path: string): void {
  const listed = listingOf(path);
  if (!listed) return;
  const key = checkSize(listed, statOrMissing(listed));
  if (verified.has(key)) return;
  const hash = createHash("sha256");
  const chunk = (syncChunk ??= Buffer.allocUnsafe(CHUNK));
  const fd = openSync(listed.path, "r");
  try {
    for (let n; (n = readSync(fd, chunk, 0, chunk.length, null)) > 0; ) hash.update(chunk.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  checkHash(listed, hash.digest("hex"), key);
}

/** Every file a manifest lists, all sizes first (cheap), then their hashes. */
export async function verifyOutputFiles(dir: string, manifest: Manifest): Promise<void> {
  dir = resolve(dir); // the cache keys absolute paths, as listingOf does
  const all = manifest.files.map((entry) => ({ dir, manifest, entry, path: join(dir, entry.name) }));
  for (const listed of all) checkSize(listed, await statOrMissingAsync(listed));
  for (const listed of all) await verifyListed(listed);
}

async function verifyListed(listed: Listed): Promise<void> {
  const key = checkSize(listed, await statOrMissingAsync(listed));
  if (verified.has(key)) return;
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(listed.path, { highWaterMark: CHUNK })) hash.update(chunk as Buffer);
  checkHash(listed, hash.digest("hex"), key);
}

/** The output that lists `path`: the nearest ancestor with a manifest, if that manifest names the file. */
function listingOf(path: string): Listed | undefined {
  const abs = resolve(path);
  for (let dir = dirname(abs); ; dir = dirname(dir)) {
    const manifestPath = join(dir, MANIFEST_FILE);
    if (existsSync(manifestPath)) {
      const manifest = parseManifest(readFileSync(manifestPath, "utf8"), manifestPath);
      const name = relative(dir, abs).split(sep).join("/");
      const entry = manifest.files.find((f) => f.name === name);
      return entry && { dir, manifest, entry, path: abs };
    }
    if (dirname(dir) === dir) return undefined;
  }
}

function statOrMissing(listed: Listed): Stats {
  try {
    return statSync(listed.path);
  } catch (cause) {
    throw missing(listed, cause);
  }
}

async function statOrMissingAsync(listed: Listed): Promise<Stats> {
  try {
    return await stat(listed.path);
  } catch (cause) {
    throw missing(listed, cause);
  }
}

const missing = (listed: Listed, cause: unknown) =>
  new TooltuneError("INPUT", `${listed.entry.name}, listed in the manifest of ${listed.dir}, is missing`, { where: listed.path, cause, fix: fixFor(listed) });

/** Throws when the size differs; returns the cache key of the file as it is now. */
function checkSize(listed: Listed, s: Stats): string {
  const { entry } = listed;
  if (s.size !== entry.bytes) {
    throw damaged(listed, `the manifest lists ${entry.bytes} bytes, the file has ${s.size} (${s.size < entry.bytes ? "truncated" : "appended to"} after the stage wrote it)`);
  }
  return `${listed.path}\0${s.size}\0${s.mtimeMs}\0${entry.sha256}`;
}

function checkHash(listed: Listed, found: string, key: string): void {
  if (found !== listed.entry.sha256) {
    throw damaged(listed, `its sha256 is ${found.slice(0, 12)}…, the manifest lists ${listed.entry.sha256.slice(0, 12)}… (flipped bits, a bad copy, or an edit after the stage wrote it)`);
  }
  verified.add(key);
}

function damaged(listed: Listed, detail: string): TooltuneError {
  return new TooltuneError("INPUT", `${listed.entry.name} in the '${listed.manifest.stage}' output ${listed.dir} is damaged: ${detail}; it was not read`, {
    where: listed.path, fix: fixFor(listed),
  });
}

const fixFor = (listed: Listed) =>
  `make the output again: \`tooltune run <pipeline> --force --only ${basename(listed.dir)}\` (or delete ${listed.dir} and rerun)`;
