/**
 * `npm run bench -- fuzz [-- --inputs=N --seed=S --only=TEXT]`: seeded fuzzing of every parser and
 * loader a hostile input reaches (issue 15; harness in src/test-fuzz.ts), N inputs per target
 * (default 100,000). Prints inputs tried, rejects, findings, max time per input and peak RSS per
 * target; exits 1 when there is a finding.
 */
import { loadavg } from "node:os";
import { fuzzTarget, fuzzTargets, SLOW_MS } from "../src/test-fuzz.js";

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const inputs = Number(arg("inputs") ?? 100_000);
const seed = Number(arg("seed") ?? 15);
const only = arg("only");

const t0 = Date.now();
let findings = 0;
let peak = 0;
console.log(`seed ${seed}, ${inputs.toLocaleString("en-US")} inputs per target, slow = over ${SLOW_MS} ms of CPU time unless a target says`);
for (const target of await fuzzTargets(seed)) {
  if (only && !target.name.includes(only)) continue;
  if ("unavailable" in target) {
    findings++;
    console.log(`${target.name}: NOT RUN, ${target.unavailable}`);
    continue;
  }
  const t1 = Date.now();
  const s = await fuzzTarget(target, inputs, seed);
  const n = Object.values(s.kinds).reduce((a, b) => a + b, 0);
  findings += n;
  peak = Math.max(peak, s.peakRssMb);
  console.log(`${s.target}: ${s.tried.toLocaleString("en-US")} tried, ${s.rejected.toLocaleString("en-US")} rejected with a reason, ${n} findings, max ${s.maxMs.toFixed(1)} CPU ms/input${target.slowMs ? ` (slow > ${target.slowMs})` : ""} (${s.maxWallMs.toFixed(0)} wall), peak RSS ${s.peakRssMb.toFixed(0)} MB, ${(s.totalCpuMs / 1000).toFixed(0)} s CPU, ${((Date.now() - t1) / 1000).toFixed(0)} s wall, load ${loadavg().map((x) => x.toFixed(1)).join(" ")}`);
  for (const [kind, count] of Object.entries(s.kinds)) console.log(`  ${count} × ${kind}`);
  if (s.slowest) console.log(`  slowest: #${s.slowest.input}, ${s.slowest.what}: ${JSON.stringify(s.slowest.sample)}`);
  for (const f of s.findings) console.log(`    e.g. #${f.input}: ${f.what}\n      input: ${JSON.stringify(f.sample)}`);
}
console.log(`total: ${findings} findings, peak RSS ${peak.toFixed(0)} MB, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
process.exitCode = findings ? 1 : 0;
