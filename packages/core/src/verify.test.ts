import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { finishDirectory, openDataset, readRawRecords, TooltuneError, verifyInputFileSync } from "./index.js";
import { verifyInputFile } from "./verify.js";
import { copyStage, conversation } from "./test-stage.js";
import { corruptFile, runStageForTest, withTmpfs, writeTestDataset } from "./testing-helpers.js";

const provenance = { stage: "train", stageVersion: "1", params: {}, inputs: [] };
let root: string;
beforeAll(async () => { root = await mkdtemp(join(tmpdir(), "tt-verify-")); });
afterAll(async () => { await rm(root, { recursive: true, force: true }); });

/** A finished directory output holding `tokenizer/tokenizer.json` and `model.bin`. */
async function output(name: string): Promise<string> {
  const dir = join(root, name);
  await mkdir(join(dir, "tokenizer"), { recursive: true });
  await writeFile(join(dir, "tokenizer", "tokenizer.json"), JSON.stringify({ vocab: Array.from({ length: 500 }, (_, i) => `t${i}`) }));
  await writeFile(join(dir, "model.bin"), Buffer.alloc(3000, 7));
  await finishDirectory(dir, "model", provenance);
  return dir;
}

const sync = async (path: string) => verifyInputFileSync(path);

describe("verifyInputFile", () => {
  for (const [label, verify] of [["async", verifyInputFile], ["sync", sync]] as const) {
    it(`${label}: passes an intact file, refuses a truncated or bit-flipped one naming it and its output`, async () => {
      const dir = await output(`out-${label}`);
      const file = join(dir, "tokenizer", "tokenizer.json");
      await verify(file);
      await verify(join(dir, "model.bin"));
      await corruptFile(file, "flip");
      const flipped = await verify(file).catch((e: unknown) => e);
      expect(flipped).toBeInstanceOf(TooltuneError);
      expect(flipped).toMatchObject({ code: "INPUT", where: file });
      expect((flipped as TooltuneError).message).toMatch(new RegExp(`^tokenizer/tokenizer\\.json in the 'train' output ${dir} is damaged: its sha256 is [0-9a-f]{12}…, the manifest lists [0-9a-f]{12}…`));
      expect((flipped as TooltuneError).fix).toContain(`--force --only out-${label}`);
      await corruptFile(join(dir, "model.bin"), "truncate");
      await expect(verify(join(dir, "model.bin"))).rejects.toThrow(/model\.bin in the 'train' output .* is damaged: the manifest lists 3000 bytes, the file has 1500 \(truncated/);
      await rm(join(dir, "model.bin"));
      await expect(verify(join(dir, "model.bin"))).rejects.toThrow(/model\.bin, listed in the manifest of .*, is missing/);
    });
  }

  it("checks nothing outside a stage output, or a file its manifest does not list", async () => {
    const loose = join(root, "loose.bin");
    await writeFile(loose, "anything");
    await verifyInputFile(loose);
    verifyInputFileSync(loose);
    const dir = await output("extra");
    await writeFile(join(dir, "notes.txt"), "added later");
    await verifyInputFile(join(dir, "notes.txt"));
  });

  it("hashes a file once per process: same size and mtime are trusted, a new mtime is checked again", async () => {
    const dir = await output("cached");
    const file = join(dir, "model.bin");
    const t0 = 1_700_000_000; // whole seconds, so that setting it back is exact
    await utimes(file, t0, t0);
    await verifyInputFile(file);
    await writeFile(file, Buffer.alloc(3000, 8)); // same size, other bytes
    await utimes(file, t0, t0);
    await verifyInputFile(file); // cached: not read again
    await utimes(file, t0, t0 + 5);
    await expect(verifyInputFile(file)).rejects.toThrow(/model\.bin .* is damaged: its sha256/);
  });

  it("openDataset and readRawRecords refuse a damaged part before reading a row", async () => {
    const input = await writeTestDataset(join(root, "convs"), "conversations", Array.from({ length: 30 }, (_, i) => conversation(i)));
    const part = join(input.path, input.manifest.files[0].name);
    await corruptFile(part, "truncate");
    await expect(openDataset(input.path)).rejects.toMatchObject({ code: "INPUT", where: part });
    const rows = async () => { for await (const _ of readRawRecords(part)) { /* read */ } };
    await expect(rows()).rejects.toMatchObject({ code: "INPUT", where: part });
  });
});

describe("a full disk", () => {
  it("fails the stage with a clear ENOSPC error, leaves no output and no temp dir; with room it succeeds", async (t) => {
    // 300 conversations of ~2 KB each: about 100 KB of Parquet (zstd does little on random text),
    // into a 64 KiB tmpfs
    const rows = Array.from({ length: 300 }, (_, i) => ({ ...conversation(i), meta: Buffer.from(Array.from({ length: 1500 }, (_, j) => (i * 7919 + j * 104729) % 251)).toString("base64") }));
    const input = await writeTestDataset(join(root, "big"), "conversations", rows);
    const disk = join(root, "small-disk");
    const outcome = await withTmpfs(disk, 64, async () => {
      const finalDir = join(disk, "copy");
      const err = await runStageForTest(copyStage, { params: {}, inputs: [input], finalDir }).catch((e: unknown) => e);
      return { err, left: await readdir(disk), finalDir };
    });
    if ("skipped" in outcome) {
      console.log(`full-disk test skipped: ${outcome.skipped}`);
      t.skip();
      return;
    }
    const { err, left, finalDir } = outcome.result;
    expect(err).toBeInstanceOf(TooltuneError);
    expect(err).toMatchObject({ code: "STAGE" });
    expect((err as TooltuneError).message).toMatch(new RegExp(`^the disk is full \\(ENOSPC: no space left on device\\) while writing ${disk}/copy\\.tmp-[0-9a-f]+/part-\\d{5}\\.parquet; the partial output was removed and ${finalDir} is untouched$`));
    expect(left).toEqual([]); // no output, no temp dir
    const ok = await runStageForTest(copyStage, { params: {}, inputs: [input], finalDir: join(root, "roomy") });
    expect(ok.rows).toBe(300);
    expect(existsSync(disk) && (await readdir(disk)).length).toBe(0);
    expect((await readFile(join(root, "roomy", "_manifest.json"), "utf8")).length).toBeGreaterThan(0);
  });
});
