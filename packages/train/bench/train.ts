// `npm run bench -- train [-- --config=smollm2-135m --backends=native,wasm --modes=lora,full
// --variants=chunked,ckpt,whole --steps=3 --no-torch]`: tokens/s and peak memory of whole optimizer
// steps (forward, backward, clipping, AdamW) through the train loop, per backend, mode (LoRA r16
// on the 7 projections, or full) and variant: `chunked` (the default head loss: chunked when
// targets × vocab is large), `ckpt` (chunked + gradient_checkpointing), `whole` (the [tokens, vocab]
// logits held whole, as before chunking). Configs: `a` (issue 5: llama H256 L4 heads 8/4 I688
// V4096, batch 8 × 256), `smollm2-135m`, `qwen3-1.7b`, `gemma2-2b` (their shapes, random weights,
// batch 4 × 256; `--batch=B` to change). Each measurement runs in its own process, so its peak RSS
// (the kernel's VmHWM, not a sample) is its own. When a Python with torch and peft is on the
// machine (`TOOLTUNE_PYTHON`, else `python3`), the same steps run in PyTorch + PEFT too (`--no-torch`
// to skip), and the ratios are printed.
import * as tf from "@tensorflow/tfjs-core";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { createModel, makeConfig, selectBackend, type BackendName, type Family, type LossOptions, type ModelConfig } from "@tooltune/model";
import { createLora, defaultLoraConfig } from "@tooltune/lora";
import { ADAMW_DEFAULTS } from "../src/adamw.js";
import type { TokenRow } from "../src/batches.js";
import { lossSumOf } from "../src/loss.js";
import { trainLoop, type LoopConfig, type TrainTarget } from "../src/loop.js";

interface BenchConfig { family: Family; over: Parameters<typeof makeConfig>[1]; batch: number; modes: string[]; variants: string[] }
// The shapes of the public checkpoints' config.json (weights are random: only the shape costs).
const CONFIGS: Record<string, BenchConfig> = {
  a: { family: "llama", over: { vocabSize: 4096, hiddenSize: 256, intermediateSize: 688, numHiddenLayers: 4, numAttentionHeads: 8, numKeyValueHeads: 4 }, batch: 8, modes: ["lora", "full"], variants: ["chunked"] },
  "smollm2-135m": { family: "llama", over: { vocabSize: 49152, hiddenSize: 576, intermediateSize: 1536, numHiddenLayers: 30, numAttentionHeads: 9, numKeyValueHeads: 3, ropeTheta: 100000, tieWordEmbeddings: true }, batch: 4, modes: ["lora"], variants: ["whole", "chunked", "ckpt"] },
  "qwen3-1.7b": { family: "qwen3", over: { vocabSize: 151936, hiddenSize: 2048, intermediateSize: 6144, numHiddenLayers: 28, numAttentionHeads: 16, numKeyValueHeads: 8, headDim: 128, ropeTheta: 1000000, tieWordEmbeddings: true }, batch: 4, modes: ["lora"], variants: ["ckpt"] },
  "gemma2-2b": { family: "gemma2", over: { vocabSize: 256000, hiddenSize: 2304, intermediateSize: 9216, numHiddenLayers: 26, numAttentionHeads: 8, numKeyValueHeads: 4, headDim: 256, slidingWindow: 4096, tieWordEmbeddings: true }, batch: 4, modes: ["lora"], variants: ["ckpt"] },
};
const T = 256;

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
const configName = arg("config") ?? "a";
const bench = CONFIGS[configName];
if (!bench) throw new Error(`unknown --config=${configName}; known: ${Object.keys(CONFIGS).join(", ")}`);
const B = Number(arg("batch") ?? bench.batch);
const steps = Number(arg("steps") ?? 3);

/** Peak resident memory of this process so far (Linux VmHWM), MB. */
function peakRssMb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
  return m ? Number(m[1]) / 1024 : process.memoryUsage().rss / 2 ** 20;
}

const loop = (n: number): LoopConfig => ({
  schedule: { kind: "constant", lr: 1e-4, warmupSteps: 0, totalSteps: n },
  gradAccum: 1, maxGradNorm: 1, optimizer: { ...ADAMW_DEFAULTS, weightDecay: 0.1 },
  batching: { batchSize: B, shuffle: false, seed: 0, padId: 0 }, seed: 0,
  logEvery: 1, evalEvery: 0, checkpointEvery: 0, evalBatchSize: B,
});

/** One measurement (in a child process): 1 warm-up step, then `steps` timed ones. */
async function measure(backend: BackendName, mode: string, variant: string): Promise<Record<string, number>> {
  await selectBackend(backend);
  const config: ModelConfig = makeConfig(bench.family, bench.over);
  let state = 1;
  const rand = () => ((state = (state * 48271) % 2147483647) / 2147483647);
  const rows: TokenRow[] = Array.from({ length: B * (steps + 1) }, () => {
    const ids = Int32Array.from({ length: T }, () => Math.floor(rand() * config.vocabSize));
    return { inputIds: ids, lossMask: Uint8Array.from(ids, () => 1), positionIds: Int32Array.from(ids, (_, t) => t) };
  });
  const opts: LossOptions = { gradientCheckpointing: variant === "ckpt", ...(variant === "whole" ? { logitsChunkRows: Number.MAX_SAFE_INTEGER } : {}) };
  const model = createModel(config, 1);
  const afterInit = peakRssMb();
  let target: TrainTarget;
  if (mode === "lora") {
    const adapter = createLora(model, { ...defaultLoraConfig, loraDropout: 0 }, 1); // r16, α 64, the 7 projections
    const trainable = new Map(adapter.variables().map((v) => [v.name, v]));
    target = { trainable, lossSum: (b) => lossSumOf(model, b, adapter, opts) };
  } else {
    for (const v of model.params.values()) v.trainable = true;
    target = { trainable: model.params, lossSum: (b) => lossSumOf(model, b, undefined, opts) };
  }
  (await trainLoop(target, rows, [], loop(1), { checkpoint: async () => {} })).optimizer.dispose(); // warm-up step
  const [t0, c0] = [performance.now(), process.cpuUsage()];
  const { optimizer } = await trainLoop(target, rows, [], loop(steps), { checkpoint: async () => {} });
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  optimizer.dispose();
  return { tokensPerS: (steps * B * T) / wall, cpuPerStep: (cpu.user + cpu.system) / 1e6 / steps, peakMb: peakRssMb(), initMb: afterInit, tensors: tf.memory().numTensors };
}

const child = arg("child");
if (child) {
  const [backend, mode, variant] = child.split(",");
  console.log(JSON.stringify(await measure(backend as BackendName, mode, variant)));
  process.exit(0);
}

const load = () => loadavg().map((x) => x.toFixed(1)).join(" ");
const backends = (arg("backends")?.split(",") ?? ["native", "wasm"]) as BackendName[];
const modes = arg("modes")?.split(",") ?? bench.modes;
const variants = arg("variants")?.split(",") ?? bench.variants;
const { numHiddenLayers: L, hiddenSize: H, vocabSize: V } = bench.over;
console.log(`load average ${load()} on ${cpus().length} cores (tokens/s is only comparable on a quiet machine; peak RSS is)`);
console.log(`config ${configName} (${bench.family} H${H} L${L} V${V}), batch ${B}×${T}, ${steps} optimizer steps after 1 warm-up (AdamW, clip 1.0); peak RSS = VmHWM of the process`);
const ours: Record<string, { tokensPerS: number; peakMb: number }> = {};
const self = fileURLToPath(import.meta.url);
for (const backend of backends) {
  for (const mode of modes) {
    for (const variant of variants) {
      const r = spawnSync(process.execPath, [...process.execArgv, self, `--child=${backend},${mode},${variant}`, `--config=${configName}`, `--batch=${B}`, `--steps=${steps}`], { encoding: "utf8", maxBuffer: 1 << 26 });
      const last = r.stdout.trim().split("\n").at(-1) ?? "";
      if (r.status !== 0 || !last.startsWith("{")) {
        console.log(`${backend.padEnd(7)} ${mode.padEnd(4)} ${variant.padEnd(7)} failed: ${(r.stderr || r.error?.message || "").trim().split("\n").filter((l) => /Error|error/.test(l))[0] ?? `exit ${r.status}`}`);
        continue;
      }
      const m = JSON.parse(last) as Record<string, number>;
      ours[`${backend}/${mode}/${variant}`] = { tokensPerS: m.tokensPerS, peakMb: m.peakMb };
      console.log(`${backend.padEnd(7)} ${mode.padEnd(4)} ${variant.padEnd(7)} ${m.tokensPerS.toFixed(0).padStart(6)} tokens/s  ${m.cpuPerStep.toFixed(2)} CPU-s/step  peak RSS ${m.peakMb.toFixed(0)} MB (after init ${m.initMb.toFixed(0)} MB)  tensors ${m.tensors}  load ${load()}`);
    }
  }
}

if (!process.argv.includes("--no-torch")) {
  const python = process.env.TOOLTUNE_PYTHON ?? "python3";
  const script = fileURLToPath(new URL("./torch_ref.py", import.meta.url));
  for (const mode of modes) {
    const r = spawnSync(python, [script, configName, mode, String(B), String(steps)], { encoding: "utf8" });
    if (r.status !== 0) {
      console.log(`PyTorch reference skipped: ${(r.stderr || r.error?.message || "").trim().split("\n").at(-1)}`);
      break;
    }
    const ref = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { tokens_per_s: number; peak_mb: number; threads: number; versions: string };
    console.log(`pytorch ${mode.padEnd(4)} ${"".padEnd(7)} ${ref.tokens_per_s.toFixed(0).padStart(6)} tokens/s  peak RSS ${ref.peak_mb.toFixed(0)} MB  (${ref.versions}, ${ref.threads} threads)  load ${load()}`);
    for (const [key, v] of Object.entries(ours)) {
      if (key.split("/")[1] === mode) console.log(`  ${key}: ${(v.tokensPerS / ref.tokens_per_s).toFixed(2)}× PyTorch's tokens/s, ${(v.peakMb / ref.peak_mb).toFixed(2)}× its peak RSS`);
    }
  }
}
