/**
 * pipelines/pretrain.yaml, shrunk, from a fresh working directory: the corpus the quickstart's base
 * is trained on holds no tool call, schema, result or tool token (issue 14), and the committed base
 * in models/quickstart-base is what that pipeline's last stage writes.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { parse } from "yaml";
import { openDataset, type FormattedRow, type TokensRow } from "@tooltune/core";
import { toolCatalog } from "@tooltune/format";
import { loadTokenizerBundle } from "@tooltune/tokenize";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const yaml = parse(readFileSync(join(repo, "pipelines/pretrain.yaml"), "utf8")) as { stages: Record<string, { uses: string; needs?: string[] }> };
const shrink = ["raw.conversations=80", "drills.rows=20", "mixed.rows=20"].flatMap((s) => ["--set", s]);
/** Every stage but the trainings: the data the base is made from. */
const dataStages = Object.keys(yaml.stages).filter((n) => yaml.stages[n].uses !== "train");
let cwd: string;
const out = (stage: string) => join(cwd, "runs/pretrain", stage);

beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), "tooltune-pretrain-"));
  const r = spawnSync(process.execPath, [join(repo, "packages/cli/bin/tooltune.js"), "run", join(repo, "pipelines/pretrain.yaml"), "--only", dataStages.join(","), ...shrink], { cwd, encoding: "utf8" });
  expect(r.status, r.stderr + r.stdout).toBe(0);
});
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

/** The tokens datasets the pipeline's train stages read (their `needs` of kind tokens). */
const trainedOn = Object.values(yaml.stages).filter((s) => s.uses === "train").flatMap((s) => s.needs ?? []).filter((n) => yaml.stages[n].uses !== "train");

it("trains its base only on copy drills and plain text", () => {
  expect(trainedOn.sort()).toEqual(["drills", "mixed"]);
  for (const n of trainedOn) expect(yaml.stages[n].needs).toEqual(["plain_tokens"]);
  expect(yaml.stages.plain_tokens.needs?.[0]).toBe("plain_text");
});

it("has no tool call, schema, result or tool name in its text", async () => {
  const rows = await (await openDataset<FormattedRow>(out("plain_text"))).readAll();
  expect(rows.length).toBeGreaterThan(50);
  // Function names as identifiers (get_weather); one-word names (calculate, average) are English too.
  const names = Object.keys(toolCatalog).filter((n) => n.includes("_"));
  expect(names.length).toBeGreaterThan(15);
  const markup = new RegExp([...names.map((n) => `\\b${n}\\b`), "<tool_call>", "<tool_response>", "<tools>", "<think>", '"arguments"', '"parameters"', '\\{"'].join("|"));
  expect(rows.filter((r) => markup.test(r.text)).map((r) => r.id)).toEqual([]);
});

it("has no tool token among the ids its train stages read", async () => {
  const bundle = loadTokenizerBundle(join(out("plain_tokens"), "tokenizer"));
  const toolIds = ["<tool_call>", "</tool_call>", "<tool_response>", "</tool_response>", "<tools>", "</tools>", "<think>", "</think>"].map((t) => bundle.idOf(t));
  expect(toolIds.every((id) => id !== undefined)).toBe(true);
  for (const n of trainedOn) {
    const rows = await (await openDataset<TokensRow>(out(n))).readAll();
    expect(rows.length, n).toBeGreaterThan(20);
    const ids = new Set(rows.flatMap((r) => [...r.input_ids]));
    expect(toolIds.filter((id) => ids.has(id!)), n).toEqual([]);
  }
});

it("is what models/quickstart-base was made from", () => {
  const base = join(repo, "models/quickstart-base");
  for (const f of ["config.json", "model.safetensors", "tokenizer/tokenizer.json", "train_log.parquet", "loss_curve.svg", "pretrain.json"]) expect(existsSync(join(base, f)), f).toBe(true);
  const made = JSON.parse(readFileSync(join(base, "pretrain.json"), "utf8")) as { stages: Record<string, { params: unknown }> };
  // The committed base records the params of every stage of today's pipeline (a changed YAML needs `npm run pretrain -- --update`).
  expect(Object.keys(made.stages).sort()).toEqual(Object.keys(yaml.stages).sort());
});
