/**
 * `npm run bench -- scale [-- --sizes=1e4,1e5,1e6] [--keep]`: N synthetic conversations through
 * synth → ingest → format → tokenize, each a one-off stage (`tooltune <stage>`) in its own child
 * process under /usr/bin/time, so each stage's peak RSS is its own. Prints per stage and size:
 * wall and CPU seconds, rows/s (rows the stage read, or wrote for synth), tokens/s (tokenize) and
 * peak RSS. Default size 1e5; 1e7 is opt-in (`--sizes=1e7`: hours of CPU and ~100 GB of disk).
 * Issue 18's goal: peak RSS at 1e7 ≤ 1.2× the peak at 1e5, and ≤ 1.5 GB. Asserts nothing.
 *
 * Params as the quickstart's data (compact schemas, 2 tools offered, chatml + course tokens,
 * Qwen3's tokenizer, max_length 1024), but packed (pack: true), so that packing is measured too.
 * Run `npm run build` first: without fresh dist/ the CLI runs from source through tsx, which
 * costs start-up time and memory of its own.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
// @ts-expect-error: plain JS next to the CLI's bin, no types
import { distIsFresh } from "../../cli/bin/fresh.js";

const CLI = new URL("../../cli/bin/tooltune.js", import.meta.url).pathname;
const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
const sizes = (arg("sizes") ?? "1e5").split(",").map((s) => Math.round(Number(s)));
if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--sizes wants numbers such as 1e5,1e6, got ${arg("sizes")}`);
const keep = process.argv.includes("--keep");
// Decided once: an edit during a long run must not switch later stages to the sources.
const from = distIsFresh(new URL("../../", import.meta.url).pathname) ? "dist" : "src";

const STAGES: { stage: string; input?: string; params: string[] }[] = [
  { stage: "synth", params: ["test_fraction=0.1", "tools_min=2", "tools_max=2", "schemas=compact"] },
  { stage: "ingest", input: "synth", params: [] },
  { stage: "format", input: "ingest", params: ["template=chatml", "special_tokens=course"] },
  { stage: "tokenize", input: "format", params: ["tokenizer=qwen3", "max_length=1024", "pack=true"] },
];

interface Measured { wall: number; cpu: number; rssMb: number }

/** One child under GNU time -v: its wall time, CPU time and maximum resident set size. */
function timedChild(args: string[]): Measured {
  const r = spawnSync("/usr/bin/time", ["-v", process.execPath, CLI, ...args], { encoding: "utf8", maxBuffer: 64 << 20, env: { ...process.env, TOOLTUNE_FROM: from } });
  const field = (name: string) => r.stderr.match(new RegExp(`${name}: (.+)`))?.[1]?.trim() ?? "";
  if (r.status !== 0) throw new Error(`tooltune ${args.join(" ")} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  const clock = field("Elapsed \\(wall clock\\) time \\(h:mm:ss or m:ss\\)").split(":").map(Number);
  const wall = clock.reduce((s, x) => s * 60 + x, 0);
  return { wall, cpu: Number(field("User time \\(seconds\\)")) + Number(field("System time \\(seconds\\)")), rssMb: Number(field("Maximum resident set size \\(kbytes\\)")) / 1024 };
}

const manifest = (dir: string) => JSON.parse(readFileSync(join(dir, "_manifest.json"), "utf8")) as { rows: number; stats?: Record<string, unknown> };

console.log(`scale: ${cpus().length} cores, load ${loadavg().map((x) => x.toFixed(1)).join(" ")} at start, node ${process.version}, CLI from ${from}${from === "src" ? " (stale or no dist/: run npm run build for figures)" : ""}`);
console.log("size       stage      wall s   cpu s   rows/s    tokens/s   peak RSS MB");
for (const n of sizes) {
  const root = mkdtempSync(join(tmpdir(), `scale-${n}-`));
  const peaks: number[] = [];
  try {
    for (const { stage, input, params } of STAGES) {
      const out = join(root, stage);
      const args = [stage, "--output", out, "--seed", "42", ...(input ? ["--input", join(root, input)] : []), ...params.flatMap((p) => ["--param", p])];
      if (stage === "synth") args.push("--param", `conversations=${n}`);
      const m = timedChild(args);
      peaks.push(m.rssMb);
      const rows = input ? manifest(join(root, input)).rows : manifest(out).rows;
      const tokens = stage === "tokenize" ? Number(manifest(out).stats?.tokens) : undefined;
      console.log(
        `${String(n).padEnd(10)} ${stage.padEnd(9)} ${m.wall.toFixed(1).padStart(7)} ${m.cpu.toFixed(1).padStart(7)} ${(rows / m.wall).toFixed(0).padStart(8)}` +
          `${(tokens === undefined ? "" : (tokens / m.wall).toFixed(0)).padStart(12)} ${m.rssMb.toFixed(0).padStart(13)}`,
      );
    }
    console.log(`${String(n).padEnd(10)} peak RSS of the four stages: ${Math.max(...peaks).toFixed(0)} MB (load ${loadavg()[0].toFixed(1)})`);
  } finally {
    if (keep) console.log(`kept ${root}`);
    else rmSync(root, { recursive: true, force: true });
  }
}
