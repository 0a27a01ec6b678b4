/**
 * BFCL question + possible-answer files (JSON Lines, `.json` extension) → check targets.
 * Answers are parsed with `parseJsonPy` so that `5` and `5.0` stay an int and a float.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { FunctionDoc, ParamDoc, PossibleAnswer } from "./ast-checker.js";
import { isDict, parseJsonPy, pyRepr, type PyDict, type PyValue } from "@tooltune/format";
import type { CheckTarget } from "./check.js";

export interface BfclItem extends CheckTarget {
  id: string;
  /** The question's messages (single-turn: the first turn). */
  messages: { role: string; content: string }[];
}

/** The categories of the shared half, in BFCL's order. */
export const BFCL_CATEGORIES = [
  "simple_python", "multiple", "parallel", "parallel_multiple", "irrelevance",
  "live_simple", "live_multiple", "live_parallel", "live_parallel_multiple", "live_irrelevance",
] as const;

const jsonLines = (file: string): string[] => readFileSync(file, "utf8").split("\n").filter((l) => l.trim());

/** Loads one category from a BFCL data folder (irrelevance categories have no answer file). */
export function loadBfclCategory(dir: string, category: string): BfclItem[] {
  const answerFile = join(dir, "possible_answer", `BFCL_v4_${category}.json`);
  const answers = new Map<string, PossibleAnswer[]>();
  if (existsSync(answerFile)) {
    for (const line of jsonLines(answerFile)) {
      const row = parseJsonPy(line) as PyDict;
      answers.set(row.id as string, row.ground_truth as unknown as PossibleAnswer[]);
    }
  }
  return jsonLines(join(dir, `BFCL_v4_${category}.json`)).map((line) => {
    const q = JSON.parse(line) as { id: string; question: { role: string; content: string }[][]; function: FunctionDoc[] };
    return { id: q.id, category, functions: q.function, answers: answers.get(q.id) ?? [], messages: q.question[0] ?? [] };
  });
}

/**
 * BFCL items from a path a user gives: a data folder (every `BFCL_v4_*.json` question file in it),
 * a question file, or an answer file under `possible_answer/` (its question file is found beside it:
 * the checker needs the function schemas).
 */
export function loadBfcl(path: string): BfclItem[] {
  if (statSync(path).isDirectory()) {
    return readdirSync(path).filter((f) => /^BFCL_v4_.+\.json$/.test(f)).sort().flatMap((f) => loadBfclCategory(path, categoryOfFile(f)));
  }
  const dir = dirname(path);
  const root = basename(dir) === "possible_answer" ? dirname(dir) : dir;
  return loadBfclCategory(root, categoryOfFile(basename(path)));
}

const categoryOfFile = (file: string): string => file.replace(/^BFCL_v4_/, "").replace(/\.json$/, "");

/** Category of a BFCL id (`live_simple_106-63-0` → `live_simple`). */
export function bfclCategoryOf(id: string): string {
  const known = [...BFCL_CATEGORIES].sort((a, b) => b.length - a.length).find((c) => id.startsWith(c + "_"));
  return known ?? id.replace(/_\d+(-\d+)*$/, "");
}

/**
 * The Python-call text of a ground truth: each parameter takes its first acceptable value that
 * is not "" (and is left out when there is none, or when it is optional and not in the schema); dict answers (`{key: [values…]}`) become dicts.
 */
export function groundTruthToPython(item: CheckTarget): string {
  const calls = item.answers.map((answer) => {
    const [name, params] = Object.entries(answer)[0];
    const doc = item.functions.find((f) => f.name === name);
    const props = doc?.parameters.properties ?? {};
    const args = Object.entries(params).flatMap(([param, alts]) => {
      // Some answers list an optional ("") parameter the schema lacks: a valid output leaves it out.
      const v = !Object.hasOwn(props, param) && alts.includes("") ? undefined : firstValue(alts);
      return v === undefined ? [] : [`${param}=${pyRepr(materialize(v, doc?.parameters.properties?.[param]))}`];
    });
    return `${name}(${args.join(", ")})`;
  });
  return `[${calls.join(", ")}]`;
}

const firstValue = (alts: PyValue[]): PyValue | undefined => alts.find((a) => a !== "");

function materialize(v: PyValue, doc: ParamDoc | undefined): PyValue {
  if (doc?.type === "dict" && isDict(v)) return pickDict(v);
  if (doc?.type === "array" && doc.items?.type === "dict" && Array.isArray(v)) return v.map((d) => (isDict(d) ? pickDict(d) : d));
  return v;
}

function pickDict(answer: PyDict): PyDict {
  const picked = Object.entries(answer).map(([k, alts]) => [k, Array.isArray(alts) ? firstValue(alts) : alts] as const);
  return Object.fromEntries(picked.filter(([, v]) => v !== undefined)) as PyDict;
}
