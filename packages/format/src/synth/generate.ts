/**
 * The conversation generator: seed + index → one canonical `ConversationRow`. Each conversation
 * has its own PRNG seeded from (seed, index), so row i does not depend on how many rows are made,
 * and its split comes from a hash of (seed, id) as DESIGN §3 asks. Tool responses are the real
 * outputs of the catalog implementations, and final answers quote them.
 */
import type { ConversationRow, MessageRow } from "@tooltune/core";
import { ASKS, type Ask, type Drawn } from "./asks.js";
import { toolCatalog, openAiTool } from "./catalog/index.js";
import type { FunctionSchema, Json, ParamSchema, ToolResult } from "./catalog/tool.js";
import { CHAINS } from "./chains.js";
import { NO_CALLS } from "./chat.js";
import { PoolExhausted, templateSplit, type Split } from "./pools.js";
import { hash32, Rng } from "./rng.js";
import { fill, slotsOf, type Slots } from "./text.js";

export const KINDS = ["single", "parallel", "multi_step", "no_call"] as const;
export type Kind = (typeof KINDS)[number];

export interface SynthOptions {
  seed: number;
  /** Share of conversations in the test split. */
  testFraction: number;
  /** Relative weights of the conversation kinds. */
  mix: Record<Kind, number>;
  /** How many tools each conversation offers, [min, max]; the called ones always among them. */
  toolsOffered?: [number, number];
  /** How tool schemas are written into the conversation (default full). */
  schemas?: SchemaStyle;
}

/** `full`: the catalog's schemas as they are; `compact`: names, types, enums and required only. */
export const SCHEMA_STYLES = ["full", "compact"] as const;
export type SchemaStyle = (typeof SCHEMA_STYLES)[number];

/** Kept to one line: the model is tiny and every token costs training time. */
export const SYSTEM_PROMPT = "You are a helpful assistant. Call a tool when one fits; otherwise answer directly.";

/**
 * A schema without what a caller can do without: parameter descriptions, bounds, patterns and
 * `additionalProperties`. Names, types, enums and `required` stay, so every call it allows is one
 * the full schema allows too. The offered tools are most of a prompt's tokens (~130 each in full).
 */
export function compactSchema(schema: FunctionSchema): Json {
  const param = (p: ParamSchema): Json => {
    if (p.type === "array") return { type: "array", items: param(p.items) };
    return p.type === "string" && p.enum ? { type: "string", enum: p.enum } : { type: p.type };
  };
  const properties = Object.fromEntries(Object.entries(schema.parameters.properties).map(([name, p]) => [name, param(p)]));
  return { name: schema.name, description: schema.description, parameters: { type: "object", properties, required: schema.parameters.required } };
}

/** Each tool's OpenAI-shape JSON per style, made once: the same text JSON.stringify gives for the whole array, at a fraction of the cost. */
const TOOL_JSON: Record<SchemaStyle, Record<string, string>> = {
  full: Object.fromEntries(Object.entries(toolCatalog).map(([name, tool]) => [name, JSON.stringify(openAiTool(tool))])),
  compact: Object.fromEntries(Object.entries(toolCatalog).map(([name, tool]) => [name, JSON.stringify({ type: "function", function: compactSchema(tool.schema) })])),
};

export const conversationId = (index: number): string => `synth-${String(index).padStart(6, "0")}`;

export const splitOf = (id: string, seed: number, testFraction: number): Split =>
  hash32(`split:${seed}:${id}`) / 2 ** 32 < testFraction ? "test" : "train";

export function generateConversations(count: number, options: SynthOptions): ConversationRow[] {
  return Array.from({ length: count }, (_, i) => generateConversation(i, options));
}

/**
 * Streams a row may try before a PoolExhausted is taken for a bug. A first stream runs a pool dry
 * about once in 40,000 rows (15 in 600,000: seeds 42 and 7, 300,000 each), so 8 in a row never happen.
 */
const ATTEMPTS = 8;

export function generateConversation(index: number, options: SynthOptions): ConversationRow {
  for (let attempt = 0; ; attempt++) {
    try {
      return drawConversation(index, options, attempt);
    } catch (e) {
      if (!(e instanceof PoolExhausted) || attempt + 1 === ATTEMPTS) throw e;
    }
  }
}

/**
 * Row `index` drawn from random stream `attempt`. Stream 0 is the one every row used before pools
 * could run dry, so rows that never do are unchanged; a row whose draw exhausts its split's pool
 * (PoolExhausted) is drawn again from stream 1, 2, … — the same id, split and kind, other values.
 */
export function drawConversation(index: number, options: SynthOptions, attempt = 0): ConversationRow {
  const id = conversationId(index);
  const split = splitOf(id, options.seed, options.testFraction);
  const rng = new Rng(hash32(attempt === 0 ? `conversation:${options.seed}:${index}` : `conversation:${options.seed}:${index}:${attempt}`));
  const kind = kindAt(index, options);
  const dialog = new Dialog(rng, split);
  BUILDERS[kind](dialog);
  const tools = offeredTools(rng, dialog.toolNames, options.toolsOffered ?? [3, 6]);
  return {
    id,
    source: `synth:seed=${options.seed}:${index}`,
    tools: `[${tools.map((name) => TOOL_JSON[options.schemas ?? "full"][name]).join(",")}]`,
    messages: [message("system", SYSTEM_PROMPT), ...dialog.messages],
    split,
    meta: JSON.stringify({ kind, templates: dialog.templates }),
  };
}

/**
 * Row i's kind from a golden-ratio sequence (a low-discrepancy stand-in for a uniform draw): every
 * prefix of the dataset holds the kinds in the configured proportions to within a few rows, where
 * independent draws would drift by ±3σ ≈ 3% on 2000 rows.
 */
export function kindAt(index: number, options: SynthOptions): Kind {
  const u = (hash32(`kind:${options.seed}`) / 2 ** 32 + index * 0.6180339887498949) % 1;
  const total = KINDS.reduce((sum, k) => sum + options.mix[k], 0);
  let edge = 0;
  for (const kind of KINDS) {
    edge += options.mix[kind] / total;
    if (u < edge) return kind;
  }
  return KINDS[KINDS.length - 1];
}

/** The needed tools plus random others, in random order: real prompts rarely offer just the one that fits. */
function offeredTools(rng: Rng, needed: string[], [min, max]: [number, number]): string[] {
  const others = rng.shuffle(Object.keys(toolCatalog).filter((name) => !needed.includes(name)));
  const count = Math.max(needed.length, rng.int(min, max));
  return rng.shuffle([...needed, ...others.slice(0, count - needed.length)]);
}

function message(role: MessageRow["role"], content: string, extra: Partial<MessageRow> = {}): MessageRow {
  return { role, content, reasoning: null, tool_calls: null, tool_call_id: null, name: null, ...extra };
}

/** Builds one conversation's turns and remembers which phrasings and tools it used. */
class Dialog {
  readonly messages: MessageRow[] = [];
  readonly templates: string[] = [];
  readonly toolNames: string[] = [];
  private calls = 0;

  constructor(readonly rng: Rng, readonly split: Split) {}

  /** A phrasing from the split's share of `list`, recorded as `name#index` for the leakage test. */
  phrasing(name: string, list: string[]): string {
    const indices = list.map((_, i) => i).filter((i) => templateSplit(i) === this.split);
    const i = this.rng.pick(indices);
    this.templates.push(`${name}#${i}`);
    return list[i];
  }

  user(text: string): void {
    this.messages.push(message("user", text));
  }

  /** One assistant turn with `calls` (parallel when several), then one tool turn per call with its real output. */
  act(think: string, calls: { name: string; args: Record<string, Json> }[]): ToolResult[] {
    const toolCalls = calls.map(({ name, args }) => ({ id: `call_${++this.calls}`, name, arguments: JSON.stringify(args) }));
    this.messages.push(message("assistant", "", { reasoning: think, tool_calls: toolCalls }));
    return calls.map(({ name, args }, i) => {
      const result = toolCatalog[name].run(args);
      // Drawn arguments are always servable; an error here is a bug in a draw, not data.
      if ("error" in result) throw new Error(`synth drew arguments ${name} cannot serve: ${String(result.error)}`);
      this.messages.push(message("tool", JSON.stringify(result), { tool_call_id: toolCalls[i].id, name }));
      if (!this.toolNames.includes(name)) this.toolNames.push(name);
      return result;
    });
  }

  say(text: string, think: string | null = null): void {
    this.messages.push(message("assistant", text, { reasoning: think }));
  }
}

const THINK_ONE = ["The user wants {goal}, so I'll call {tool}.", "I can get {goal} with {tool}.", "To answer I need {goal}; {tool} gives it."];
const THINK_TWICE = ["I need {goal} and {goal2}, so I'll call {tool} twice.", "Two lookups: {goal} and {goal2}, both with {tool}."];
const THINK_TWO = ["I need {goal} and {goal2}, so I'll call {tool} and {tool2} together.", "Two independent calls: {tool} for {goal} and {tool2} for {goal2}."];
const JOINERS = [" ", " Also: ", " One more thing: "];

const slotsFor = (drawn: Drawn, result?: ToolResult): Slots => slotsOf({ a: drawn.args, x: drawn.x, r: result });

/** `explicit` takes the first phrasing, which names what it answers: two answers in a row need that. */
function answerFor(d: Dialog, ask: Ask, drawn: Drawn, result: ToolResult, explicit = false): string {
  const answers = typeof ask.answers === "function" ? ask.answers(result) : ask.answers;
  return fill(explicit ? answers[0] : d.rng.pick(answers), slotsFor(drawn, result), d.rng);
}

function single(d: Dialog): void {
  const ask = d.rng.pick(ASKS);
  const drawn = ask.draw(d.rng, d.split);
  d.user(fill(d.phrasing(ask.id, ask.asks), slotsFor(drawn), d.rng));
  const goal = fill(ask.goal, slotsFor(drawn), d.rng);
  const [result] = d.act(fill(d.rng.pick(THINK_ONE), { goal, tool: ask.tool }, d.rng), [{ name: ask.tool, args: drawn.args }]);
  d.say(answerFor(d, ask, drawn, result));
}

/** Two calls in one turn: the same tool on two values (phrased together) or two different tools. */
function parallel(d: Dialog): void {
  const pairable = ASKS.filter((a) => a.pair);
  const same = d.rng.chance(0.5);
  const first = d.rng.pick(same ? pairable : ASKS);
  const second = same ? first : d.rng.pick(ASKS.filter((a) => a.tool !== first.tool));
  const one = first.draw(d.rng, d.split);
  const two = same && first.pair ? first.pair.draw(d.rng, d.split, one) : second.draw(d.rng, d.split);
  if (same && first.pair) {
    const slots = { ...slotsFor(one), ...slotsOf({ a2: two.args, x2: two.x }) };
    d.user(fill(d.phrasing(`${first.id}+pair`, first.pair.asks), slots, d.rng));
  } else {
    const text1 = fill(d.phrasing(first.id, first.asks), slotsFor(one), d.rng);
    const text2 = fill(d.phrasing(second.id, second.asks), slotsFor(two), d.rng);
    d.user(text1 + d.rng.pick(JOINERS) + text2);
  }
  const goals = { goal: fill(first.goal, slotsFor(one), d.rng), goal2: fill(second.goal, slotsFor(two), d.rng), tool: first.tool, tool2: second.tool };
  const think = fill(d.rng.pick(same ? THINK_TWICE : THINK_TWO), goals, d.rng);
  const [r1, r2] = d.act(think, [
    { name: first.tool, args: one.args },
    { name: second.tool, args: two.args },
  ]);
  d.say(`${answerFor(d, first, one, r1, true)} ${answerFor(d, second, two, r2, true)}`);
}

function multiStep(d: Dialog): void {
  const chain = d.rng.pick(CHAINS);
  const first = chain.draw(d.rng, d.split);
  d.user(fill(d.phrasing(chain.id, chain.asks), slotsFor(first), d.rng));
  const [r1] = d.act(fill(chain.think1, slotsFor(first), d.rng), [{ name: chain.tools[0], args: first.args }]);
  const args2 = chain.next(first, r1);
  const [r2] = d.act(fill(chain.think2, slotsFor(first, r1), d.rng), [{ name: chain.tools[1], args: args2 }]);
  const slots = { ...slotsFor(first, r1), ...slotsOf({ a2: args2, r2 }) };
  d.say(fill(d.rng.pick(chain.answers), slots, d.rng));
}

function noCall(d: Dialog): void {
  const i = d.rng.pick(NO_CALLS.map((_, j) => j).filter((j) => templateSplit(j) === d.split));
  d.templates.push(`no_call#${i}`);
  d.user(NO_CALLS[i].user);
  d.say(NO_CALLS[i].answer, NO_CALLS[i].think);
}

const BUILDERS: Record<Kind, (d: Dialog) => void> = { single, parallel, multi_step: multiStep, no_call: noCall };
