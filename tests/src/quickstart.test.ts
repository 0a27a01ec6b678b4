/**
 * The quickstart pipeline, shrunk (few conversations, a tiny model, a few steps), run through the
 * built `tooltune` binary from a fresh working directory: every stage's output is checked, then the
 * report, then that a rerun with nothing changed runs nothing.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeFile, listFiles, openDataset, readManifest } from "@tooltune/core";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const bin = join(repo, "packages/cli/bin/tooltune.js");
const pipeline = join(repo, "pipelines/quickstart.yaml");
const base = join(repo, "models/quickstart-base");
const small = [
  "raw.conversations=60",
  "tokens.max_length=768",
  "adapter.max_steps=3",
  "adapter.lora.r=4",
  "report.max_items=6",
  "report.max_new_tokens=12",
  "report.episodes=1",
  "report.max_steps=2",
  "report.copy_probe=4",
  "handwritten_report.max_items=4",
  "handwritten_report.max_new_tokens=12",
];
const shrink = [
  ...small,
  // relative paths resolve against the working directory, and this one is a fresh temporary one
  `tokens.tokenizer=${join(base, "tokenizer")}`,
  `adapter.base=${base}`,
  // the hand-written requests live in the repository; this run's working directory is elsewhere
  `handwritten.path=${join(repo, "pipelines/data/handwritten.jsonl")}`,
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
    const kinds: Record<string, string> = { raw: "conversations", convs: "conversations", text: "formatted", tokens: "tokens", adapter: "adapter", report: "eval-results", handwritten: "conversations", handwritten_report: "eval-results" };
    for (const [stage, kind] of Object.entries(kinds)) expect((await readManifest(out(stage))).kind, stage).toBe(kind);

    const convs = await openDataset(out("convs"));
    expect(convs.manifest.rows).toBe(60);
    const splits = new Set((await convs.readAll()).map((r) => r.split));
    expect(splits).toEqual(new Set(["train", "test"]));

    const text = (await openDataset(out("text"))).readAll();
    const first = (await text)[0] as { text: string; spans: { start: number; end: number; train: boolean }[] };
    expect(first.text).toContain("<|im_start|>assistant");
    expect(first.spans.some((s) => s.train)).toBe(true);
    // The tool data is tokenized in the base's own trimmed vocabulary, without <unk>.
    // examples/trl/train_trl.py (the cmd: trainer for a GPU box) reads these columns of this very Parquet
    const trlColumns = /^COLUMNS = \(([^)]*)\)/m.exec(readFileSync(join(repo, "examples/trl/train_trl.py"), "utf8"))![1].match(/"\w+"/g)!.map((c) => JSON.parse(c));
    const tokensSchema = (await openDataset(out("tokens"))).schema;
    expect(trlColumns.length).toBeGreaterThan(2);
    for (const c of trlColumns) expect(tokensSchema.fields.map((f) => f.name), c).toContain(c);
    expect(String(tokensSchema.fields.find((f) => f.name === "input_ids")!.type)).toMatch(/^List<Int/);
    const tokens = await readManifest(out("tokens"));
    expect(tokens.stats).toMatchObject({ vocab: "trim", unk_tokens: 0, vocab_size: JSON.parse(readFileSync(join(base, "config.json"), "utf8")).vocab_size });

    for (const f of ["adapter_config.json", "adapter_model.safetensors", "tokenizer/tokenizer.json", "train_log.parquet"]) expect(existsSync(join(out("adapter"), f)), f).toBe(true);
    const adapterConfig = JSON.parse(readFileSync(join(out("adapter"), "adapter_config.json"), "utf8"));
    expect(adapterConfig.base_model_name_or_path).toBeTruthy();

    const metrics = JSON.parse(readFileSync(join(out("report"), "metrics.json"), "utf8"));
    expect(JSON.stringify(metrics)).toContain("full_call_accuracy");
    // the copy probe, for both models (issue 14: the base's figure is printed next to the adapter's)
    expect(Object.keys(metrics.copy_probe).sort()).toEqual(["adapter", "base"]);
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
    expect(r.stdout + r.stderr).toMatch(/0 ran, 8 skipped/);
  });
});

describe("quickstart, shrunk, in two places", () => {
  // A clone elsewhere: the base and the hand-written data copied into each working directory and
  // named relatively, as in the repository, at absolute paths of different lengths. Every stage's
  // output must be the same bytes (issue 15: the base once trained to other weights in each clone).
  it("gives every stage the same contentHash", async () => {
    const root = mkdtempSync(join(tmpdir(), "tooltune-e2e-places-"));
    try {
      const hashes = [];
      for (const place of [join(root, "a"), join(root, "a-much-longer-directory-name", "nested", "deeper")]) {
        mkdirSync(join(place, "pipelines/data"), { recursive: true });
        cpSync(base, join(place, "models/quickstart-base"), { recursive: true });
        cpSync(join(repo, "pipelines/data/handwritten.jsonl"), join(place, "pipelines/data/handwritten.jsonl"));
        const r = spawnSync(process.execPath, [bin, "run", pipeline, ...small.flatMap((s) => ["--set", s])], { cwd: place, encoding: "utf8", env: { ...process.env, FORCE_COLOR: "0" } });
        expect(r.status, r.stderr + r.stdout).toBe(0);
        const stages = ["raw", "convs", "text", "tokens", "adapter", "report", "handwritten", "handwritten_report"];
        // every file of every stage (metrics.json, report.html, train_log.parquet … too), and the contentHash
        const files: Record<string, string> = {};
        for (const s of stages) {
          const dir = join(place, "runs/quickstart", s);
          files[`${s}/contentHash`] = (await readManifest(dir)).contentHash;
          for (const name of await listFiles(dir)) files[`${s}/${name}`] = (await describeFile(dir, name)).sha256;
        }
        hashes.push(files);
      }
      expect(Object.keys(hashes[0]).length).toBeGreaterThan(20);
      expect(hashes[1]).toEqual(hashes[0]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
