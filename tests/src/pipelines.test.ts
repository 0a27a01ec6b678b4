/**
 * The shipped pipelines validate against the real stages' params and plan, from a fresh working
 * directory, even where their inputs (a model on disk, a data export) are not there yet.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";
import { parse } from "yaml";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const cwd = mkdtempSync(join(tmpdir(), "tooltune-pipelines-"));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));
const dryRun = (name: string) => spawnSync(process.execPath, [join(repo, "packages/cli/bin/tooltune.js"), "run", join(repo, name.includes("/") ? name : `pipelines/${name}`), "--dry-run"], { cwd, encoding: "utf8" });

it.each([
  ["quickstart.yaml", ["raw", "convs", "text", "tokens", "adapter", "report", "handwritten", "handwritten_report"]],
  ["pretrain.yaml", ["raw", "convs", "vocab_text", "vocab", "plain_text", "plain_tokens", "drills", "copy", "mixed", "base"]],
  ["course-gemma2.yaml", ["convs", "text", "tokens", "adapter", "report"]],
  ["eval-only.yaml", ["convs", "adapter", "report"]],
  ["data-only.yaml", ["convs", "text", "tokens"]],
  ["examples/trl/pipeline.yaml", ["raw", "convs", "text", "tokens", "adapter", "report"]],
])("%s validates and dry-runs", (name, stages) => {
  const r = dryRun(name);
  expect(r.status, r.stderr).toBe(0);
  const planned = r.stdout.split("\n").filter((l) => /^\s+(run|skip)\s/.test(l)).map((l) => l.trim().split(/\s+/)[1]);
  expect(planned).toEqual(stages);
});

it("course-gemma2 carries the notebook's template, tokens, LoRA and SFTConfig values", () => {
  const stages = parse(readFileSync(join(repo, "pipelines/course-gemma2.yaml"), "utf8")).stages;
  expect(stages.text.with).toMatchObject({ template: "gemma-course", special_tokens: "course" });
  expect(stages.tokens.with).toMatchObject({ max_length: 1500, pack: true });
  expect(stages.adapter.with).toMatchObject({
    mode: "lora", lr: 1e-4, schedule: "cosine", warmup_ratio: 0.1, weight_decay: 0.1, max_grad_norm: 1.0, epochs: 1, batch_size: 1, grad_accum: 4,
    lora: { r: 16, alpha: 64, dropout: 0.05, target_modules: ["gate_proj", "q_proj", "lm_head", "o_proj", "k_proj", "embed_tokens", "down_proj", "up_proj", "v_proj"] },
  });
  // and the params are checked against train's schema, not just read
  const r = spawnSync(process.execPath, [join(repo, "packages/cli/bin/tooltune.js"), "run", join(repo, "pipelines/course-gemma2.yaml"), "--dry-run", "--set", "adapter.lora.r=0"], { cwd, encoding: "utf8" });
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/adapter.*lora\.r/);
});
