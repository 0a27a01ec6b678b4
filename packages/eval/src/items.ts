/**
 * Eval items from a conversations dataset: every assistant turn the data answers with calls or
 * with no call becomes one item (prompt = the conversation before that turn). BFCL rows carry
 * their possible answers in `meta` and give one item each.
 */
import type { ConversationRow } from "@tooltune/core";
import { fromJs, fromRow, isDict, parseJsonPy, type Message, type PyDict, type PyValue, type ToolCall, type ToolSchema } from "@tooltune/format";
import type { FunctionDoc, ParamDoc, PossibleAnswer } from "./ast-checker.js";
import type { CheckTarget } from "./check.js";

export interface EvalItem extends CheckTarget {
  /** `meta.bfcl_id` for BFCL rows, `<conversation id>#<message index>` otherwise. */
  id: string;
  conversationId: string;
  /** The conversation before the judged turn: what the prompt renders. */
  messages: Message[];
  tools: ToolSchema[];
}

export function itemsFromRow(row: ConversationRow): EvalItem[] {
  const conv = fromRow(row);
  const functions = conv.tools.map(toFunctionDoc);
  // meta is re-read with parseJsonPy so that answers keep whatever int/float split their text has.
  const meta = row.meta ? parseJsonPy(row.meta) : null;
  if (isDict(meta) && Array.isArray(meta.possible_answer) && typeof meta.category === "string") {
    // The whole question is the prompt: some live_irrelevance questions hold earlier assistant turns.
    const messages = conv.messages;
    const answers = meta.possible_answer as unknown as PossibleAnswer[];
    // Results carry BFCL's own id, so they line up with BFCL result files and `score`.
    const id = typeof meta.bfcl_id === "string" ? meta.bfcl_id : conv.id;
    return [{ id, conversationId: conv.id, category: meta.category, functions, answers, messages, tools: conv.tools }];
  }
  const items: EvalItem[] = [];
  conv.messages.forEach((m, i) => {
    if (m.role !== "assistant" || i === 0) return;
    const calls = m.toolCalls ?? [];
    // A no-call turn right after tool results is the final answer; elsewhere no tool fits the request.
    const afterTool = conv.messages[i - 1].role === "tool";
    const category = calls.length > 1 ? "parallel" : calls.length === 1 ? "simple" : afterTool ? "final_answer" : "no_call";
    const answers = calls.map((c) => callToAnswer(c, functions.find((f) => f.name === c.name)));
    items.push({ id: `${conv.id}#${i}`, conversationId: conv.id, category, functions, answers, messages: conv.messages.slice(0, i), tools: conv.tools });
  });
  return items;
}

export function toFunctionDoc(t: ToolSchema): FunctionDoc {
  const parameters = (t.function.parameters ?? {}) as FunctionDoc["parameters"];
  return { name: t.function.name, description: t.function.description, parameters: { ...parameters, properties: parameters.properties ?? {}, required: parameters.required ?? [] } };
}

const isObjectType = (t: string | undefined) => t === "object" || t === "dict";

/**
 * A reference call as a BFCL possible answer: each given argument is the one acceptable value
 * (dict arguments as `{key: [value]}`, as BFCL writes them); an omitted parameter with a schema
 * default may be given that default or left out; any other omitted parameter must stay out.
 */
export function callToAnswer(call: ToolCall, doc: FunctionDoc | undefined): PossibleAnswer {
  const props = doc?.parameters.properties ?? {};
  const given = Object.entries(call.arguments).map(([k, v]) => [k, [answerValue(fromJs(v), Object.hasOwn(props, k) ? props[k] : undefined)]]);
  const defaults = Object.entries(props).filter(([k, p]) => !Object.hasOwn(call.arguments, k) && p.default !== undefined).map(([k, p]) => [k, [fromJs(p.default), ""]]);
  return { [call.name]: Object.fromEntries([...given, ...defaults]) as Record<string, PyValue[]> };
}

function answerValue(v: PyValue, doc: ParamDoc | undefined): PyValue {
  const wrap = (d: PyDict): PyDict => Object.fromEntries(Object.entries(d).map(([k, x]) => [k, [x]]));
  if (isObjectType(doc?.type) && isDict(v)) return wrap(v);
  if (doc?.type === "array" && isObjectType(doc.items?.type) && Array.isArray(v)) return v.map((d) => (isDict(d) ? wrap(d) : d));
  return v;
}

/** The expected calls as plain JSON, for the results table and the report. */
export function expectedJson(item: Pick<CheckTarget, "answers">): string {
  return JSON.stringify(item.answers.map((a) => { const [name, params] = Object.entries(a)[0]; return { name, arguments: params }; }), (_k, v) => (typeof v === "bigint" ? Number(v) : v));
}
