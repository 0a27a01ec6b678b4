// `npm run bench -- train [-- --backends=native,wasm --steps=3 --no-torch]`: tokens/s and peak memory
// of whole optimizer steps (forward, backward, clipping, AdamW) through the train loop, for config A
// (issue 5: llama H256 L4 heads 8/4 I688 V4096, batch 8 × 256), LoRA r16 on all projections and full
// fine-tuning, on each backend asked for. When a Python with torch and peft is on the machine
// (`TOOLTUNE_PYTHON`, else `python3`), the same steps run in PyTorch too and the ratio is printed.
import * as tf from "@tensorflow/tfjs-core";
import { spawnSync } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { createModel, makeConfig, selectBackend, type BackendName } from "@tooltune/model";
import { createLora, defaultLoraConfig } from "@tooltune/lora";
import { ADAMW_DEFAULTS } from "../src/adamw.js";
import type { TokenRow } from "../src/batches.js";
import { lossSumOf } from "../src/loss.js";
import { trainLoop, type LoopConfig, type TrainTarget } from "../src/loop.js";

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
const backends = (arg("backends")?.split(",") ?? ["native", "wasm"]) as BackendName[];
const steps = Number(arg("steps") ?? 3);
const [B, T] = [8, 256];
const config = makeConfig("llama", { vocabSize: 4096, hiddenSize: 256, intermediateSize: 688, numHiddenLayers: 4, numAttentionHeads: 8, numKeyValueHeads: 4 });
let state = 1;
const rand = () => ((state = (state * 48271) % 2147483647) / 2147483647);
const rows: TokenRow[] = Array.from({ length: B * (steps + 1) }, () => {
  const ids = Int32Array.from({ length: T }, () => Math.floor(rand() * config.vocabSize));
  return { inputIds: ids, lossMask: Uint8Array.from(ids, () => 1), positionIds: Int32Array.from(ids, (_, t) => t) };
});

const loop = (n: number): LoopConfig => ({
  schedule: { kind: "constant", lr: 1e-4, warmupSteps: 0, totalSteps: n },
  gradAccum: 1, maxGradNorm: 1, optimizer: { ...ADAMW_DEFAULTS, weightDecay: 0.1 },
  batching: { batchSize: B, shuffle: false, seed: 0, padId: 0 }, seed: 0,
  logEvery: 1, evalEvery: 0, checkpointEvery: 0, evalBatchSize: B,
});

async function measure(mode: "lora" | "full"): Promise<{ tokensPerS: number; cpuPerStep: number; peakMb: number }> {
  const model = createModel(config, 1);
  let target: TrainTarget;
  let dispose = () => model.dispose();
  if (mode === "lora") {
    const adapter = createLora(model, { ...defaultLoraConfig, loraDropout: 0 }, 1);
    const trainable = new Map(adapter.variables().map((v) => [v.name, v]));
    target = { trainable, lossSum: (b) => lossSumOf(model, b, adapter) };
    dispose = () => { adapter.dispose(); model.dispose(); };
  } else {
    for (const v of model.params.values()) v.trainable = true;
    target = { trainable: model.params, lossSum: (b) => lossSumOf(model, b) };
  }
  (await trainLoop(target, rows, [], loop(1), { checkpoint: async () => {} })).optimizer.dispose(); // warm-up step
  let peak = process.memoryUsage().rss;
  const [t0, c0] = [performance.now(), process.cpuUsage()];
  const { optimizer } = await trainLoop(target, rows, [], loop(steps), { checkpoint: async () => {}, onStep: () => (peak = Math.max(peak, process.memoryUsage().rss)) });
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  optimizer.dispose();
  dispose();
  return { tokensPerS: (steps * B * T) / wall, cpuPerStep: (cpu.user + cpu.system) / 1e6 / steps, peakMb: peak / 2 ** 20 };
}

console.log(`load average ${loadavg().map((x) => x.toFixed(1)).join(" ")} on ${cpus().length} cores`);
console.log(`config A, batch ${B}×${T}, ${steps} optimizer steps after 1 warm-up (AdamW, clip 1.0)`);
const ours: Record<string, number> = {};
for (const name of backends) {
  try {
    await selectBackend(name);
  } catch (e) {
    console.log(`${name}: unavailable (${(e as Error).message.split("\n")[0]})`);
    continue;
  }
  for (const mode of ["lora", "full"] as const) {
    const r = await measure(mode);
    ours[`${name}/${mode}`] = r.tokensPerS;
    console.log(`${name.padEnd(7)} ${mode.padEnd(4)} ${r.tokensPerS.toFixed(0).padStart(6)} tokens/s  ${r.cpuPerStep.toFixed(2)} CPU-s/step  peak RSS ${r.peakMb.toFixed(0)} MB  tensors ${tf.memory().numTensors}`);
  }
}

if (!process.argv.includes("--no-torch")) {
  const python = process.env.TOOLTUNE_PYTHON ?? "python3";
  const script = fileURLToPath(new URL("./torch_ref.py", import.meta.url));
  const r = spawnSync(python, [script, String(steps)], { encoding: "utf8" });
  if (r.status !== 0) console.log(`PyTorch reference skipped: ${(r.stderr || r.error?.message || "").trim().split("\n").at(-1)}`);
  else {
    const ref = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as Record<string, number>;
    for (const [mode, tps] of Object.entries(ref).filter(([k]) => k !== "threads")) {
      console.log(`pytorch ${mode.padEnd(4)} ${tps.toFixed(0).padStart(6)} tokens/s (${ref.threads ?? "?"} threads)`);
      for (const [key, v] of Object.entries(ours)) if (key.endsWith(`/${mode}`)) console.log(`  ratio ${key}: ${(v / tps).toFixed(2)}× PyTorch`);
    }
  }
}
