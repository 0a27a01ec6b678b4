// `npm run bench -- eval`: eval throughput. (1) The checkers alone on the shared BFCL half
// (decode + check per output, both modes). (2) The whole single-turn eval loop (render → tokenize
// → generate → decode → check) with a tiny randomly initialised Qwen2-family model and the Qwen3
// tokenizer: examples/s and generated tokens/s. A random model writes garbage, so its numbers
// measure speed only; every output runs to max_new_tokens unless it emits a stop token.
import { getTemplate } from "@tooltune/format";
import { createModel, makeConfig, selectBackend } from "@tooltune/model";
import { loadTokenizerBundle } from "@tooltune/tokenize";
import { BFCL_CATEGORIES, groundTruthToPython, loadBfclCategory } from "../src/bfcl-data.js";
import { checkOutput } from "../src/check.js";
import { evaluateItems } from "../src/evaluate.js";
import { modelGenerator } from "../src/model-generator.js";
import { sharedData } from "@tooltune/core/shared-data";

const BFCL_DIR = sharedData("bfcl", "/");
const items = BFCL_CATEGORIES.flatMap((c) => loadBfclCategory(BFCL_DIR, c));
const python = items.map((i) => (i.answers.length ? groundTruthToPython(i) : "No function fits this request."));
const tagged = items.map((i) =>
  i.answers.map((a) => { const [name, args] = Object.entries(a)[0]; return `<tool_call>\n${JSON.stringify({ name, arguments: Object.fromEntries(Object.entries(args).map(([k, v]) => [k, v[0] === "" ? v[1] : v[0]])) }, (_k, x) => (typeof x === "bigint" ? Number(x) : x))}\n</tool_call>`; }).join("\n") || "No function fits.");

function timeChecks(label: string, outputs: string[], mode: "bfcl" | "strict") {
  outputs.forEach((o, k) => checkOutput(items[k], o, mode)); // warm-up: JIT, regex caches
  const reps = 3;
  let passed = 0;
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) passed = outputs.filter((o, k) => checkOutput(items[k], o, mode).pass).length;
  const s = (performance.now() - t0) / 1000;
  console.log(`checker ${label.padEnd(26)} ${mode.padEnd(6)} ${((reps * outputs.length) / s).toFixed(0).padStart(7)} examples/s  (${outputs.length} BFCL rows, ${passed} pass)`);
}
timeChecks("Python calls (BFCL style)", python, "bfcl");
timeChecks("Python calls (BFCL style)", python, "strict");
timeChecks("<tool_call> JSON blocks", tagged, "bfcl");
timeChecks("<tool_call> JSON blocks", tagged, "strict");

const backend = await selectBackend("auto");
const bundle = loadTokenizerBundle("qwen3");
const config = makeConfig("qwen2", { vocabSize: bundle.vocabSize, hiddenSize: 64, intermediateSize: 128, numHiddenLayers: 2, numAttentionHeads: 4, numKeyValueHeads: 2 });
const model = createModel(config, 1);
const chatml = getTemplate("chatml");
const sample = items.filter((i) => i.category === "simple_python").slice(0, 16).map((i) => ({ ...i, conversationId: i.id, tools: i.functions.map((f) => ({ type: "function" as const, function: f as never })) }));
for (const maxNewTokens of [32]) {
  const gen = modelGenerator("tiny", model, bundle);
  const t0 = performance.now();
  await evaluateItems(sample, gen, { render: chatml.renderPrompt.bind(chatml), generate: { maxNewTokens, temperature: 0, stop: chatml.stopStrings }, mode: "strict", batchSize: 8 });
  const s = (performance.now() - t0) / 1000;
  console.log(`eval loop, tiny random qwen2 (h64, 2 layers, vocab ${bundle.vocabSize}), backend ${backend.name}, batch 8, max_new_tokens ${maxNewTokens}:`);
  console.log(`  ${(sample.length / s).toFixed(2)} examples/s, ${(gen.generatedTokens!() / s).toFixed(1)} generated tokens/s (${gen.generatedTokens!()} tokens, ${sample.length} prompts, ${s.toFixed(1)} s)`);
}
