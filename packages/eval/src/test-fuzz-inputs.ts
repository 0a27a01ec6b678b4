/**
 * Seeded inputs for the fuzz harness (`test-fuzz.ts`): grammar-generated valid tool calls and
 * pipeline files, records of each ingest format, then byte/token mutations of them (truncation,
 * duplication, deep nesting, huge numbers, bad unicode and lone surrogates, long strings) and
 * structural mutations of JSON values (a node dropped, retyped, nested deep or made huge).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ConversationRow } from "@tooltune/core";
import { generateConversation, pyRepr, PyTuple, Rng, synthParams, type PyDict, type PyValue } from "@tooltune/format";
import { sharedData } from "@tooltune/core/shared-data";

export { Rng };

// ---- grammar: calls ----

const WORDS = ["city", "unit", "x", "n", "query", "date", "items", "opts", "a_b", "lat", "lon", "name"];
const TEXTS = ["Paris", "it's", 'say "hi"', "a\\b", "line\nbreak", "tab\t", "😀 ok", "ｆｕｌｌ", "é", "", "<tool_call>", "</think>", "\u0000"];

export function genValue(r: Rng, depth = 0): PyValue {
  const k = r.int(0, depth >= 3 ? 5 : 8);
  switch (k) {
    case 0: return BigInt(r.int(-1000, 1000));
    case 1: return r.pick([0.5, 1, 2.5, -3.25, 1e-7, 1e21, 0]) * (r.chance(0.5) ? 1 : -1);
    case 2: case 3: return r.pick(TEXTS);
    case 4: return r.chance(0.5);
    case 5: return null;
    case 6: return Array.from({ length: r.int(0, 4) }, () => genValue(r, depth + 1));
    case 7: return new PyTuple(Array.from({ length: r.int(0, 3) }, () => genValue(r, depth + 1)));
    default: return genArgs(r, depth + 1);
  }
}

export function genArgs(r: Rng, depth = 0): PyDict {
  const out: PyDict = {};
  for (let i = r.int(0, 4); i > 0; i--) out[r.pick(WORDS)] = genValue(r, depth);
  return out;
}

const genName = (r: Rng) => r.pick(["get_weather", "math.factorial", "f", "search_v2", "a.b.c", "ｇｅｔ"]);

/** JSON with Python's number forms (floats keep a `.0`), as a model writes it. */
export function jsonPy(v: PyValue): string {
  if (v === null) return "null";
  if (typeof v === "boolean") return String(v);
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "number") return Number.isFinite(v) ? (Number.isInteger(v) && Math.abs(v) < 1e16 ? `${v}.0` : String(v)) : "NaN";
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(jsonPy).join(", ")}]`;
  if (v instanceof PyTuple) return jsonPy(v.items);
  if (typeof v === "object" && "typeName" in v) return JSON.stringify(v.repr);
  return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${jsonPy(x)}`).join(", ")}}`;
}

/** One model output: `<tool_call>` JSON or Python-literal blocks, or BFCL's `[f(a=1)]`, with extras. */
export function genCallText(r: Rng): string {
  const calls = Array.from({ length: r.int(1, 3) }, () => ({ name: genName(r), args: genArgs(r) }));
  const style = r.int(0, 2);
  let text: string;
  if (style === 0) text = calls.map((c) => `<tool_call>\n${jsonPy({ name: c.name, arguments: c.args })}\n</tool_call>`).join("\n");
  else if (style === 1) text = calls.map((c) => `<tool_call>\n${pyRepr({ name: c.name, arguments: c.args })}\n</tool_call>`).join("\n");
  else text = `[${calls.map((c) => `${c.name}(${Object.entries(c.args).map(([k, v]) => `${k}=${pyRepr(v)}`).join(", ")})`).join(", ")}]`;
  if (r.chance(0.2)) text = `<think>${r.pick(TEXTS)}</think>\n${text}`;
  if (r.chance(0.1)) text = "```\n" + text + "\n```";
  return text;
}

/** A Python or JSON literal, for the literal readers. */
export const genLiteralText = (r: Rng): string => (r.chance(0.5) ? pyRepr(genValue(r)) : jsonPy(genValue(r)));

// ---- grammar: pipeline files ----

export function genPipelineYaml(r: Rng): string {
  const names = Array.from({ length: r.int(1, 4) }, (_, i) => `s${i}`);
  const lines = [`pipeline: ${r.pick(["p", "demo-1", "x.y"])}`];
  if (r.chance(0.3)) lines.push(`workdir: runs/${r.pick(["a", "b c", "../up"])}`);
  if (r.chance(0.3)) lines.push(`seed: ${r.pick(["7", "-1", "1.5", "'x'", "99999999999999999999"])}`);
  lines.push("stages:");
  names.forEach((n, i) => {
    lines.push(`  ${n}:`);
    if (r.chance(0.15)) lines.push(`    cmd: ${r.pick(["echo ${params.x}", "true", "python -c 'print(1)'"])}`);
    else lines.push(`    uses: ${r.pick(["gen", "suffix", "lines", "nope", "./missing.js"])}`);
    if (i > 0 && r.chance(0.7)) lines.push(`    needs: [${names.slice(0, i).filter(() => r.chance(0.6)).join(", ")}]`);
    if (r.chance(0.6)) lines.push(`    with: { n: ${r.pick(["2", "'2'", "-1", "[1]", "{a: 1}"])}, prefix: ${r.pick(["x", "'y z'", "null", "&a x", "*a"])} }`);
  });
  return lines.join("\n") + "\n";
}

// ---- ingest records of each format, from synth conversations and the shared BFCL rows ----

export const BFCL_DIR = sharedData("bfcl");

export function synthRows(n: number, seed: number): ConversationRow[] {
  const opts = { ...synthParams.parse({}), seed, testFraction: 0.1 };
  return Array.from({ length: n }, (_, i) => generateConversation(i, opts));
}

export function bfclRecords(limit: number): unknown[] {
  const text = readFileSync(join(BFCL_DIR, "BFCL_v4_simple_python.json"), "utf8") + "\n" + readFileSync(join(BFCL_DIR, "BFCL_v4_parallel_multiple.json"), "utf8");
  return text.split("\n").filter((l) => l.trim()).slice(0, limit).map((l) => JSON.parse(l) as unknown);
}

const callJson = (c: { name: string; arguments: string }) => `{"name": ${JSON.stringify(c.name)}, "arguments": ${c.arguments}}`;

/** The same conversation as each source format writes it. */
export function asRecord(row: ConversationRow, format: "openai" | "sharegpt" | "hermes" | "conversations"): unknown {
  if (format === "conversations") return row;
  if (format === "openai") {
    return {
      tools: JSON.parse(row.tools) as unknown,
      messages: row.messages.map((m, i) => ({
        role: m.role,
        content: m.content,
        ...(m.tool_calls ? { tool_calls: m.tool_calls.map((c, j) => ({ id: c.id ?? `c${i}_${j}`, type: "function", function: { name: c.name, arguments: c.arguments } })) } : {}),
        ...(m.tool_call_id !== null ? { tool_call_id: m.tool_call_id } : {}),
      })),
    };
  }
  if (format === "sharegpt") {
    const turns = row.messages.flatMap((m) => {
      if (m.role === "assistant" && m.tool_calls?.length) return m.tool_calls.map((c) => ({ from: "function_call", value: callJson(c) }));
      const from: Record<string, string> = { system: "system", user: "human", assistant: "gpt", tool: "observation" };
      return [{ from: from[m.role] ?? m.role, value: m.content }];
    });
    return { conversations: turns, tools: row.tools };
  }
  const turns = row.messages.map((m) => {
    if (m.role === "system") return { from: "system", value: `${m.content}\n<tools>\n${row.tools}\n</tools>` };
    if (m.role === "tool") return { from: "tool", value: `<tool_response>\n${m.content}\n</tool_response>` };
    if (m.role === "user") return { from: "human", value: m.content };
    const think = m.reasoning ? `<think>${m.reasoning}</think>\n` : "";
    const calls = (m.tool_calls ?? []).map((c) => `<tool_call>\n${callJson(c)}\n</tool_call>`).join("\n");
    return { from: "gpt", value: think + (calls || m.content) };
  });
  return { conversations: turns };
}

// ---- mutations ----

/** JSON text of a value that may hold bigints (a Parquet int64 arrives as one). */
const jsonText = (v: unknown): string => {
  try {
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x)) ?? "null";
  } catch {
    return "[".repeat(5000); // a value nested too deep for JSON.stringify (an earlier mutation): deep text instead
  }
};

const TOKENS = ["<tool_call>", "</tool_call>", "<think>", "</think>", "<tools>", "<tool_response>", "(", ")", "[", "]", "{", "}", '"', "'", "\\", "**", "*", "=", ",", ":", "\n", "\\N{", "\\N{SPACE}", "\\u", "\\ud800", "\\U0011ffff", "\\x", "0x", "0b", "1e999999", "-", ".", "#", "True", "None", "lambda", "f'{", '"""', "\u0000", "&a", "*a", "<<: *a", "!!js/function", "%YAML 1.2\n", "---\n", "? ", "- ", "|\n", "${params.x}", "; rm -rf", "$(id)", "__proto__", "constructor"];
const BAD_UNICODE = ["\ud800", "\udfff", "\udc00\ud800", "\ufffe", "\ufeff", "\u202e", "\u0301\u0301\u0301", "ｆ", "\u{1F600}", "\u2028", "\r", "\u00a0", "\u0085"];

function splice(s: string, at: number, del: number, ins: string): string {
  return s.slice(0, at) + ins + s.slice(at + del);
}

/**
 * Inputs are cut at 64 kB: more than any generation budget (~16k tokens) or pipeline file, and
 * every reader is linear, so a longer input only costs proportionally more (Python's `ast.parse`
 * takes ~1 s on a 200 kB tuple).
 */
export const MAX_INPUT = 64_000;

/** One byte/token-level mutation. */
export function mutateText(r: Rng, s: string): string {
  const at = r.int(0, s.length);
  switch (r.int(0, 9)) {
    case 0: return s.slice(0, at); // truncation
    case 1: { const from = r.int(0, s.length); return splice(s, at, 0, s.slice(from, from + r.int(1, 200)).repeat(r.int(1, 50))); } // duplication
    case 2: return splice(s, at, r.int(1, 20), ""); // deletion
    case 3: return splice(s, at, 0, r.pick(TOKENS));
    case 4: { const n = r.pick([50, 199, 201, 1000, 5000, 20_000]); const open = r.pick(["[", "{\"a\": ", "(", "f(a=", "-", "not ", "{'a': [", "- ", "  ", "1+", "2**"]); return splice(s, at, 0, open.repeat(n) + (r.chance(0.5) ? "1" : "")); } // deep nesting
    case 5: return splice(s, at, 0, r.pick(["9".repeat(r.int(20, 60_000)), "1e" + "9".repeat(r.int(3, 400)), "0." + "1".repeat(5000), "-0", "1_000_000", "0" + "7".repeat(30), "1" + "0".repeat(400) + ".5"])); // huge numbers
    case 6: return splice(s, at, r.int(0, 1), r.pick(BAD_UNICODE)); // bad unicode
    case 7: { const q = r.pick(['"', "'", '"""']); return splice(s, at, 0, q + r.pick(["a", "é", "\\", "😀", " "]).repeat(r.int(1_000, 60_000)) + (r.chance(0.7) ? q : "")); } // long strings
    case 8: return splice(s, at, 1, String.fromCharCode(r.int(0, 0xffff))); // a random code unit
    default: return s + s; // the whole input twice
  }
}

export function mutateTextN(r: Rng, s: string): string {
  let out = s;
  for (let i = r.int(1, 3); i > 0; i--) out = mutateText(r, out);
  return out.length > MAX_INPUT ? out.slice(0, MAX_INPUT) : out;
}

/** A JSON-ish value with one node changed: dropped, retyped, nested deep, made huge, or its text mutated. */
export function mutateValue(r: Rng, v: unknown, depth = 0): unknown {
  const here = depth > 8 || v === null || typeof v !== "object" || r.chance(0.25);
  if (!here) {
    if (Array.isArray(v)) {
      if (v.length === 0) return [mutateValue(r, null, depth + 1)];
      const i = r.int(0, v.length - 1);
      const out = [...v];
      if (r.chance(0.1)) out.splice(i, 1);
      else if (r.chance(0.1)) out.splice(i, 0, ...Array.from({ length: r.int(1, 200) }, () => v[i]));
      else out[i] = mutateValue(r, v[i], depth + 1);
      return out;
    }
    const obj = v as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (keys.length === 0) return { [r.pick(["__proto__", "constructor", "role", "content", "name"])]: mutateValue(r, null, depth + 1) };
    const k = r.pick(keys);
    const out: Record<string, unknown> = { ...obj };
    if (r.chance(0.15)) delete out[k];
    else Object.defineProperty(out, r.chance(0.05) ? "__proto__" : k, { value: mutateValue(r, obj[k], depth + 1), enumerable: true, writable: true, configurable: true });
    return out;
  }
  if (typeof v === "string" && r.chance(0.6)) return mutateTextN(r, v);
  switch (r.int(0, 9)) {
    case 0: return null;
    case 1: return r.pick([0, -1, 1.5, 1e308, NaN, Infinity, 2 ** 53 + 1]);
    case 2: return r.chance(0.5);
    case 3: return "x".repeat(r.int(0, 100_000));
    case 4: return r.pick(BAD_UNICODE).repeat(r.int(1, 100));
    case 5: { let x: unknown = r.pick([1, "a", {}]); for (let i = r.int(10, 3000); i > 0; i--) x = r.chance(0.5) ? [x] : { a: x }; return x; }
    case 6: return [];
    case 7: return {};
    case 8: return jsonText(v);
    default: return BigInt(r.int(0, 1 << 30)) * 10n ** 30n; // Parquet int64s arrive as bigint
  }
}
