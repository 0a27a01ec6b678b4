/**
 * Python values as BFCL's checker sees them. BFCL compares `type(value)` exactly, so an int and a
 * float must stay apart even when JavaScript would make both `number`:
 * int → bigint, float → number, str → string, bool → boolean, None → null, list → array,
 * tuple → PyTuple, dict → plain object, anything else (bytes, complex) → PyOther (never equal
 * to an answer, its type name never matches a schema type).
 */
export type PyValue = null | boolean | bigint | number | string | PyValue[] | PyTuple | PyOther | PyDict;
export interface PyDict {
  [key: string]: PyValue;
}

export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}

export class PyOther {
  constructor(
    readonly typeName: string,
    readonly repr: string,
  ) {}
}

/**
 * Dict keys that are not strings (`{1: "a"}`) cannot be plain-object keys; we keep them under a
 * prefix no JSON answer key uses, so they never match a string key, as in Python.
 */
export const NON_STRING_KEY = "\u0000py:";

export function isDict(v: PyValue): v is PyDict {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof PyTuple) && !(v instanceof PyOther);
}

/** Python's `type(v).__name__`. */
export function pyTypeName(v: PyValue): string {
  if (v === null) return "NoneType";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "bigint") return "int";
  if (typeof v === "number") return "float";
  if (typeof v === "string") return "str";
  if (Array.isArray(v)) return "list";
  if (v instanceof PyTuple) return "tuple";
  if (v instanceof PyOther) return v.typeName;
  return "dict";
}

/** Numeric view for Python's cross-type equality (True == 1 == 1.0). */
function asNumber(v: PyValue): number | bigint | undefined {
  if (typeof v === "boolean") return v ? 1n : 0n;
  if (typeof v === "bigint" || typeof v === "number") return v;
  return undefined;
}

/** Python's `a == b`. */
export function pyEquals(a: PyValue, b: PyValue): boolean {
  const na = asNumber(a);
  const nb = asNumber(b);
  if (na !== undefined || nb !== undefined) {
    if (na === undefined || nb === undefined) return false;
    if (typeof na === "bigint" && typeof nb === "bigint") return na === nb;
    // int vs float: exact when the float is integral, as in Python.
    if (typeof na === "bigint") return Number.isInteger(nb) && BigInt(nb as number) === na;
    if (typeof nb === "bigint") return Number.isInteger(na) && BigInt(na) === nb;
    return na === nb;
  }
  if (a === null || b === null || typeof a === "string" || typeof b === "string") return a === b;
  if (Array.isArray(a)) return Array.isArray(b) && sameItems(a, b);
  if (a instanceof PyTuple) return b instanceof PyTuple && sameItems(a.items, b.items);
  if (a instanceof PyOther) return b instanceof PyOther && a.typeName === b.typeName && a.repr === b.repr;
  if (!isDict(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && pyEquals((a as PyDict)[k], b[k]));
}

function sameItems(a: PyValue[], b: PyValue[]): boolean {
  return a.length === b.length && a.every((x, i) => pyEquals(x, b[i]));
}

/** `obj[key] = value` that also works for "__proto__" (a key a model may write). */
export function setKey(obj: PyDict, key: string, value: PyValue): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Python's `x in list`. */
export const pyIn = (x: PyValue, list: PyValue[]): boolean => list.some((y) => pyEquals(x, y));

/** Python's `repr`, close enough to read in a report and to parse back with `parsePythonCalls`. */
export function pyRepr(v: PyValue): string {
  if (v === null) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "number") return floatRepr(v);
  if (typeof v === "string") return stringRepr(v);
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(", ")}]`;
  if (v instanceof PyTuple) return v.items.length === 1 ? `(${pyRepr(v.items[0])},)` : `(${v.items.map(pyRepr).join(", ")})`;
  if (v instanceof PyOther) return v.repr;
  return `{${Object.entries(v).map(([k, x]) => `${keyRepr(k)}: ${pyRepr(x)}`).join(", ")}}`;
}

const keyRepr = (k: string) => (k.startsWith(NON_STRING_KEY) ? k.slice(NON_STRING_KEY.length) : stringRepr(k));

function floatRepr(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  const s = String(x);
  return /[.e]/.test(s) ? s : s + ".0";
}

/** Python prefers single quotes unless the text holds one and no double quote. */
function stringRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of s) {
    if (ch === q || ch === "\\") out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch < " " || ch === "\x7f") out += "\\x" + ch.charCodeAt(0).toString(16).padStart(2, "0");
    else out += ch;
  }
  return out + q;
}

/** Plain JSON view of a value (ints become numbers), for JSON columns and the report. */
export function toJson(v: PyValue): unknown {
  if (typeof v === "bigint") return Number(v);
  if (Array.isArray(v)) return v.map(toJson);
  if (v instanceof PyTuple) return v.items.map(toJson);
  if (v instanceof PyOther) return v.repr;
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJson(x)]));
  return v;
}

const JSON_NUMBER = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

/** Python's default recursion limit; its `json.loads` raises RecursionError a few levels sooner (~994). */
const MAX_JSON_DEPTH = 1000;

/**
 * `json.loads` as Python does it: `5` is an int and `5.0` a float. JSON.parse would merge them,
 * and then BFCL's exact type checks ("3.0 for an integer fails") could not be reproduced.
 * Throws SyntaxError on invalid JSON, and on nesting deeper than MAX_JSON_DEPTH.
 */
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
    if (m[1].length > 4300) fail("Exceeds the limit (4300 digits) for integer string conversion");
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

/** A plain JS value (e.g. from JSON.parse) as a PyValue: integral numbers count as ints. */
export function fromJs(v: unknown): PyValue {
  if (typeof v === "number") return Number.isInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map(fromJs);
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fromJs(x)]));
  if (v === undefined) return null;
  return v as PyValue;
}
