/**
 * Python's tokens, for the expression subset tool calls and literals are written in: names,
 * numbers, string literals (every prefix and escape Python knows) and operators. One escape table
 * and one number reader for the whole module.
 */
import { PyOther, type PyValue } from "./value.js";
import { charByName } from "./unicode-names.js";

/** Text that is not the Python we read: a syntax error, or a construct we do not evaluate. */
export class DecodeError extends Error {}

export interface Tok {
  k: "name" | "num" | "str" | "op" | "end";
  /** For names: NFKC-normalised, as Python normalises identifiers (`ｆ` is `f`). */
  v: string;
  pos: number;
  /** A name written with non-ASCII letters: never a keyword or True/False/None, as in Python. */
  nfkc?: boolean;
  /** For strings: the decoded value, and whether it is bytes or an f-string. */
  str?: StrInfo;
}

export interface StrInfo {
  value: string;
  bytes: boolean;
  f: boolean;
}

const ONE_CHAR_OPS = new Set(["(", ")", "[", "]", "{", "}", ",", ":", "=", ".", "+", "-", "*", "/", "%", "~", "@", "|", "&", "^", "<", ">", "!", ";"]);

/** The operator at `i` (longest first), or undefined; a `.` that starts a number is not one. */
function opAt(src: string, i: number): string | undefined {
  const c = src[i];
  if ((c === "*" || c === "/" || c === "<" || c === ">") && src[i + 1] === c) return c + c;
  if (c === ".") return src.startsWith("...", i) ? "..." : src[i + 1] >= "0" && src[i + 1] <= "9" ? undefined : c;
  return ONE_CHAR_OPS.has(c) ? c : undefined;
}
// Sticky (`y`): matched at a position of the source, never on a slice of it.
const NAME_RE = /[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*/uy;
const NUM_START_RE = /\.?\d/y;
const NUM_RE = /(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:(?:\d(?:_?\d)*)?\.\d(?:_?\d)*|\d(?:_?\d)*\.?)(?:[eE][+-]?\d(?:_?\d)*)?)[jJ]?/y;
const STR_PREFIX_RE = /(?:[rRbBuUfF]|[rR][bBfF]|[bBfF][rR])?(?='|")/y;

function matchAt(re: RegExp, src: string, i: number): string | undefined {
  re.lastIndex = i;
  return re.exec(src)?.[0];
}

/** Python's tokenizer limit (MAXLEVEL in CPython's tokenizer.c): deeper fails, "too many nested parentheses". */
const MAX_BRACKETS = 200;

export function tokenize(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  let brackets = 0;
  let lineEnded = false;
  while (i < src.length) {
    const c = src[i];
    // Outside brackets a line break ends the expression (`eval` mode): only blank lines may follow.
    if ((c === "\n" || c === "\r") && brackets === 0 && toks.length) lineEnded = true;
    if (" \t\n\r\f".includes(c)) { i++; continue; }
    if (c === "\\" && src[i + 1] === "\n") { i += 2; continue; }
    if (c === "#") { while (i < src.length && src[i] !== "\n") i++; continue; }
    if (lineEnded) throw new DecodeError(`invalid syntax: a new line outside brackets at ${i}`);
    const op = opAt(src, i); // most tokens of a literal, so tried first
    if (op) {
      if ("([{".includes(op) && ++brackets > MAX_BRACKETS) throw new DecodeError("too many nested parentheses");
      if (")]}".includes(op)) brackets--;
      toks.push({ k: "op", v: op, pos: i });
      i += op.length;
      continue;
    }
    const prefix = matchAt(STR_PREFIX_RE, src, i);
    if (prefix !== undefined) {
      const { end, value, bytes, f } = readString(src, i, prefix);
      toks.push({ k: "str", v: src.slice(i, end), pos: i, str: { value, bytes, f } });
      i = end;
      continue;
    }
    const num = matchAt(NUM_START_RE, src, i) !== undefined ? matchAt(NUM_RE, src, i) : undefined;
    if (num) { toks.push({ k: "num", v: num, pos: i }); i += num.length; continue; }
    const name = matchAt(NAME_RE, src, i);
    if (name) {
      const ascii = /^[\x00-\x7f]*$/.test(name);
      toks.push({ k: "name", v: ascii ? name : name.normalize("NFKC"), pos: i, ...(ascii ? {} : { nfkc: true }) });
      i += name.length;
      continue;
    }
    throw new DecodeError(`unexpected character ${JSON.stringify(c)} at ${i}`);
  }
  toks.push({ k: "end", v: "", pos: src.length });
  return toks;
}

const STRING_STOP_RE = /[\\\n'"]/g;
/** Python's one-character escapes (the "Escape Sequence" table of the language reference). */
const SIMPLE_ESCAPES: Record<string, string> = { "\\": "\\", "'": "'", '"': '"', a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v" };

/** One Python string literal from `start` (prefix included): its end and decoded value. */
function readString(src: string, start: number, prefix: string): { end: number; value: string; bytes: boolean; f: boolean } {
  const p = prefix.toLowerCase();
  const raw = p.includes("r");
  const bytes = p.includes("b");
  let i = start + prefix.length;
  const q = src[i];
  const triple = src.startsWith(q.repeat(3), i);
  const close = triple ? q.repeat(3) : q;
  i += close.length;
  let value = "";
  for (;;) {
    // Jump to the next character that matters: long strings are read in slices, not char by char.
    STRING_STOP_RE.lastIndex = i;
    const stop = STRING_STOP_RE.exec(src)?.index ?? src.length;
    value += src.slice(i, stop);
    i = stop;
    if (i >= src.length) throw new DecodeError("unterminated string");
    if (src.startsWith(close, i)) { i += close.length; break; }
    const c = src[i];
    if (c === "\n" && !triple) throw new DecodeError("newline in string");
    if (c !== "\\") { value += c; i++; continue; }
    const e = src[i + 1];
    if (raw) { value += c + (e ?? ""); i += 2; continue; }
    if (e === "\n") { i += 2; continue; }
    if (e in SIMPLE_ESCAPES) { value += SIMPLE_ESCAPES[e]; i += 2; continue; }
    const oct = /^[0-7]{1,3}/.exec(src.slice(i + 1, i + 4));
    if (oct) { value += String.fromCodePoint(parseInt(oct[0], 8)); i += 1 + oct[0].length; continue; }
    const hexLen = e === "x" ? 2 : !bytes && e === "u" ? 4 : !bytes && e === "U" ? 8 : 0;
    if (hexLen) {
      const hex = src.slice(i + 2, i + 2 + hexLen);
      if (!new RegExp(`^[0-9a-fA-F]{${hexLen}}$`).test(hex)) throw new DecodeError("truncated \\x/\\u escape");
      if (parseInt(hex, 16) > 0x10ffff) throw new DecodeError("illegal Unicode character"); // Python's SyntaxError
      value += String.fromCodePoint(parseInt(hex, 16));
      i += 2 + hexLen;
      continue;
    }
    if (e === "N" && !bytes) {
      const m = /^\{([^}]*)\}/.exec(src.slice(i + 2, i + 2 + 100));
      const ch = m ? charByName(m[1]) : undefined;
      if (ch === undefined) throw new DecodeError(m ? `unknown Unicode character name \\N{${m[1]}}` : "malformed \\N{…} escape");
      value += ch;
      i += 2 + m![0].length;
      continue;
    }
    value += c; // an unknown escape keeps its backslash in Python
    i++;
  }
  // Python: "bytes can only contain ASCII literal characters" (escapes may go up to \xff).
  if (bytes && /[^\x00-\x7f]/.test(src.slice(start, i))) throw new DecodeError("bytes can only contain ASCII literal characters");
  return { end: i, value, bytes, f: p.includes("f") };
}

/** Python ≥ 3.11's `sys.get_int_max_str_digits()`: `ast.parse` and `json.loads` reject longer decimal ints. */
export const MAX_INT_DIGITS = 4300;

/** A number token's value: int → bigint, float → number, imaginary → PyOther("complex"). */
export function numberValue(text: string): PyValue {
  const s = text.replace(/_/g, "");
  if (/[jJ]$/.test(s)) return new PyOther("complex", s);
  if (/^0[xXoObB]/.test(s)) return BigInt(s);
  if (/[.eE]/.test(s)) return Number(s);
  if (/^0+\d/.test(s) && !/^0+$/.test(s)) throw new DecodeError("leading zeros in a decimal integer");
  if (s.length > MAX_INT_DIGITS) throw new DecodeError(`Exceeds the limit (${MAX_INT_DIGITS} digits) for integer string conversion`);
  return BigInt(s);
}
