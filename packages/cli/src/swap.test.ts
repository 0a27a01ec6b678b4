// Swapping a stage: a `cmd:` shell command or a module file in place of a built-in kind, with the
// same caching and lock file as any stage.
import { existsSync } from "node:fs";
import { readFile, stat, utimes, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeEach, describe, expect, it } from "vitest";
import { createMemoryLogger, readManifest } from "@tooltune/core";
import { readLock } from "./lock.js";
import { runPipeline, type RunOptions as FullOptions } from "./run.js";

type RunOptions = Omit<FullOptions, "registry">;
import { tempDir, testRegistry } from "./test-stages.js";

let dir: string;
const run = async (yaml: string, options: RunOptions = {}) => {
  await writeFile(join(dir, "p.yaml"), yaml);
  return runPipeline("p.yaml", { cwd: dir, registry: testRegistry(), log: createMemoryLogger(), ...options });
};
beforeEach(async () => {
  dir = await tempDir();
  await writeFile(join(dir, "dep.txt"), "dep-1");
});

// Reads the upstream dataset dir, the dep file and a param (as env and as ${params.*}) into out.txt.
const script = (extra = "") =>
  `const fs=require('fs');fs.writeFileSync(process.env.TOOLTUNE_OUT+'/out.txt', [process.env.TOOLTUNE_PARAM_GREETING, '\${params.greeting}', fs.readdirSync('\${inputs.a}').length, fs.readFileSync('dep.txt','utf8')].join(' '))${extra}`;
const CMD = (extra = "", greeting = "hello") => `
pipeline: c
stages:
  a: { uses: gen }
  script:
    cmd: ${JSON.stringify(`node -e "${script(extra)}" && test -d \${out}`)}
    needs: [a]
    deps: [dep.txt]
    kind: report
    with: { greeting: ${greeting} }
  after: { cmd: "cat \${inputs.script}/out.txt > \${out}/copy.txt", needs: [script] }
`;

describe("cmd: stages", () => {
  it("run with inputs, params and deps substituted, get a manifest, and cache", async () => {
    expect((await run(CMD())).ran).toEqual(["a", "script", "after"]);
    const out = join(dir, "runs/c/script");
    expect(await readFile(join(out, "out.txt"), "utf8")).toBe("hello hello 2 dep-1"); // a: 1 part + manifest
    const manifest = await readManifest(out);
    expect(manifest).toMatchObject({ kind: "report", stage: "cmd", files: [{ name: "out.txt" }] });
    expect(await readFile(join(dir, "runs/c/after/copy.txt"), "utf8")).toBe("hello hello 2 dep-1");
    expect((await run(CMD())).ran).toEqual([]);
  });

  it("rerun when the command text changes", async () => {
    await run(CMD());
    const r = await run(CMD(";1"));
    expect(r.ran).toEqual(["script"]); // same bytes out, so 'after' stops there
    expect(r.plan[1].reasons[0]).toMatch(/^param cmd: /);
  });

  it("rerun when a param changes, and downstream with it", async () => {
    await run(CMD());
    expect((await run(CMD("", "bye"))).ran).toEqual(["script", "after"]);
  });

  it("rerun when a dep's bytes change under the same mtime", async () => {
    await run(CMD());
    const before = await stat(join(dir, "dep.txt"));
    await writeFile(join(dir, "dep.txt"), "dep-2");
    await utimes(join(dir, "dep.txt"), before.atime, before.mtime);
    const r = await run(CMD());
    expect(r.ran).toEqual(["script", "after"]);
    expect(r.plan[1].reasons).toEqual(["file 'dep.txt' changed"]);
  });

  it("a failing command is a stage error and leaves no output", async () => {
    const yaml = `pipeline: c\nstages:\n  x: { cmd: "echo partial > \${out}/f && exit 3" }\n`;
    await expect(run(yaml)).rejects.toMatchObject({ code: "STAGE", stage: "x", message: /exited with code 3/ });
    expect(existsSync(join(dir, "runs/c/x"))).toBe(false);
  });

  it("a param is one literal word in any quoting context: it cannot inject shell", async () => {
    const value = `a  b'c"d $(touch pwned1) \`touch pwned2\`; touch pwned3 \\ $HOME ' && touch pwned4 '`;
    const cmd = `printf '%s\\n' \${params.v} '\${params.v}' "\${params.v}" > \${out}/v.txt`;
    const yaml = `pipeline: c\nstages:\n  x:\n    cmd: ${JSON.stringify(cmd)}\n    with: { v: ${JSON.stringify(value)} }\n`;
    expect((await run(yaml)).ran).toEqual(["x"]);
    expect(await readFile(join(dir, "runs/c/x/v.txt"), "utf8")).toBe(`${value}\n`.repeat(3));
    for (const n of [1, 2, 3, 4]) expect(existsSync(join(dir, `pwned${n}`))).toBe(false);
  });

  it("a missing dep is a config error naming the stage", async () => {
    const yaml = `pipeline: c\nstages:\n  x:\n    cmd: "true"\n    deps: [nope.txt]\n`;
    await expect(run(yaml)).rejects.toMatchObject({ code: "CONFIG", stage: "x", where: "p.yaml:3:3" });
  });
});

describe("module stages", () => {
  const fixtures = fileURLToPath(new URL("./fixtures/", import.meta.url));
  const MOD = (times = 1) => `
pipeline: m
stages:
  note: { uses: ${relative(dir, join(fixtures, "note-stage.mjs"))}, with: { text: hi } }
  shout: { uses: ${relative(dir, join(fixtures, "shout-stage.ts"))}, needs: [note], with: { times: ${times} } }
`;

  it("load from .mjs (named export) and .ts (default export, through tsx), relative to the YAML, and cache", async () => {
    expect((await run(MOD())).ran).toEqual(["note", "shout"]);
    expect(await readFile(join(dir, "runs/m/shout/note.txt"), "utf8")).toBe("HI");
    const lock = await readLock(join(dir, "runs/m/pipeline.lock.json"), "m");
    expect(lock.stages.shout.inputs.map((i) => i.from)).toEqual(["stage:note", "seed", `module:${relative(dir, join(fixtures, "shout-stage.ts"))}`]);
    expect((await run(MOD())).ran).toEqual([]);
    expect((await run(MOD(2))).ran).toEqual(["shout"]);
    expect(await readFile(join(dir, "runs/m/shout/note.txt"), "utf8")).toBe("HIHI");
  });

  it("keeps code, where and fix of a TooltuneError thrown by another copy of core", async () => {
    const yaml = `pipeline: m\nstages:\n  x: { uses: ${relative(dir, join(fixtures, "fail-stage.mjs"))} }\n`;
    await expect(run(yaml)).rejects.toMatchObject({ code: "INPUT", where: "data.jsonl:3", fix: "fix line 3", stage: "x", message: "row 3 is not JSON" });
  });

  it("a module that exports no stage is a config error at uses:", async () => {
    const yaml = `pipeline: m\nstages:\n  x:\n    uses: ${relative(dir, join(fixtures, "not-a-stage.mjs"))}\n`;
    await expect(run(yaml)).rejects.toMatchObject({ code: "CONFIG", stage: "x", where: "p.yaml:4:11", message: /missing version, run, params/ });
  });
});
