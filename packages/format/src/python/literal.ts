/**
 * The one Python-literal reader: `ast.literal_eval` for the values tool calls carry (str, int,
 * float, bool, None, list, tuple, dict, unary +/- on a number), keeping int (bigint) apart from
 * float (number) and tuples apart from lists. It reads the course dataset's `repr` text and a
 * model's Python-style call bodies without ever evaluating code. Where it departs from Python
 * (fixtures/make_python_golden.py lists each): JSON's true/false/null are read too (models mix
 * them in); bytes, complex, sets and `...` are refused (no JSON value holds them); dict keys
 * equal across types (1 and 1.0) stay two keys.
 */
import { DecodeError } from "./lexer.js";
import { parseExpression, type Node } from "./parser.js";
import { pyRepr } from "./repr.js";
import { isDict, NON_STRING_KEY, PyOther, PyTuple, setKey, toJson, type PyDict, type PyValue } from "./value.js";

/** A literal as JavaScript holds it once number types are dropped: what the codec works with. */
export type Literal = null | boolean | number | string | Literal[] | { [key: string]: Literal };

/** Parses `text` as one Python literal; throws DecodeError on anything else. */
export function parsePyLiteral(text: string): PyValue {
  return literal(parseExpression(text.trim()));
}

/** The literal in `text` as plain JSON values (ints become numbers): what format's codec reads. */
export const parseLiteral = (text: string): Literal => toJson(jsonShaped(parsePyLiteral(text))) as Literal;

/**
 * A literal in the shape a JSON tool call has, number types kept: tuples become lists and a
 * non-string key its repr (`{1: 'a'}` reads as `{'1': 'a'}`).
 */
export function jsonShaped(v: PyValue): PyValue {
  if (Array.isArray(v)) return v.map(jsonShaped);
  if (v instanceof PyTuple) return v.items.map(jsonShaped);
  if (v === null || typeof v !== "object" || !isDict(v)) return v;
  const out: PyDict = {};
  for (const [k, x] of Object.entries(v)) setKey(out, k.startsWith(NON_STRING_KEY) ? k.slice(NON_STRING_KEY.length) : k, jsonShaped(x));
  return out;
}

const JSON_NAMES: Record<string, PyValue> = { true: true, false: false, null: null };
const REFUSED: Record<string, string> = { set: "a set", bytes: "bytes", complex: "a complex number" };

function literal(n: Node): PyValue {
  switch (n.t) {
    case "const":
      if (n.ellipsis) throw new DecodeError("'...' is not read as a value");
      if (n.v instanceof PyOther) throw new DecodeError(`${REFUSED[n.v.typeName] ?? n.v.typeName} is not read as a value`);
      return n.v;
    case "name":
      if (Object.hasOwn(JSON_NAMES, n.id)) return JSON_NAMES[n.id];
      break;
    case "unary":
      // literal_eval's signed numbers: one + or - on an int or float constant (not on True).
      if ((n.op === "-" || n.op === "+") && n.operand.t === "const" && (typeof n.operand.v === "bigint" || typeof n.operand.v === "number")) {
        return n.op === "-" ? -n.operand.v : n.operand.v;
      }
      break;
    case "list":
      return n.elts.map(literal);
    case "tuple":
      return new PyTuple(n.elts.map(literal));
    case "set":
      throw new DecodeError("a set is not read as a value");
    case "dict": {
      const out: PyDict = {};
      n.keys.forEach((k, i) => {
        if (k === null) throw new DecodeError("** in a dict literal");
        const key = literal(k);
        if (Array.isArray(key) || isDict(key)) throw new DecodeError(`unhashable dict key: ${pyRepr(key)}`);
        setKey(out, typeof key === "string" ? key : NON_STRING_KEY + pyRepr(key), literal(n.values[i]));
      });
      return out;
    }
  }
  throw new DecodeError(`not a literal: ${n.t}`);
}
