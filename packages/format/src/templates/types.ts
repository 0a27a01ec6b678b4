/**
 * What every chat template provides, and the one place that decides which spans the loss sees.
 * Templates emit the text as a list of pieces while rendering; spans are those pieces' offsets,
 * so they come from the rendering itself, never from searching the text afterwards.
 */
import type { SpanRow } from "@tooltune/core";
import type { CallStyle } from "../codec.js";
import type { Conversation, Message, ToolSchema } from "../conversation.js";

/**
 * What the loss sees: assistant turns, the last one, every token, or every token from the first
 * turn after the system message on (gemma-course folds the system text into that turn: trained).
 */
export const TRAIN_ON = ["assistant", "last_assistant", "all", "all_but_system"] as const;
export type TrainOn = (typeof TRAIN_ON)[number];

export interface Rendered {
  text: string;
  /** UTF-16 offsets, end exclusive; they tile the whole text. */
  spans: SpanRow[];
}

export interface ChatTemplate {
  name: string;
  /** Training text, with train spans per `trainOn` (default `assistant`). */
  render(conv: Conversation, opts?: { trainOn?: TrainOn }): Rendered;
  /** The prompt for generation: ends with the assistant's generation prefix. */
  renderPrompt(messages: Message[], tools: ToolSchema[]): string;
  /** Where generation should stop. */
  stopStrings: string[];
  /** What closes an assistant turn (trained with it). */
  endOfTurn: string;
  /** How calls are written in this template's text (eval's parser reads both). */
  callStyle: CallStyle;
}

/**
 * A piece of rendered text. `header`: the turn opening the model is given; `body`: what the model
 * writes; `end`: the end-of-turn marker it must learn to emit; `other`: separators and prompts.
 */
export interface Piece {
  text: string;
  role: string;
  part: "header" | "body" | "end" | "other";
  /** Index of the message the piece belongs to, -1 for text outside any message. */
  message: number;
}

/** Join pieces into text and spans; train = assistant body + end, filtered by `trainOn`. */
export function assemble(pieces: Piece[], trainOn: TrainOn = "assistant"): Rendered {
  const lastAssistant = Math.max(-1, ...pieces.filter((p) => p.role === "assistant").map((p) => p.message));
  let text = "";
  const spans: SpanRow[] = [];
  let pastSystem = false; // all_but_system: from the first piece of a later message on
  for (const p of pieces) {
    if (!p.text) continue;
    if (p.message >= 0 && p.role !== "system") pastSystem = true;
    const isTarget = p.role === "assistant" && (p.part === "body" || p.part === "end");
    const train =
      trainOn === "all" || (trainOn === "all_but_system" && pastSystem) || (isTarget && (trainOn === "assistant" || p.message === lastAssistant));
    const start = text.length;
    text += p.text;
    const prev = spans[spans.length - 1];
    if (prev && prev.role === p.role && prev.train === train && prev.end === start) prev.end = text.length;
    else spans.push({ start, end: text.length, role: p.role, train });
  }
  return { text, spans };
}

/** The text the loss sees, span by span: for tests and the debug view. */
export function trainedText(r: Rendered): string[] {
  return r.spans.filter((s) => s.train).map((s) => r.text.slice(s.start, s.end));
}
