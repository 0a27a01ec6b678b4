import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseJsonPy } from "./json.js";
import { DecodeError } from "./lexer.js";
import { parsePyLiteral } from "./literal.js";
import { bytesRepr, pyRepr } from "./repr.js";
import { NON_STRING_KEY, PyOther, PyTuple, setKey, type PyDict, type PyValue } from "./value.js";

/** Python 3.11's own repr / ast.literal_eval / json.loads, row by row (fixtures/make_python_golden.py). */
interface Golden {
  python: string;
  repr: { value: Encoded; repr: string }[];
  literal: Outcome[];
  json: Outcome[];
}
interface Outcome {
  text: string;
  repr?: string;
  error?: string;
  /** Where we depart from Python on purpose: our repr, or "error". */
  ours?: string;
}
type Encoded = null | boolean | string | Encoded[] | { int: string } | { float: string } | { bytes: string } | { tuple: Encoded[] } | { dict: [Encoded, Encoded][] };

const golden = JSON.parse(readFileSync(new URL("../../fixtures/python_golden.json", import.meta.url), "utf8")) as Golden;

const FLOAT_NAMES: Record<string, number> = { inf: Infinity, "-inf": -Infinity, nan: NaN };

function decode(e: Encoded): PyValue {
  if (e === null || typeof e !== "object") return e;
  if (Array.isArray(e)) return e.map(decode);
  if ("int" in e) return BigInt(e.int);
  if ("float" in e) return FLOAT_NAMES[e.float] ?? Number(e.float);
  if ("bytes" in e) return new PyOther("bytes", bytesRepr(e.bytes));
  if ("tuple" in e) return new PyTuple(e.tuple.map(decode));
  const out: PyDict = {};
  for (const [k, v] of e.dict) {
    const key = decode(k);
    setKey(out, typeof key === "string" ? key : NON_STRING_KEY + pyRepr(key), decode(v));
  }
  return out;
}

/** What a reader gives for a text: the repr of its value, or "error" for the reader's own error. */
function readAs(read: (text: string) => PyValue, error: new (...a: never[]) => Error, text: string): string {
  try {
    return pyRepr(read(text));
  } catch (e) {
    if (e instanceof error) return "error";
    throw e;
  }
}

const expected = (row: Outcome) => row.ours ?? (row.error ? "error" : row.repr!);
const mismatches = (rows: Outcome[], read: (text: string) => string) =>
  rows.map((row) => ({ text: row.text, ours: read(row.text), python: expected(row) })).filter((r) => r.ours !== r.python);

describe(`the Python module against Python ${golden.python}`, () => {
  it("writes every value as repr does", () => {
    const wrong = golden.repr.map((row) => ({ value: row.value, ours: pyRepr(decode(row.value)), python: row.repr })).filter((r) => r.ours !== r.python);
    expect(wrong).toEqual([]);
    expect(golden.repr.length).toBeGreaterThan(300);
  });

  it("reads every literal as ast.literal_eval does (a rejection where it raises), departures as documented", () => {
    expect(mismatches(golden.literal, (t) => readAs(parsePyLiteral, DecodeError, t))).toEqual([]);
    expect(golden.literal.filter((r) => r.ours).map((r) => r.text)).toEqual(["b'x'", "rb'\\x'", "{1, 2}", "set()", "1 + 2j", "2j", "true", "false", "null", "..."]);
  });

  it("reads JSON as json.loads does", () => {
    expect(mismatches(golden.json, (t) => readAs(parseJsonPy, SyntaxError, t))).toEqual([]);
  });
});
