import { createHash } from "node:crypto";
import { readdir, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileSha256, TooltuneError } from "@tooltune/core";

/**
 * Hash of a file's bytes, or of a directory's files (sorted relative paths + their hashes).
 * Content, never mtime (DESIGN §5, like `dvc repro`): touching a file changes nothing. The walk
 * is its own (core's listFiles sorts whole paths and leaves out manifests): changing its order
 * would change every directory dep's cache key.
 */
export async function contentHash(path: string): Promise<string> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new TooltuneError("INPUT", `'${path}' does not exist`, { where: path, fix: "create it or fix the path" });
  if (!info.isDirectory()) return fileSha256(path);
  const hash = createHash("sha256");
  for (const file of await walkFiles(path)) {
    hash.update(`${relative(path, file)}\0${await fileSha256(file)}\n`);
  }
  return hash.digest("hex");
}

async function walkFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const entry of entries) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await walkFiles(full)));
    else if (entry.isFile()) files.push(full);
  }
  return files;
}
