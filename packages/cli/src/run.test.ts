import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { createMemoryLogger, openDataset } from "@tooltune/core";
import { readLock } from "./lock.js";
import { runPipeline, type RunOptions as FullOptions } from "./run.js";

type RunOptions = Omit<FullOptions, "registry">;
import { calls, tempDir, testRegistry } from "./test-stages.js";

// a → b → c, and lines (reads a file) → d: small enough that every expectation is spelled out.
const PIPELINE = (dataFile: string, extra = "") => `
pipeline: t
workdir: runs/t
seed: 7
stages:
  a: { uses: gen, with: { n: 3 } }
  b: { uses: suffix, needs: [a], with: { suffix: "!" } }
  c: { uses: suffix, needs: [b] }
  lines: { uses: lines, with: { file: ${JSON.stringify(dataFile)} } }
  d: { uses: suffix, needs: [lines] }
${extra}`;

let dir: string;
let dataFile: string;
const run = async (options: RunOptions = {}, yaml?: string) => {
  if (yaml !== undefined) await writeFile(join(dir, "p.yaml"), yaml);
  calls.length = 0;
  const log = createMemoryLogger();
  const result = await runPipeline("p.yaml", { cwd: dir, registry: testRegistry(), log, ...options });
  expect(result.ran).toEqual(calls); // the runner's account matches what actually ran
  return { ...result, log: log.lines };
};

beforeEach(async () => {
  dir = await tempDir();
  dataFile = join(dir, "data.txt");
  await writeFile(dataFile, "x\ny\n");
  await writeFile(join(dir, "p.yaml"), PIPELINE(dataFile));
});

describe("runPipeline caching", () => {
  it("runs everything once, then nothing on an unchanged rerun", async () => {
    expect((await run()).ran).toEqual(["a", "b", "c", "lines", "d"]);
    const c = await openDataset(join(dir, "runs/t/c"));
    expect((await c.readAll()).map((r) => r.text)).toEqual(["row-0!!", "row-1!!", "row-2!!"]);
    const again = await run();
    expect(again.ran).toEqual([]);
    expect(again.log.filter((l) => l.includes("skip"))).toHaveLength(5);
  });

  it("a changed param reruns that stage and everything downstream, nothing upstream", async () => {
    await run();
    const r = await run({ sets: ["b.suffix=?"] });
    expect(r.ran).toEqual(["b", "c"]);
    expect(r.plan.find((s) => s.stage === "b")?.reasons).toEqual(['param suffix: "!" → "?"']);
  });

  it("changed bytes of an input file (same name, same mtime) rerun what reads it", async () => {
    await run();
    const before = await stat(dataFile);
    await writeFile(dataFile, "x\nz\n"); // same size too
    await utimes(dataFile, before.atime, before.mtime);
    const r = await run();
    expect(r.ran).toEqual(["lines", "d"]);
    expect(r.plan.find((s) => s.stage === "lines")?.reasons).toEqual([`file '${dataFile}' changed`]);
  });

  it("touching an input file without changing it reruns nothing", async () => {
    await run();
    await utimes(dataFile, new Date(), new Date(Date.now() + 5000));
    expect((await run()).ran).toEqual([]);
  });

  it("a deleted output reruns its stage; downstream stops when the bytes come out the same", async () => {
    await run();
    await import("node:fs/promises").then((fs) => fs.rm(join(dir, "runs/t/b"), { recursive: true }));
    const r = await run();
    expect(r.ran).toEqual(["b"]);
    expect(r.log).toContain("· c: skip (up to date: upstream output unchanged)");
  });

  it("a changed seed reruns everything", async () => {
    await run();
    expect((await run({}, PIPELINE(dataFile).replace("seed: 7", "seed: 8"))).ran).toEqual(["a", "b", "c", "lines", "d"]);
  });

  it("--backend sets the backend param of the stages that have one, and reruns them", async () => {
    await run();
    const r = await run({ backend: "cpu" });
    expect(r.ran).toEqual(["a"]); // same rows out, so b and c stop there
    expect(r.plan[0].reasons).toEqual(['param backend: "auto" → "cpu"']);
    const lock = await readLock(join(dir, "runs/t/pipeline.lock.json"), "t");
    expect(lock.stages.b.params).toEqual({ suffix: "!" });
  });

  it("writes a lock file that records key, params, inputs and output hash", async () => {
    await run();
    const lock = await readLock(join(dir, "runs/t/pipeline.lock.json"), "t");
    const b = lock.stages.b;
    expect(b.params).toEqual({ suffix: "!" });
    expect(b.inputs.map((i) => i.from)).toEqual(["stage:a", "seed"]);
    expect(b.inputs[0].hash).toBe(lock.stages.a.outputHash);
    const manifest = JSON.parse(await readFile(join(dir, "runs/t/b/_manifest.json"), "utf8"));
    expect(b.outputHash).toBe(manifest.contentHash);
    expect(b.rows).toBe(3);
  });
});

describe("partial runs", () => {
  const cases: { name: string; options: RunOptions; ran: string[] }[] = [
    { name: "--force reruns everything", options: { force: true }, ran: ["a", "b", "c", "lines", "d"] },
    { name: "--only b,d --force", options: { only: ["b", "d"], force: true }, ran: ["b", "d"] },
    { name: "--from b --force", options: { from: "b", force: true }, ran: ["b", "c"] },
    { name: "--to b --force", options: { to: "b", force: true }, ran: ["a", "b"] },
    { name: "--from a --to b --force", options: { from: "a", to: "b", force: true }, ran: ["a", "b"] },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      await run();
      expect((await run(c.options)).ran).toEqual(c.ran);
    });
  }

  it("--only without --force still skips what is up to date, and runs what is stale", async () => {
    await run();
    expect((await run({ only: ["b"] })).ran).toEqual([]);
    expect((await run({ only: ["c"], sets: ["b.suffix=?"] })).ran).toEqual([]); // b is stale but not selected
    expect((await run({ to: "b", sets: ["b.suffix=?"] })).ran).toEqual(["b"]);
  });

  it("--dry-run prints the plan with reasons and runs nothing", async () => {
    await run();
    const lines: string[] = [];
    const r = await run({ dryRun: true, sets: ["a.n=4"], print: (l) => lines.push(l) });
    expect(r.ran).toEqual([]);
    expect(lines.slice(1).map((l) => l.replace(/\s+/g, " ").trim())).toEqual([
      "run a (gen) param n: 3 → 4",
      "run b (suffix) upstream 'a' will run",
      "run c (suffix) upstream 'b' will run",
      "skip lines (lines) up to date",
      "skip d (suffix) up to date",
    ]);
  });

  it("--dry-run plans around a file that is not there yet and says so; a real run stops on it", async () => {
    const { rm } = await import("node:fs/promises");
    await rm(dataFile);
    const lines: string[] = [];
    const r = await run({ dryRun: true, print: (l) => lines.push(l) });
    expect(r.plan.map((s) => `${s.action} ${s.stage}`)).toEqual(["run a", "run b", "run c", "run lines", "run d"]);
    expect(lines.at(-1)).toMatch(/^note: stage 'lines': .*data\.txt.* — a real run stops here$/);
    await expect(run()).rejects.toThrow(/data\.txt/);
  });
});

describe("failures", () => {
  const FLAKY = (fail: boolean, extra = "") => `
pipeline: f
stages:
  a: { uses: gen }
  boom: { uses: flaky, needs: [a], with: { fail: ${fail} } }
${extra}`;

  it("a stage that throws midway leaves no dataset behind, keeps its state dir, and runs next time", async () => {
    await run({}, FLAKY(false));
    await expect(run({}, FLAKY(true))).rejects.toMatchObject({ code: "STAGE", stage: "boom", message: /boom midway/ });
    // the earlier good output is untouched, no temp sibling is left
    expect((await readdir(join(dir, "runs/f"))).filter((n) => n.includes(".tmp-"))).toEqual([]);
    await import("node:fs/promises").then((fs) => fs.rm(join(dir, "runs/f/boom"), { recursive: true }));
    await expect(run({}, FLAKY(true))).rejects.toMatchObject({ code: "STAGE" });
    expect(existsSync(join(dir, "runs/f/boom"))).toBe(false);
    // one state dir per cache key (fail: false, fail: true), kept across failures for a resume
    const state = await readdir(join(dir, "runs/f/.state/boom"));
    expect(state).toHaveLength(2);
    for (const key of state) expect(existsSync(join(dir, "runs/f/.state/boom", key, "checkpoint"))).toBe(true);
    const lock = await readLock(join(dir, "runs/f/pipeline.lock.json"), "f");
    expect(Object.keys(lock.stages)).toEqual(["a", "boom"]); // boom's entry is the old good run
    const fixed = await run({}, FLAKY(false));
    expect(fixed.ran).toEqual(["boom"]);
    expect(fixed.plan[1].reasons).toEqual(["output missing"]);
  });

  it("--force starts the stage from an empty state dir: nothing to resume from, so it recomputes", async () => {
    await run({}, FLAKY(false));
    const [key] = await readdir(join(dir, "runs/f/.state/boom"));
    const kept = join(dir, "runs/f/.state/boom", key, "left-by-the-last-run");
    await writeFile(kept, "a finished checkpoint");
    expect((await run({})).ran).toEqual([]);
    expect(existsSync(kept)).toBe(true); // an unchanged rerun keeps it (a killed run resumes from it)
    expect((await run({ force: true })).ran).toEqual(["a", "boom"]);
    expect(existsSync(kept)).toBe(false);
    expect(existsSync(join(dir, "runs/f/.state/boom", key, "checkpoint"))).toBe(true);
  });

  it("Ctrl-C (abort) stops the stage cleanly, leaving no output", async () => {
    const controller = new AbortController();
    await writeFile(join(dir, "p.yaml"), FLAKY(false).replace("fail: false", "fail: false, wait: true"));
    calls.length = 0;
    const running = runPipeline("p.yaml", { cwd: dir, registry: testRegistry(), log: createMemoryLogger(), signal: controller.signal });
    while (!calls.includes("boom")) await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    await expect(running).rejects.toMatchObject({ code: "INTERRUPTED", stage: "boom" });
    expect(existsSync(join(dir, "runs/f/boom"))).toBe(false);
    expect(existsSync(join(dir, "runs/f/a/_manifest.json"))).toBe(true);
  });

  it("--strict fails a stage that rejected rows and leaves no output", async () => {
    const yaml = `pipeline: s\nstages:\n  a: { uses: gen, with: { reject: 2 } }\n`;
    await expect(run({ strict: true }, yaml)).rejects.toMatchObject({ code: "REJECTS", stage: "a" });
    expect(existsSync(join(dir, "runs/s/a"))).toBe(false);
    const ok = await run({}, yaml);
    expect(ok.ran).toEqual(["a"]);
    expect(ok.log.some((l) => l.includes("3 rows, 2 rejected"))).toBe(true);
  });
});

describe("one run per workdir", () => {
  it("refuses a workdir that a live run holds, takes over one whose run died, and releases it", async () => {
    await mkdir(join(dir, "runs/t"), { recursive: true });
    await writeFile(join(dir, "runs/t/.running"), String(process.ppid)); // a live process that is not us
    await expect(run()).rejects.toMatchObject({ code: "CONFIG", message: `another tooltune run (pid ${process.ppid}) is using this workdir` });
    await writeFile(join(dir, "runs/t/.running"), String(2 ** 22 + 1)); // above Linux's pid_max: no such process
    expect((await run()).ran).toEqual(["a", "b", "c", "lines", "d"]);
    expect(existsSync(join(dir, "runs/t/.running"))).toBe(false);
  });
});

describe("cache keys", () => {
  it("do not change when YAML keys are reordered, and do when a value changes", async () => {
    const keysOf = async (yaml: string) => {
      await run({ dryRun: true, print: () => {} }, yaml);
      const r = await run({}, yaml);
      const lock = await readLock(join(dir, "runs/k/pipeline.lock.json"), "k");
      await import("node:fs/promises").then((fs) => fs.rm(join(dir, "runs"), { recursive: true }));
      return { ran: r.ran, keys: Object.fromEntries(Object.entries(lock.stages).map(([k, v]) => [k, v.key])) };
    };
    const one = await keysOf(`pipeline: k\nstages:\n  a: { uses: gen, with: { n: 2, prefix: p, opts: { a: 3 } } }\n  b: { uses: suffix, needs: [a] }\n`);
    const two = await keysOf(`stages:\n  b: { needs: [a], uses: suffix }\n  a:\n    with:\n      opts: { a: 3 }\n      prefix: p\n      n: 2\n    uses: gen\npipeline: k\n`);
    const three = await keysOf(`pipeline: k\nstages:\n  a: { uses: gen, with: { n: 2, prefix: p, opts: { a: 4 } } }\n  b: { uses: suffix, needs: [a] }\n`);
    expect(two.keys).toEqual(one.keys);
    expect(three.keys.a).not.toBe(one.keys.a);
    // gen ignores opts.a, so a's bytes, and with them b's key, stay the same: content, not params, flows down
    expect(three.keys.b).toBe(one.keys.b);
    expect(three.ran).toEqual(["a", "b"]); // fresh workdir each time
    const four = await keysOf(`pipeline: k\nstages:\n  a: { uses: gen, with: { n: 2, prefix: q, opts: { a: 3 } } }\n  b: { uses: suffix, needs: [a] }\n`);
    expect(four.keys.b).not.toBe(one.keys.b);
  });
});
