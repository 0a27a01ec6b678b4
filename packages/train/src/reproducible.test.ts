// Same inputs, params and seed must give the same bytes wherever the run lives (issue 15). The
// quickstart's base, a fresh `init:` model, came out different in every clone and workdir: tfjs
// read the embedding's seed 0 as "no seed" and drew it from Math.random() (model/src/random.ts),
// and a rerun in the same place only looked repeatable because it resumed the finished run's
// checkpoint. Each run here is a process of its own, in directories whose path lengths differ
// (which shifts every heap allocation), on 1 and 2 native threads.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readParquetTable, tableToRows, type StageInput } from "@tooltune/core";
import { selectBackend } from "@tooltune/model";
import { tinyInit, writeTokensFixture } from "./test-fixtures.js";

// The child's working directory is elsewhere, so tsx is named by its file (its "." export).
const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const noNative = await selectBackend("native").then(() => null, (e: Error) => e.message);

// init seed 0 is the default (the quickstart's); dropout > 0 so LoRA's native masks are covered.
const full = { init: { ...tinyInit, seed: 0 }, mode: "full", lr: 1e-2, warmup_ratio: 0, max_steps: 4, batch_size: 4, grad_accum: 1, checkpoint_every: 2, weight_decay: 0, backend: "native" };
const lora = { mode: "lora", lora: { r: 4, alpha: 8, dropout: 0.1, target_modules: ["q_proj", "v_proj", "lm_head"] }, lr: 5e-3, max_steps: 3, batch_size: 4, grad_accum: 2, backend: "native" };
const FILES = ["full/model.safetensors", "full/config.json", "adapter/adapter_model.safetensors", "adapter/adapter_config.json"];

let root: string;
let tokens: StageInput;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "tooltune-repro-"));
  tokens = await writeTokensFixture(join(root, "tokens"));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.skipIf(noNative !== null)(`train output is the same bytes in any directory and on 1 or 2 threads${noNative ? ` (skipped: ${noNative})` : ""}`, () => {
  // Two processes that differ in both path length and threads (each run costs ~10 s, minutes on a
  // loaded machine): a result that depended on either would show here.
  it("full then LoRA on it: a short path on 1 thread and a long one on 2 give the same files", async () => {
    const runs = [
      { dir: join(root, "a"), threads: 1 },
      { dir: join(root, "a-directory-whose-name-is-much-longer-than-the-other", "and", "nested", "deeper"), threads: 2 },
    ];
    const results = [];
    for (const r of runs) results.push(await trainIn(r.dir, r.threads));
    for (const [i, r] of results.entries()) {
      expect(r.threads, runs[i].dir).toBe(runs[i].threads);
      expect(r.hashes, `${runs[i].dir}, ${runs[i].threads} threads`).toEqual(results[0].hashes);
      expect(r.losses).toEqual(results[0].losses);
    }
    // what the bytes do depend on is in the manifest: the backend and its micro-kernel
    expect(JSON.parse(readFileSync(join(runs[0].dir, "full", "_manifest.json"), "utf8")).stats).toMatchObject({ backend: "native", micro_kernel: expect.stringMatching(/^(avx2|portable)$/) });
    // the adapter names its base relative to itself, never by this run's absolute path
    expect(JSON.parse(readFileSync(join(runs[0].dir, "adapter", "adapter_config.json"), "utf8")).base_model_name_or_path).toBe("../full");
  }, 600_000);
});

/** Runs the child in `dir` (also its working directory) and returns the files' sha256 and the losses. */
async function trainIn(dir: string, threads: number): Promise<{ hashes: Record<string, string>; losses: number[]; threads: number }> {
  mkdirSync(dir, { recursive: true });
  const script = fileURLToPath(new URL("./test-child-repro.ts", import.meta.url));
  const child = spawn(process.execPath, ["--conditions=tooltune-src", "--import", tsx, script, JSON.stringify({ tokens, dir, full, lora })], {
    cwd: dir, env: { ...process.env, TOOLTUNE_THREADS: String(threads) }, stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((done) => child.on("exit", done));
  expect(code, out).toBe(0);
  const hashes: Record<string, string> = {};
  for (const f of FILES) hashes[f] = createHash("sha256").update(readFileSync(join(dir, f))).digest("hex");
  // every file of both outputs, as the manifest's contentHash covers them: what downstream cache keys see
  for (const stage of ["full", "adapter"]) hashes[`${stage}/contentHash`] = JSON.parse(readFileSync(join(dir, stage, "_manifest.json"), "utf8")).contentHash;
  const losses = [];
  for (const stage of ["full", "adapter"]) losses.push(...tableToRows(await readParquetTable(join(dir, stage, "train_log.parquet"))).map((r) => Number(r.loss)));
  return { hashes, losses, threads: Number(/threads=(\d+)/.exec(out)?.[1] ?? NaN) };
}
