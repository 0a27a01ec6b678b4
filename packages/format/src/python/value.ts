/**
 * Python values as JavaScript holds them. BFCL compares `type(value)` exactly, so an int and a
 * float must stay apart even when JavaScript would make both `number`:
 * int → bigint, float → number, str → string, bool → boolean, None → null, list → array,
 * tuple → PyTuple, dict → plain object, anything else (bytes, complex) → PyOther (never equal
 * to an answer, its type name never matches a schema type).
 * Limit of plain objects: integer-like string keys ('1') come first in iteration, whatever their
 * place in the text (Python keeps insertion order).
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
 * Dict keys that are not strings (`{1: "a"}`) cannot be plain-object keys; we keep them as this
 * prefix and their repr, a form no JSON answer key uses, so they never match a string key, as in Python.
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
  if (key === "__proto__") Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value; // defineProperty is several times slower
}

/** Python's `x in list`. */
export const pyIn = (x: PyValue, list: PyValue[]): boolean => list.some((y) => pyEquals(x, y));

/** Plain JSON view of a value (ints become numbers), for JSON columns and the report. */
export function toJson(v: PyValue): unknown {
  if (typeof v === "bigint") return Number(v);
  if (Array.isArray(v)) return v.map(toJson);
  if (v instanceof PyTuple) return v.items.map(toJson);
  if (v instanceof PyOther) return v.repr;
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJson(x)]));
  return v;
}

/**
 * A plain JS value (e.g. from JSON.parse) as a PyValue: integral numbers below `maxInt` in
 * magnitude count as ints (JSON.parse has forgotten which they were), the rest as floats.
 */
export function fromJs(v: unknown, maxInt = Infinity): PyValue {
  if (typeof v === "number") return Number.isInteger(v) && Math.abs(v) < maxInt ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map((x) => fromJs(x, maxInt));
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fromJs(x, maxInt)]));
  if (v === undefined) return null;
  return v as PyValue;
}
