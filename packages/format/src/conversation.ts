/**
 * The canonical conversation in memory, and its mapping to the `conversations` row on disk
 * (DESIGN §3), where tools, call arguments and meta are JSON strings.
 */
import type { ConversationRow, MessageRow } from "@tooltune/core";

export type Role = "system" | "user" | "assistant" | "tool";
export const ROLES: readonly Role[] = ["system", "user", "assistant", "tool"];

/** OpenAI shape: what every template and the tokenizer's chat template expect. */
export interface ToolSchema {
  type: "function";
  function: { name: string; description?: string; parameters?: Record<string, unknown> };
}

export interface ToolCall {
  id?: string;
  name: string;
  arguments: Record<string, unknown>;
}

export interface Message {
  role: Role;
  content: string;
  /** The think text, without its markers. */
  reasoning?: string;
  toolCalls?: ToolCall[];
  /** On tool messages: which call this answers. */
  toolCallId?: string;
  /** On tool messages: the function's name. */
  name?: string;
}

export interface Conversation {
  id: string;
  /** `file:row` it came from. */
  source: string;
  tools: ToolSchema[];
  messages: Message[];
  split: string;
  meta?: Record<string, unknown>;
}

export function toRow(conv: Conversation): ConversationRow {
  return {
    id: conv.id,
    source: conv.source,
    tools: JSON.stringify(conv.tools),
    messages: conv.messages.map(toMessageRow),
    split: conv.split,
    meta: conv.meta === undefined ? null : JSON.stringify(conv.meta),
  };
}

function toMessageRow(m: Message): MessageRow {
  return {
    role: m.role,
    content: m.content,
    reasoning: m.reasoning ?? null,
    tool_calls: m.toolCalls?.length
      ? m.toolCalls.map((c) => ({ id: c.id ?? null, name: c.name, arguments: JSON.stringify(c.arguments) }))
      : null,
    tool_call_id: m.toolCallId ?? null,
    name: m.name ?? null,
  };
}

/** Throws on rows that are not canonical; ingest validates before calling it on foreign data. */
export function fromRow(row: ConversationRow): Conversation {
  const conv: Conversation = {
    id: row.id,
    source: row.source,
    tools: JSON.parse(row.tools) as ToolSchema[],
    messages: row.messages.map(fromMessageRow),
    split: row.split,
  };
  if (row.meta !== null && row.meta !== undefined) conv.meta = JSON.parse(row.meta) as Record<string, unknown>;
  return conv;
}

function fromMessageRow(m: MessageRow): Message {
  const out: Message = { role: m.role, content: m.content ?? "" };
  if (m.reasoning !== null && m.reasoning !== undefined) out.reasoning = m.reasoning;
  if (m.tool_calls?.length) {
    out.toolCalls = Array.from(m.tool_calls, (c) => {
      const call: ToolCall = { name: c.name, arguments: JSON.parse(c.arguments) as Record<string, unknown> };
      if (c.id !== null && c.id !== undefined) call.id = c.id;
      return call;
    });
  }
  if (m.tool_call_id !== null && m.tool_call_id !== undefined) out.toolCallId = m.tool_call_id;
  if (m.name !== null && m.name !== undefined) out.name = m.name;
  return out;
}

/**
 * What makes a conversation unusable for training, or null. The reasons are the ones ingest
 * rejects rows for (issue 3): unknown role, tool result without a call, empty conversation.
 */
export function validateConversation(conv: Conversation): { field: string; reason: string } | null {
  if (!conv.messages.some((m) => m.role !== "system")) return { field: "messages", reason: "empty conversation" };
  const open = new Set<string>();
  let unanswered = 0;
  for (const [i, m] of conv.messages.entries()) {
    if (!ROLES.includes(m.role)) return { field: `messages[${i}].role`, reason: `unknown role '${String(m.role)}'` };
    if (m.role === "assistant") {
      for (const c of m.toolCalls ?? []) {
        if (c.id) open.add(c.id);
        unanswered++;
      }
    }
    if (m.role === "tool") {
      const known = m.toolCallId ? open.has(m.toolCallId) : unanswered > 0;
      if (!known) return { field: `messages[${i}]`, reason: "tool result without a call" };
      if (m.toolCallId) open.delete(m.toolCallId);
      unanswered--;
    }
  }
  return null;
}
