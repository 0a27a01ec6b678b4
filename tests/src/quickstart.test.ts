/**
 * The quickstart pipeline, shrunk (few conversations, a tiny model, a few steps), run through the
 * built `tooltune` binary from a fresh working directory: every stage's output is checked, then the
 * report, then that a rerun with nothing changed runs nothing.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDataset, readManifest } from "@tooltune/core";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const bin = join(repo, "packages/cli/bin/tooltune.js");
const pipeline = join(repo, "pipelines/quickstart.yaml");
const tiny = { hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 2, num_key_value_heads: 1, intermediate_size: 64 };
const shrink = [
  "raw.conversations=60",
  "tokens.max_length=768",
  "plain_tokens.max_length=768",
  ...Object.entries(tiny).map(([k, v]) => `base.init.${k}=${v}`),
  "base.max_steps=3",
  "base.batch_size=2",
  "adapter.max_steps=3",
  "adapter.batch_size=2",
  "adapter.lora.r=4",
  "report.max_items=6",
  "report.max_new_tokens=12",
  "report.episodes=1",
  "report.max_steps=2",
].flatMap((s) => ["--set", s]);

let cwd: string;
const run = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd, encoding: "utf8", env: { ...process.env, FORCE_COLOR: "0" } });
const out = (stage: string) => join(cwd, "runs/quickstart", stage);

beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), "tooltune-e2e-"));
});
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe("quickstart, shrunk", () => {
  it("runs every stage and writes what each promises", async () => {
    const r = run(["run", pipeline, ...shrink]);
    expect(r.status, r.stderr + r.stdout).toBe(0);
    const kinds: Record<string, string> = { raw: "conversations", convs: "conversations", text: "formatted", plain_text: "formatted", tokens: "tokens", plain_tokens: "tokens", base: "model", adapter: "adapter", report: "eval-results" };
    for (const [stage, kind] of Object.entries(kinds)) expect((await readManifest(out(stage))).kind, stage).toBe(kind);

    const convs = await openDataset(out("convs"));
    expect(convs.manifest.rows).toBe(60);
    const splits = new Set((await convs.readAll()).map((r) => r.split));
    expect(splits).toEqual(new Set(["train", "test"]));

    const text = (await openDataset(out("text"))).readAll();
    const first = (await text)[0] as { text: string; spans: { start: number; end: number; train: boolean }[] };
    expect(first.text).toContain("<|im_start|>assistant");
    expect(first.spans.some((s) => s.train)).toBe(true);
    const plain = (await (await openDataset(out("plain_text"))).readAll()) as { text: string }[];
    expect(plain.every((r) => !r.text.includes("<tool_call>"))).toBe(true); // the base never sees a call

    const tokens = await readManifest(out("tokens"));
    const plainTokens = await readManifest(out("plain_tokens"));
    expect(tokens.stats).toMatchObject({ vocab: "trim" });
    expect(plainTokens.stats).toMatchObject({ vocab_reused: true, vocab_size: tokens.stats!.vocab_size });

    for (const f of ["config.json", "model.safetensors", "tokenizer/tokenizer.json", "train_log.parquet", "loss_curve.svg"]) expect(existsSync(join(out("base"), f)), f).toBe(true);
    for (const f of ["adapter_config.json", "adapter_model.safetensors", "tokenizer/tokenizer.json", "train_log.parquet"]) expect(existsSync(join(out("adapter"), f)), f).toBe(true);
    const adapterConfig = JSON.parse(readFileSync(join(out("adapter"), "adapter_config.json"), "utf8"));
    expect(adapterConfig.base_model_name_or_path).toBe(out("base"));

    const metrics = JSON.parse(readFileSync(join(out("report"), "metrics.json"), "utf8"));
    expect(JSON.stringify(metrics)).toContain("full_call_accuracy");
    const results = (await (await openDataset(out("report"))).readAll()) as { model: string }[];
    expect(new Set(results.map((r) => r.model))).toEqual(new Set(["base", "adapter"]));
    const html = readFileSync(join(out("report"), "report.html"), "utf8");
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href="http/); // opens offline
    expect(html).toContain("adapter");
    expect(html).toContain("<svg");
  });

  it("a rerun with nothing changed runs nothing", () => {
    const r = run(["run", pipeline, ...shrink]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/0 ran, 9 skipped/);
  });
});
