/**
 * Python's `repr`, the one writer of Python text: the course dataset's tool lists and calls
 * (written by Python), BFCL's error messages and `ast.unparse` constants. Table-tested against
 * Python 3.11 (fixtures/python_golden.json).
 */
import { fromJs } from "./value.js";
import { NON_STRING_KEY, PyOther, PyTuple, type PyValue } from "./value.js";

export function pyRepr(v: PyValue): string {
  if (v === null) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "number") return floatRepr(v);
  if (typeof v === "string") return strRepr(v);
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(", ")}]`;
  if (v instanceof PyTuple) return v.items.length === 1 ? `(${pyRepr(v.items[0])},)` : `(${v.items.map(pyRepr).join(", ")})`;
  if (v instanceof PyOther) return v.repr;
  return `{${Object.entries(v).map(([k, x]) => `${keyRepr(k)}: ${pyRepr(x)}`).join(", ")}}`;
}

/**
 * The repr of a plain JS value (a tool schema, a call's arguments from JSON). JSON.parse has
 * forgotten int from float; an integral number below 1e16 is written as an int, a larger one as a
 * float (where Python's float repr turns to exponents, and ints that large are rare in the data).
 */
export const toPythonRepr = (value: unknown): string => pyRepr(fromJs(value, 1e16));

const keyRepr = (k: string) => (k.startsWith(NON_STRING_KEY) ? k.slice(NON_STRING_KEY.length) : strRepr(k));

/**
 * `repr(float)`: the shortest digits that read back to the same double (what JS's toExponential()
 * gives too), in exponent form below 1e-4 and from 1e16 up with a signed 2-digit exponent, else
 * positional with at least one digit after the point (CPython's `float_repr_style = 'short'`).
 */
export function floatRepr(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mantissa, e] = x.toExponential().split("e");
  const exp = Number(e);
  if (exp < -4 || exp >= 16) return `${mantissa}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  const sign = x < 0 ? "-" : "";
  const digits = mantissa.replace(/[-.]/g, "");
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  return `${sign}${digits.slice(0, exp + 1).padEnd(exp + 1, "0")}.${digits.slice(exp + 1) || "0"}`;
}

// Python's str.isprintable() is false for these categories (space excepted), so repr escapes them.
const NOT_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}]|(?! )\p{Zs}/u;
const NEEDS_ESCAPE = /[\\'"\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}]|(?! )\p{Zs}/u;
const hex = (code: number, width: number) => code.toString(16).padStart(width, "0");

/** `repr(str)`: single quotes unless the text holds ' and no "; \xhh, \uhhhh or \Uhhhhhhhh for what is not printable. */
export function strRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  if (!NEEDS_ESCAPE.test(s)) return q + s + q; // the common case, without a loop
  let out = q;
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === q || ch === "\\") out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (!NOT_PRINTABLE.test(ch)) out += ch;
    else out += code < 0x100 ? "\\x" + hex(code, 2) : code < 0x10000 ? "\\u" + hex(code, 4) : "\\U" + hex(code, 8);
  }
  return out + q;
}

/** `repr(bytes)` of bytes held one per code unit (each below 256): printable ASCII as is, the rest \xhh. */
export function bytesRepr(b: string): string {
  const q = b.includes("'") && !b.includes('"') ? '"' : "'";
  let out = "b" + q;
  for (const ch of b) {
    const code = ch.charCodeAt(0);
    if (ch === q || ch === "\\") out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (code < 0x20 || code >= 0x7f) out += "\\x" + hex(code, 2);
    else out += ch;
  }
  return out + q;
}
