/**
 * `npm run bench -- fuzz-scale [-- --sizes=4000,16000,64000]`: the input shapes the fuzzer found
 * slow (issue 15), each timed alone in CPU ms (best of 3) at growing sizes, so superlinear growth
 * shows as more than ×4 per ×4 in length: the Python-literal readers, the call decoder and checker,
 * cli's YAML loader (imported read-only from its source, as the fuzz harness does), and hf spans
 * (prefix renders, capped) on rows of growing length and on tau-bench's longest row.
 */
import { getTemplate, ingestRecord, parseJsonPy, parsePyLiteral, type Conversation, type Message } from "@tooltune/format";
import { readRecords } from "../../format/src/ingest/records.js";
import { SHARED_DATA } from "../../format/src/test-data.js";
import type { FunctionDoc, PossibleAnswer } from "../src/ast-checker.js";
import { checkOutput } from "../src/check.js";
import { decodePythonCalls } from "../src/pyparse.js";

const { parsePipeline } = await import("../../cli/src/pipeline.js");
const { testRegistry } = await import("../../cli/src/test-stages.js");

const sizes = (process.argv.find((a) => a.startsWith("--sizes="))?.slice(8) ?? "4000,16000,64000").split(",").map(Number);

async function cpuMs(f: () => unknown): Promise<number> {
  let best = Infinity;
  for (let k = 0; k < 3; k++) {
    const c = process.cpuUsage();
    try {
      await f();
    } catch {
      /* a reject is what most of these shapes should give */
    }
    const d = process.cpuUsage(c);
    best = Math.min(best, (d.user + d.system) / 1000);
  }
  return best;
}

const F: FunctionDoc = { name: "f", parameters: { type: "dict", required: ["a"], properties: { a: { type: "float" } } } };
const readers: Record<string, (s: string) => unknown> = {
  parsePyLiteral,
  parseJsonPy,
  decodePythonCalls,
  checkOutput: (s) => checkOutput({ category: "simple", functions: [F], answers: [{ f: { a: [1] } }] as unknown as PossibleAnswer[] }, s, "bfcl"),
};
const literalShapes: Record<string, (n: number) => string> = {
  "not not … 1": (n) => "not ".repeat(n / 4) + "1",
  "'\\\\… (backslashes)": (n) => "'" + "\\".repeat(n),
  "-1.01+1+1…": (n) => "-1.01" + "+1".repeat(n / 2),
  "--…-1": (n) => "-".repeat(n) + "1",
  "2**2**…": (n) => "2**".repeat(n / 3) + "1",
  "[1]*1*1…": (n) => "[1]" + "*1".repeat(n / 2),
  "[f(a=-1.01+1…)]": (n) => "[f(a=-1.01" + "+1".repeat(n / 2) + ")]",
};
const base = "pipeline: x.y\nstages:\n  s0:\n    uses: gen\n    with: { n: 2";
const yamlShapes: Record<string, (n: number) => string> = {
  "{ n: 2[[[[…": (n) => base + "[".repeat(n),
  "{ n: 2{'a': [{'a': […": (n) => base + "{'a': [".repeat(n / 7),
  "- - - …": (n) => "a:\n" + "- ".repeat(n / 2),
  "? ? ? … (30 deep, repeated)": (n) => ("a:\n" + "? ".repeat(30) + "\n").repeat(n / 64),
  "k0: 1 … (unique keys)": (n) => Array.from({ length: n / 8 }, (_, i) => `k${i}: 1`).join("\n"),
  "k: 1 … (one key repeated)": (n) => Array.from({ length: n / 6 }, () => "k: 1").join("\n"),
  "a: b: c … (an error a line)": (n) => "a: b: c\n".repeat(n / 8),
  "k0: &a0 1 … (anchors)": (n) => Array.from({ length: n / 12 }, (_, i) => `k${i}: &a${i} 1`).join("\n"),
  "blank lines": (n) => base + "}\n" + "\n".repeat(n),
};

const row = (name: string, ms: number[]) => console.log(`  ${name.padEnd(34)} ${ms.map((t) => t.toFixed(1).padStart(8)).join(" ")}`);
console.log(`CPU ms (best of 3) at ${sizes.join(" / ")} chars`);
for (const [shape, make] of Object.entries(literalShapes)) {
  console.log(shape);
  for (const [name, read] of Object.entries(readers)) {
    const ms: number[] = [];
    for (const n of sizes) ms.push(await cpuMs(() => read(make(n))));
    row(name, ms);
  }
}
console.log("cli parsePipeline");
for (const [shape, make] of Object.entries(yamlShapes)) {
  const ms: number[] = [];
  for (const n of sizes) ms.push(await cpuMs(() => parsePipeline(make(n), "f.yaml", { registry: testRegistry(), sets: [], cwd: "/nonexistent", baseDir: "/nonexistent" })));
  row(shape, ms);
}

console.log("hf qwen3 spans (train_on: assistant), CPU ms");
const hf = getTemplate("hf", { tokenizer: "qwen3" });
const spans = async (conv: Conversation, what: string) => {
  const rendered = conv.messages.reduce((a, m, i) => a + (m.role === "assistant" ? 2 * i + 1 : 0), 0);
  let outcome = "spans";
  try {
    hf.render(conv);
  } catch (e) {
    outcome = `reject: ${String((e as Error).message).slice(0, 40)}…`;
  }
  console.log(`  ${what.padEnd(34)} ${conv.messages.length} messages, ${rendered} message renders: ${(await cpuMs(() => hf.render(conv))).toFixed(1)} ms (${outcome})`);
};
for (const exchanges of [8, 16, 22, 23, 64]) {
  const messages: Message[] = [{ role: "system", content: "You are helpful." }];
  for (let i = 0; i < exchanges; i++) {
    messages.push({ role: "user", content: `What is the weather in city ${i}?` });
    messages.push({ role: "assistant", content: "", toolCalls: [{ name: "get_weather", arguments: { city: `c${i}` } }] });
    messages.push({ role: "tool", content: `{"temp": ${i}}` });
    messages.push({ role: "assistant", content: `It is ${i} degrees.` });
  }
  await spans({ id: "x", source: "bench", split: "train", tools: [], messages }, `${exchanges} weather exchanges`);
}
const tau = "tau_bench_gpt4o_airline/gpt-4o-airline.json";
let longest: Conversation | undefined;
for await (const rec of readRecords(SHARED_DATA + tau)) {
  const r = ingestRecord(rec.value, "auto", { source: tau }, { seed: 1, testFraction: 0 });
  if ("conv" in r && r.conv.messages.length > (longest?.messages.length ?? 0)) longest = r.conv;
}
if (longest) await spans(longest, "tau-bench's longest row");
