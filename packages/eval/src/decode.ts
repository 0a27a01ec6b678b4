/**
 * Model output → calls. Two decoders, picked by what the text holds:
 * - `<tool_call>` blocks (tooltune's own format, DESIGN §4, and Hermes/Qwen's), and
 * - BFCL's prompted Python-call format (`[f(a=1), g(b="x")]`).
 * `bfcl` mode decodes exactly as BFCL does (invalid `<tool_call>` blocks are dropped); `strict`
 * mode reads blocks with format's codec (JSON or Python-literal dicts, as the course data writes)
 * and reports any block that does not parse as a malformed call instead of dropping it.
 */
import { fromJs, isDict, jsonShaped, parseAssistantOutput, parseJsonPy, parsePyLiteral, type PyDict, type PyValue } from "@tooltune/format";
import { DecodeError, decodePythonCalls, SPLAT_KEY, stripChars, type DecodedCall } from "./pyparse.js";

export type { ParseStatus } from "@tooltune/core";
import type { ParseStatus } from "@tooltune/core";
export type CheckMode = "bfcl" | "strict";

export interface Decoded {
  status: ParseStatus;
  calls: DecodedCall[];
  /** The think text, or null when the output has no `<think>` block. */
  reasoning: string | null;
  /** Why a call did not decode (one line per bad block or the decoder's error). */
  problems: string[];
  /**
   * The Python-call decoder's error, also when the text is prose: an abstention here, but for BFCL
   * a failed decode (`ast_decoder:decoder_failed`), which bfcl mode reports.
   */
  decoderError?: string;
}

/**
 * Splits off `<think>…</think>` as BFCL's Qwen handler does: the content is everything after the
 * last `</think>` (format's codec, which writes and reads our own text, takes the first block).
 */
export function splitAtLastThinkEnd(text: string): { reasoning: string | null; content: string } {
  const end = text.lastIndexOf("</think>");
  if (end < 0) return { reasoning: null, content: text };
  const head = text.slice(0, end);
  const start = head.lastIndexOf("<think>");
  return { reasoning: stripChars(start < 0 ? head : head.slice(start + 7), "\n"), content: text.slice(end + 8).replace(/^\n+/, "") };
}

export function decodeOutput(text: string, mode: CheckMode): Decoded {
  if (mode === "strict" && text.includes("<tool_call>")) {
    // Strict mode reads blocks with the shared codec: what format writes is what eval reads. The
    // codec's numbers are JavaScript's (2.0 === 2), so each body is read again keeping int/float.
    const p = parseAssistantOutput(text);
    const calls = p.calls.map((c, i) => ({ name: c.name, args: typedArguments(p.bodies[i]) ?? (fromJs(c.arguments) as PyDict) }));
    return { status: p.status, calls, reasoning: p.reasoning, problems: p.errors };
  }
  const { reasoning, content } = splitAtLastThinkEnd(text);
  if (content.includes("<tool_call>")) return { reasoning, ...decodeToolCallBlocks(content) };
  try {
    const calls = decodePythonCalls(content);
    if (mode === "strict" && calls.some((c) => Object.hasOwn(c.args, SPLAT_KEY))) {
      // BFCL decodes `f(**{…})` as a call whose one argument is named None; strict calls it malformed.
      return { reasoning, status: "malformed_call", calls, problems: ["a ** splat in a call: write keyword arguments"] };
    }
    return { reasoning, status: calls.length ? "valid_call" : "no_call", calls, problems: [] };
  } catch (e) {
    if (!(e instanceof DecodeError) && !(e instanceof SyntaxError)) throw e;
    // Prose is an abstention; text that tries to be a call and fails is a malformed call.
    const status = looksLikeCall(content) ? "malformed_call" : "no_call";
    return { reasoning, status, calls: [], problems: status === "malformed_call" ? [`ast_decoder:decoder_failed: ${e.message}`] : [], decoderError: e.message };
  }
}

/**
 * The shape of a Python call a model meant to write: `name(key=` or `name(**` anywhere, `name()`
 * opening a line, or `[name(` opening a line (an unclosed list of calls). Prose may mention
 * "get_time()" in passing; that alone is not a call attempt.
 */
const looksLikeCall = (s: string): boolean => CALL_ANYWHERE.test(s) || CALL_OPENING_LINE.test(s);
// A name starts only where no name character precedes it, a line opening takes no newlines, and
// nothing after it can match a space: otherwise the patterns backtrack quadratically on a long
// word, a run of blank lines or of spaces (found by the fuzz harness: seconds on 64 kB).
const CALL_ANYWHERE = /(?<![\w.])[A-Za-z_][\w.]*\s*\(\s*([A-Za-z_]\w*\s*=|\*\*)/;
const CALL_OPENING_LINE = /^[ \t`]*(\[\s*[A-Za-z_][\w.]*\s*\(|\[?[A-Za-z_][\w.]*\s*\(\s*\))/m;

/** A `<tool_call>` body's arguments with Python's number types (`1.0` a float, `1` an int), or undefined. */
function typedArguments(body: string): PyDict | undefined {
  const value = readTyped(body);
  if (value === undefined || !isDict(value)) return undefined;
  const args = value.arguments ?? value.parameters ?? {};
  // OpenAI writes arguments as a JSON string, which the codec accepts.
  const inner = typeof args === "string" ? readTyped(args) : args;
  return inner !== undefined && isDict(inner) ? inner : undefined;
}

/** JSON as Python's json reads it, else a Python literal; undefined when neither reads. */
function readTyped(text: string): PyValue | undefined {
  try {
    return parseJsonPy(text.trim());
  } catch {
    try {
      return jsonShaped(parsePyLiteral(text)); // as the codec reads it: tuples as lists
    } catch {
      return undefined;
    }
  }
}

/** A closed think block (the prompt may have opened it): what the think-block rate counts. */
export const hasThinkBlock = (output: string): boolean => output.includes("</think>");

/** BFCL's Qwen/Hermes handler: r"<tool_call>\n(.*?)\n</tool_call>", json.loads, bad blocks dropped. */
function decodeToolCallBlocks(content: string): Omit<Decoded, "reasoning"> {
  const blocks = [...content.matchAll(/<tool_call>\n([\s\S]*?)\n<\/tool_call>/g)].map((m) => m[1]);
  const problems: string[] = [];
  const opened = content.split("<tool_call>").length - 1;
  if (opened > blocks.length) problems.push(`${opened - blocks.length} <tool_call> block(s) not closed or not on their own lines`);
  const calls: DecodedCall[] = [];
  for (const block of blocks) {
    let value: PyValue;
    try {
      value = parseJsonPy(block);
    } catch (e) {
      problems.push(`invalid JSON in <tool_call>: ${(e as Error).message}`);
      continue;
    }
    const args = isDict(value) ? value.arguments : undefined;
    if (!isDict(value) || typeof value.name !== "string" || args === undefined || !isDict(args)) {
      // BFCL raises on a block that is JSON but not {"name", "arguments": {…}}: nothing decodes.
      return { status: "malformed_call", calls: [], problems: ['<tool_call> is not {"name": …, "arguments": {…}}'] };
    }
    calls.push({ name: value.name, args });
  }
  const status: ParseStatus = calls.length ? "valid_call" : problems.length ? "malformed_call" : "no_call";
  return { status, calls, problems };
}
