import { readFile, rename, writeFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { z } from "zod";
import { TooltuneError } from "@tooltune/core";

/** One input of a stage run: an upstream output, a file dependency, the module's source or the seed. */
export const InputHashSchema = z.object({
  /** `stage:<name>`, `file:<path>`, `module:<path>` or `seed`. */
  from: z.string(),
  hash: z.string(),
});
export type InputHash = z.infer<typeof InputHashSchema>;

/** What ran for one stage: enough to say later why it is stale (`tooltune status`). */
export const LockEntrySchema = z.object({
  kind: z.string(),
  stageVersion: z.string(),
  key: z.string(),
  params: z.unknown(),
  inputs: z.array(InputHashSchema),
  outputHash: z.string(),
  rows: z.number(),
  rejected: z.number(),
  finishedAt: z.string(),
  seconds: z.number(),
});
export type LockEntry = z.infer<typeof LockEntrySchema>;

export const LockSchema = z.object({
  version: z.literal(1),
  pipeline: z.string(),
  stages: z.record(z.string(), LockEntrySchema),
});
export type Lock = z.infer<typeof LockSchema>;

export const emptyLock = (pipeline: string): Lock => ({ version: 1, pipeline, stages: {} });

export async function readLock(path: string, pipeline: string): Promise<Lock> {
  const text = await readFile(path, "utf8").catch((e: NodeJS.ErrnoException) => {
    if (e.code === "ENOENT") return undefined;
    throw e;
  });
  if (text === undefined) return emptyLock(pipeline);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw badLock(path, "is not valid JSON", cause);
  }
  const parsed = LockSchema.safeParse(json);
  if (!parsed.success) throw badLock(path, `does not look like a tooltune lock file (${parsed.error.issues[0]?.message})`);
  return parsed.data;
}

const badLock = (path: string, what: string, cause?: unknown) =>
  new TooltuneError("INPUT", `the lock file ${what}`, {
    where: path,
    fix: "delete it: every stage then runs once and the lock file is written anew",
    cause,
  });

/** Written whole into a sibling then renamed, so a crash never leaves half a lock file. */
export async function writeLock(path: string, lock: Lock): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, JSON.stringify(lock, null, 2) + "\n");
  await rename(tmp, path);
}
