/**
 * `npm run bench -- verify`: what checking inputs against their manifests (core's verify.ts)
 * costs on quickstart-sized data: the quickstart's synth → ingest → format → tokenize outputs
 * (5000 conversations, chatml with the course tokens, the committed base's tokenizer bundle) and
 * a model output holding models/quickstart-base. For a fresh copy of each: the bytes, the first
 * verification (nothing cached in this process; the OS page cache is warm), the second (cached: one stat per file),
 * and for datasets the time openDataset + reading every row takes, which the check is added to.
 * Prints figures, asserts nothing.
 */
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { finishDirectory, listFiles, openDataset, readManifest, verifyInputFileSync, verifyOutputFiles, type StageInput } from "@tooltune/core";
import { runStageForTest } from "@tooltune/core/testing";
import { formatStage, ingestStage, synthStage } from "@tooltune/format";
import { tokenizeStage } from "../src/stage.js";

const root = mkdtempSync(join(tmpdir(), "tt-bench-verify-"));
const BASE = new URL("../../../models/quickstart-base/", import.meta.url).pathname;
const ms = (t0: number) => (performance.now() - t0).toFixed(1);
const mb = (n: number) => (n / 2 ** 20).toFixed(2);

try {
  console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
  const steps: [string, typeof synthStage | typeof ingestStage | typeof formatStage | typeof tokenizeStage, unknown][] = [
    ["raw", synthStage, { conversations: 5000, test_fraction: 0.1, tools_min: 2, tools_max: 2, schemas: "compact" }],
    ["convs", ingestStage, {}],
    ["text", formatStage, { template: "chatml", special_tokens: "course" }],
    ["tokens", tokenizeStage, { tokenizer: join(BASE, "tokenizer"), max_length: 1024, pack: false }],
  ];
  const outputs: StageInput[] = [];
  for (const [name, stage, params] of steps) {
    const finalDir = join(root, name);
    const manifest = await runStageForTest(stage as never, { params, inputs: outputs.slice(-1), finalDir, seed: 42 });
    outputs.push({ name, path: finalDir, manifest });
  }
  const model = join(root, "base");
  cpSync(BASE, model, { recursive: true });
  await finishDirectory(model, "model", { stage: "pretrain", stageVersion: "0", params: {}, inputs: [] });
  outputs.push({ name: "base", path: model, manifest: await readManifest(model) });

  console.log("output   files       MB   verify (first)   verify (again)   open + read all rows");
  for (const output of outputs) {
    // a copy: the stages above already verified (and cached) the outputs they read
    const { name, manifest } = output;
    const path = `${output.path}-copy`;
    cpSync(output.path, path, { recursive: true });
    const bytes = manifest.files.reduce((n, f) => n + f.bytes, 0);
    let t0 = performance.now();
    if (name === "base") for (const f of await listFiles(path)) verifyInputFileSync(join(path, f));
    else await verifyOutputFiles(path, manifest);
    const first = ms(t0);
    t0 = performance.now();
    if (name === "base") for (const f of await listFiles(path)) verifyInputFileSync(join(path, f));
    else await verifyOutputFiles(path, manifest);
    const again = ms(t0);
    let read = "-";
    if (name !== "base") {
      t0 = performance.now();
      await (await openDataset(path)).readAll(); // verification cached by now: this is the read alone
      read = `${ms(t0)} ms`;
    }
    console.log(`${name.padEnd(8)} ${String(manifest.files.length).padStart(5)} ${mb(bytes).padStart(8)}   ${first.padStart(8)} ms      ${again.padStart(8)} ms      ${read}`);
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
