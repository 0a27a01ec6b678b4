/**
 * The `format` stage: canonical conversations → training text with train spans (the `formatted`
 * dataset). The manifest's stats name the template and special-token set, for tokenize.
 */
import { DatasetWriter, defineStage, inputOfKind, openDataset, TooltuneError, type ConversationRow, type FormattedRow } from "@tooltune/core";
import { z } from "zod";
import { fromRow, type Conversation } from "./conversation.js";
import { getSpecialTokens, SPECIAL_TOKEN_SETS } from "./special-tokens.js";
import { getTemplate, TEMPLATE_NAMES } from "./templates/index.js";
import { resolveTokenizerConfig } from "./templates/hf.js";
import { SHIPPED_TOKENIZER_NAMES } from "./shipped-tokenizers.js";
import { TRAIN_ON, type ChatTemplate, type TrainOn } from "./templates/types.js";

export const formatParams = z
  .object({
    template: z.enum(TEMPLATE_NAMES).default("chatml").describe("Chat template: gemma-course, chatml, llama3, or hf (the tokenizer's own)"),
    special_tokens: z
      .union([z.enum(SPECIAL_TOKEN_SETS), z.array(z.string().min(1)).min(1)])
      .default("course")
      .describe("Tokens tokenize adds: course, course-notebook (the notebook's list, misspelling included), or a list"),
    train_on: z.enum(TRAIN_ON).default("assistant").describe("What the loss sees: every assistant turn, the last one, all text, or all but the system message"),
    tokenizer: z.string().optional().describe(`For template hf: a shipped tokenizer (${SHIPPED_TOKENIZER_NAMES.join(", ")}), a tokenizer directory, or a tokenizer_config.json`),
    strip_tool_use: z.boolean().default(false).describe("Remove tools, calls and results, and assistant turns left empty (text for a base model that never saw tools)"),
    keep_tool_list: z
      .boolean()
      .default(false)
      .describe("With strip_tool_use: keep the offered tools in the system prompt (a base that reads tool lists but never saw a call or a result)"),
  })
  .refine((p) => !p.keep_tool_list || p.strip_tool_use, { message: "keep_tool_list only applies with strip_tool_use: true", path: ["keep_tool_list"] })
  .refine((p) => p.template !== "hf" || p.tokenizer !== undefined, { message: `template hf needs \`tokenizer\` (${SHIPPED_TOKENIZER_NAMES.join(", ")}, a directory, or a tokenizer_config.json)`, path: ["tokenizer"] });
export type FormatParams = z.output<typeof formatParams>;

/**
 * Calls, their results and the reasoning removed (and the tool list unless kept); assistant turns
 * with no text left are dropped. Reasoning goes too: it is about the tools ("No tool fits, so I'll
 * answer directly") and renders in `<think>`, one of the markers the adapter is to learn.
 */
export function stripToolUse(conv: Conversation, keepToolList = false): Conversation {
  const messages = conv.messages
    .filter((m) => m.role !== "tool")
    .map(({ toolCalls: _calls, reasoning: _reasoning, ...m }) => m)
    .filter((m) => m.role !== "assistant" || m.content.trim() !== "");
  return { ...conv, tools: keepToolList ? conv.tools : [], messages };
}

/** A row's text, or why it cannot be rendered honestly. */
export function formatConversation(conv: Conversation, template: ChatTemplate, trainOn: TrainOn): FormattedRow | { reason: string } {
  // Content holding the end-of-turn marker would end a turn early at tokenization.
  const bad = conv.messages.findIndex((m) => template.endOfTurn && (m.content.includes(template.endOfTurn) || m.reasoning?.includes(template.endOfTurn)));
  if (bad >= 0) return { reason: `messages[${bad}] holds the template's end-of-turn marker '${template.endOfTurn}'` };
  try {
    const { text, spans } = template.render(conv, { trainOn });
    return { id: conv.id, text, spans, template: template.name, split: conv.split };
  } catch (e) {
    return { reason: (e as Error).message };
  }
}

export const formatStage = defineStage({
  kind: "format",
  // 2: strip_tool_use also drops reasoning
  version: "2",
  description: "Render conversations with a chat template into training text with train spans",
  params: formatParams,
  output: "dataset",
  fileDeps: (p) => (p.template === "hf" && p.tokenizer ? [resolveTokenizerConfig(p.tokenizer)] : []),
  async run(ctx, params) {
    const input = inputOfKind(ctx, "conversations");
    if (!input) throw new TooltuneError("CONFIG", "format needs a conversations dataset", { stage: ctx.stageName, fix: "put an ingest stage in `needs`" });
    let template: ChatTemplate;
    try {
      template = getTemplate(params.template, { tokenizer: params.tokenizer });
    } catch (e) {
      throw new TooltuneError("CONFIG", `cannot load template '${params.template}': ${(e as Error).message}`, { stage: ctx.stageName, cause: e, fix: "check `template` and `tokenizer`" });
    }
    const tokens = getSpecialTokens(params.special_tokens);
    const writer = await DatasetWriter.create(ctx.outDir, { kind: "formatted" });
    let untrained = 0;
    let row = 0;
    for await (const batch of (await openDataset<ConversationRow>(input.path)).batches()) {
      const out: FormattedRow[] = [];
      for (const r of batch) {
        const source = `${input.name}:${row++}`;
        let conv: Conversation;
        try {
          conv = fromRow(r);
        } catch (e) {
          writer.reject({ source, reason: `not a canonical conversation: ${(e as Error).message}`, row: r });
          continue;
        }
        const f = formatConversation(params.strip_tool_use ? stripToolUse(conv, params.keep_tool_list) : conv, template, params.train_on);
        if ("reason" in f) writer.reject({ source: `${source}:${conv.id}`, reason: f.reason, row: r });
        else {
          if (!f.spans.some((s) => s.train)) untrained++; // e.g. BFCL prompts: kept for eval, no loss
          out.push(f);
        }
      }
      await writer.write(out);
    }
    ctx.log.info(`format: ${writer.rowCount} rows with ${template.name}, ${writer.rejectCount} rejected, ${untrained} with nothing to train on`);
    await writer.finish(ctx.provenance, {
      template: template.name,
      special_tokens: { name: tokens.name, tokens: tokens.tokens },
      train_on: params.train_on,
      end_of_turn: template.endOfTurn,
      stop_strings: template.stopStrings,
      rows_without_train_span: untrained,
    });
  },
});
