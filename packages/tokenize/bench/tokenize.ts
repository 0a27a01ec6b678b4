/**
 * `npm run bench -- tokenize`: tokens/s of the Qwen3 bundle on ~2 MB of the repository's shared
 * data (tool-calling JSON, conversations, BFCL questions) cut into 2,000-character documents.
 * Prints figures, asserts nothing. Reference: Python `tokenizers` did 0.7–1.1 M tokens/s on one
 * thread on this machine (issue 4).
 *
 * - encode, sequential: one document at a time, awaited (one Rust thread busy: the single-thread figure)
 * - encodeWithOffsets, sequential: what the stage calls per example (adds code point → UTF-16 offsets)
 * - encodeWithOffsets + lossMask, 64 in flight: how the stage runs (libuv's pool encodes in parallel)
 * - the whole stage on 3000 synthetic conversations (format: chatml, course tokens), as the
 *   quickstart runs it: wall time and the manifest's figures for each max_length / vocab setting
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
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
const REPEATS = 3;

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

/**
 * Wall-clock rate, and rate per CPU-second of this process (all its threads): on a shared machine
 * the second is the steadier figure, since other processes' load stretches wall time.
 */
async function timed(label: string, docs: string[], run: (docs: string[]) => Promise<number>): Promise<void> {
  const wall: number[] = [];
  const cpu: number[] = [];
  let tokens = 0;
  for (let r = 0; r < REPEATS; r++) {
    const start = performance.now();
    const cpu0 = process.cpuUsage();
    tokens = await run(docs);
    const used = process.cpuUsage(cpu0);
    wall.push(tokens / ((performance.now() - start) / 1000));
    cpu.push(tokens / ((used.user + used.system) / 1e6));
  }
  const med = (xs: number[]) => (xs.sort((a, b) => a - b)[1] / 1e6).toFixed(3);
  console.log(`${label.padEnd(44)} ${tokens} tokens  median ${med(wall)} M tokens/s wall, ${med(cpu)} M tokens per CPU-second`);
}

const bundle = loadTokenizerBundle("qwen3");
bundle.addSpecialTokens(["<tools>", "</tools>", "<think>", "</think>", "<tool_call>", "</tool_call>", "<tool_response>", "</tool_response>", "<pad>", "<eos>"]);
const docs = corpus();
console.log(`corpus: ${docs.length} documents, ${docs.reduce((n, d) => n + d.length, 0)} characters; load average ${loadavg().map((x) => x.toFixed(1)).join(" ")} on ${(await import("node:os")).cpus().length} cores`);

await bundle.encode(docs[0]); // warm-up: first call pays for lazy initialisation

await timed("encode, sequential", docs, async (ds) => {
  let n = 0;
  for (const d of ds) n += (await bundle.encode(d)).length;
  return n;
});

await timed("encodeWithOffsets, sequential", docs, async (ds) => {
  let n = 0;
  for (const d of ds) n += (await bundle.encodeWithOffsets(d)).ids.length;
  return n;
});

await timed("encodeWithOffsets + lossMask, 64 in flight", docs, async (ds) => {
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
});

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
