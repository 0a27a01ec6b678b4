// `--help`, `show` and `status` of a data-only pipeline must not load tfjs or the model, eval,
// lora or train packages: seconds of start-up a person would pay on every `tooltune --help`.
// The real bin runs from sources (TOOLTUNE_FROM=src) with a loader hook listing every module it resolves.
import { spawnSync } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { createMemoryLogger } from "@tooltune/core";
import { runOneStage } from "./oneoff.js";
import { genStage, tempDir } from "./test-stages.js";

const BIN = fileURLToPath(new URL("../bin/tooltune.js", import.meta.url));
const TRACE = fileURLToPath(new URL("./fixtures/trace-imports.mjs", import.meta.url));
// model's `backends` module is the one exception: a list of names, no tfjs (--backend's choices).
const HEAVY = /@tensorflow|\/packages\/(model\/(src|dist)\/(?!backends\.)|eval\/|lora\/|train\/)/;

let dir: string;
beforeAll(async () => {
  dir = await tempDir();
  await runOneStage(genStage, { inputs: [], output: join(dir, "rows"), params: [], seed: 1, strict: false, signal: new AbortController().signal, log: createMemoryLogger(), cwd: dir });
  await writeFile(join(dir, "data.yaml"), "pipeline: data\nstages:\n  raw: { uses: synth, with: { conversations: 5 } }\n  convs: { uses: ingest, needs: [raw] }\n");
});

async function modulesLoadedBy(args: string[]): Promise<string[]> {
  const traceFile = join(dir, `trace-${args[0]}.txt`);
  await writeFile(traceFile, "");
  const r = spawnSync(process.execPath, ["--import", TRACE, BIN, ...args], { cwd: dir, encoding: "utf8", env: { ...process.env, TOOLTUNE_FROM: "src", TRACE_FILE: traceFile } });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  return (await readFile(traceFile, "utf8")).split("\n").filter(Boolean);
}

describe("light commands load no model", () => {
  it.each([["--help"], ["show", "rows"], ["status", "data.yaml"]])("tooltune %s", async (...args) => {
    const loaded = await modulesLoadedBy(args);
    expect(loaded.some((url) => url.includes("/packages/cli/src/main.ts"))).toBe(true); // the trace works
    expect(loaded.filter((url) => HEAVY.test(url))).toEqual([]);
  }, 60_000);
});
