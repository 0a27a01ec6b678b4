// `npm run bench -- model [-- --backends=wasm,cpu --steps=2]`: forward and LoRA train-step
// (forward + backward w.r.t. the adapter) tokens/s for config A on each available backend.
// Config A (issue 5): llama, hidden 256, 4 layers, 8 heads, 4 kv heads, intermediate 688,
// vocab 4096, batch 8 × 256, LoRA r 16 on all projections. Reference: PyTorch + PEFT on one core,
// a full training step in 0.86 s (~2,400 tokens/s).
import * as tf from "@tensorflow/tfjs-core";
import { cpus, loadavg } from "node:os";
import { BACKENDS, createModel, makeConfig, selectBackend, type BackendName } from "@tooltune/model";
import { createLora, defaultLoraConfig } from "@tooltune/lora";

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
const backends = (arg("backends")?.split(",") ?? [...BACKENDS]) as BackendName[];
const steps = Number(arg("steps") ?? 2);
const [B, T] = [8, 256];

const config = makeConfig("llama", { vocabSize: 4096, hiddenSize: 256, intermediateSize: 688, numHiddenLayers: 4, numAttentionHeads: 8, numKeyValueHeads: 4 });
let seed = 1;
const rand = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
const ids = Array.from({ length: B }, () => Array.from({ length: T }, () => Math.floor(rand() * config.vocabSize)));
const mask = ids.map((r) => r.map(() => 1));

/** Wall and process CPU seconds per call (CPU time is what a busy shared machine distorts least). */
function time(fn: () => void, n: number): { wall: number; cpu: number }[] {
  fn(); // warm-up (kernel compilation, allocations)
  return Array.from({ length: n }, () => {
    const [t0, c0] = [performance.now(), process.cpuUsage()];
    fn();
    const c = process.cpuUsage(c0);
    return { wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
  });
}
const median = (xs: { wall: number; cpu: number }[]) => [...xs].sort((a, b) => a.wall - b.wall)[Math.floor(xs.length / 2)];


console.log(`load average ${loadavg().map((x) => x.toFixed(1)).join(" ")} on ${cpus().length} cores`);
console.log(`config A: llama H256 L4 heads 8/4 I688 V4096, batch ${B}×${T}, LoRA r16 all projections; median of ${steps} after 1 warm-up`);
for (const name of backends) {
  let choice;
  try {
    choice = await selectBackend(name);
  } catch (e) {
    console.log(`${name.padEnd(10)} skipped: ${String((e as Error).message).split("\n")[0]}`);
    continue;
  }
  const model = createModel(config, 0);
  const adapter = createLora(model, { ...defaultLoraConfig, r: 16, loraAlpha: 32, loraDropout: 0.05 }, 0);
  const forward = time(() => {
    const logits = model.forward(ids);
    logits.dataSync();
    logits.dispose();
  }, steps);
  adapter.training = true;
  const train = time(() => {
    const { value, grads } = tf.variableGrads(() => model.loss(ids, mask, undefined, adapter).loss, adapter.variables());
    value.dataSync();
    for (const g of Object.values(grads)) g.dataSync();
    tf.dispose([value, ...Object.values(grads)]);
  }, steps);
  const fmt = (t: { wall: number; cpu: number }) => `${(B * T / t.wall).toFixed(0).padStart(6)} tokens/s (${t.wall.toFixed(2)} s wall, ${t.cpu.toFixed(2)} s CPU)`;
  console.log(`${choice.name.padEnd(10)} forward ${fmt(median(forward))}   train step ${fmt(median(train))}   [${choice.reason}]`);
  adapter.dispose();
  model.dispose();
}
