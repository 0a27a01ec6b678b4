/** Shared pieces of the ingest adapters: their result type and small readers of foreign values. */
import { DEFAULT_MARKERS, parseAssistantOutput } from "../codec.js";
import type { Conversation, Message, ToolSchema } from "../conversation.js";
import { parseLiteral } from "../python/literal.js";

/** A conversation before ingest gives it an id and split (sources that carry their own keep them). */
export type Draft = Omit<Conversation, "id" | "split"> & { id?: string; split?: string };

/** Where in the record, and why it cannot be used. */
export interface Problem {
  field: string;
  reason: string;
}

export type Adapted = { conv: Draft } | { problem: Problem };

export interface AdaptContext {
  /** `file:row`. */
  source: string;
  /** BFCL possible answers by question id, when the answer file was found. */
  answers?: Map<string, unknown>;
}

export const reject = (field: string, reason: string): Adapted => ({ problem: { field, reason } });

export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Thrown inside an adapter to become a reject; never leaves ingest. */
export class RowProblem extends Error {
  constructor(readonly field: string, reason: string) {
    super(reason);
  }
}

/** Deeper records are rejects: readers and hashing recurse, and no chat source nests this deep. */
const MAX_RECORD_DEPTH = 1000;

/**
 * A record with plain JSON values only: a bigint (a Parquet int64) becomes a number when exact,
 * so JSON.stringify downstream never throws on it; an inexact one or too deep a record is a reject.
 */
export function plainRecord(v: unknown, field = "", depth = 0): unknown {
  if (depth > MAX_RECORD_DEPTH) throw new RowProblem(field, `nested deeper than ${MAX_RECORD_DEPTH} levels`);
  if (typeof v === "bigint") {
    if (!Number.isSafeInteger(Number(v))) throw new RowProblem(field, `integer ${v} does not fit a JSON number exactly`);
    return Number(v);
  }
  if (Array.isArray(v)) return v.map((x, i) => plainRecord(x, `${field}[${i}]`, depth + 1));
  if (!isObj(v)) return v;
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) Object.defineProperty(out, k, { value: plainRecord(x, field ? `${field}.${k}` : k, depth + 1), enumerable: true, writable: true, configurable: true });
  return out;
}

/** Message text: a string, null, OpenAI content parts, or a JSON value (tool results). */
export function textOf(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  if (Array.isArray(v) && v.every((p) => isObj(p) && typeof p.text === "string")) return v.map((p) => (p as Obj).text).join("");
  return JSON.stringify(v);
}

/** Call arguments: an object, or a JSON string holding one. Anything else is a reject. */
export function argumentsOf(v: unknown, field: string): Record<string, unknown> {
  let value = v ?? {};
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      throw new RowProblem(field, "arguments are not JSON");
    }
  }
  if (!isObj(value)) throw new RowProblem(field, "arguments are not a JSON object");
  return value;
}

/**
 * Tool lists in any of the shapes sources use: OpenAI `{type, function}`, bare `{name, parameters}`,
 * as an array, a JSON string or a Python-literal string.
 */
export function toolsOf(v: unknown, field: string): ToolSchema[] {
  if (v === null || v === undefined || v === "") return [];
  let list: unknown = v;
  if (typeof list === "string") list = parseToolText(list, field);
  if (!Array.isArray(list)) throw new RowProblem(field, "tools are not a list");
  return list.map((t, i) => {
    const fn = isObj(t) && isObj(t.function) ? t.function : t;
    if (!isObj(fn) || typeof fn.name !== "string") throw new RowProblem(`${field}[${i}]`, "tool has no name");
    return { type: "function", function: fn as ToolSchema["function"] };
  });
}

/** JSON first (native and fast), then the Python-literal form the course data uses. */
function parseToolText(text: string, field: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    try {
      return parseLiteral(text);
    } catch {
      throw new RowProblem(field, "tools are not JSON or a Python literal");
    }
  }
}

/** Assistant text with think blocks and calls written inline (Hermes), split into their fields. */
export function inlineAssistant(text: string, field: string): Message {
  const parsed = parseAssistantOutput(text);
  if (parsed.status === "malformed_call") throw new RowProblem(field, `arguments are not JSON: ${parsed.errors.join("; ")}`);
  const out: Message = { role: "assistant", content: parsed.content };
  if (parsed.reasoning !== null) out.reasoning = parsed.reasoning;
  if (parsed.calls.length) out.toolCalls = parsed.calls;
  return out;
}

/** Whether an assistant text carries inline markup worth splitting out. */
export const hasInlineMarkup = (text: string) => text.includes(DEFAULT_MARKERS.callStart) || text.includes(DEFAULT_MARKERS.thinkStart);
