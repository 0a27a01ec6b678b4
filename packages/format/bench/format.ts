/**
 * `npm run bench -- format [-- --rows=N]`: rows/s of ingest + format on N synthetic conversations
 * (default 100,000) made by the synth generator and written as raw OpenAI-style JSONL, the form
 * an outside source would have. Prints figures, asserts nothing.
 *
 * - pure ingest: `ingestRecord` per parsed record (detect, adapt, validate, id, split), no IO
 * - pure format: `render` per conversation with chatml / gemma-course / hf (Qwen3's Jinja)
 * - stages: ingestStage (JSONL → conversations Parquet) then formatStage (→ formatted Parquet),
 *   wall time including reading and writing the datasets
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { atomicOutput, createLogger, openDataset, type ConversationRow, type StageDefinition, type StageInput } from "@tooltune/core";
import type { Conversation } from "../src/conversation.js";
import { formatStage } from "../src/format-stage.js";
import { ingestRecord } from "../src/ingest/adapt.js";
import { ingestStage } from "../src/ingest/stage.js";
import { generateConversation } from "../src/synth/generate.js";
import { synthParams } from "../src/synth/params.js";
import { getTemplate } from "../src/templates/index.js";

const rows = Number(process.argv.find((a) => a.startsWith("--rows="))?.slice(7) ?? 100_000);
const rate = (n: number, ms: number) => `${Math.round(n / (ms / 1000)).toLocaleString("en-US")} rows/s`;

/** Canonical row → the OpenAI chat record a user would bring (arguments as JSON strings). */
function toOpenAI(row: ConversationRow): object {
  return {
    tools: JSON.parse(row.tools) as unknown,
    messages: row.messages.map((m) => ({
      role: m.role,
      content: m.content,
      ...(m.reasoning !== null ? { reasoning_content: m.reasoning } : {}),
      ...(m.tool_calls ? { tool_calls: m.tool_calls.map((c, i) => ({ id: c.id ?? `call_${i}`, type: "function", function: { name: c.name, arguments: c.arguments } })) } : {}),
      ...(m.tool_call_id !== null ? { tool_call_id: m.tool_call_id } : {}),
      ...(m.name !== null ? { name: m.name } : {}),
    })),
  };
}

async function runStage(stage: StageDefinition, params: unknown, inputs: StageInput[], finalDir: string): Promise<StageInput> {
  await atomicOutput(finalDir, async (outDir) => {
    const parsed = stage.params.parse(params);
    const provenance = { stage: stage.kind, stageVersion: stage.version, params: parsed, inputs: inputs.map((i) => ({ path: i.path, contentHash: i.manifest.contentHash })) };
    const ctx = { inputs, outDir, finalDir, stateDir: finalDir + ".state", stageName: stage.kind, seed: 1, strict: false, log: createLogger({ stream: process.stderr }), signal: new AbortController().signal, provenance };
    await stage.run(ctx, parsed);
  });
  return { name: stage.kind, path: finalDir, manifest: (await openDataset(finalDir)).manifest };
}

console.log(`${rows} conversations; node ${process.version}; ${cpus().length} cores, load average ${loadavg().map((x) => x.toFixed(1)).join(" ")}`);
let t = performance.now();
const synth: ConversationRow[] = [];
const synthOptions = { ...synthParams.parse({}), seed: 1, testFraction: 0.1 };
let synthErrors = 0;
for (let i = 0; synth.length < rows; i++) {
  try {
    synth.push(generateConversation(i, synthOptions));
  } catch {
    synthErrors++; // a generator bug at some index must not stop the benchmark: counted and printed
  }
}
const lines = synth.map((r) => JSON.stringify(toOpenAI(r)));
const chars = lines.reduce((n, l) => n + l.length, 0);
console.log(`made with synth in ${((performance.now() - t) / 1000).toFixed(1)} s: ${(chars / 1e6).toFixed(1)} M characters of JSONL, ${(chars / rows).toFixed(0)} per row${synthErrors ? ` (synth threw on ${synthErrors} indices, skipped)` : ""}`);

const records = lines.map((l) => JSON.parse(l) as unknown);
t = performance.now();
const convs: Conversation[] = [];
const seen = new Map<string, number>();
for (const [i, r] of records.entries()) {
  const out = ingestRecord(r, "auto", { source: `bench:${i}` }, { seed: 1, testFraction: 0.1, seen });
  if ("conv" in out) convs.push(out.conv);
}
console.log(`pure ingest (detect + adapt + validate + id):   ${rate(rows, performance.now() - t)}  (${rows - convs.length} rejected)`);

for (const [name, opts] of [["chatml", {}], ["gemma-course", {}], ["hf", { tokenizer: "qwen3" }]] as const) {
  const template = getTemplate(name, opts);
  const sample = name === "hf" ? convs.slice(0, Math.min(rows, 2_000)) : convs; // the Jinja interpreter is slow: time 2,000 rows
  t = performance.now();
  let failed = 0;
  for (const c of sample) {
    try {
      template.render(c);
    } catch {
      failed++; // hf refuses spans it cannot derive (multi-turn reasoning history): counted, not hidden
    }
  }
  console.log(`pure format, ${name.padEnd(13)} ${String(sample.length).padStart(7)} rows: ${rate(sample.length, performance.now() - t)}${failed ? `  (${failed} rows without honest spans → rejects)` : ""}`);
}

const dir = await mkdtemp(join(tmpdir(), "tt-bench-format-"));
try {
  const raw = join(dir, "raw.jsonl");
  await writeFile(raw, lines.join("\n") + "\n");
  t = performance.now();
  const convsOut = await runStage(ingestStage, { path: raw }, [], join(dir, "convs"));
  const ingestMs = performance.now() - t;
  console.log(`stage ingest (JSONL → Parquet):                ${rate(convsOut.manifest.rows, ingestMs)}  (${convsOut.manifest.rows} rows, ${convsOut.manifest.rejected} rejected)`);
  t = performance.now();
  const text = await runStage(formatStage, { template: "chatml" }, [convsOut], join(dir, "text"));
  const formatMs = performance.now() - t;
  console.log(`stage format chatml (Parquet → Parquet):       ${rate(text.manifest.rows, formatMs)}`);
  console.log(`ingest + format, end to end:                   ${rate(rows, ingestMs + formatMs)}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
