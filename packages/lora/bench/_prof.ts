// Kernel profile of config A (forward, or LoRA train step with `train`): the 15 costliest kernels.
//   node --conditions=tooltune-src --import tsx packages/lora/bench/_prof.ts native [train]
import * as tf from "@tensorflow/tfjs-core";
import { createLora, defaultLoraConfig } from "@tooltune/lora";
import { createModel, makeConfig, selectBackend, type BackendName } from "../src/index.js";

await selectBackend((process.argv[2] ?? "wasm") as BackendName);
const train = process.argv[3] === "train";
const config = makeConfig("llama", { vocabSize: 4096, hiddenSize: 256, intermediateSize: 688, numHiddenLayers: 4, numAttentionHeads: 8, numKeyValueHeads: 4 });
const model = createModel(config, 0);
const adapter = createLora(model, { ...defaultLoraConfig, r: 16 }, 0);
const [B, T] = [8, 256];
const ids = Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => (b * 31 + t * 7) % 4096));
const mask = ids.map((r) => r.map(() => 1));
const step = () => {
  if (!train) return tf.dispose(model.forward(ids, { adapter }));
  const { value, grads } = tf.variableGrads(() => model.loss(ids, mask, undefined, adapter).loss, adapter.variables());
  tf.dispose([value, ...Object.values(grads)]);
};
step();
const t0 = performance.now();
const p = await tf.profile(step);
const wall = performance.now() - t0;
const agg = new Map<string, { ms: number; n: number }>();
let total = 0;
for (const k of p.kernels) {
  const key = `${k.name} ${JSON.stringify(k.inputShapes)}`;
  const e = agg.get(key) ?? { ms: 0, n: 0 };
  e.ms += k.kernelTimeMs as number;
  total += k.kernelTimeMs as number;
  e.n++;
  agg.set(key, e);
}
console.log(`wall ${wall.toFixed(0)} ms, kernels ${total.toFixed(0)} ms, ${p.kernels.length} kernel calls`);
for (const [k, v] of [...agg.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15)) console.log(v.ms.toFixed(0).padStart(7), String(v.n).padStart(3), k);
