/**
 * The tool-call text codec (DESIGN §4): one encoder that writes training text, one parser that
 * reads model output. Eval imports both, so what format writes is exactly what eval reads.
 */
import type { ParseStatus } from "@tooltune/core";
import type { ToolCall } from "./conversation.js";
import { parseLiteral, type Literal } from "./python/literal.js";
import { toPythonRepr } from "./python/repr.js";

/** The marker strings; configurable because the notebook's token set misspells the response pair. */
export interface Markers {
  toolsStart: string;
  toolsEnd: string;
  thinkStart: string;
  thinkEnd: string;
  callStart: string;
  callEnd: string;
  responseStart: string;
  responseEnd: string;
}

export const DEFAULT_MARKERS: Markers = {
  toolsStart: "<tools>",
  toolsEnd: "</tools>",
  thinkStart: "<think>",
  thinkEnd: "</think>",
  callStart: "<tool_call>",
  callEnd: "</tool_call>",
  responseStart: "<tool_response>",
  responseEnd: "</tool_response>",
};

/** `json`: Hermes/Qwen text; `python`: the course dataset's `repr` dicts. */
export type CallStyle = "json" | "python";

export interface EncodeOptions {
  markers?: Markers;
  style?: CallStyle;
}

/**
 * JSON as Python's `json.dumps(x, ensure_ascii=False)` writes it (", " and ": " separators): the
 * form Hermes data and transformers' `tojson` use, so our text matches theirs.
 */
export function jsonDumps(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return `[${value.map(jsonDumps).join(", ")}]`;
  if (typeof value === "object") {
    const items = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${JSON.stringify(k)}: ${jsonDumps(v)}`);
    return `{${items.join(", ")}}`;
  }
  return JSON.stringify(value);
}

export function encodeCallBody(call: ToolCall, style: CallStyle = "json"): string {
  const body = { name: call.name, arguments: call.arguments };
  return style === "python" ? toPythonRepr(body) : jsonDumps(body);
}

/** `<tool_call>\n{"name": …, "arguments": {…}}\n</tool_call>` */
export function encodeToolCall(call: ToolCall, opts: EncodeOptions = {}): string {
  const m = opts.markers ?? DEFAULT_MARKERS;
  return `${m.callStart}\n${encodeCallBody(call, opts.style)}\n${m.callEnd}`;
}

/** Several calls, one block each, separated by a newline. */
export function encodeToolCalls(calls: ToolCall[], opts: EncodeOptions = {}): string {
  return calls.map((c) => encodeToolCall(c, opts)).join("\n");
}

/**
 * `<tool_response>\n…\n</tool_response>`. With a name, the body is Hermes' `{"name", "content"}`
 * object (content inlined when it is JSON already); without, the result text as is (the course's form).
 */
export function encodeToolResponse(content: string, opts: { name?: string; markers?: Markers } = {}): string {
  const m = opts.markers ?? DEFAULT_MARKERS;
  const body = opts.name === undefined ? content : `{"name": ${JSON.stringify(opts.name)}, "content": ${isJsonText(content) ? content.trim() : JSON.stringify(content)}}`;
  return `${m.responseStart}\n${body}\n${m.responseEnd}`;
}

function isJsonText(s: string): boolean {
  const t = s.trim();
  if (!t.startsWith("{") && !t.startsWith("[")) return false;
  try {
    JSON.parse(t);
    return true;
  } catch {
    return false;
  }
}

export type { ParseStatus };

export interface ParsedOutput {
  /** The think text, or null when there is none. */
  reasoning: string | null;
  /** Text outside think and call blocks, trimmed. */
  content: string;
  /** The calls that parsed; malformed ones are only in `errors`. */
  calls: ToolCall[];
  /**
   * The body text of each call in `calls` (same order), for readers that must keep what JS numbers
   * lose: eval's checker tells `1.0` (a float) from `1` (an int), as BFCL's types do.
   */
  bodies: string[];
  status: ParseStatus;
  errors: string[];
}

/**
 * Read a model's (or a dataset's) assistant text. Several calls per turn and prose around them
 * are allowed; an unterminated block or an unreadable body makes the status `malformed_call`, so
 * eval can tell a broken call from an abstention.
 */
export function parseAssistantOutput(text: string, opts: { markers?: Markers } = {}): ParsedOutput {
  const m = opts.markers ?? DEFAULT_MARKERS;
  const { reasoning, rest } = takeThinkBlock(text, m);
  const calls: ToolCall[] = [];
  const bodies: string[] = [];
  const errors: string[] = [];
  const outside: string[] = [];
  let pos = 0;
  for (;;) {
    const start = rest.indexOf(m.callStart, pos);
    if (start < 0) break;
    outside.push(rest.slice(pos, start));
    const bodyStart = start + m.callStart.length;
    const end = rest.indexOf(m.callEnd, bodyStart);
    // A second start before this block's end means this block was never closed.
    const nextStart = rest.indexOf(m.callStart, bodyStart);
    if (end < 0 || (nextStart >= 0 && nextStart < end)) {
      errors.push(`call ${calls.length + errors.length + 1}: unterminated ${m.callStart}`);
      pos = nextStart >= 0 ? nextStart : rest.length;
      if (nextStart < 0) break;
      continue;
    }
    const body = rest.slice(bodyStart, end);
    const parsed = parseCallBody(body);
    if (typeof parsed === "string") errors.push(`call ${calls.length + errors.length + 1}: ${parsed}`);
    else {
      calls.push(parsed);
      bodies.push(body);
    }
    pos = end + m.callEnd.length;
  }
  outside.push(rest.slice(pos));
  const status: ParseStatus = errors.length ? "malformed_call" : calls.length ? "valid_call" : "no_call";
  return { reasoning, content: outside.map((s) => s.trim()).filter(Boolean).join("\n"), calls, bodies, status, errors };
}

/**
 * The reasoning block and the rest: think blocks come first; an output that starts inside one (the
 * prompt opened it) is handled too. (eval's `splitAtLastThinkEnd` follows BFCL's Qwen handler instead.)
 */
function takeThinkBlock(text: string, m: Markers): { reasoning: string | null; rest: string } {
  const open = text.indexOf(m.thinkStart);
  const close = text.indexOf(m.thinkEnd);
  if (close >= 0 && (open < 0 || open > close)) {
    return { reasoning: text.slice(0, close), rest: text.slice(close + m.thinkEnd.length) };
  }
  if (open < 0) return { reasoning: null, rest: text };
  if (close < 0) return { reasoning: text.slice(open + m.thinkStart.length), rest: text.slice(0, open) };
  return {
    reasoning: text.slice(open + m.thinkStart.length, close),
    rest: text.slice(0, open) + text.slice(close + m.thinkEnd.length),
  };
}

/** A call body as JSON or a Python literal; a string is the reason it is malformed. */
export function parseCallBody(body: string): ToolCall | string {
  let value: Literal;
  try {
    value = JSON.parse(body) as Literal; // the fast, common path
  } catch {
    try {
      value = parseLiteral(body);
    } catch (e) {
      return `not JSON or a Python literal (${(e as Error).message})`;
    }
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return "call is not an object";
  const { name } = value;
  if (typeof name !== "string" || !name) return "call has no name";
  let args: Literal = value.arguments ?? value.parameters ?? {};
  if (typeof args === "string") {
    // OpenAI writes arguments as a JSON string; accept it when it holds an object.
    try {
      args = parseLiteral(args);
    } catch {
      return "arguments are not an object";
    }
  }
  if (args === null || typeof args !== "object" || Array.isArray(args)) return "arguments are not an object";
  return { name, arguments: args };
}
