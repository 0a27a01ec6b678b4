// Prints the measured golden-logit errors per family on a backend: max |Δ| / max |ref| and max |Δ|.
import { readFileSync } from "node:fs";
import { loadModel, readSafetensors, selectBackend, type BackendName } from "../src/index.js";
import { FAMILIES } from "../src/config.js";
await selectBackend((process.argv[2] ?? "cpu") as BackendName);
const err = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let e = 0, s = 0;
  for (let i = 0; i < b.length; i++) { e = Math.max(e, Math.abs(a[i] - b[i])); s = Math.max(s, Math.abs(b[i])); }
  return `${(e / s).toExponential(2)} (max |Δ| ${e.toExponential(2)})`;
};
for (const fam of FAMILIES) {
  const dir = new URL(`../fixtures/${fam}`, import.meta.url).pathname;
  const g = JSON.parse(readFileSync(`${dir}/golden.json`, "utf8"));
  const exp = readSafetensors(`${dir}/golden.safetensors`);
  const m = loadModel(dir);
  const a = err(m.forward(g.input_ids).dataSync(), exp.get("logits")!.data);
  const b = err(m.forward([g.input_ids[0]], { positionIds: g.packed_position_ids }).dataSync(), exp.get("packed_logits")!.data);
  console.log(fam, "logits", a, "packed", b);
}
