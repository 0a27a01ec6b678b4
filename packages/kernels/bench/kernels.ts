// GFLOP/s of the native sgemm on config A's shapes (forward and the transposed backward
// products), raw and through tfjs, against tfjs cpu/wasm; then a profiled forward+backward of
// a synthetic config-A layer. Usage: npm run bench -- kernels [-- --quick] [-- --step-only] [-- --attention]
// (--attention: only the fused attention against its tfjs formulation)
// The machine may be shared: every figure is the median of several runs, and "per CPU-s"
// divides by the process's CPU time rather than wall time, which is steadier under load.
import * as tf from "@tensorflow/tfjs-core";
// Gradients: tfjs-core registers none and its ESM register_all_gradients cannot load in plain
// Node; the union package's Node build registers them into the global registry.
import "@tensorflow/tfjs";
import { registerNativeBackend, setThreads, sgemm } from "../src/index.js";
import { matmulStats } from "../src/kernels.js";
import { blockLoss, configA, makeWeights } from "./_block.js";
import { attention, referenceAttention, type AttentionOptions } from "../src/attention.js";

const quick = process.argv.includes("--quick");
const stepOnly = process.argv.includes("--step-only");
const attentionOnly = process.argv.includes("--attention");
const reps = quick ? 3 : 7;
const T = configA.batch * configA.seq, H = configA.hidden, I = configA.intermediate, V = configA.vocab;
const hd = H / configA.heads, BH = configA.batch * configA.heads;

// [name, batch, m, n, k, transA, transB]
type Shape = [string, number, number, number, number, boolean, boolean];
const shapes: Shape[] = [
  ["q/o proj   x W", 1, T, H, H, false, false],
  ["k/v proj   x W", 1, T, H / 2, H, false, false],
  ["gate/up    x W", 1, T, I, H, false, false],
  ["down       x W", 1, T, H, I, false, false],
  ["lm_head    x W", 1, T, V, H, false, false],
  ["scores     Q K^T", BH, configA.seq, configA.seq, hd, false, true],
  ["attn out   P V", BH, configA.seq, hd, configA.seq, false, false],
  ["dX gate    dY W^T", 1, T, H, I, false, true],
  ["dW gate    X^T dY", 1, H, I, T, true, false],
  ["dX lm_head dY W^T", 1, T, H, V, false, true],
  ["dW lm_head X^T dY", 1, H, V, T, true, false],
  ["dV         P^T dO", BH, configA.seq, hd, configA.seq, true, false],
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Median wall and CPU seconds of fn over reps runs (after one warm-up). */
function time(fn: () => void, n = reps): { wall: number; cpu: number } {
  fn();
  const wall: number[] = [], cpu: number[] = [];
  for (let i = 0; i < n; i++) {
    const c0 = process.cpuUsage(), t0 = performance.now();
    fn();
    wall.push((performance.now() - t0) / 1e3);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e6);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

const flopsOf = ([, b, m, n, k]: Shape) => 2 * b * m * n * k;
const gf = (flops: number, s: number) => (flops / s / 1e9).toFixed(1).padStart(6);
const rand = (n: number) => Float32Array.from({ length: n }, () => Math.random() - 0.5);

function rawSgemm(s: Shape, threads: number): string {
  const [, batch, m, n, k, transA, transB] = s;
  setThreads(threads);
  const a = rand(batch * m * k).subarray(0), b = rand(batch * k * n), c = new Float32Array(batch * m * n);
  const t = time(() => sgemm({ m, n, k, transA, transB, a, b, c, batch }));
  return `${gf(flopsOf(s), t.wall)} (${gf(flopsOf(s), t.cpu)}/CPU-s)`;
}

/** Median wall and CPU seconds per call through tf.matMul, yielding between calls as a
 *  training loop does. */
async function viaTfjs(backend: string, s: Shape, n = reps): Promise<string> {
  await tf.setBackend(backend);
  const [, batch, m, nn, k, transA, transB] = s;
  const lead = batch > 1 ? [batch] : [];
  const a = tf.randomNormal([...lead, ...(transA ? [k, m] : [m, k])]), b = tf.randomNormal([...lead, ...(transB ? [nn, k] : [k, nn])]);
  const wall: number[] = [], cpu: number[] = [];
  for (let i = 0; i <= n; i++) {
    await new Promise((r) => setImmediate(r));
    const c0 = process.cpuUsage(), t0 = performance.now();
    tf.matMul(a, b, transA, transB).dispose();
    const c = process.cpuUsage(c0);
    if (i > 0) wall.push((performance.now() - t0) / 1e3), cpu.push((c.user + c.system) / 1e6);
  }
  tf.dispose([a, b]);
  return `${gf(flopsOf(s), median(wall))} (${gf(flopsOf(s), median(cpu))})`;
}

async function matmuls() {
  console.log(`sgemm GFLOP/s, median of ${reps} (wall; per CPU-second in parentheses). OpenBLAS here: 90-101 (1 thread), 165-190 (2).`);
  console.log("shape                 batch     m     n     k |   raw 1 thread          |   raw 2 threads         | tf.matMul on native, 1 thread | 2 threads");
  for (const s of shapes) {
    const [name, batch, m, n, k] = s;
    const raw1 = rawSgemm(s, 1), raw2 = rawSgemm(s, 2);
    setThreads(1);
    const tf1 = await viaTfjs("native", s);
    setThreads(2);
    const tf2 = await viaTfjs("native", s);
    console.log(`${name.padEnd(20)} ${String(batch).padStart(5)} ${[m, n, k].map((x) => String(x).padStart(5)).join(" ")} | ${raw1} | ${raw2} | ${tf1}     | ${tf2}`);
  }
  setThreads(0);
}

async function stockBackends() {
  // tfjs cpu is ~1 GFLOP/s: one run of two shapes is enough to show the gap.
  const pick = [shapes[0], shapes[7], shapes[5]];
  const rows: string[] = [];
  for (const s of pick) rows.push(`${s[0].padEnd(20)} cpu ${await viaTfjs("cpu", s, 1)}`);
  try {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    const { createRequire } = await import("node:module");
    const { dirname, join } = await import("node:path");
    wasm.setWasmPaths(join(dirname(createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm")), "/"));
    await tf.setBackend("wasm");
    for (const [i, s] of pick.entries()) rows[i] += `   wasm ${await viaTfjs("wasm", s, 3)}`;
  } catch (e) {
    rows.push(`wasm skipped: ${String(e).split("\n")[0]}`);
  }
  console.log("\nstock tfjs backends, GFLOP/s wall (per CPU-second):");
  for (const r of rows) console.log(r);
}

async function trainingStep(threads: number, fused: boolean) {
  await tf.setBackend("native");
  setThreads(threads);
  const weights = makeWeights(configA);
  const { names, loss } = blockLoss(configA, fused);
  const grads = tf.grads(loss);
  const step = () => tf.dispose(grads(names.map((n) => weights[n])));
  // Between steps, yield to the event loop as packages/train's loop does.
  const yieldToLoop = () => new Promise((r) => setImmediate(r));
  const walls: number[] = [];
  for (let i = 0; i < (quick ? 3 : 5); i++) {
    await yieldToLoop();
    const t0 = performance.now();
    step();
    if (i > 0) walls.push(performance.now() - t0);
  }
  const t = { wall: median(walls) / 1e3 };
  await yieldToLoop();
  Object.assign(matmulStats, { enabled: true, flops: 0, wallMs: 0, cpuMs: 0 });
  const c0 = process.cpuUsage();
  step();
  const stepCpu = process.cpuUsage(c0);
  matmulStats.enabled = false;
  await yieldToLoop();
  const profile = await tf.profile(step);
  const byKernel = new Map<string, { ms: number; flops: number }>();
  for (const k of profile.kernels) {
    const e = byKernel.get(k.name) ?? { ms: 0, flops: 0 };
    e.ms += k.kernelTimeMs as number;
    if (k.name === "BatchMatMul" || k.name === "_FusedMatMul") {
      const [out] = k.outputShapes, [a] = k.inputShapes;
      const size = out.reduce((x, y) => x * y, 1);
      // A is [.., m, k] or [.., k, m]; where both are m, k = m either way.
      const inner = a[a.length - 2] === out[out.length - 2] ? a[a.length - 1] : a[a.length - 2];
      e.flops += 2 * size * inner;
    }
    byKernel.set(k.name, e);
  }
  const total = [...byKernel.values()].reduce((x, y) => x + y.ms, 0);
  const cpuMs = (stepCpu.user + stepCpu.system) / 1e3;
  console.log(`\nconfig-A layer + LM head, forward+backward (tf.grads), native, ${threads} thread(s), loss ${fused ? "crossEntropy (fused)" : "tfjs ops"}: ${(t.wall * 1e3).toFixed(0)} ms/step wall` +
    ` (${(T / t.wall).toFixed(0)} tokens/s), ${cpuMs.toFixed(0)} ms CPU (${((T * 1e3) / cpuMs).toFixed(0)} tokens per CPU-second)`);
  const m = matmulStats;
  console.log(`  matmuls: ${(m.flops / 1e9).toFixed(1)} GFLOP in ${m.wallMs.toFixed(0)} ms wall = ${gf(m.flops, m.wallMs / 1e3)} GFLOP/s;` +
    ` per CPU-second ${gf(m.flops, m.cpuMs / 1e3)} GFLOP/s; ${((100 * m.cpuMs * 1e3) / (stepCpu.user + stepCpu.system)).toFixed(0)}% of the step's CPU time`);
  console.log(`  kernels (profiled step, ${total.toFixed(0)} ms in kernels):`);
  for (const [name, e] of [...byKernel].sort((x, y) => y[1].ms - x[1].ms).slice(0, 12)) {
    const rate = e.flops ? `  ${gf(e.flops, e.ms / 1e3)} GFLOP/s` : "";
    console.log(`  ${name.padEnd(22)} ${e.ms.toFixed(1).padStart(8)} ms ${((100 * e.ms) / total).toFixed(1).padStart(5)}%${rate}`);
  }
  tf.dispose(Object.values(weights));
}

/** Fused attention against the model's tfjs formulation (dense mask, on the native backend's
 *  kernels): one config-A layer's attention (8 heads over 4 kv heads, head dim 32), forward and
 *  forward+backward through tf.grads, rows of one example or packed with four. */
async function attentionOp(threads: number) {
  await tf.setBackend("native");
  setThreads(threads);
  const [B, T, nH, nKv, hd] = [configA.batch, configA.seq, configA.heads, configA.kvHeads, H / configA.heads];
  const N = B * T;
  const q = tf.randomNormal([N, nH, hd]) as tf.Tensor3D, k = tf.randomNormal([N, nKv, hd]) as tf.Tensor3D, v = tf.randomNormal([N, nKv, hd]) as tf.Tensor3D;
  const dy = tf.randomNormal([N, nH * hd]);
  console.log(`\nattention, B ${B} x T ${T}, heads ${nH}/${nKv}, hd ${hd}, ${threads} thread(s): ms wall (CPU ms), median of ${reps}`);
  for (const [rows, segments] of [["one example per row", Int32Array.from({ length: N }, (_, i) => Math.floor(i / T))],
    ["4 packed per row", Int32Array.from({ length: N }, (_, i) => Math.floor(i / (T / 4)))]] as const) {
    const opts: AttentionOptions = { batch: B, seqLen: T, scale: hd ** -0.5, segments };
    const line: string[] = [];
    for (const [name, f] of [["fused", attention], ["tfjs ops", referenceAttention]] as const) {
      const fwd = time(() => tf.tidy(() => { f(q, k, v, opts).dataSync(); }));
      const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(f(a as tf.Tensor3D, b as tf.Tensor3D, c as tf.Tensor3D, opts), dy)));
      const both = time(() => tf.tidy(() => { grads([q, k, v]).forEach((g) => g.dataSync()); }));
      line.push(`${name}: forward ${(fwd.wall * 1e3).toFixed(1)} (${(fwd.cpu * 1e3).toFixed(1)}), forward+backward ${(both.wall * 1e3).toFixed(1)} (${(both.cpu * 1e3).toFixed(1)})`);
    }
    console.log(`  ${rows.padEnd(20)} ${line.join(" | ")}`);
  }
  tf.dispose([q, k, v, dy]);
  setThreads(0);
}

const reg = registerNativeBackend();
if (!reg.ok) {
  console.log(`native backend unavailable: ${reg.reason}`);
  process.exit(0);
}
if (attentionOnly) {
  await attentionOp(1);
  await attentionOp(2);
  process.exit(0);
}
if (!stepOnly) {
  await matmuls();
  await stockBackends();
  await attentionOp(1);
  await attentionOp(2);
}
await trainingStep(1, false);
await trainingStep(1, true);
await trainingStep(2, true);
