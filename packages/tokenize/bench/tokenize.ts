/**
 * `npm run bench -- tokenize`: tokens/s of the Qwen3 bundle on ~2 MB of the repository's shared
 * data (tool-calling JSON, conversations, BFCL questions) cut into 2,000-character documents.
 * Prints figures, asserts nothing.
 *
 * Python `tokenizers` runs in the same run on the same text (issue 18: "tokenize per core ≥ HF
 * tokenizers"): the bench saves its tokenizer.json and documents to a temp dir and runs
 * hf_tokenize.py (TOOLTUNE_PYTHON, else python3; skip with --no-python) between its own rounds, so
 * both see the same load. Per CPU-second of the whole process (all threads) is the figure to
 * compare on a shared machine; wall is printed too.
 *
 * - ours, encode (ids), sequential: one document at a time, awaited
 * - ours, ids + offsets + loss mask: what the stage does per example (encodeWithOffsets, code point →
 *   UTF-16 offsets, lossMask), one at a time and 64 in flight (how the stage runs: libuv's pool)
 * - Python, one thread: encode one at a time and encode_batch, ids and offsets read into Python lists
 *   (no loss mask: Python is not charged for one)
 * - the whole stage on 3000 synthetic conversations (format: chatml, course tokens), as the
 *   quickstart runs it: wall time and the manifest's figures for each max_length / vocab setting
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { StageInput } from "@tooltune/core";
import { runStageForTest, writeTestDataset } from "@tooltune/core/testing";
import { formatStage, generateConversations } from "@tooltune/format";
import { tokenizeStage } from "../src/stage.js";
import { loadTokenizerBundle } from "../src/bundle.js";
import { lossMask } from "../src/mask.js";
import { sharedData } from "@tooltune/core/shared-data";

const DATA = pathToFileURL(sharedData("/"));
const FILES = ["glaive_toolcall_en_demo/glaive_toolcall_en_demo.json", "tau_bench_gpt4o_airline/gpt-4o-airline.json", "bfcl/BFCL_v4_live_simple.json", "course/notebook_examples.jsonl"];
const DOC = 2000;
const BUDGET = 2_000_000; // characters
const REPEATS = 5;

function corpus(): string[] {
  const docs: string[] = [];
  let chars = 0;
  // Round-robin over files so the mix does not depend on which file is biggest.
  const texts = FILES.map((f) => readFileSync(new URL(f, DATA), "utf8"));
  for (let at = 0; chars < BUDGET && texts.some((t) => at < t.length); at += DOC) {
    for (const t of texts) {
      if (at >= t.length) continue;
      const doc = t.slice(at, at + DOC);
      docs.push(doc);
      chars += doc.length;
    }
  }
  return docs;
}

interface Rate {
  tokens: number;
  /** Tokens per second (in the table: medians over the rounds). */
  wall: number;
  cpu: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/**
 * Tokens per second of wall time and per CPU-second of this process (all its threads, libuv's pool
 * included): on a shared machine the second is the steadier figure.
 */
async function once(run: (docs: string[]) => Promise<number>, docs: string[]): Promise<Rate> {
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  const tokens = await run(docs);
  const used = process.cpuUsage(cpu0);
  return { tokens, wall: tokens / ((performance.now() - start) / 1000), cpu: tokens / ((used.user + used.system) / 1e6) };
}

const fmt = (label: string, r: Rate) => `${label.padEnd(56)} ${r.tokens} tokens  ${(r.wall / 1e6).toFixed(3)} M tokens/s wall, ${(r.cpu / 1e6).toFixed(3)} M per CPU-second`;

const bundle = loadTokenizerBundle("qwen3");
bundle.addSpecialTokens(["<tools>", "</tools>", "<think>", "</think>", "<tool_call>", "</tool_call>", "<tool_response>", "</tool_response>", "<pad>", "<eos>"]);
const docs = corpus();
console.log(`corpus: ${docs.length} documents, ${docs.reduce((n, d) => n + d.length, 0)} characters; load average ${loadavg().map((x) => x.toFixed(1)).join(" ")} on ${(await import("node:os")).cpus().length} cores`);

await bundle.encode(docs[0]); // warm-up: first call pays for lazy initialisation

const ours: Record<string, (ds: string[]) => Promise<number>> = {
  "ours: encode (ids), sequential": async (ds) => {
    let n = 0;
    for (const d of ds) n += (await bundle.encode(d)).length;
    return n;
  },
  "ours: ids + offsets + loss mask, sequential": async (ds) => {
    let n = 0;
    for (const d of ds) {
      const e = await bundle.encodeWithOffsets(d);
      lossMask(e.offsets, [{ start: 0, end: d.length >> 1, train: true }], d.length);
      n += e.ids.length;
    }
    return n;
  },
  // How the stage runs (ENCODE_CHUNK in flight: libuv's pool encodes in parallel).
  "ours: ids + offsets + loss mask, 64 in flight": async (ds) => {
    let n = 0;
    for (let i = 0; i < ds.length; i += 64) {
      const chunk = ds.slice(i, i + 64);
      const encoded = await Promise.all(chunk.map((d) => bundle.encodeWithOffsets(d)));
      encoded.forEach((e, k) => {
        lossMask(e.offsets, [{ start: 0, end: chunk[k].length >> 1, train: true }], chunk[k].length);
        n += e.ids.length;
      });
    }
    return n;
  },
};

// Python gets the very tokenizer the bench encodes with (added special tokens included) and the same documents.
const refDir = mkdtempSync(join(tmpdir(), "bench-tokenize-hf-"));
bundle.save(refDir);
writeFileSync(join(refDir, "docs.json"), JSON.stringify(docs));
const python = process.env.TOOLTUNE_PYTHON ?? "python3";
const script = fileURLToPath(new URL("./hf_tokenize.py", import.meta.url));
const usePython = !process.argv.includes("--no-python");
type PyOut = { version: string; python: string; encode: { tokens: number; per_s_wall: number; per_cpu_s: number }; encode_batch: { tokens: number; per_s_wall: number; per_cpu_s: number } };

// Rounds alternate ours and Python, so a change of load from other processes hits both alike.
const samples: Record<string, { tokens: number; wall: number[]; cpu: number[] }> = {};
const add = (label: string, tokens: number, wall: number, cpu: number) => {
  const s = (samples[label] ??= { tokens, wall: [], cpu: [] });
  s.wall.push(wall);
  s.cpu.push(cpu);
};
let pyVersion = "";
let pySkipped = "";
for (let round = 0; round < REPEATS; round++) {
  for (const [label, run] of Object.entries(ours)) {
    const r = await once(run, docs);
    add(label, r.tokens, r.wall, r.cpu);
  }
  if (!usePython || pySkipped) continue;
  const r = spawnSync(python, [script, join(refDir, "tokenizer.json"), join(refDir, "docs.json"), "1"], { encoding: "utf8" });
  if (r.status !== 0) {
    pySkipped = (r.stderr || r.error?.message || `exit ${r.status}`).trim().split("\n").at(-1) ?? "";
    continue;
  }
  const out = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as PyOut;
  pyVersion = `Python ${out.python}, tokenizers ${out.version}`;
  add("python tokenizers: encode one at a time, ids + offsets", out.encode.tokens, out.encode.per_s_wall, out.encode.per_cpu_s);
  add("python tokenizers: encode_batch(64), ids + offsets", out.encode_batch.tokens, out.encode_batch.per_s_wall, out.encode_batch.per_cpu_s);
}
rmSync(refDir, { recursive: true, force: true });

const rates: Record<string, Rate> = Object.fromEntries(Object.entries(samples).map(([k, s]) => [k, { tokens: s.tokens, wall: median(s.wall), cpu: median(s.cpu) }]));
console.log(`medians of ${REPEATS} rounds; load average after: ${loadavg().map((x) => x.toFixed(1)).join(" ")}`);
for (const [label, r] of Object.entries(rates)) console.log(fmt(label, r));
if (pySkipped) console.log(`Python reference skipped (${python}): ${pySkipped}`);
const ref = rates["python tokenizers: encode one at a time, ids + offsets"];
if (ref) {
  console.log(`per core vs ${pyVersion}, one at a time, 1 thread (ours / Python, per CPU-second; wall in brackets):`);
  for (const label of Object.keys(ours)) {
    const r = rates[label];
    console.log(`  ${label.padEnd(48)} ${(r.cpu / ref.cpu).toFixed(2)}×  (${(r.wall / ref.wall).toFixed(2)}×)`);
  }
}

// ---- the stage on the quickstart's data (skip with --no-stage) -----------------------------------
if (!process.argv.includes("--no-stage")) await stageFigures();

async function stageFigures(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), "bench-tokenize-"));
  try {
    const convs = generateConversations(3000, { seed: 42, testFraction: 0.1, mix: { single: 0.5, parallel: 0.2, multi_step: 0.15, no_call: 0.15 } });
    const conversations = await writeTestDataset(join(tmp, "convs"), "conversations", convs);
    const formatted = await runStageForTest(formatStage, { params: { template: "chatml", special_tokens: "course" }, inputs: [conversations], finalDir: join(tmp, "text") });
    const text: StageInput = { name: "text", path: join(tmp, "text"), manifest: formatted };
    for (const params of [{ max_length: 512, vocab: "trim" }, { max_length: 1024, vocab: "trim" }, { max_length: 1024, vocab: "full" }]) {
      const dir = join(tmp, `tokens-${params.max_length}-${params.vocab}`);
      const start = performance.now();
      const m = await runStageForTest(tokenizeStage, { params, inputs: [text], finalDir: dir });
      const s = m.stats as Record<string, number>;
      const secs = (performance.now() - start) / 1000;
      console.log(
        `stage ${JSON.stringify(params)}: ${secs.toFixed(1)} s, ${s.examples}/${s.examples_in} examples → ${s.rows} rows, ${s.tokens} tokens ` +
          `(${(s.tokens / secs / 1e6).toFixed(3)} M tokens/s incl. load+save), trainable ${(100 * s.trainable_share).toFixed(1)}%, ` +
          `truncated ${s.truncated}, no target ${s.rejected_no_target}, packing ${(100 * s.packing_efficiency).toFixed(1)}%, vocab ${s.vocab_size}`,
      );
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
