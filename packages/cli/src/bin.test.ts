// The built binary (bin/tooltune.js → dist/): exit codes, streams, Ctrl-C. `npm test` builds
// dist first (nx: test dependsOn build); alone, run `npx nx run cli:build` before this file.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "./test-stages.js";

const BIN = fileURLToPath(new URL("../bin/tooltune.js", import.meta.url));
const DIST = fileURLToPath(new URL("../dist/main.js", import.meta.url));

function tooltune(cwd: string, args: string[], onSpawn?: (pid: number) => void) {
  const start = Date.now();
  return new Promise<{ code: number | null; stdout: string; stderr: string; ms: number }>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
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
  if (!existsSync(DIST)) throw new Error(`${DIST} is missing: run \`npx nx run cli:build\` first`);
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
