/**
 * OpenAI chat messages: `messages` (or tau-bench's `traj`) with assistant `tool_calls` whose
 * arguments are JSON strings, `role: tool` results with `tool_call_id`, tools in `tools`.
 */
import type { Message, ToolCall } from "../conversation.js";
import { argumentsOf, hasInlineMarkup, inlineAssistant, isObj, RowProblem, textOf, toolsOf, type AdaptContext, type Adapted, type Obj } from "./common.js";

export const OPENAI_MESSAGE_KEYS = ["messages", "traj"] as const;

export function messagesKey(record: Obj): string | undefined {
  return OPENAI_MESSAGE_KEYS.find((k) => Array.isArray(record[k]));
}

export function adaptOpenAI(record: Obj, ctx: AdaptContext): Adapted {
  const key = messagesKey(record) ?? "messages";
  const raw = record[key];
  if (!Array.isArray(raw)) throw new RowProblem(key, "no messages list");
  const messages = raw.map((m, i) => openAIMessage(m, `${key}[${i}]`));
  // Scalar top-level fields (tau-bench's task_id, trial, reward) are kept: they label the row.
  const meta = Object.fromEntries(Object.entries(record).filter(([, v]) => typeof v !== "object" || v === null));
  return {
    conv: {
      source: ctx.source,
      tools: toolsOf(record.tools ?? record.functions, "tools"),
      messages,
      ...(Object.keys(meta).length ? { meta } : {}),
    },
  };
}

function openAIMessage(m: unknown, field: string): Message {
  if (!isObj(m)) throw new RowProblem(field, "message is not an object");
  const role = m.role === "function" ? "tool" : m.role; // the pre-tools API's name for results
  if (role !== "system" && role !== "user" && role !== "assistant" && role !== "tool") {
    throw new RowProblem(`${field}.role`, `unknown role '${String(m.role)}'`);
  }
  const content = textOf(m.content);
  // Some OpenAI-shaped datasets keep Hermes markup in the text instead of `tool_calls`.
  if (role === "assistant" && !Array.isArray(m.tool_calls) && hasInlineMarkup(content)) return inlineAssistant(content, `${field}.content`);
  const out: Message = { role, content };
  const reasoning = m.reasoning_content ?? m.reasoning;
  if (typeof reasoning === "string") out.reasoning = reasoning;
  const calls = Array.isArray(m.tool_calls) ? m.tool_calls : isObj(m.function_call) ? [{ function: m.function_call }] : [];
  if (calls.length) out.toolCalls = calls.map((c, j) => openAICall(c, `${field}.tool_calls[${j}]`));
  if (typeof m.tool_call_id === "string") out.toolCallId = m.tool_call_id;
  if (typeof m.name === "string") out.name = m.name;
  return out;
}

function openAICall(c: unknown, field: string): ToolCall {
  const fn = isObj(c) && isObj(c.function) ? c.function : c;
  if (!isObj(fn) || typeof fn.name !== "string") throw new RowProblem(field, "tool call has no name");
  const call: ToolCall = { name: fn.name, arguments: argumentsOf(fn.arguments, `${field}.function.arguments`) };
  if (isObj(c) && typeof c.id === "string") call.id = c.id;
  return call;
}
