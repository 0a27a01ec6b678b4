/**
 * One raw record → one canonical conversation or one reject. Detects the source format, runs its
 * adapter, validates, and gives the conversation a stable id and a deterministic split.
 */
import { canonicalJson, sha256 } from "@tooltune/core";
import { validateConversation, type Conversation, type Message, type ToolCall } from "../conversation.js";
import { adaptBfcl } from "./bfcl.js";
import { argumentsOf, isObj, plainRecord, RowProblem, toolsOf, type AdaptContext, type Adapted, type Obj, type Problem } from "./common.js";
import { adaptOpenAI, messagesKey } from "./openai.js";
import { adaptHermes, adaptShareGpt } from "./sharegpt.js";

export const SOURCE_FORMATS = ["openai", "sharegpt", "hermes", "bfcl", "conversations"] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];

const ADAPTERS: Record<SourceFormat, (record: Obj, ctx: AdaptContext) => Adapted> = {
  openai: adaptOpenAI,
  sharegpt: adaptShareGpt,
  hermes: adaptHermes,
  bfcl: adaptBfcl,
  conversations: adaptCanonical,
};

const HERMES_ROLES = new Set(["human", "model", "gpt"]);

/**
 * Which source a record looks like, from its keys and role names; undefined when none fits.
 * `conversations` lists are ShareGPT when they have function_call/observation turns or are plain
 * from/value chats; Hermes when they carry inline markup or use role/content with human/model.
 */
export function detectFormat(record: unknown): SourceFormat | undefined {
  if (!isObj(record)) return undefined;
  if (typeof record.id === "string" && Array.isArray(record.question) && "function" in record) return "bfcl";
  if (typeof record.id === "string" && typeof record.tools === "string" && typeof record.split === "string" && Array.isArray(record.messages)) return "conversations";
  const list = Array.isArray(record.conversations) ? record.conversations : record[messagesKey(record) ?? "messages"];
  if (!Array.isArray(list)) return undefined;
  const roles = list.map((t) => (isObj(t) ? String(t.from ?? t.role) : ""));
  if (roles.some((r) => r === "function_call" || r === "observation")) return "sharegpt";
  const fromValue = list.some((t) => isObj(t) && "from" in t);
  if (fromValue && !list.some(turnHasMarkup)) return "sharegpt";
  if (fromValue || Array.isArray(record.conversations) || roles.some((r) => HERMES_ROLES.has(r))) return "hermes";
  return "openai";
}

/** Hermes writes tools, calls and results inline; plain ShareGPT chats do not. */
function turnHasMarkup(turn: unknown): boolean {
  return isObj(turn) && /<tool_call>|<tool_response>|<tools>/.test(String(turn.value ?? turn.content));
}

export interface IngestOptions {
  seed: number;
  /** Fraction of rows put in the test split. */
  testFraction: number;
  /**
   * Ids seen so far in this run. Sources repeat rows (12 of glaive's 150 are exact copies); a repeat
   * is kept, with `-2`, `-3`… after the id, so ids stay unique and stable and nothing is dropped.
   */
  seen?: Map<string, number>;
}

export type IngestResult = { conv: Conversation; format: SourceFormat } | { problem: Problem; format?: SourceFormat };

export function ingestRecord(value: unknown, format: SourceFormat | "auto", ctx: AdaptContext, opts: IngestOptions): IngestResult {
  const fmt = format === "auto" ? detectFormat(value) : format;
  if (!fmt) return { problem: { field: "", reason: `no known source format fits this record (keys: ${isObj(value) ? Object.keys(value).join(", ") : typeof value})` } };
  if (!isObj(value)) return { problem: { field: "", reason: "record is not a JSON object" }, format: fmt };
  let adapted: Adapted;
  try {
    adapted = ADAPTERS[fmt](plainRecord(value) as Obj, ctx);
  } catch (e) {
    if (e instanceof RowProblem) return { problem: { field: e.field, reason: e.message }, format: fmt };
    throw e;
  }
  if ("problem" in adapted) return { problem: adapted.problem, format: fmt };
  const draft = adapted.conv;
  // A hash of the record itself: the same source row gets the same id on every run.
  const id = draft.id ?? sha256(canonicalText(value)).slice(0, 16);
  // BFCL rows have no answer to train on: they are evaluation data.
  const split = draft.split ?? (fmt === "bfcl" ? "test" : splitOf(id, opts.seed, opts.testFraction));
  const repeat = (opts.seen?.get(id) ?? 0) + 1;
  opts.seen?.set(id, repeat);
  const conv: Conversation = { ...draft, id: repeat > 1 ? `${id}-${repeat}` : id, split };
  const problem = validateConversation(conv);
  return problem ? { problem, format: fmt } : { conv, format: fmt };
}

/** Deterministic split: a hash of seed and id, read as a number in [0, 1). */
export function splitOf(id: string, seed: number, testFraction: number): "train" | "test" {
  const u = parseInt(sha256(`${seed}:${id}`).slice(0, 8), 16) / 2 ** 32;
  return u < testFraction ? "test" : "train";
}

/** Canonical JSON of a record. Parquet int64 arrives as bigint, which JSON cannot hold: those rare records take a slower path. */
function canonicalText(v: unknown): string {
  try {
    return canonicalJson(v);
  } catch {
    return canonicalJson(JSON.parse(JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x))));
  }
}

/** A `conversations` row (JSON or read back from a dataset): checked field by field, kept as is. */
function adaptCanonical(record: Obj, ctx: AdaptContext): Adapted {
  const list = record.messages;
  if (!Array.isArray(list)) throw new RowProblem("messages", "no messages list");
  const messages = list.map((m, i): Message => {
    const field = `messages[${i}]`;
    if (!isObj(m)) throw new RowProblem(field, "message is not an object");
    const role = m.role;
    if (role !== "system" && role !== "user" && role !== "assistant" && role !== "tool") throw new RowProblem(`${field}.role`, `unknown role '${String(role)}'`);
    const out: Message = { role, content: typeof m.content === "string" ? m.content : "" };
    if (typeof m.reasoning === "string") out.reasoning = m.reasoning;
    const calls = Array.from((m.tool_calls ?? []) as ArrayLike<unknown>);
    if (calls.length) out.toolCalls = calls.map((c, j) => canonicalCall(c, `${field}.tool_calls[${j}]`));
    if (typeof m.tool_call_id === "string") out.toolCallId = m.tool_call_id;
    if (typeof m.name === "string") out.name = m.name;
    return out;
  });
  let meta: Record<string, unknown> | undefined;
  if (typeof record.meta === "string") {
    try {
      meta = JSON.parse(record.meta) as Record<string, unknown>;
    } catch {
      throw new RowProblem("meta", "meta is not JSON");
    }
  }
  return {
    conv: {
      id: typeof record.id === "string" ? record.id : undefined,
      split: typeof record.split === "string" ? record.split : undefined,
      // Rows from an upstream dataset keep the source they recorded; files get file:row.
      source: typeof record.source === "string" && record.source ? record.source : ctx.source,
      tools: toolsOf(record.tools, "tools"),
      messages,
      ...(meta ? { meta } : {}),
    },
  };
}

function canonicalCall(c: unknown, field: string): ToolCall {
  if (!isObj(c) || typeof c.name !== "string") throw new RowProblem(field, "tool call has no name");
  const call: ToolCall = { name: c.name, arguments: argumentsOf(c.arguments, `${field}.arguments`) };
  if (typeof c.id === "string") call.id = c.id;
  return call;
}
