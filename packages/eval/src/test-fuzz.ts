/**
 * The fuzz harness (issue 15): seeded generated and mutated inputs fed to the tool-call parser,
 * format's Python-literal and JSON readers, the BFCL call decoder, the checker, the YAML pipeline
 * loader, the ingest adapters and the chat-template renderer. An input is handled when the target returns (a value or a reject with a
 * reason) or throws the error its contract names (TooltuneError; a reader's own syntax error);
 * anything else thrown, a broken output invariant, or an input taking over SLOW_MS of CPU time is a finding.
 * `npm run bench -- fuzz` runs ≥ 100,000 inputs per target; `fuzz.test.ts` a shrunken run.
 */
import { performance } from "node:perf_hooks";
import { isTooltuneError } from "@tooltune/core";
import { DecodeError, getTemplate, ingestRecord, parseAssistantOutput, parseJsonPy, parsePyLiteral, type Conversation, type SourceFormat } from "@tooltune/format";
import type { FunctionDoc, PossibleAnswer } from "./ast-checker.js";
import { checkOutput, type CheckTarget } from "./check.js";
import { decodePythonCalls } from "./pyparse.js";
import { asRecord, bfclRecords, genCallText, genLiteralText, genPipelineYaml, mutateTextN, mutateValue, Rng, synthRows } from "./test-fuzz-inputs.js";

export const SLOW_MS = 100;

export interface Finding {
  target: string;
  input: number;
  what: string;
  /** The start of the input, for a report. */
  sample: string;
}

export interface TargetStats {
  target: string;
  tried: number;
  /** Inputs the target rejected with a reason (a thrown contract error or a returned reject). */
  rejected: number;
  /** The first few findings of each kind (message with digits blanked, for grouping). */
  findings: Finding[];
  /** How many inputs gave a finding, by kind. */
  kinds: Record<string, number>;
  /** The most CPU time one input took (ms), and the most wall time (which a busy machine inflates). */
  maxMs: number;
  maxWallMs: number;
  /** CPU time of the whole run (ms). */
  totalCpuMs: number;
  /** The input that took the most CPU time, for a report. */
  slowest?: Finding;
  peakRssMb: number;
}

/** One target: make input `i` (seeded), then run it; returns "ok" | "rejected" or throws. */
export interface Target<I> {
  name: string;
  input(r: Rng, i: number): I;
  run(input: I): Promise<"ok" | "rejected"> | "ok" | "rejected";
  /** Errors this target may throw for a bad input. */
  handled(e: unknown): boolean;
  /** CPU ms over which an input is slow, where the target's documented limits allow more than SLOW_MS. */
  slowMs?: number;
}

const sampleOf = (x: unknown): string => {
  const s = typeof x === "string" ? x : (() => { try { return JSON.stringify(x, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v)); } catch { return String(x); } })();
  return s.length > 160 ? `${s.slice(0, 160)}… (${s.length} chars)` : s;
};

/** Mostly mutated inputs; a tenth left as generated, so valid inputs are fed as well. */
const text = (r: Rng, make: (r: Rng) => string) => (r.chance(0.1) ? make(r) : mutateTextN(r, make(r)));

// ---- targets ----

const codecTarget: Target<string> = {
  name: "codec parseAssistantOutput",
  input: (r) => text(r, genCallText),
  run(s) {
    const p = parseAssistantOutput(s);
    if (p.bodies.length !== p.calls.length) throw new Error("invariant: bodies do not align with calls");
    return p.status === "malformed_call" ? "rejected" : "ok";
  },
  handled: () => false, // the parser reports bad blocks; it never throws
};

const literalTargets: Target<string>[] = [
  { name: "format parsePyLiteral", input: (r) => text(r, genLiteralText), run: (s) => (parsePyLiteral(s), "ok"), handled: (e) => e instanceof DecodeError },
  { name: "format parseJsonPy", input: (r) => text(r, genLiteralText), run: (s) => (parseJsonPy(s), "ok"), handled: (e) => e instanceof SyntaxError },
  { name: "eval decodePythonCalls", input: (r) => text(r, genCallText), run: (s) => (decodePythonCalls(s), "ok"), handled: (e) => e instanceof DecodeError },
];

const WEATHER: FunctionDoc = { name: "get_weather", parameters: { type: "dict", required: ["city"], properties: { city: { type: "string" }, x: { type: "float" }, items: { type: "array", items: { type: "integer" } } } } };
const CHECK_TARGETS: CheckTarget[] = [
  { category: "simple", functions: [WEATHER], answers: [{ get_weather: { city: ["Paris"], x: [0.5, ""], items: [[1n, 2n], ""] } } as unknown as PossibleAnswer] },
  { category: "parallel", functions: [WEATHER], answers: [{ get_weather: { city: ["Paris"] } }, { get_weather: { city: ["Rome"] } }] as unknown as PossibleAnswer[] },
  { category: "irrelevance", functions: [WEATHER], answers: [] },
];

/** One check per input: the targets and both modes take turns. */
const checkerTarget: Target<{ s: string; target: CheckTarget; mode: "bfcl" | "strict" }> = {
  name: "eval checkOutput (bfcl + strict)",
  input: (r, i) => ({ s: text(r, genCallText), target: CHECK_TARGETS[i % 3], mode: Math.floor(i / 3) % 2 ? "strict" : "bfcl" }),
  run({ s, target, mode }) {
    const res = checkOutput(target, s, mode);
    if (res.pass === (res.reason !== "")) throw new Error(`invariant: pass=${res.pass} with reason '${res.reason}'`);
    return res.parse_status === "malformed_call" ? "rejected" : "ok";
  },
  handled: () => false,
};

/**
 * The pipeline loader is cli's, imported read-only from its source (cli depends on eval, not the
 * reverse), on demand: a cli being edited in the working tree fails this target alone.
 */
async function pipelineTarget(): Promise<Target<{ yaml: string; sets: string[] }>> {
  const { parsePipeline } = await import("../../cli/src/pipeline.js");
  const { testRegistry } = await import("../../cli/src/test-stages.js");
  return {
    name: "cli parsePipeline (YAML)",
    input: (r) => ({ yaml: text(r, genPipelineYaml), sets: r.chance(0.2) ? [mutateTextN(r, r.pick(["s0.n=3", "s1.prefix=x", "s0.with.a=1"]))] : [] }),
    async run({ yaml, sets }): Promise<"ok"> {
      // A directory with no modules in it: `uses: ./file` can only fail to load, never run code.
      await parsePipeline(yaml, "fuzz.yaml", { registry: testRegistry(), sets, cwd: "/nonexistent-fuzz", baseDir: "/nonexistent-fuzz" });
      return "ok";
    },
    handled: isTooltuneError,
  };
}

function ingestTarget(seed: number): Target<{ record: unknown; format: SourceFormat | "auto" }> {
  const rows = synthRows(200, seed);
  const bfcl = bfclRecords(300);
  return {
    name: "format ingestRecord (5 formats + auto)",
    input(r, i) {
      const format = (["openai", "sharegpt", "hermes", "conversations", "bfcl"] as const)[i % 5];
      const base = format === "bfcl" ? r.pick(bfcl) : asRecord(r.pick(rows), format);
      let record = base;
      for (let n = r.chance(0.1) ? 0 : r.int(1, 3); n > 0; n--) record = mutateValue(r, record);
      if (r.chance(0.05)) {
        // A text-level mutation of the whole record, when it still reads as JSON.
        try {
          record = JSON.parse(mutateTextN(r, JSON.stringify(record))) as unknown;
        } catch {
          /* keep the structural mutation */
        }
      }
      return { record, format: r.chance(0.3) ? "auto" : format };
    },
    run({ record, format }) {
      const res = ingestRecord(record, format, { source: "fuzz:1" }, { seed: 1, testFraction: 0.1 });
      if ("problem" in res) {
        if (!res.problem.reason) throw new Error("invariant: a reject without a reason");
        return "rejected";
      }
      return "ok";
    },
    handled: isTooltuneError,
  };
}

/**
 * Conversations reach a template as dataset rows that ingest validated: mutated rows go through
 * `ingestRecord(row, "conversations")` (a reject there is the reject) and then every template.
 * The format stage turns what `render` throws into a reject with its message; a deliberate
 * `throw new Error(reason)` is such a reject, a TypeError or RangeError is a crash.
 */
function templateTarget(seed: number): Target<{ row: unknown; template: number }> {
  const rows = synthRows(200, seed);
  const templates = [getTemplate("chatml"), getTemplate("llama3"), getTemplate("gemma-course"), getTemplate("hf", { tokenizer: "qwen3" })];
  return {
    name: "format templates render (chatml, llama3, gemma-course, hf qwen3)",
    input(r, i) {
      let row: unknown = r.pick(rows);
      for (let n = r.chance(0.1) ? 0 : r.int(1, 3); n > 0; n--) row = mutateValue(r, row);
      return { row, template: i % templates.length };
    },
    run({ row, template }) {
      const res = ingestRecord(row, "conversations", { source: "fuzz:1" }, { seed: 1, testFraction: 0.1 });
      if ("problem" in res) return "rejected";
      const conv: Conversation = res.conv;
      const { endOfTurn } = templates[template];
      if (conv.messages.some((m) => m.content.includes(endOfTurn) || m.reasoning?.includes(endOfTurn))) return "rejected"; // as formatConversation
      const out = templates[template].render(conv);
      let end = 0;
      for (const s of out.spans) {
        if (s.start !== end || s.end < s.start) throw new Error("invariant: spans do not tile the text");
        end = s.end;
      }
      if (end !== out.text.length) throw new Error("invariant: spans do not cover the text");
      templates[template].renderPrompt(conv.messages, conv.tools);
      return "ok";
    },
    handled: (e) => isTooltuneError(e) || (e instanceof Error && e.constructor === Error),
    // hf spans render the conversation up to each assistant turn (quadratic by design, capped by
    // MAX_SPAN_RENDERED_MESSAGES): ~0.17 s at the cap and ~0.1 s for tau-bench's longest real row,
    // so 100 ms would flag real data; half a second still catches anything unbounded.
    slowMs: 500,
  };
}

/** Every target; one that cannot be set up comes back as its reason. */
export async function fuzzTargets(seed: number): Promise<(Target<unknown> | { name: string; unavailable: string })[]> {
  const pipeline = await pipelineTarget().catch((e: unknown) => ({ name: "cli parsePipeline (YAML)", unavailable: String(e).split("\n")[0] }));
  return [codecTarget, ...literalTargets, checkerTarget, pipeline, ingestTarget(seed), templateTarget(seed)] as (Target<unknown> | { name: string; unavailable: string })[];
}

// ---- runner ----

/** The first stack frames in the project's own code (not node_modules), for a finding. */
function whereThrown(e: unknown): string {
  const frames = String((e as Error)?.stack ?? "").split("\n").filter((l) => l.includes("/packages/") && !l.includes("node_modules") && !l.includes("test-fuzz"));
  return frames.length ? ` (at ${frames.slice(0, 2).map((l) => l.trim().replace(/^at /, "").replace(/.*\/packages\//, "")).join(" < ")})` : "";
}

const rssMb = () => process.memoryUsage.rss() / 2 ** 20;

/**
 * CPU milliseconds (user + system) this process spent since `from`: the time an input costs,
 * which a busy machine does not inflate as it does wall time (a descheduled thread's wait is not
 * counted). It includes V8's GC helper threads, whose work the input caused.
 */
const cpuMs = (from: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1000;
};

/** Runs `count` inputs through one target; never throws for a bad input. */
export async function fuzzTarget(target: Target<unknown>, count: number, seed: number): Promise<TargetStats> {
  const r = new Rng(seed);
  const start = process.cpuUsage();
  const stats: TargetStats = { target: target.name, tried: 0, rejected: 0, findings: [], kinds: {}, maxMs: 0, maxWallMs: 0, totalCpuMs: 0, peakRssMb: rssMb() };
  for (let i = 0; i < count; i++) {
    const input = target.input(r, i);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    let what: string | undefined;
    try {
      if ((await target.run(input)) === "rejected") stats.rejected++;
    } catch (e) {
      if (target.handled(e)) stats.rejected++;
      else what = `${(e as Error)?.constructor?.name ?? typeof e}: ${String((e as Error)?.message ?? e).slice(0, 200)}${whereThrown(e)}`;
    }
    let ms = cpuMs(c0);
    stats.maxWallMs = Math.max(stats.maxWallMs, performance.now() - t0);
    const slowMs = target.slowMs ?? SLOW_MS;
    if (ms > slowMs) {
      // Once more, so a GC of an earlier input's garbage is not taken for a slow input.
      const c1 = process.cpuUsage();
      await (async () => target.run(input))().catch(() => undefined);
      ms = Math.min(ms, cpuMs(c1));
    }
    if (ms > stats.maxMs) {
      stats.maxMs = ms;
      stats.slowest = { target: target.name, input: i, what: `${ms.toFixed(0)} ms`, sample: sampleOf(input) };
    }
    if (ms > slowMs) what = `${what ? what + "; " : ""}slow: ${ms.toFixed(0)} ms`;
    if (what) {
      const kind = what.replace(/\d+(\.\d+)?/g, "N");
      stats.kinds[kind] = (stats.kinds[kind] ?? 0) + 1;
      if (stats.kinds[kind] <= 2) stats.findings.push({ target: target.name, input: i, what, sample: sampleOf(input) });
    }
    stats.tried++;
    if (i % 500 === 0) stats.peakRssMb = Math.max(stats.peakRssMb, rssMb());
  }
  stats.peakRssMb = Math.max(stats.peakRssMb, rssMb());
  stats.totalCpuMs = cpuMs(start);
  return stats;
}
