import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MANIFEST_FILE, openDataset, readManifest, readParquetTable, tableToRows, type StageInput } from "@tooltune/core";
import { corruptFile, killStageAt, runStageForTest, seededDelays, stageContractSuite } from "@tooltune/core/testing";
import { FAMILIES, readSafetensors } from "@tooltune/model";
import { trainParams } from "./params.js";
import { trainStage } from "./stage.js";
import { tinyInit, writeTokensFixture } from "./test-fixtures.js";

let root: string;
let tokens: StageInput;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "tooltune-train-"));
  tokens = await writeTokensFixture(join(root, "tokens"));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const fullParams = { init: tinyInit, mode: "full", lr: 1e-2, warmup_ratio: 0, epochs: 4, batch_size: 4, grad_accum: 1, checkpoint_every: 5, backend: "cpu", weight_decay: 0 };

// The shared suite every stage runs (STYLE §3): same contentHash on a rerun, a manifest true to its
// files, nothing complete left by a crash or a SIGKILL midway. train reads token rows, rejects none.
stageContractSuite("train", {
  stage: trainStage,
  params: { ...fullParams, epochs: 1, checkpoint_every: 0 },
  inputs: async (dir) => [await writeTokensFixture(dir, 1)],
  module: { url: new URL("./stage.ts", import.meta.url).href, exportName: "trainStage" },
});

describe("train stage", () => {
  it("full mode: loss falls and the output is a loadable HF model with its tokenizer, log and curve", async () => {
    const manifest = await runStageForTest(trainStage, { params: fullParams, inputs: [tokens], finalDir: join(root, "full") });
    expect(manifest.kind).toBe("model");
    for (const f of ["config.json", "model.safetensors", "tokenizer/tokenizer.json", "train_log.parquet", "loss_curve.svg"]) expect(existsSync(join(root, "full", f)), f).toBe(true);
    const log = tableToRows(await readParquetTable(join(root, "full", "train_log.parquet")));
    const losses = log.map((r) => Number(r.loss));
    expect(losses.at(-1)!).toBeLessThan(losses[0] * 0.6);
    expect(log.at(-1)!.eval_loss).not.toBeNull();
    expect(readFileSync(join(root, "full", "loss_curve.svg"), "utf8")).toContain("<polyline");
  });

  it("lora mode on that base: a PEFT adapter directory whose config points at the base", async () => {
    const params = { base: join(root, "full"), mode: "lora", lora: { r: 4, alpha: 8, target_modules: ["q_proj", "v_proj", "lm_head"] }, lr: 5e-3, max_steps: 6, batch_size: 4, grad_accum: 2, backend: "cpu" };
    const manifest = await runStageForTest(trainStage, { params, inputs: [tokens], finalDir: join(root, "lora") });
    expect(manifest.kind).toBe("adapter");
    const config = JSON.parse(readFileSync(join(root, "lora", "adapter_config.json"), "utf8"));
    expect(config).toMatchObject({ peft_type: "LORA", r: 4, lora_alpha: 8, base_model_name_or_path: join(root, "full") });
    const tensors = readSafetensors(join(root, "lora", "adapter_model.safetensors"));
    expect([...tensors.keys()].some((k) => k.endsWith("q_proj.lora_A.weight"))).toBe(true);
    // B starts at zero and training moved it
    const b = [...tensors].find(([k]) => k.endsWith("v_proj.lora_B.weight"))![1];
    expect(b.data.some((x) => x !== 0)).toBe(true);
    expect(manifest.stats).toMatchObject({ mode: "lora", steps: 6 });
  });

  it("gradient_checkpointing: the same adapter as without it (it only recomputes), dropout included", async () => {
    const params = { base: join(root, "full"), mode: "lora", lora: { r: 4, alpha: 8, dropout: 0.2, target_modules: ["q_proj", "down_proj", "lm_head"] }, lr: 5e-3, max_steps: 3, batch_size: 4, grad_accum: 2, backend: "cpu" };
    const adapterOf = async (dir: string, gradient_checkpointing: boolean) => {
      await runStageForTest(trainStage, { params: { ...params, gradient_checkpointing }, inputs: [tokens], finalDir: join(root, dir) });
      return readSafetensors(join(root, dir, "adapter_model.safetensors"));
    };
    const plain = await adapterOf("plain", false);
    const recomputed = await adapterOf("recomputed", true);
    expect([...recomputed.keys()].sort()).toEqual([...plain.keys()].sort());
    for (const [name, t] of plain) {
      const got = recomputed.get(name)!.data;
      const scale = Math.max(...t.data.map(Math.abs));
      const err = Math.max(...t.data.map((x, i) => Math.abs(x - got[i])));
      expect(err / Math.max(scale, 1e-12), name).toBeLessThan(1e-4);
    }
  });

  it("a base's attention_dropout trains (full and lora): other weights than at 0, the same on a rerun", async () => {
    // the first test's model as a plain HF checkpoint (no manifest: its config.json is edited)
    const baseWith = (name: string, attention_dropout: number) => {
      const dir = join(root, name);
      cpSync(join(root, "full"), dir, { recursive: true });
      rmSync(join(dir, MANIFEST_FILE));
      const config = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
      writeFileSync(join(dir, "config.json"), JSON.stringify({ ...config, attention_dropout }));
      return dir;
    };
    const [off, on] = [baseWith("base-dropout-0", 0), baseWith("base-dropout-0.5", 0.5)];
    const runs = { full: { mode: "full", max_steps: 2, file: "model.safetensors" }, lora: { mode: "lora", lora: { r: 4, alpha: 8, dropout: 0, target_modules: ["q_proj", "v_proj"] }, max_steps: 2, file: "adapter_model.safetensors" } };
    for (const [mode, { file, ...run }] of Object.entries(runs)) {
      const weights = async (base: string, out: string) => {
        await runStageForTest(trainStage, { params: { ...run, base, lr: 5e-3, batch_size: 4, backend: "cpu", weight_decay: 0 }, inputs: [tokens], finalDir: join(root, out) });
        return readFileSync(join(root, out, file));
      };
      const a = await weights(on, `${mode}-dropout-a`);
      expect(a.equals(await weights(on, `${mode}-dropout-b`)), mode).toBe(true);
      expect(a.equals(await weights(off, `${mode}-dropout-off`)), mode).toBe(false);
    }
  });

  it("init: model_type takes the model package's FAMILIES; a fresh qwen3 has its own head_dim and trains its per-head q/k norms", async () => {
    for (const model_type of FAMILIES) expect(trainParams.parse({ init: { model_type } }).init).toMatchObject({ model_type });
    const bad = trainParams.safeParse({ init: { model_type: "falcon" } });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error!.issues)).toContain('"qwen3"'); // the message lists the supported ones
    const params = { ...fullParams, init: { ...tinyInit, model_type: "qwen3", head_dim: 8 }, epochs: 3, checkpoint_every: 0 };
    await runStageForTest(trainStage, { params, inputs: [tokens], finalDir: join(root, "qwen3") });
    const config = JSON.parse(readFileSync(join(root, "qwen3", "config.json"), "utf8"));
    expect(config).toMatchObject({ model_type: "qwen3", head_dim: 8, hidden_size: 32, num_attention_heads: 2, attention_bias: false });
    const weights = readSafetensors(join(root, "qwen3", "model.safetensors"));
    expect(weights.get("model.layers.0.self_attn.q_proj.weight")!.shape).toEqual([16, 32]); // 2 heads · 8, not 32
    expect(weights.get("model.layers.1.self_attn.k_norm.weight")!.data.some((x) => x !== 1)).toBe(true); // initialised 1, trained
    const losses = tableToRows(await readParquetTable(join(root, "qwen3", "train_log.parquet"))).map((r) => Number(r.loss));
    expect(losses.at(-1)!).toBeLessThan(losses[0] * 0.8);
  });

  it("overfits one batch to near-zero loss", async () => {
    const one = await openDataset(tokens.path);
    const first = (await one.readAll())[0];
    const { writeTestDataset } = await import("@tooltune/core/testing");
    const single = await writeTestDataset(join(root, "one"), "tokens", [first]);
    const { cpSync } = await import("node:fs");
    cpSync(join(tokens.path, "tokenizer"), join(root, "one", "tokenizer"), { recursive: true });
    const params = { ...fullParams, lr: 3e-2, epochs: 80, batch_size: 1, checkpoint_every: 0, schedule: "constant" };
    const manifest = await runStageForTest(trainStage, { params, inputs: [single], finalDir: join(root, "overfit") });
    expect(manifest.stats!.final_loss as number).toBeLessThan(0.05);
  });
});

describe("train stage faults", () => {
  const module = { url: new URL("./stage.ts", import.meta.url).href, exportName: "trainStage" };
  const killParams = {
    full: { ...fullParams, epochs: 1, checkpoint_every: 2 },
    lora: { mode: "lora", lora: { r: 4, alpha: 8, target_modules: ["q_proj", "v_proj"] }, lr: 5e-3, max_steps: 4, batch_size: 4, checkpoint_every: 2, backend: "cpu" },
  };

  it("SIGKILLed at seeded random points (full and lora) and once after a checkpoint: nothing looks complete; the rerun resumes to the same bytes", async () => {
    const runs = [];
    for (const mode of ["full", "lora"] as const) {
      const params = mode === "lora" ? { ...killParams.lora, base: join(root, "full") } : killParams.full; // the base the first test trained
      const started = performance.now();
      const reference = await runStageForTest(trainStage, { params, inputs: [tokens], finalDir: join(root, `${mode}-reference`) });
      // full: one random point (and one after a checkpoint, below); lora: two
      const delays = seededDelays(mode === "full" ? 11 : 12, mode === "full" ? 1 : 2, performance.now() - started);
      runs.push(...delays.map((delay, i) => ({ mode, params, reference, delay, finalDir: join(root, `${mode}-killed-${i}`) })));
    }
    const afterCheckpoint = { ...runs[0], delay: -1, finalDir: join(root, "full-killed-after-checkpoint") };
    // all children side by side: the test pays about one process start (tfjs is slow to load)
    const phases = await Promise.all([
      ...runs.map((r) => killStageAt(module, { params: r.params, inputs: [tokens], finalDir: r.finalDir }, r.delay)),
      runChildUntilCheckpoint(afterCheckpoint.params, afterCheckpoint.finalDir, 2).then(() => "running" as const),
    ]);
    for (const [i, r] of [...runs, afterCheckpoint].entries()) {
      const at = `${r.mode} killed ${r.delay < 0 ? "after its first checkpoint" : `${r.delay} ms in`} (${phases[i]})`;
      expect(existsSync(r.finalDir), at).toBe(false);
      // beside it only the temp dir (killed once it exists); the state is under .state/, as the runner keeps it
      const left = readdirSync(root).filter((n) => n.startsWith(`${basename(r.finalDir)}.`));
      expect(left.length, at).toBe(1);
      expect(left[0].startsWith(`${basename(r.finalDir)}.tmp-`), at).toBe(true);
      const rerun = await runStageForTest(trainStage, { params: r.params, inputs: [tokens], finalDir: r.finalDir });
      expect(rerun.files, `rerun after being ${at}`).toEqual(r.reference.files);
      expect(rerun.contentHash).toBe(r.reference.contentHash);
    }
    expect(phases).toContain("running");
  });

  it("refuses a truncated or bit-flipped tokens part, and a damaged base model.safetensors, naming the file", async () => {
    const copy = (from: string, name: string) => { cpSync(from, join(root, name), { recursive: true }); return join(root, name); };
    for (const how of ["truncate", "flip"] as const) {
      const tokensDir = copy(tokens.path, `tokens-${how}`);
      const part = join(tokensDir, tokens.manifest.files[0].name);
      await corruptFile(part, how);
      const err = await runStageForTest(trainStage, { params: fullParams, inputs: [{ ...tokens, path: tokensDir }], finalDir: join(root, `bad-tokens-${how}`) }).catch((e: unknown) => e);
      expect(err).toMatchObject({ name: "TooltuneError", code: "INPUT", where: part });
      expect((err as Error).message).toContain(`${tokens.manifest.files[0].name} in the 'test-fixture' output ${tokensDir} is damaged`);

      const baseDir = copy(join(root, "full"), `base-${how}`);
      await corruptFile(join(baseDir, "model.safetensors"), how);
      const base = { name: "base", path: baseDir, manifest: await readManifest(baseDir) };
      const params = { mode: "lora", lora: { r: 2, alpha: 4, target_modules: ["q_proj"] }, max_steps: 1, backend: "cpu" };
      const err2 = await runStageForTest(trainStage, { params, inputs: [tokens, base], finalDir: join(root, `bad-base-${how}`) }).catch((e: unknown) => e);
      expect(err2).toMatchObject({ name: "TooltuneError", code: "INPUT", where: join(baseDir, "model.safetensors") });
      expect((err2 as Error).message).toMatch(/^model\.safetensors in the 'train' output .* is damaged/);
      expect(existsSync(join(root, `bad-base-${how}`))).toBe(false);
    }
  });
});

/** Run the stage in a child process and SIGKILL it once a checkpoint at step ≥ minStep exists. */
async function runChildUntilCheckpoint(params: unknown, finalDir: string, minStep: number): Promise<void> {
  const script = fileURLToPath(new URL("./test-child.ts", import.meta.url));
  const child = spawn(process.execPath, ["--conditions=tooltune-src", "--import", "tsx", script, JSON.stringify({ params, inputs: [tokens], finalDir })], { stdio: "inherit" });
  const state = join(dirname(finalDir), ".state", basename(finalDir), "checkpoint", "state.json"); // makeTestContext's stateDir
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (existsSync(state) && JSON.parse(readFileSync(state, "utf8")).state.step >= minStep) {
        clearInterval(timer);
        child.kill("SIGKILL");
      }
    }, 2);
    child.on("exit", (code, signal) => {
      clearInterval(timer);
      signal === "SIGKILL" ? resolve() : reject(new Error(`child ended (${code}) before it was killed`));
    });
  });
}
