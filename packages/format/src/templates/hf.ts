/**
 * `hf`: the model's own Jinja `chat_template` from its `tokenizer_config.json`, rendered with
 * @huggingface/jinja, so training text equals what `tokenizer.apply_chat_template` serves.
 *
 * Spans without sentinels, by prefix rendering: a chat template renders a conversation left to
 * right, so the text for messages[0..i) with the generation prompt is exactly what the model is
 * given before writing message i, and where it ends is where message i's own text starts in the
 * full rendering. Rendering messages[0..i] tells where it ends. Every prefix is checked to be a
 * true prefix of the full text. Where only the end is not (a template that writes the last
 * message differently from the same message in history), the end is the first end-of-turn marker
 * after the start — a special token that content cannot hold. Where the start is not a prefix
 * (Qwen3 drops the reasoning of turns before the last user query, so history reads differently
 * from what the model saw when it wrote them), no honest span exists: rendering throws and the
 * format stage rejects the row with that reason.
 *
 * Two prefix renders per assistant turn make spans quadratic in the conversation's length, and a
 * Jinja template is a black box, so no single render can stand in for them: a row needing more than
 * MAX_SPAN_RENDERED_MESSAGES message renders is rejected with that reason instead (found by the
 * fuzzer: a 513-message row took 4.5 s).
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Template } from "@huggingface/jinja";
import type { Conversation, Message, ToolSchema } from "../conversation.js";
import { SHIPPED_TOKENIZER_NAMES, shippedTokenizerDir } from "../shipped-tokenizers.js";
import { assemble, type ChatTemplate, type Piece, type TrainOn } from "./types.js";

export interface HfTokenizerConfig {
  chat_template?: string | { name: string; template: string }[];
  bos_token?: string | { content: string } | null;
  eos_token?: string | { content: string } | null;
  pad_token?: string | { content: string } | null;
  unk_token?: string | { content: string } | null;
  added_tokens_decoder?: Record<string, { content: string }>;
}

/** A shipped name (`qwen3`, `gemma3`…), a directory holding tokenizer_config.json, or the file itself. */
export function resolveTokenizerConfig(spec: string): string {
  const shipped = shippedTokenizerDir(spec);
  if (shipped) return join(shipped, "tokenizer_config.json");
  if (!existsSync(spec)) throw new Error(`tokenizer '${spec}' is neither a shipped name (${SHIPPED_TOKENIZER_NAMES.join(", ")}) nor a file or directory`);
  return statSync(spec).isDirectory() ? join(spec, "tokenizer_config.json") : spec;
}

export function loadTokenizerConfig(spec: string): HfTokenizerConfig {
  return JSON.parse(readFileSync(resolveTokenizerConfig(spec), "utf8")) as HfTokenizerConfig;
}

const tokenText = (t: HfTokenizerConfig["bos_token"]) => (t == null ? undefined : typeof t === "string" ? t : t.content);

/** The single template, or the `tool_use` one of a named list when there are tools (transformers' rule). */
function pickTemplate(cfg: HfTokenizerConfig, hasTools: boolean): string {
  const t = cfg.chat_template;
  if (typeof t === "string") return t;
  if (!t?.length) throw new Error("tokenizer_config.json has no chat_template (Gemma 2's has none): use template gemma-course, chatml or llama3");
  const byName = (n: string) => t.find((x) => x.name === n)?.template;
  return (hasTools && byName("tool_use")) || byName("default") || t[0].template;
}

/**
 * Messages rendered for spans, over all prefix renders: Σ (2i + 1) over the assistant turns i.
 * tau-bench's longest row (30 turns in 62 messages) needs 1,890; at the limit a row takes ~0.5 s.
 */
export const MAX_SPAN_RENDERED_MESSAGES = 4096;

/** Canonical message → the dict transformers' templates read. */
export function toHfMessage(m: Message): Record<string, unknown> {
  const out: Record<string, unknown> = { role: m.role, content: m.content };
  if (m.reasoning !== undefined) out.reasoning_content = m.reasoning;
  if (m.toolCalls?.length) {
    out.tool_calls = m.toolCalls.map((c) => ({ ...(c.id ? { id: c.id } : {}), type: "function", function: { name: c.name, arguments: c.arguments } }));
  }
  if (m.toolCallId !== undefined) out.tool_call_id = m.toolCallId;
  if (m.name !== undefined) out.name = m.name;
  return out;
}

export function hfTemplate(cfg: HfTokenizerConfig, name = "hf"): ChatTemplate {
  const compiled = new Map<boolean, Template>();
  pickTemplate(cfg, false); // a config without a chat_template fails here, not on every row
  const specials = { bos_token: tokenText(cfg.bos_token), eos_token: tokenText(cfg.eos_token), pad_token: tokenText(cfg.pad_token), unk_token: tokenText(cfg.unk_token) };

  const renderRaw = (messages: Message[], tools: ToolSchema[], addGenerationPrompt: boolean): string => {
    const hasTools = tools.length > 0;
    if (!compiled.has(hasTools)) compiled.set(hasTools, new Template(pickTemplate(cfg, hasTools)));
    return compiled.get(hasTools)!.render({
      ...specials,
      messages: messages.map(toHfMessage),
      tools: hasTools ? tools : undefined,
      add_generation_prompt: addGenerationPrompt,
    });
  };

  const endOfTurn = probeEndOfTurn(renderRaw, addedTokens(cfg)) ?? specials.eos_token ?? "";
  const written = probeFeatures(renderRaw);
  const mustWrite = (messages: Message[], tools: ToolSchema[]): void => {
    const missing = featuresOf(messages, tools).filter((f) => !written.has(f));
    if (missing.length === 0) return;
    throw new Error(
      `the tokenizer's chat template writes no ${missing.join(", ")} (transformers' apply_chat_template leaves them out or raises), ` +
        `so the text would lack them; use template gemma-course or chatml, or strip_tool_use: true`,
    );
  };

  const pieces = (conv: Conversation, trainOn: TrainOn): Piece[] => {
    mustWrite(conv.messages, conv.tools);
    const full = renderRaw(conv.messages, conv.tools, false);
    if (trainOn === "all") return [{ text: full, role: "all", part: "other", message: -1 }];
    if (trainOn === "all_but_system") throw new Error("train_on: all_but_system needs a template rendered turn by turn (chatml, llama3, gemma-course), not hf");
    const targets = conv.messages.flatMap((m, i) => (m.role === "assistant" ? [i] : []));
    const spanned = trainOn === "last_assistant" ? targets.slice(-1) : targets;
    const rendered = spanned.reduce((sum, i) => sum + 2 * i + 1, 0);
    if (rendered > MAX_SPAN_RENDERED_MESSAGES) {
      throw new Error(
        `spans of ${spanned.length} assistant turns in ${conv.messages.length} messages need ${rendered.toLocaleString("en-US")} message renders ` +
          `(the hf template renders the conversation up to each turn), over the ${MAX_SPAN_RENDERED_MESSAGES.toLocaleString("en-US")} limit; use train_on: last_assistant or split the conversation`,
      );
    }
    const out: Piece[] = [];
    let cursor = 0;
    for (const i of spanned) {
      const prompt = renderRaw(conv.messages.slice(0, i), conv.tools, true);
      if (!full.startsWith(prompt)) {
        throw new Error(
          `the chat template renders the conversation before message ${i} differently once later messages follow ` +
            `(Qwen3 drops reasoning of earlier turns), so its spans cannot be derived; use train_on: last_assistant or one turn per row`,
        );
      }
      const start = prompt.length;
      const upTo = renderRaw(conv.messages.slice(0, i + 1), conv.tools, false);
      // The first end-of-turn marker after the start closes the turn (content cannot hold it); the
      // prefix rule covers templates without one. Both, and the earlier wins: Llama 3's template
      // writes an assistant header after every conversation, which no turn owns.
      const marker = endOfTurn ? full.indexOf(endOfTurn, start) : -1;
      const ends = [full.startsWith(upTo) ? upTo.length : full.length, marker < 0 ? full.length : marker + endOfTurn.length];
      const end = Math.min(...ends);
      const segment = full.slice(start, end).trimEnd(); // whitespace after the marker is the next turn's
      const hasEnd = endOfTurn !== "" && segment.endsWith(endOfTurn);
      const bodyEnd = start + segment.length - (hasEnd ? endOfTurn.length : 0);
      out.push({ text: full.slice(cursor, start), role: "prompt", part: "other", message: -1 });
      out.push({ text: full.slice(start, bodyEnd), role: "assistant", part: "body", message: i });
      out.push({ text: full.slice(bodyEnd, start + segment.length), role: "assistant", part: "end", message: i });
      cursor = start + segment.length;
    }
    out.push({ text: full.slice(cursor), role: "prompt", part: "other", message: -1 });
    return out;
  };

  return {
    name,
    render: (conv: Conversation, opts: { trainOn?: TrainOn } = {}) => assemble(pieces(conv, opts.trainOn ?? "assistant"), opts.trainOn),
    renderPrompt: (messages, tools) => {
      mustWrite(messages, tools);
      return renderRaw(messages, tools, true);
    },
    stopStrings: [...new Set([endOfTurn, specials.eos_token].filter((s): s is string => !!s))],
    endOfTurn,
    callStyle: "json",
  };
}

/** The tokenizer's added tokens (`<|im_end|>`, `<end_of_turn>`, `<|eot_id|>`…), longest first. */
function addedTokens(cfg: HfTokenizerConfig): string[] {
  const contents = Object.values(cfg.added_tokens_decoder ?? {}).map((t) => t.content);
  return [...new Set(contents)].sort((a, b) => b.length - a.length);
}

/**
 * What the template writes after an assistant's text: render a one-exchange probe and read what
 * follows the reply: the added token it starts with, else all of it up to trailing whitespace
 * (Llama 3's tail runs on into the next assistant header). Undefined when the probe does not show it.
 */
function probeEndOfTurn(renderRaw: (m: Message[], t: ToolSchema[], g: boolean) => string, added: string[]): string | undefined {
  const reply = "tooltune-probe-reply";
  const user: Message = { role: "user", content: "hi" };
  try {
    const full = renderRaw([user, { role: "assistant", content: reply }], [], false);
    const at = full.lastIndexOf(reply);
    const tail = at < 0 ? "" : full.slice(at + reply.length).trimEnd();
    return added.find((t) => t !== "" && tail.startsWith(t)) ?? (tail || undefined);
  } catch {
    return undefined;
  }
}

/** What a conversation can hold besides message text, which a chat template may not write. */
type Feature = "tools" | "tool calls" | "tool results" | "reasoning";

function featuresOf(messages: Message[], tools: ToolSchema[]): Feature[] {
  const has: Record<Feature, boolean> = {
    tools: tools.length > 0,
    "tool calls": messages.some((m) => (m.toolCalls?.length ?? 0) > 0),
    "tool results": messages.some((m) => m.role === "tool"),
    reasoning: messages.some((m) => !!m.reasoning),
  };
  return (Object.keys(has) as Feature[]).filter((f) => has[f]);
}

/**
 * The features the template writes: each probed with a conversation that carries a unique marker
 * in it, written when the marker shows in the text. Gemma 3's and Llama 3's templates write message
 * text only (tools, calls and reasoning vanish without a word; Gemma 3 raises on a `tool` role), so
 * a row holding them is refused rather than trained without them.
 */
function probeFeatures(renderRaw: (m: Message[], t: ToolSchema[], g: boolean) => string): Set<Feature> {
  const tool: ToolSchema = { type: "function", function: { name: "tooltune_probe_tool", description: "probe", parameters: { type: "object", properties: {} } } };
  const user: Message = { role: "user", content: "hi" };
  const call: Message = { role: "assistant", content: "", toolCalls: [{ name: "tooltune_probe_call", arguments: {} }] };
  const probes: [Feature, Message[], ToolSchema[], string][] = [
    ["tools", [user], [tool], "tooltune_probe_tool"],
    ["tool calls", [user, call], [tool], "tooltune_probe_call"],
    ["tool results", [user, call, { role: "tool", content: "tooltune-probe-result", name: "tooltune_probe_call" }], [tool], "tooltune-probe-result"],
    ["reasoning", [user, { role: "assistant", content: "ok", reasoning: "tooltune-probe-reasoning" }], [], "tooltune-probe-reasoning"],
  ];
  const written = new Set<Feature>();
  for (const [feature, messages, tools, marker] of probes) {
    try {
      if (renderRaw(messages, tools, false).includes(marker)) written.add(feature);
    } catch {
      // A template that raises on the feature (Gemma 3 on a `tool` role) does not write it.
    }
  }
  return written;
}
