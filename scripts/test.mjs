#!/usr/bin/env node
// `npm test`: build and test every package through nx (cached), then print one closing line that
// counts every test in the workspace ("N passed, N failed"), read from each project's vitest JSON.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

const env = { ...process.env, NX_DAEMON: "false", NX_NO_CLOUD: "true", NX_TUI: "false" };
// On CI every test runs for real: nx keeps a machine-wide cache (~/.nx) that would otherwise replay
// results recorded by an earlier run on the same machine.
const fresh = process.env.CI ? ["--skip-nx-cache"] : [];
const args = ["nx", "run-many", "-t", "build,test", "--outputStyle=stream", ...fresh, ...process.argv.slice(2)];
const run = spawnSync("npx", args, { stdio: "inherit", env });

const projects = [...readdirSync("packages").map((p) => join("packages", p)), "tests"];
let passed = 0, failed = 0, skipped = 0;
for (const dir of projects) {
  const file = join(dir, "test-results.json");
  if (!existsSync(file)) continue;
  const report = JSON.parse(readFileSync(file, "utf8"));
  passed += report.numPassedTests ?? 0;
  failed += report.numFailedTests ?? 0;
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
}
console.log(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(run.status === 0 && failed === 0 ? 0 : 1);
