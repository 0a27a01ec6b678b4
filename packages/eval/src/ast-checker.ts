/**
 * BFCL's AST checker for Python (`bfcl_eval/eval_checker/ast_eval/ast_checker.py`, commit 6ea5797
 * of ShishirPatil/gorilla), rule for rule, as `../shared/data/bfcl/CHECKER.md` lists them. The
 * `strict` mode changes only the parallel matching (optimal instead of greedy).
 */
import { isDict, pyEquals, pyIn, pyRepr, pyTypeName, PyTuple, type PyDict, type PyValue } from "@tooltune/format";
import type { DecodedCall } from "./pyparse.js";

/** A function schema in BFCL's shape (`parameters.type` "dict" or JSON Schema's "object"). */
export interface FunctionDoc {
  name: string;
  description?: string;
  parameters: { type?: string; properties?: Record<string, ParamDoc>; required?: string[] };
}
export interface ParamDoc {
  type?: string;
  items?: ParamDoc;
  properties?: Record<string, ParamDoc>;
  default?: unknown;
  [key: string]: unknown;
}

/** One expected call: `{func_name: {param: [acceptable values…]}}`, "" meaning "may be omitted". */
export type PossibleAnswer = Record<string, Record<string, PyValue[]>>;

export interface CheckOutcome {
  valid: boolean;
  /** BFCL's `error_type` (e.g. `simple_function_checker:unexpected_param`). */
  errorType?: string;
  /** BFCL's error message. */
  error?: string;
}

const OK: CheckOutcome = { valid: true };
/** Own keys only: a model may name a parameter "toString" or "constructor". */
const has = (o: object, k: string): boolean => Object.hasOwn(o, k);
const fail = (errorType: string, error: string): CheckOutcome => ({ valid: false, errorType, error });

/**
 * BFCL's PYTHON_TYPE_MAPPING, plus the JSON Schema spellings tooltune's own tool schemas use
 * (number → float keeps BFCL's int→float leniency; object → dict).
 */
const TYPE_MAP: Record<string, string> = {
  string: "str", integer: "int", float: "float", boolean: "bool", array: "list", tuple: "list", dict: "dict", any: "str",
  number: "float", object: "dict",
};
const pyType = (schemaType: string | undefined): string => TYPE_MAP[schemaType ?? "string"] ?? "str";

/** Type of the first acceptable value that is not "" (BFCL's get_possible_answer_type). */
function answerType(answers: PyValue[]): string | undefined {
  const first = answers.find((a) => a !== "");
  return first === undefined ? undefined : pyTypeName(first);
}

interface TypeCheck extends CheckOutcome {
  isVariable: boolean;
}

/** BFCL's type_checker: exact type, one level of nested item types, and the "variable" escape. */
function typeCheck(param: string, value: PyValue, answers: PyValue[], typeDesc: string, expected: string, nested: string | undefined): TypeCheck {
  const aType = answerType(answers);
  // The answer holds a value of another type than the schema says: it is a "variable".
  const isVariable = aType !== undefined && aType !== expected;
  if (pyTypeName(value) === expected) {
    if (nested === undefined) return { valid: true, isVariable };
    for (const answer of answers) {
      // BFCL accepts as soon as one acceptable value is not a list or all items type-check.
      if (!Array.isArray(answer)) return { valid: true, isVariable };
      if ((value as PyValue[]).every((item) => typeCheck(param, item, answer, nested, nested, undefined).valid)) return { valid: true, isVariable };
    }
    return { valid: false, isVariable, errorType: "type_error:nested", error: `Nested type checking failed for parameter '${param}'. Expected outer type ${typeDesc} with inner type ${nested}. Parameter value: ${pyRepr(value)}.` };
  }
  if (aType !== undefined && pyTypeName(value) === aType) return { valid: true, isVariable: true };
  return { valid: false, isVariable: false, errorType: "type_error:simple", error: `Incorrect type for parameter '${param}'. Expected type ${typeDesc}, got ${pyTypeName(value)}. Parameter value: ${pyRepr(value)}.` };
}

/** BFCL's standardize_string: drop spaces and , . / - _ * ^, lowercase, ' → ". Nothing else. */
export function standardizeString(s: string): string {
  return s.replace(/[ ,./\-_*^]/g, "").toLowerCase().replace(/'/g, '"');
}

const stdIfString = (v: PyValue): PyValue => (typeof v === "string" ? standardizeString(v) : v);

function stringCheck(param: string, value: string, answers: PyValue[]): CheckOutcome {
  const std = answers.filter((a): a is string => typeof a === "string").map(standardizeString);
  if (std.includes(standardizeString(value))) return OK;
  return fail("value_error:string", `Invalid value for parameter '${param}': ${pyRepr(value)}. Expected one of ${pyRepr(answers)}. Case insensitive.`);
}

/** Iterating a str in Python yields its characters, so a "" alternative becomes []. */
const asSequence = (a: PyValue): PyValue[] =>
  Array.isArray(a) ? a : a instanceof PyTuple ? a.items : typeof a === "string" ? Array.from(a) : isDict(a) ? Object.keys(a) : [];

function listCheck(param: string, value: PyValue[], answers: PyValue[]): CheckOutcome {
  const std = value.map(stdIfString);
  if (answers.some((a) => pyEquals(std, asSequence(a).map(stdIfString)))) return OK;
  return fail("value_error:list/tuple", `Invalid value for parameter '${param}': ${pyRepr(value)}. Expected one of ${pyRepr(answers)}.`);
}

function dictCheck(value: PyDict, answers: PyValue[]): CheckOutcome {
  let result = fail("dict_checker:unclear", "No acceptable dict.");
  for (const answer of answers) {
    if (answer === "") continue;
    if (!isDict(answer)) continue; // BFCL would crash on such an answer; none exists in the data
    result = dictAgainst(value, answer);
    if (result.valid) return OK;
  }
  return result;
}

function dictAgainst(value: PyDict, answer: PyDict): CheckOutcome {
  for (const [key, v] of Object.entries(value)) {
    if (!has(answer, key)) return fail("value_error:dict_key", `Unexpected dict key parameter: '${key}'.`);
    const alts = asSequence(answer[key]).map(stdIfString);
    if (!pyIn(stdIfString(v), alts)) return fail("value_error:dict_value", `Invalid value for parameter '${key}': ${pyRepr(v)}. Expected one of ${pyRepr(alts)}.`);
  }
  for (const [key, alts] of Object.entries(answer)) {
    if (!has(value, key) && !pyIn("", asSequence(alts))) return fail("value_error:dict_key", `Missing dict key parameter: '${key}'.`);
  }
  return OK;
}

function listDictCheck(value: PyValue[], answers: PyValue[]): CheckOutcome {
  let result = fail("list_dict_checker:unclear", "No acceptable list of dicts.");
  for (const answer of answers) {
    const seq = asSequence(answer);
    if (value.length !== seq.length) {
      result = fail("value_error:list_dict_count", "Wrong number of dictionaries in the list.");
      continue;
    }
    let ok = true;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      result = isDict(item) ? dictCheck(item, [seq[i]]) : fail("value_error:dict_value", `List item ${i} is not a dict.`);
      if (!result.valid) {
        ok = false;
        break;
      }
    }
    if (ok) return OK;
  }
  return result;
}

/** BFCL's simple_function_checker: one model call against one expected call. */
export function checkCall(doc: FunctionDoc, call: DecodedCall, expected: PossibleAnswer): CheckOutcome {
  const answer = Object.values(expected)[0] ?? {};
  const props = doc.parameters.properties ?? {};
  if (call.name !== doc.name) return fail("simple_function_checker:wrong_func_name", `Function name '${doc.name}' not found in model output.`);
  for (const param of doc.parameters.required ?? []) {
    if (!has(call.args, param)) return fail("simple_function_checker:missing_required", `Missing required parameter: '${param}'.`);
  }
  for (const [param, raw] of Object.entries(call.args)) {
    if (!has(props, param) || !has(answer, param)) return fail("simple_function_checker:unexpected_param", `Unexpected parameter: '${param}'.`);
    const r = checkParam(param, raw, props[param], answer[param]);
    if (!r.valid) return r;
  }
  for (const [param, alts] of Object.entries(answer)) {
    if (!has(call.args, param) && !pyIn("", alts)) return fail("simple_function_checker:missing_optional", `Optional parameter '${param}' not provided and not marked as optional.`);
  }
  return OK;
}

function checkParam(param: string, raw: PyValue, doc: ParamDoc, alts: PyValue[]): CheckOutcome {
  const typeDesc = doc.type ?? "string";
  const expected = pyType(typeDesc);
  const nested = typeDesc === "array" || typeDesc === "tuple" ? pyType(doc.items?.type) : undefined;
  let value = raw;
  if (typeDesc === "tuple" && value instanceof PyTuple) value = value.items;
  // Python's int → float promotion, for top-level float parameters only.
  if (expected === "float" && typeof value === "bigint") value = Number(value);
  const t = typeCheck(param, value, alts, typeDesc, expected, nested);
  if (!t.valid) return t;
  if (!t.isVariable) {
    if (expected === "dict") return dictCheck(value as PyDict, alts);
    if (expected === "list" && nested === "dict") return listDictCheck(value as PyValue[], alts);
    if (expected === "str") return stringCheck(param, value as string, alts);
    if (expected === "list") return listCheck(param, value as PyValue[], alts);
  }
  if (pyIn(value, alts)) return OK;
  return fail("value_error:others", `Invalid value for parameter '${param}': ${pyRepr(value)}. Expected one of ${pyRepr(alts)}.`);
}

export type MatchMode = "greedy" | "optimal";

/**
 * BFCL's ast_checker dispatch by category name. `matching: "optimal"` is strict mode's change:
 * parallel calls are matched by a maximum bipartite matching, so call order never matters.
 */
export function astCheck(functions: FunctionDoc[], calls: DecodedCall[], answers: PossibleAnswer[], category: string, matching: MatchMode = "greedy"): CheckOutcome {
  if (category.includes("parallel")) return parallelCheck(functions, calls, answers, matching);
  if (category.includes("multiple")) {
    if (calls.length !== answers.length) return fail("multiple_function_checker:wrong_count", "Wrong number of functions.");
    return checkExpected(functions, calls[0], answers[0]);
  }
  if (calls.length !== 1 || answers.length !== 1) return fail("simple_function_checker:wrong_count", "Wrong number of functions.");
  // BFCL's simple rows offer one function and check against it; tooltune's own single-call
  // items offer many, so they are checked against the expected function's schema.
  if (functions.length === 1) return checkCall(functions[0], calls[0], answers[0]);
  return checkExpected(functions, calls[0], answers[0]);
}

function checkExpected(functions: FunctionDoc[], call: DecodedCall, expected: PossibleAnswer): CheckOutcome {
  const name = Object.keys(expected)[0];
  const doc = functions.find((f) => f.name === name);
  if (!doc) return fail("checker:expected_function_missing", `Expected function '${name}' is not among the offered functions.`);
  return checkCall(doc, call, expected);
}

function parallelCheck(functions: FunctionDoc[], calls: DecodedCall[], answers: PossibleAnswer[], matching: MatchMode): CheckOutcome {
  if (calls.length !== answers.length) return fail("parallel_function_checker_no_order:wrong_count", "Wrong number of functions.");
  const ok = answers.map((a) => calls.map((c) => checkExpected(functions, c, a)));
  if (matching === "optimal") {
    const size = maxMatching(ok.map((row) => row.map((r) => r.valid)));
    if (size === answers.length) return OK;
    return fail("parallel_function_checker_no_order:cannot_find_match", `Only ${size} of ${answers.length} expected calls can be matched to distinct model calls.`);
  }
  // Greedy, as BFCL: each expected call, in order, takes the first unused model call that passes.
  const used = new Set<number>();
  for (let i = 0; i < answers.length; i++) {
    const j = calls.findIndex((_, k) => !used.has(k) && ok[i][k].valid);
    if (j < 0) {
      const why = calls.map((_, k) => k).filter((k) => !used.has(k)).map((k) => `#${k}: ${ok[i][k].errorType}`).join("; ");
      return fail("parallel_function_checker_no_order:cannot_find_match", `Could not find a matching function for expected call ${i} (${Object.keys(answers[i])[0]}) among unused model calls (${why}).`);
    }
    used.add(j);
  }
  return OK;
}

/** Size of a maximum bipartite matching (Kuhn's augmenting paths; n ≤ 8 here). */
export function maxMatching(edges: boolean[][]): number {
  const owner: number[] = [];
  const tryRow = (i: number, seen: Set<number>): boolean => {
    for (let j = 0; j < edges[i].length; j++) {
      if (!edges[i][j] || seen.has(j)) continue;
      seen.add(j);
      if (owner[j] === undefined || tryRow(owner[j], seen)) {
        owner[j] = i;
        return true;
      }
    }
    return false;
  };
  let size = 0;
  for (let i = 0; i < edges.length; i++) if (tryRow(i, new Set())) size++;
  return size;
}
