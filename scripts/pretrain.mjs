#!/usr/bin/env node
// `npm run pretrain`: re-creates the quickstart's base. Runs pipelines/pretrain.yaml, then compares
// the trained base with the committed one in models/quickstart-base, file by file (sha256): the same
// pipeline, code and seed must give the same bytes. `-- --update` copies the new base there instead.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

const RUN = "runs/pretrain";
const MODEL = "models/quickstart-base";
// What a model directory needs (compared), and what documents how it was made (copied only: the
// train log records tokens per second, the manifest the run's paths and times).
const WEIGHTS = ["config.json", "model.safetensors", "tokenizer"];
const FILES = [...WEIGHTS, "train_log.parquet", "loss_curve.svg"];
const update = process.argv.includes("--update");

const run = spawnSync(process.execPath, ["packages/cli/bin/tooltune.js", "run", "pipelines/pretrain.yaml", ...process.argv.slice(2).filter((a) => a !== "--update")], { stdio: "inherit" });
if (run.status !== 0) process.exit(run.status ?? 1);

const sha = (file) => createHash("sha256").update(readFileSync(file)).digest("hex");
const filesUnder = (dir) => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? filesUnder(join(dir, n)) : [join(dir, n)]));
const hashes = (root) => Object.fromEntries(WEIGHTS.flatMap((f) => (statSync(join(root, f)).isDirectory() ? filesUnder(join(root, f)) : [join(root, f)])).map((p) => [relative(root, p), sha(p)]));

const fresh = hashes(join(RUN, "base"));
if (update || !existsSync(MODEL)) {
  rmSync(MODEL, { recursive: true, force: true });
  mkdirSync(MODEL, { recursive: true });
  for (const f of FILES) cpSync(join(RUN, "base", f), join(MODEL, f), { recursive: true });
  writeFileSync(join(MODEL, "pretrain.json"), JSON.stringify(corpusStats(), null, 2) + "\n");
  console.log(`pretrain: wrote ${MODEL}`);
  process.exit(0);
}
const committed = hashes(MODEL);
const differ = Object.keys({ ...fresh, ...committed }).filter((f) => fresh[f] !== committed[f]);
for (const f of Object.keys(fresh).sort()) console.log(`${fresh[f] === committed[f] ? "same  " : "DIFFER"} ${f} ${fresh[f].slice(0, 16)}`);
console.log(differ.length ? `pretrain: ${differ.length} file(s) differ from ${MODEL}` : `pretrain: bit for bit the committed ${MODEL}`);
process.exit(differ.length ? 1 : 0);

/** Each stage's params and statistics, from the run's manifests: what the base was trained on. */
function corpusStats() {
  const lock = JSON.parse(readFileSync(join(RUN, "pipeline.lock.json"), "utf8"));
  const stages = {};
  for (const name of Object.keys(lock.stages ?? {})) {
    const m = JSON.parse(readFileSync(join(RUN, name, "_manifest.json"), "utf8"));
    stages[name] = { kind: m.kind, stage: m.stage, params: m.params, rows: m.rows, stats: m.stats };
  }
  return { pipeline: "pipelines/pretrain.yaml", stages };
}
