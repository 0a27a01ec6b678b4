/**
 * Python literals, read and written by hand. The course dataset writes tool calls and tool lists as
 * Python `repr` output (`{'name': 'f', 'arguments': {'x': 1}}`), so we must read them without ever
 * evaluating code, and write them back byte for byte to reproduce the notebook's text.
 */

export type Literal = null | boolean | number | string | Literal[] | { [key: string]: Literal };

export class LiteralError extends Error {
  constructor(message: string, readonly offset: number) {
    super(`${message} at offset ${offset}`);
  }
}

/** Parse a JSON value or a Python literal (dict, list, tuple, str, int, float, True/False/None). */
export function parseLiteral(text: string): Literal {
  const p = new LiteralParser(text);
  p.skipSpace();
  const value = p.value();
  p.skipSpace();
  if (p.pos !== text.length) throw new LiteralError("unexpected trailing text", p.pos);
  return value;
}

/** Deeper nesting is an error, not a stack overflow (Python's own parser stops at 200 brackets). */
const MAX_DEPTH = 1000;
const STRING_STOP = /[\\\n'"]/g;
const NUMBER = /[-+]?(\d[\d_]*\.?[\d_]*|\.\d[\d_]*)([eE][-+]?\d+)?/y;

const NAMES: Record<string, Literal> = { True: true, False: false, None: null, true: true, false: false, null: null };
const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", b: "\b", f: "\f", "\\": "\\", "'": "'", '"': '"', "/": "/", "0": "\0", "\n": "" };

class LiteralParser {
  pos = 0;
  private depth = 0;
  constructor(private readonly s: string) {}

  skipSpace(): void {
    while (this.pos < this.s.length && /\s/.test(this.s[this.pos])) this.pos++;
  }

  value(): Literal {
    const c = this.s[this.pos];
    if (c === "{" || c === "[" || c === "(") {
      if (++this.depth > MAX_DEPTH) throw new LiteralError("nested too deeply", this.pos);
      const v = c === "{" ? this.dict() : this.sequence(c === "[" ? "]" : ")"); // tuples become arrays
      this.depth--;
      return v;
    }
    if (c === "'" || c === '"') return this.string();
    if (c !== undefined && /[-+0-9.]/.test(c)) return this.number();
    const name = /^[A-Za-z_]\w*/.exec(this.s.slice(this.pos, this.pos + 6))?.[0];
    if (name !== undefined && name in NAMES) {
      this.pos += name.length;
      return NAMES[name];
    }
    throw new LiteralError(c === undefined ? "unexpected end" : `unexpected '${c}'`, this.pos);
  }

  private expect(c: string): void {
    if (this.s[this.pos] !== c) throw new LiteralError(`expected '${c}'`, this.pos);
    this.pos++;
  }

  /** Items separated by commas, a trailing comma allowed (Python allows it). */
  private items(close: string, item: () => void): void {
    this.pos++;
    this.skipSpace();
    while (this.s[this.pos] !== close) {
      item();
      this.skipSpace();
      if (this.s[this.pos] === ",") {
        this.pos++;
        this.skipSpace();
      } else if (this.s[this.pos] !== close) throw new LiteralError(`expected ',' or '${close}'`, this.pos);
    }
    this.pos++;
  }

  private dict(): Literal {
    const out: Record<string, Literal> = {};
    this.items("}", () => {
      const key = this.value();
      if (typeof key !== "string" && typeof key !== "number") throw new LiteralError("dict key must be a string", this.pos);
      this.skipSpace();
      this.expect(":");
      this.skipSpace();
      out[String(key)] = this.value();
    });
    return out;
  }

  private sequence(close: string): Literal[] {
    const out: Literal[] = [];
    this.items(close, () => out.push(this.value()));
    return out;
  }

  private string(): string {
    const quote = this.s[this.pos];
    const triple = this.s.startsWith(quote.repeat(3), this.pos);
    const end = triple ? quote.repeat(3) : quote;
    this.pos += end.length;
    let out = "";
    for (;;) {
      // Jump to the next character that matters: long strings are read in slices.
      STRING_STOP.lastIndex = this.pos;
      const stop = STRING_STOP.exec(this.s)?.index ?? this.s.length;
      out += this.s.slice(this.pos, stop);
      this.pos = stop;
      if (this.pos >= this.s.length) throw new LiteralError("unterminated string", this.pos);
      if (this.s.startsWith(end, this.pos)) break;
      const c = this.s[this.pos++];
      if (c === "\n" && !triple) throw new LiteralError("newline in string", this.pos - 1);
      out += c === "\\" ? this.escape() : c;
    }
    this.pos += end.length;
    return out;
  }

  private escape(): string {
    const c = this.s[this.pos++];
    if (c in ESCAPES) return ESCAPES[c];
    const width = c === "x" ? 2 : c === "u" ? 4 : c === "U" ? 8 : 0;
    if (width === 0) return "\\" + c; // Python keeps unknown escapes as written
    const hex = this.s.slice(this.pos, this.pos + width);
    if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== width) throw new LiteralError("bad escape", this.pos);
    if (parseInt(hex, 16) > 0x10ffff) throw new LiteralError("escape beyond U+10FFFF", this.pos);
    this.pos += width;
    return String.fromCodePoint(parseInt(hex, 16));
  }

  private number(): number {
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.s);
    if (!m) throw new LiteralError("bad number", this.pos);
    this.pos += m[0].length;
    return Number(m[0].replace(/_/g, ""));
  }
}

/**
 * Python's `repr` of a JSON-like value, as the course dataset was written. Limits: JS numbers do not
 * know int from float, so a Python `1.0` comes back as `1`; exponent forms follow Python's rule.
 */
export function toPythonRepr(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") return pyNumber(value);
  if (typeof value === "string") return pyString(value);
  if (Array.isArray(value)) return `[${value.map(toPythonRepr).join(", ")}]`;
  if (typeof value === "object") {
    const items = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${pyString(k)}: ${toPythonRepr(v)}`);
    return `{${items.join(", ")}}`;
  }
  return pyString(String(value));
}

function pyNumber(n: number): string {
  if (Number.isNaN(n)) return "nan";
  if (!Number.isFinite(n)) return n > 0 ? "inf" : "-inf";
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return String(n);
  // Python's float repr: shortest digits, exponent form from 1e16 up and below 1e-4, 2-digit exponent.
  const abs = Math.abs(n);
  if (abs >= 1e16 || abs < 1e-4) {
    const [mant, exp] = n.toExponential().split("e");
    const e = Number(exp);
    return `${mant}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  }
  return String(n);
}

/** Python's str repr: single quotes unless the text has ' and no ". */
export function pyString(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === "\\") out += "\\\\";
    else if (ch === quote) out += "\\" + quote;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (code < 0x20 || code === 0x7f) out += "\\x" + code.toString(16).padStart(2, "0");
    else out += ch;
  }
  return out + quote;
}
