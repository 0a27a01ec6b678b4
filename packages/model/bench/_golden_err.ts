// Prints the measured golden-logit errors (max |Δ| / max |ref|) per family on a backend.
import { readFileSync } from "node:fs";
import { loadModel, readSafetensors, selectBackend, type BackendName } from "../src/index.js";
await selectBackend((process.argv[2] ?? "cpu") as BackendName);
const rel = (a: ArrayLike<number>, b: ArrayLike<number>) => { let e = 0, s = 0; for (let i = 0; i < b.length; i++) { e = Math.max(e, Math.abs(a[i] - b[i])); s = Math.max(s, Math.abs(b[i])); } return e / s; };
for (const fam of ["llama", "qwen2", "qwen3", "gemma2"]) {
  const dir = new URL(`../fixtures/${fam}`, import.meta.url).pathname;
  const g = JSON.parse(readFileSync(`${dir}/golden.json`, "utf8"));
  const exp = readSafetensors(`${dir}/golden.safetensors`);
  const m = loadModel(dir);
  const a = rel(m.forward(g.input_ids).dataSync(), exp.get("logits")!.data);
  const b = rel(m.forward([g.input_ids[0]], { positionIds: g.packed_position_ids }).dataSync(), exp.get("packed_logits")!.data);
  console.log(fam, "logits", a.toExponential(2), "packed", b.toExponential(2));
}
