// The CLI in-process: yargs parsing, output on stdout, errors printed only by main, exit codes.
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { createMemoryLogger, openDataset } from "@tooltune/core";
import { main } from "./main.js";
import { preview } from "./show.js";
import { tempDir, testRegistry } from "./test-stages.js";

let dir: string;
async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const log = createMemoryLogger();
  const code = await main(argv, { out: (l) => out.push(l), err: (t) => err.push(t), log, registry: testRegistry(), cwd: dir, signal: new AbortController().signal });
  return { code, out, err: err.join("\n"), log: log.lines };
}

const PIPELINE = `pipeline: t
stages:
  a: { uses: gen, with: { n: 2, reject: 1 } }
  b: { uses: suffix, needs: [a] }
`;

beforeEach(async () => {
  dir = await tempDir();
  await writeFile(join(dir, "p.yaml"), PIPELINE);
});

describe("tooltune run / status", () => {
  it("status says never run, runs, then up to date, then why stale", async () => {
    expect((await cli("status", "p.yaml")).out).toEqual(["✗ a  stale: never run", "✗ b  stale: upstream 'a' is stale"]);
    const run = await cli("run", "p.yaml");
    expect(run.code).toBe(0);
    expect(run.log.at(-1)).toMatch(/^t: 2 ran, 0 skipped/);
    expect((await cli("status", "p.yaml")).out).toEqual(["✓ a  up to date", "✓ b  up to date"]);
    expect((await cli("status", "p.yaml", "--set", "b.suffix=?")).out).toEqual(["✓ a  up to date", '✗ b  stale: param suffix: "!" → "?"']);
    await rm(join(dir, "runs/t/a"), { recursive: true });
    expect((await cli("status", "p.yaml")).out).toEqual(["✗ a  stale: output missing", "✗ b  stale: upstream 'a' is stale"]);
  });

  it("--dry-run --only prints the plan; --strict fails with exit 1", async () => {
    const dry = await cli("run", "p.yaml", "--dry-run", "--only", "a");
    expect(dry.out.slice(1).map((l) => l.replace(/\s+/g, " ").trim())).toEqual(["run a (gen) never run", "skip b (suffix) not selected (--only a)"]);
    const strict = await cli("run", "p.yaml", "--strict");
    expect(strict.code).toBe(1);
    expect(strict.err).toMatch(/^stage 'a': REJECTS: 1 row\(s\) rejected and --strict is on/);
  });

  it("prints a config error with file:line:col, the stage and a fix, exit code 1", async () => {
    await writeFile(join(dir, "p.yaml"), PIPELINE.replace("uses: suffix", "uses: sufix"));
    const r = await cli("run", "p.yaml");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^p\.yaml:4:14: stage 'b': CONFIG: unknown stage kind 'sufix'\n  fix: use a built-in kind \(gen, suffix, lines, flaky\)/);
  });

  it("rejects an unknown command or flag", async () => {
    expect((await cli("frobnicate")).err).toMatch(/CONFIG: Unknown argument: frobnicate/);
    expect((await cli("run", "p.yaml", "--forse")).err).toMatch(/CONFIG: Unknown argument(s)?: forse/);
    expect((await cli("run")).code).toBe(1);
  });
});

describe("tooltune <stage>", () => {
  it("runs one stage alone from --param and --input into --output, atomically with a manifest", async () => {
    expect((await cli("gen", "--output", "one", "--param", "n=2", "--param", "prefix=x")).code).toBe(0);
    const r = await cli("suffix", "--input", "one", "--output", "two", "--param", "suffix=?");
    expect(r.code).toBe(0);
    const two = await openDataset(join(dir, "two"));
    expect((await two.readAll()).map((row) => row.text)).toEqual(["x-0?", "x-1?"]);
    expect(two.manifest).toMatchObject({ stage: "suffix", params: { suffix: "?" }, inputs: [{ path: "one" }] });
  });

  it("points at the --param or the params file line that is wrong", async () => {
    expect((await cli("gen", "--output", "o", "--param", "nn=2")).err).toMatch(/^--param nn: stage 'gen': CONFIG: unknown param 'nn'/);
    await writeFile(join(dir, "params.yaml"), "n: 2\nopts:\n  a: 1\n  zz: 3\n");
    expect((await cli("gen", "--output", "o", "--params", "params.yaml")).err).toMatch(/^params\.yaml:4:3: stage 'gen': CONFIG: unknown param 'opts\.zz'/);
    expect((await cli("gen", "--output", "o", "--params", "params.yaml", "--param", "n=x")).err).toMatch(/^--param n: stage 'gen': CONFIG: 'n': .*expected number/);
  });

  it("reading a missing input is an error naming it", async () => {
    const r = await cli("suffix", "--input", "nope", "--output", "o");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^--input nope: INPUT: 'nope' does not exist/);
  });
});

describe("tooltune show", () => {
  it("prints manifest, schema, rejects with reasons and the first rows", async () => {
    await cli("gen", "--output", "d", "--param", "n=3", "--param", "reject=2", "--param", `prefix=${"y".repeat(200)}`);
    const r = await cli("show", "d", "--head", "1");
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const text = r.out.join("\n");
    expect(text).toMatch(/^d: formatted written by gen v1 at /);
    expect(text).toContain("rows: 3   rejected: 2");
    expect(text).toContain("  id: Utf8 (not null)");
    expect(text).toContain("rejects (first 1 of 2):\n  gen:0: test reject");
    expect(text).toContain("first 1 rows:\n  #0\n    id: \"0\"");
    expect(text).toMatch(/text: "y{120}… \(\+82 chars\)"/);
    expect(text).not.toContain("#1");
  });

  it("previews typed arrays, bigints, lists and nested values in one line", () => {
    expect(preview(Int32Array.from({ length: 20 }, (_, i) => i))).toBe("Int32Array(20) [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, … +8 more]");
    expect(preview(2n ** 63n - 1n)).toBe("9223372036854775807");
    expect(preview([{ role: "user", content: "hi" }, null])).toBe('[{role: "user", content: "hi"}, null]');
    expect(preview("abcdef", 3)).toBe('"abc… (+3 chars)"');
  });
});
