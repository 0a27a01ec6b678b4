#!/usr/bin/env node
// `npm run bench -- NAME [NAME…] [-- args]`: runs packages/*/bench/NAME.ts from TypeScript source
// (no build needed). Without a name, every benchmark. Benchmarks print their figures; they assert nothing.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

const all = [];
for (const pkg of readdirSync("packages")) {
  const dir = join("packages", pkg, "bench");
  if (!existsSync(dir)) continue;
  for (const f of readdirSync(dir)) if (f.endsWith(".ts") && !f.startsWith("_")) all.push({ name: f.slice(0, -3), file: join(dir, f) });
}
const names = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const extra = process.argv.slice(2).filter((a) => a.startsWith("-"));
const chosen = names.length ? all.filter((b) => names.includes(b.name)) : all;
const unknown = names.filter((n) => !all.some((b) => b.name === n));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(", ")}; available: ${all.map((b) => b.name).join(", ")}`);
  process.exit(2);
}
let status = 0;
for (const b of chosen) {
  console.log(`\n=== bench ${b.name} (${b.file})`);
  const r = spawnSync(process.execPath, ["--conditions=tooltune-src", "--import", "tsx", b.file, ...extra], { stdio: "inherit" });
  if (r.status !== 0) status = 1;
}
process.exit(status);
