/**
 * BFCL question rows (shared/data/bfcl/SOURCE.md): `{id, question: [[messages]], function: [...]}`,
 * with the expected answers from the matching `possible_answer/` file kept in meta for eval
 * (meta = {category, possible_answer, bfcl_id}, CONTRIBUTING.md).
 */
import { readFileSync, existsSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Message } from "../conversation.js";
import { isObj, RowProblem, textOf, toolsOf, type AdaptContext, type Adapted, type Obj } from "./common.js";

/** `live_simple_0-0-0` → `live_simple`, `simple_python_12` → `simple_python`. */
export function bfclCategory(id: string): string {
  return id.replace(/_\d+(-\d+)*$/, "");
}

// BFCL expects no call for these; they have no answer file upstream (SOURCE.md).
const NO_CALL_CATEGORIES = ["irrelevance", "live_irrelevance"];

export function adaptBfcl(record: Obj, ctx: AdaptContext): Adapted {
  const id = record.id;
  if (typeof id !== "string") throw new RowProblem("id", "BFCL row has no id");
  if (!Array.isArray(record.question)) throw new RowProblem("question", "BFCL row has no question list");
  const messages: Message[] = [];
  record.question.forEach((turn, t) => {
    if (!Array.isArray(turn)) throw new RowProblem(`question[${t}]`, "turn is not a list");
    turn.forEach((m, i) => {
      const field = `question[${t}][${i}]`;
      if (!isObj(m)) throw new RowProblem(field, "message is not an object");
      const role = m.role;
      if (role !== "system" && role !== "user" && role !== "assistant") throw new RowProblem(`${field}.role`, `unknown role '${String(role)}'`);
      messages.push({ role, content: textOf(m.content) });
    });
  });
  const category = bfclCategory(id);
  const answer = ctx.answers?.get(id) ?? (NO_CALL_CATEGORIES.includes(category) ? [] : null);
  // Schemas are kept as BFCL writes them ("dict", "float", "tuple"): the checker reads those types.
  return {
    conv: { source: ctx.source, tools: toolsOf(record.function, "function"), messages, meta: { category, possible_answer: answer, bfcl_id: id } },
  };
}

/** `dir/X.json` → `dir/possible_answer/X.json` when it exists (BFCL's layout). */
export function bfclAnswerFile(questionFile: string): string | undefined {
  const file = join(dirname(questionFile), "possible_answer", basename(questionFile));
  return existsSync(file) ? file : undefined;
}

/** The id → ground_truth map of a question file's answer file, if there is one. */
export function loadBfclAnswers(questionFile: string): Map<string, unknown> | undefined {
  const file = bfclAnswerFile(questionFile);
  if (!file) return undefined;
  const answers = new Map<string, unknown>();
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line.trim()) continue;
    const row = JSON.parse(line) as { id: string; ground_truth: unknown };
    answers.set(row.id, row.ground_truth);
  }
  return answers;
}
