/**
 * One model output against one item's expected calls, in `bfcl` or `strict` mode.
 * bfcl: BFCL's decoding and checker; on irrelevance items any output that does not decode to a
 * call passes (a malformed call counts as an abstention, as in BFCL).
 * strict: optimal parallel matching; a malformed call never passes, not even as an abstention.
 */
import { astCheck, type FunctionDoc, type PossibleAnswer } from "./ast-checker.js";
import { decodeOutput, hasThinkBlock, type CheckMode, type ParseStatus } from "./decode.js";
import type { DecodedCall } from "./pyparse.js";

/** What an output is judged against. `answers: []` means "no call fits". */
export interface CheckTarget {
  category: string;
  functions: FunctionDoc[];
  answers: PossibleAnswer[];
}

export interface CheckResult {
  parse_status: ParseStatus;
  calls: DecodedCall[];
  /** The output had a `<think>…</think>` block. */
  think: boolean;
  /** The called names equal the expected ones as a multiset (for no-call items: no call made). */
  name_ok: boolean;
  /** Names and every argument right (BFCL's checker passed). */
  args_ok: boolean;
  pass: boolean;
  /** Empty when the output passes; otherwise BFCL's error type and message. */
  reason: string;
}

export function checkOutput(target: CheckTarget, output: string, mode: CheckMode): CheckResult {
  const d = decodeOutput(output, mode);
  const base = { parse_status: d.status, calls: d.calls, think: hasThinkBlock(output) };
  const problems = d.problems.join("; ");
  if (target.answers.length === 0) {
    const abstained = d.calls.length === 0 && (mode === "bfcl" || d.status === "no_call");
    const reason = abstained ? "" : d.status === "malformed_call" ? `malformed_call: ${problems}` : `irrelevance_error:decoder_success: made ${d.calls.length} call(s) when none fits`;
    return { ...base, name_ok: abstained, args_ok: abstained, pass: abstained, reason };
  }
  const nameOk = sameNames(d.calls.map((c) => c.name), target.answers.map((a) => Object.keys(a)[0]));
  if (mode === "strict" && d.status === "malformed_call") {
    return { ...base, name_ok: false, args_ok: false, pass: false, reason: `malformed_call: ${problems}` };
  }
  // bfcl mode: what decodes to no call (`[]`, "") goes on to the checker and fails on its
  // wrong_count, and prose fails to decode, as in BFCL; strict mode calls both "no_call".
  const decodeFailed = d.status === "malformed_call" || (mode === "bfcl" && d.decoderError !== undefined);
  if (d.calls.length === 0 && (mode === "strict" || decodeFailed)) {
    const why = d.decoderError ?? problems;
    const reason = decodeFailed ? `ast_decoder:decoder_failed: ${why}` : "no_call: expected a call";
    return { ...base, name_ok: false, args_ok: false, pass: false, reason };
  }
  const r = astCheck(target.functions, d.calls, target.answers, target.category, mode === "strict" ? "optimal" : "greedy");
  return { ...base, name_ok: nameOk, args_ok: r.valid, pass: r.valid, reason: r.valid ? "" : `${r.errorType}: ${r.error}` };
}

function sameNames(a: string[], b: string[]): boolean {
  return a.length === b.length && [...a].sort().join("\u0000") === [...b].sort().join("\u0000");
}
