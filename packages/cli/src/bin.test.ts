// The binary (bin/tooltune.js, on dist/ when it is fresh, else on the sources): exit codes,
// streams, Ctrl-C; and how it picks.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { distIsFresh } from "../bin/fresh.js";
import { tempDir } from "./test-stages.js";

const BIN = fileURLToPath(new URL("../bin/tooltune.js", import.meta.url));

function tooltune(cwd: string, args: string[], onSpawn?: (pid: number) => void, env: Record<string, string> = {}) {
  const start = Date.now();
  return new Promise<{ code: number | null; stdout: string; stderr: string; ms: number }>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => {
      stderr += d;
      if (onSpawn && stderr.includes("$ sleep")) {
        onSpawn(child.pid!); // once: a second Ctrl-C means "quit now"
        onSpawn = undefined;
      }
    });
    child.on("close", (code) => resolve({ code, stdout, stderr, ms: Date.now() - start }));
  });
}

let dir: string;
beforeAll(async () => {
  dir = await tempDir();
});

describe("bin/tooltune.js", () => {
  it("runs a pipeline, then finds it up to date; plans go to stdout, logs to stderr", async () => {
    await writeFile(join(dir, "ok.yaml"), `pipeline: ok\nstages:\n  hello: { cmd: "echo hi > \${out}/hi.txt", kind: report }\n`);
    const first = await tooltune(dir, ["run", "ok.yaml"]);
    expect(first).toMatchObject({ code: 0, stdout: "" });
    expect(first.stderr).toMatch(/▶ hello \(cmd\): never run[\s\S]*✓ hello .*: report, 0 rows/);
    const dry = await tooltune(dir, ["run", "ok.yaml", "--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/skip\s+hello\s+\(cmd\)\s+up to date/);
    const status = await tooltune(dir, ["status", "ok.yaml"]);
    expect(status.stdout).toBe("✓ hello  up to date\n");
  }, 60_000);

  it("prints one error with file:line:col and a fix, exit code 1", async () => {
    await writeFile(join(dir, "bad.yaml"), `pipeline: bad\nstages:\n  a:\n    cmd: "true"\n    needs: [ghost]\n`);
    const r = await tooltune(dir, ["run", "bad.yaml"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("bad.yaml:5:13: stage 'a': CONFIG: needs 'ghost', which is not a stage of this pipeline\n  fix: use one of: (no other stages)\n");
  }, 60_000);

  it("Ctrl-C stops a running stage cleanly: exit 130, no output, no temp dir", async () => {
    await writeFile(join(dir, "slow.yaml"), `pipeline: slow\nstages:\n  wait: { cmd: "sleep 30 && echo late" }\n`);
    const r = await tooltune(dir, ["run", "slow.yaml"], (pid) => process.kill(pid, "SIGINT"));
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/stopping at a safe point[\s\S]*stage 'wait': INTERRUPTED/);
    expect(existsSync(join(dir, "runs/slow/wait"))).toBe(false);
    expect((await readdir(join(dir, "runs/slow"))).filter((n) => n.includes(".tmp-"))).toEqual([]);
    expect(r.ms).toBeLessThan(20_000); // the shell's children were stopped, not waited for
  }, 60_000);
});

describe("a cmd: stage when tooltune is SIGKILLed", () => {
  it("stops with it: no orphan goes on writing (no exit hook runs on SIGKILL; the command's watcher sees its pipe close)", async () => {
    await writeFile(join(dir, "orphan.yaml"), `pipeline: orphan\nstages:\n  wait: { cmd: "sleep 0.2; echo $$ > pid.txt; sleep 30; touch late.txt" }\n`);
    const r = await tooltune(dir, ["run", "orphan.yaml"], (pid) => setTimeout(() => process.kill(pid, "SIGKILL"), 1500));
    expect(r.code).toBe(null);
    const group = Number(await readFile(join(dir, "pid.txt"), "utf8"));
    const alive = () => { try { process.kill(-group, 0); return true; } catch { return false; } };
    for (let i = 0; i < 100 && alive(); i++) await new Promise((done) => setTimeout(done, 100));
    expect(alive()).toBe(false);
    expect(existsSync(join(dir, "late.txt"))).toBe(false);
    expect(existsSync(join(dir, "runs/orphan/wait"))).toBe(false);
  }, 60_000);
});

describe("which code the bin runs", () => {
  it("runs from the TypeScript sources with no build (as right after npm ci)", async () => {
    const r = await tooltune(dir, ["show", "--help"], undefined, { TOOLTUNE_FROM: "src" });
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toMatch(/tooltune show <dataset>/);
  }, 60_000);

  it("takes dist/ only when every package has one newer than its sources and build inputs", async () => {
    const root = join(await tempDir(), "packages");
    const file = async (path: string, secondsAgo: number) => {
      await mkdir(join(path, ".."), { recursive: true });
      await writeFile(path, "");
      const t = Date.now() / 1000 - secondsAgo;
      await utimes(path, t, t);
    };
    await file(join(root, "a/src/x.ts"), 60);
    await file(join(root, "a/package.json"), 60);
    await file(join(root, "b/src/deep/y.ts"), 60);
    await file(join(root, "no-src/readme.md"), 0); // not a package with sources: ignored
    expect(distIsFresh(root)).toBe(false); // no dist at all
    await file(join(root, "a/dist/index.js"), 30);
    expect(distIsFresh(root)).toBe(false); // b has none
    await file(join(root, "b/dist/index.js"), 30);
    expect(distIsFresh(root)).toBe(true);
    await file(join(root, "b/src/deep/y.test.ts"), 0); // tests are not built
    expect(distIsFresh(root)).toBe(true);
    await file(join(root, "b/src/deep/y.ts"), 0);
    expect(distIsFresh(root)).toBe(false);
    await file(join(root, "b/dist/index.js"), 0);
    await file(join(root, "a/tsconfig.build.json"), -5);
    expect(distIsFresh(root)).toBe(false);
  });
});
