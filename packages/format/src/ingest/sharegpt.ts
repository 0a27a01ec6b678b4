/**
 * Two `conversations`-list sources:
 * - ShareGPT / LLaMA-Factory: `{from, value}` with human, gpt, function_call (a JSON call) and
 *   observation (the result); tools as a JSON string in `tools`.
 * - Hermes / the course dataset: `{role, content}` (or from/value) with system, human, model/gpt,
 *   tool; tools inside `<tools>…</tools>` in the system text; think blocks and calls inline in the
 *   assistant text (JSON or Python literals); results wrapped in `<tool_response>`.
 */
import { DEFAULT_MARKERS } from "../codec.js";
import type { Message, Role, ToolCall } from "../conversation.js";
import { argumentsOf, inlineAssistant, isObj, RowProblem, textOf, toolsOf, type AdaptContext, type Adapted, type Obj } from "./common.js";

const ROLE_ALIASES: Record<string, Role> = {
  system: "system",
  human: "user",
  user: "user",
  gpt: "assistant",
  model: "assistant",
  assistant: "assistant",
  tool: "tool",
  observation: "tool",
  function_call: "assistant",
};

interface Turn {
  role: string;
  text: string;
  field: string;
}

/** The list of turns, with the key the source used for it ("conversations" or "messages"). */
function turnsOf(record: Obj): Turn[] {
  const key = Array.isArray(record.conversations) ? "conversations" : "messages";
  const list = record[key];
  if (!Array.isArray(list)) throw new RowProblem(key, "no conversation list");
  return list.map((t, i) => {
    const field = `${key}[${i}]`;
    if (!isObj(t)) throw new RowProblem(field, "turn is not an object");
    return { role: String(t.from ?? t.role), text: textOf(t.value ?? t.content), field };
  });
}

function roleOf(turn: Turn): Role {
  const role = ROLE_ALIASES[turn.role];
  if (!role) throw new RowProblem(`${turn.field}.role`, `unknown role '${turn.role}'`);
  return role;
}

/** Result messages get the name of the call they answer, in call order (these sources have no ids). */
function nameResults(messages: Message[]): Message[] {
  const pending: string[] = [];
  for (const m of messages) {
    if (m.role === "assistant") pending.push(...(m.toolCalls ?? []).map((c) => c.name));
    if (m.role === "tool" && m.name === undefined && pending.length) m.name = pending.shift();
  }
  return messages;
}

export function adaptShareGpt(record: Obj, ctx: AdaptContext): Adapted {
  const messages: Message[] = typeof record.system === "string" && record.system ? [{ role: "system", content: record.system }] : [];
  for (const turn of turnsOf(record)) {
    const role = roleOf(turn);
    if (turn.role === "function_call") messages.push({ role, content: "", toolCalls: shareGptCalls(turn) });
    else messages.push({ role, content: turn.text });
  }
  return { conv: { source: ctx.source, tools: toolsOf(record.tools, "tools"), messages: nameResults(messages) } };
}

/** `{"name", "arguments"}` as JSON text, or a list of them (LLaMA-Factory's parallel calls). */
function shareGptCalls(turn: Turn): ToolCall[] {
  let value: unknown;
  try {
    value = JSON.parse(turn.text);
  } catch {
    throw new RowProblem(`${turn.field}.value`, "tool call is not JSON");
  }
  const list = Array.isArray(value) ? value : [value];
  return list.map((c, i) => {
    if (!isObj(c) || typeof c.name !== "string") throw new RowProblem(`${turn.field}.value`, "tool call has no name");
    return { name: c.name, arguments: argumentsOf(c.arguments, `${turn.field}.value[${i}].arguments`) };
  });
}

export function adaptHermes(record: Obj, ctx: AdaptContext): Adapted {
  const messages: Message[] = [];
  let tools = toolsOf(record.tools, "tools");
  for (const turn of turnsOf(record)) {
    const role = roleOf(turn);
    if (role === "system" && !tools.length) tools = toolsInText(turn);
    if (role === "assistant") messages.push(inlineAssistant(turn.text, `${turn.field}.content`));
    else if (role === "tool") messages.push(...hermesResults(turn));
    else messages.push({ role, content: turn.text });
  }
  return { conv: { source: ctx.source, tools, messages: nameResults(messages) } };
}

/**
 * The list inside `<tools>…</tools>` of a system text (the text itself is kept as written). The
 * first non-empty block: prompts often mention "<tools></tools> XML tags" before the real list.
 */
function toolsInText(turn: Turn): ReturnType<typeof toolsOf> {
  const m = DEFAULT_MARKERS;
  for (let start = turn.text.indexOf(m.toolsStart); start >= 0; start = turn.text.indexOf(m.toolsStart, start + 1)) {
    const end = turn.text.indexOf(m.toolsEnd, start + m.toolsStart.length);
    if (end < 0) break;
    const inner = turn.text.slice(start + m.toolsStart.length, end).trim();
    if (!inner) continue;
    // Hermes puts one JSON schema per line rather than a list.
    const list = inner.startsWith("[") ? inner : `[${inner.split("\n").filter((l) => l.trim()).join(",")}]`;
    return toolsOf(list, `${turn.field}.content`);
  }
  return [];
}

/** One message per `<tool_response>` block; text without the wrapper is one result as is. */
function hermesResults(turn: Turn): Message[] {
  const m = DEFAULT_MARKERS;
  const blocks: string[] = [];
  const re = new RegExp(`${m.responseStart}\\n?([\\s\\S]*?)\\n?${m.responseEnd}`, "g");
  for (const match of turn.text.matchAll(re)) blocks.push(match[1]);
  if (!blocks.length) blocks.push(turn.text);
  return blocks.map((content) => ({ role: "tool", content }));
}
