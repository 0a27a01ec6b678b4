// `npm run bench -- profile [-- --mode=full --backend=native]`: where one training step of config A
// (batch 8 × 256, LoRA r16 on all projections, or full) spends its time, per tfjs kernel and per
// kernel + input shapes, through the whole model with the backend's fused ops. tf.profile times each
// kernel as it runs: a fused op's custom backward is not listed on its own, so the step time
// (printed first, unprofiled) is the figure to compare.
import * as tf from "@tensorflow/tfjs-core";
import { createModel, makeConfig, selectBackend, type BackendName } from "@tooltune/model";
import { createLora, defaultLoraConfig } from "@tooltune/lora";
import type { Batch } from "../src/batches.js";
import { lossSumOf } from "../src/loss.js";

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
const mode = arg("mode") ?? "lora";
const choice = await selectBackend((arg("backend") ?? "native") as BackendName);
const [B, T] = [8, 256];
const config = makeConfig("llama", { vocabSize: 4096, hiddenSize: 256, intermediateSize: 688, numHiddenLayers: 4, numAttentionHeads: 8, numKeyValueHeads: 4 });
const model = createModel(config, 1);
const adapter = mode === "lora" ? createLora(model, { ...defaultLoraConfig, loraDropout: 0 }, 1) : undefined;
const vars = adapter ? adapter.variables() : [...model.params.values()];
for (const v of vars) v.trainable = true;
const n = B * T;
const batch: Batch = {
  batchSize: B, seqLen: T, targetTokens: n - B,
  inputIds: Int32Array.from({ length: n }, (_, i) => (i * 7919) % config.vocabSize),
  lossMask: new Uint8Array(n).fill(1),
  positionIds: Int32Array.from({ length: n }, (_, i) => i % T),
};
const step = () => {
  const { value, grads } = tf.variableGrads(() => lossSumOf(model, batch, adapter), vars);
  tf.dispose([value, ...Object.values(grads)]);
};
step();
step(); // warm: pooled outputs, compiled paths
const times: number[] = [];
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  step();
  times.push(performance.now() - t0);
}
console.log(`config A, ${mode}, batch ${B}×${T}, backend ${choice.name}: forward+backward ${Math.min(...times).toFixed(0)} ms/step (best of 3, unprofiled)`);

const info = await tf.profile(step);
const table = (key: (k: (typeof info.kernels)[number]) => string, rows: number) => {
  const by = new Map<string, { ms: number; calls: number }>();
  for (const k of info.kernels) {
    const e = by.get(key(k)) ?? { ms: 0, calls: 0 };
    e.ms += Number(k.kernelTimeMs);
    e.calls++;
    by.set(key(k), e);
  }
  for (const [name, e] of [...by].sort((a, b) => b[1].ms - a[1].ms).slice(0, rows)) {
    console.log(`  ${e.ms.toFixed(1).padStart(8)} ms ${String(e.calls).padStart(5)} calls  ${name}`);
  }
};
console.log(`profiled step: ${info.kernels.length} kernel calls`);
console.log("per kernel:");
table((k) => k.name, 20);
console.log("per kernel and input shapes:");
table((k) => `${k.name} ${JSON.stringify(k.inputShapes)}`, 25);
