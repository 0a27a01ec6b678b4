/**
 * Model output → calls. Two decoders, picked by what the text holds:
 * - `<tool_call>` blocks (tooltune's own format, DESIGN §4, and Hermes/Qwen's), and
 * - BFCL's prompted Python-call format (`[f(a=1), g(b="x")]`).
 * `bfcl` mode decodes exactly as BFCL does (invalid `<tool_call>` blocks are dropped); `strict`
 * mode also accepts Python-literal dicts in blocks (as the format codec does) and reports any
 * block that does not parse as a malformed call instead of dropping it.
 */
import { DecodeError, decodePythonCalls, stripChars, type DecodedCall } from "./pyparse.js";
import { isDict, parseJsonPy, type PyValue } from "./pyvalue.js";

export type ParseStatus = "no_call" | "valid_call" | "malformed_call";
export type CheckMode = "bfcl" | "strict";

export interface Decoded {
  status: ParseStatus;
  calls: DecodedCall[];
  /** The think text, or null when the output has no `<think>` block. */
  reasoning: string | null;
  /** Why a call did not decode (one line per bad block or the decoder's error). */
  problems: string[];
}

/** Splits off `<think>…</think>` as Qwen's handler does: everything after the last `</think>`. */
export function splitThink(text: string): { reasoning: string | null; content: string } {
  const end = text.lastIndexOf("</think>");
  if (end < 0) return { reasoning: null, content: text };
  const head = text.slice(0, end);
  const start = head.lastIndexOf("<think>");
  return { reasoning: stripChars(start < 0 ? head : head.slice(start + 7), "\n"), content: text.slice(end + 8).replace(/^\n+/, "") };
}

export function decodeOutput(text: string, mode: CheckMode): Decoded {
  const { reasoning, content } = splitThink(text);
  if (content.includes("<tool_call>")) return { reasoning, ...decodeToolCallBlocks(content, mode) };
  try {
    const calls = decodePythonCalls(content);
    return { reasoning, status: calls.length ? "valid_call" : "no_call", calls, problems: [] };
  } catch (e) {
    if (!(e instanceof DecodeError) && !(e instanceof SyntaxError)) throw e;
    // Prose is an abstention; text that tries to be a call and fails is a malformed call.
    const status = looksLikeCall(content) ? "malformed_call" : "no_call";
    return { reasoning, status, calls: [], problems: status === "malformed_call" ? [`ast_decoder:decoder_failed: ${e.message}`] : [] };
  }
}

/** `name(` followed by `key=` or `)`: the shape of a Python call a model meant to write. */
const looksLikeCall = (s: string): boolean => /[A-Za-z_][\w.]*\s*\(\s*([A-Za-z_]\w*\s*=|\))/.test(s);

function decodeToolCallBlocks(content: string, mode: CheckMode): Omit<Decoded, "reasoning"> {
  // BFCL's Qwen/Hermes handler: r"<tool_call>\n(.*?)\n</tool_call>"; strict also accepts other spacing.
  const re = mode === "bfcl" ? /<tool_call>\n([\s\S]*?)\n<\/tool_call>/g : /<tool_call>([\s\S]*?)<\/tool_call>/g;
  const blocks = [...content.matchAll(re)].map((m) => m[1]);
  const problems: string[] = [];
  const opened = content.split("<tool_call>").length - 1;
  if (opened > blocks.length) problems.push(`${opened - blocks.length} <tool_call> block(s) not closed or not on their own lines`);
  const calls: DecodedCall[] = [];
  for (const block of blocks) {
    const parsed = parseBlock(block, mode);
    if ("call" in parsed) calls.push(parsed.call);
    else if (parsed.fatal && mode === "bfcl") {
      // BFCL's handler raises on a block that is JSON but not {"name", "arguments"}: nothing decodes.
      return { status: "malformed_call", calls: [], problems: [parsed.problem] };
    } else problems.push(parsed.problem);
  }
  const status: ParseStatus = problems.length && (mode === "strict" || calls.length === 0) ? "malformed_call" : calls.length ? "valid_call" : "no_call";
  return { status, calls, problems };
}

type BlockResult = { call: DecodedCall } | { problem: string; fatal: boolean };

/** One block → a call, or the reason it is not one (fatal: BFCL would reject the whole output). */
function parseBlock(block: string, mode: CheckMode): BlockResult {
  let value: PyValue;
  try {
    value = parseJsonPy(block.trim());
  } catch (e) {
    if (mode === "bfcl") return { problem: `invalid JSON in <tool_call>: ${(e as Error).message}`, fatal: false };
    const lit = parsePythonLiteral(block.trim());
    if (lit === undefined) return { problem: `neither JSON nor a Python literal in <tool_call>: ${(e as Error).message}`, fatal: false };
    value = lit;
  }
  if (!isDict(value) || typeof value.name !== "string") return { problem: '<tool_call> holds no {"name": …}', fatal: true };
  // BFCL reads "arguments" only; tooltune's codec also writes "parameters" for some sources.
  const args = mode === "bfcl" ? value.arguments : (value.arguments ?? value.parameters ?? {});
  if (args === undefined || !isDict(args)) return { problem: `arguments of ${value.name} missing or not an object`, fatal: true };
  return { call: { name: value.name, args } };
}

/** A Python-literal dict (`{'name': 'f', 'arguments': {'x': 1}}`), via the call decoder. */
function parsePythonLiteral(text: string): PyValue | undefined {
  try {
    return decodePythonCalls(`__literal__(v=${text})`)[0]?.args.v;
  } catch {
    return undefined;
  }
}
