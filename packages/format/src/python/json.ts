/**
 * `json.loads` as Python does it: `5` is an int and `5.0` a float. JSON.parse would merge them,
 * and then BFCL's exact type checks ("3.0 for an integer fails") could not be reproduced. JSON is
 * not a Python literal (`[1,]`, `'x'`, `True` are literals, not JSON; `\/` and `NaN` the reverse),
 * so this is a reader of its own, on the same values as `parsePyLiteral`.
 */
import { MAX_INT_DIGITS } from "./lexer.js";
import { setKey, type PyDict, type PyValue } from "./value.js";

const JSON_NUMBER = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

/** Python's default recursion limit; its `json.loads` raises RecursionError a few levels sooner (~994). */
const MAX_JSON_DEPTH = 1000;

/** Throws SyntaxError on invalid JSON, and on nesting deeper than MAX_JSON_DEPTH. */
export function parseJsonPy(text: string): PyValue {
  let i = 0;
  let depth = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`invalid JSON at ${i}: ${what}`);
  };
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i])) i++;
  };
  const nested = <T>(read: () => T): T => {
    if (++depth > MAX_JSON_DEPTH) fail("nested too deeply");
    const v = read();
    depth--;
    return v;
  };
  const value = (): PyValue => {
    ws();
    const c = text[i];
    if (c === "{") return nested(object);
    if (c === "[") return nested(array);
    if (c === '"') return string();
    if (text.startsWith("true", i)) return (i += 4), true;
    if (text.startsWith("false", i)) return (i += 5), false;
    if (text.startsWith("null", i)) return (i += 4), null;
    // Python's json also accepts these three.
    if (text.startsWith("NaN", i)) return (i += 3), NaN;
    if (text.startsWith("Infinity", i)) return (i += 8), Infinity;
    if (text.startsWith("-Infinity", i)) return (i += 9), -Infinity;
    return number();
  };
  const number = (): PyValue => {
    JSON_NUMBER.lastIndex = i;
    const m = JSON_NUMBER.exec(text);
    if (!m || m[0] === "" || m[0] === "-") return fail("expected a value");
    i += m[0].length;
    if (m[2] !== undefined || m[3] !== undefined) return Number(m[0]);
    // Python ≥ 3.11 rejects longer decimal ints (sys.get_int_max_str_digits), and BigInt() of one is quadratic.
    if (m[1].length > MAX_INT_DIGITS) fail(`Exceeds the limit (${MAX_INT_DIGITS} digits) for integer string conversion`);
    return BigInt(m[0]);
  };
  const string = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === "\\") i++;
      else if (text.charCodeAt(i) < 0x20) fail("control character in string");
      i++;
    }
    if (i >= text.length) fail("unterminated string");
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const array = (): PyValue[] => {
    i++;
    const out: PyValue[] = [];
    ws();
    if (text[i] === "]") return i++, out;
    for (;;) {
      out.push(value());
      ws();
      if (text[i] === ",") i++;
      else if (text[i] === "]") return i++, out;
      else fail("expected , or ]");
    }
  };
  const object = (): PyDict => {
    i++;
    const out: PyDict = {};
    ws();
    if (text[i] === "}") return i++, out;
    for (;;) {
      ws();
      if (text[i] !== '"') fail("expected a key");
      const key = string();
      ws();
      if (text[i] !== ":") fail("expected :");
      i++;
      setKey(out, key, value());
      ws();
      if (text[i] === ",") i++;
      else if (text[i] === "}") return i++, out;
      else fail("expected , or }");
    }
  };
  const v = value();
  ws();
  if (i !== text.length) fail("trailing text");
  return v;
}
