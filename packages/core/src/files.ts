/**
 * Whole-directory outputs: atomic writes through a temporary sibling, stale-temp cleanup, and
 * manifests for directories that are not datasets (model, adapter, report).
 */
import { randomBytes, createHash } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join, relative, sep } from "node:path";
import { TooltuneError } from "./errors.js";
import { MANIFEST_FILE, writeManifest, type Manifest, type ManifestFile, type Provenance } from "./manifest.js";

const TMP_MARK = ".tmp-";

/**
 * Run `write(tmpDir)` into `<finalDir>.tmp-<random>`, then move the result to `finalDir`. On
 * failure the temp dir is removed and `finalDir` is untouched. A process killed midway leaves at
 * most a `.tmp-` sibling (never a manifest at `finalDir`), which `removeStaleTemps` clears.
 */
export async function atomicOutput<T>(finalDir: string, write: (tmpDir: string) => Promise<T>, options: { requireManifest?: boolean } = {}): Promise<T> {
  await mkdir(dirname(finalDir), { recursive: true });
  const tmpDir = `${finalDir}${TMP_MARK}${randomBytes(6).toString("hex")}`;
  await mkdir(tmpDir);
  let result: T;
  try {
    result = await write(tmpDir);
    if ((options.requireManifest ?? true) && !existsSync(join(tmpDir, MANIFEST_FILE))) {
      throw new TooltuneError("STAGE", `the output has no ${MANIFEST_FILE}`, {
        where: finalDir, fix: "finish the output with DatasetWriter.finish or finishDirectory",
      });
    }
  } catch (e) {
    await rm(tmpDir, { recursive: true, force: true });
    throw diskFull(e, finalDir) ?? e;
  }
  // rename() cannot replace a non-empty directory: move the old one aside (still a `.tmp-` name,
  // so a kill here leaves only cleanable temps and no `finalDir`), then swap in the new one.
  const old = `${finalDir}${TMP_MARK}old-${randomBytes(6).toString("hex")}`;
  const hadOld = existsSync(finalDir);
  if (hadOld) await rename(finalDir, old);
  await rename(tmpDir, finalDir);
  if (hadOld) await rm(old, { recursive: true, force: true });
  return result;
}

/**
 * A write that failed because the disk (or quota) is full, found anywhere in `e`'s cause chain
 * (stages and the Parquet writer wrap fs errors), as one clear error naming where it happened.
 */
function diskFull(e: unknown, finalDir: string): TooltuneError | undefined {
  let where: string | undefined; // the innermost file named on the way down
  for (let x: unknown = e, depth = 0; x instanceof Error && depth < 8; depth++, x = x.cause) {
    const errno = x as NodeJS.ErrnoException;
    if (x instanceof TooltuneError || x.name === "TooltuneError") where = (x as TooltuneError).where ?? where;
    if (errno.code !== "ENOSPC" && errno.code !== "EDQUOT") continue;
    where = errno.path ?? where ?? finalDir;
    return new TooltuneError("STAGE", `the disk is full (${errno.code}: no space left on device) while writing ${where}; the partial output was removed and ${finalDir} is untouched`, {
      where, cause: e, stage: e instanceof TooltuneError ? e.stage : undefined,
      fix: `free space on the disk that holds ${dirname(finalDir)} (or move the workdir to a bigger one) and run again`,
    });
  }
  return undefined;
}

/** Remove `<finalDir>.tmp-*` siblings left by killed runs. Returns the removed paths. */
export async function removeStaleTemps(finalDir: string): Promise<string[]> {
  const parent = dirname(finalDir);
  const prefix = basename(finalDir) + TMP_MARK;
  if (!existsSync(parent)) return [];
  const stale = (await readdir(parent)).filter((n) => n.startsWith(prefix)).map((n) => join(parent, n));
  for (const p of stale) await rm(p, { recursive: true, force: true });
  return stale;
}

/** sha256 (hex) of a file's bytes, streamed (model weights can be large). */
export async function fileSha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** sha256 and size of one file. */
export async function describeFile(dir: string, name: string, rows?: number): Promise<ManifestFile> {
  const path = join(dir, name);
  const { size } = await stat(path);
  return { name, ...(rows === undefined ? {} : { rows }), bytes: size, sha256: await fileSha256(path) };
}

/** Every file under `dir`, relative, `/`-separated, sorted (the manifest excluded). */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join("/"))
    .filter((n) => n !== MANIFEST_FILE)
    .sort();
}

/** The manifest of a non-dataset output (model, adapter, report): every file, rows 0. */
export async function finishDirectory(dir: string, kind: string, provenance: Provenance, stats?: Record<string, unknown>): Promise<Manifest> {
  const files: ManifestFile[] = [];
  for (const name of await listFiles(dir)) files.push(await describeFile(dir, name));
  return writeManifest(dir, { kind, files, rows: 0, rejected: 0, stats }, provenance);
}
