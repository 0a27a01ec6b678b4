/**
 * The syntax side of decoding Python-call outputs: a tokenizer for Python literals, names and
 * operators, and a recursive-descent parser for the expression subset models write in calls
 * (calls, attributes, literals, displays, unary and arithmetic operators, subscripts). Anything
 * else is a DecodeError. BFCL's resolution rejects the same constructs (comparisons, lambdas,
 * comprehensions, f-strings), except bit operators (`1 << 2`), which it evaluates: a known gap.
 */
import { PyOther, type PyValue } from "./pyvalue.js";
import { charByName } from "./unicode-names.js";

export type Node =
  | { t: "const"; v: PyValue; ellipsis?: boolean }
  | { t: "fstring"; src: string }
  | { t: "name"; id: string }
  | { t: "attr"; value: Node; attr: string }
  | { t: "call"; func: Node; args: Node[]; keywords: { arg: string | null; value: Node }[] }
  | { t: "list" | "tuple" | "set"; elts: Node[] }
  | { t: "dict"; keys: (Node | null)[]; values: Node[] }
  | { t: "unary"; op: string; operand: Node }
  | { t: "binop"; op: string; left: Node; right: Node }
  | { t: "subscript"; value: Node; slice: Node }
  | { t: "starred"; value: Node };

export class DecodeError extends Error {}

// ---- tokenizer ----

interface Tok {
  k: "name" | "num" | "str" | "op" | "end";
  /** For names: NFKC-normalised, as Python normalises identifiers (`ｆ` is `f`). */
  v: string;
  pos: number;
  /** A name written with non-ASCII letters: never a keyword or True/False/None, as in Python. */
  nfkc?: boolean;
  /** For strings: the decoded value, and whether it is bytes or an f-string. */
  str?: StrInfo;
}

interface StrInfo {
  value: string;
  bytes: boolean;
  f: boolean;
}

const OPS = ["**", "//", "...", "(", ")", "[", "]", "{", "}", ",", ":", "=", ".", "+", "-", "*", "/", "%", "~", "@", "|", "&", "^", "<", ">", "!", ";"];
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
/**
 * Nesting of operators (unary chains, `**`, chained `+`) plus brackets in one expression. Python's
 * limit comes from its stack: BFCL's `eval(ast.unparse(…))` fails from ~330 chained operators.
 */
const MAX_OPERATOR_DEPTH = 300;

function tokenize(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  let brackets = 0;
  while (i < src.length) {
    const c = src[i];
    if (" \t\n\r\f".includes(c)) { i++; continue; }
    if (c === "\\" && src[i + 1] === "\n") { i += 2; continue; }
    if (c === "#") { while (i < src.length && src[i] !== "\n") i++; continue; }
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
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new DecodeError(`unexpected character ${JSON.stringify(c)} at ${i}`);
    if ("([{".includes(op) && ++brackets > MAX_BRACKETS) throw new DecodeError("too many nested parentheses");
    if (")]}".includes(op)) brackets--;
    toks.push({ k: "op", v: op, pos: i });
    i += op.length;
  }
  toks.push({ k: "end", v: "", pos: src.length });
  return toks;
}

const STRING_STOP_RE = /[\\\n'"]/g;
const SIMPLE_ESCAPES: Record<string, string> = { "\\": "\\", "'": "'", '"': '"', a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v" };

/** One Python string literal from `start` (prefix included): its end and decoded value. */
function readString(src: string, start: number, prefix: string): { end: number; value: string; bytes: boolean; f: boolean } {
  const p = prefix.toLowerCase();
  const raw = p.includes("r");
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
    const hexLen = e === "x" ? 2 : !p.includes("b") && e === "u" ? 4 : !p.includes("b") && e === "U" ? 8 : 0;
    if (hexLen) {
      const hex = src.slice(i + 2, i + 2 + hexLen);
      if (!new RegExp(`^[0-9a-fA-F]{${hexLen}}$`).test(hex)) throw new DecodeError("truncated \\x/\\u escape");
      if (parseInt(hex, 16) > 0x10ffff) throw new DecodeError("illegal Unicode character"); // Python's SyntaxError
      value += String.fromCodePoint(parseInt(hex, 16));
      i += 2 + hexLen;
      continue;
    }
    if (e === "N" && !p.includes("b")) {
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
  return { end: i, value, bytes: p.includes("b"), f: p.includes("f") };
}

// ---- parser ----

/** Parses `src` as one expression (a top-level comma makes a tuple, as `eval` would). */
export function parseExpression(src: string): Node {
  return new Parser(src).top();
}

class Parser {
  private readonly toks: Tok[];
  private at = 0;
  private depth = 0;

  constructor(private readonly src: string) {
    this.toks = tokenize(src);
  }

  private peek(): Tok {
    return this.toks[this.at];
  }

  private isOp(v: string): boolean {
    return this.peek().k === "op" && this.peek().v === v;
  }

  private eat(v: string): void {
    if (!this.isOp(v)) throw new DecodeError(`expected '${v}' at ${this.peek().pos}, got '${this.peek().v}'`);
    this.at++;
  }

  private unexpected(): DecodeError {
    return new DecodeError(`unexpected '${this.peek().v}' at ${this.peek().pos}`);
  }

  top(): Node {
    const node = this.expr();
    if (this.peek().k === "end") return node;
    if (!this.isOp(",")) throw this.unexpected();
    const elts = [node];
    while (this.isOp(",")) {
      this.at++;
      if (this.peek().k === "end") break;
      elts.push(this.expr());
    }
    if (this.peek().k !== "end") throw this.unexpected();
    return { t: "tuple", elts };
  }

  expr(): Node {
    if (this.peek().k === "name" && this.peek().v === "not" && !this.peek().nfkc) {
      this.at++;
      return { t: "unary", op: "not", operand: this.nested(() => this.expr()) };
    }
    return this.binary(["+", "-"], () => this.binary(["*", "/", "//", "%", "@"], () => this.factor()));
  }

  /** One level of operator nesting. */
  private nested(parse: () => Node): Node {
    this.deeper(1);
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  /** Counts nesting, so a hostile input fails to decode instead of overflowing the stack. */
  private deeper(by: number): void {
    this.depth += by;
    if (this.depth > MAX_OPERATOR_DEPTH) throw new DecodeError("expression too deeply nested");
  }

  /** Left-associative operators of one precedence level (a chain nests as deep as it is long). */
  private binary(ops: string[], operand: () => Node): Node {
    let left = operand();
    let chain = 0;
    try {
      while (ops.some((o) => this.isOp(o))) {
        const op = this.toks[this.at++].v;
        this.deeper(1);
        chain++;
        left = { t: "binop", op, left, right: operand() };
      }
      return left;
    } finally {
      this.depth -= chain;
    }
  }

  private factor(): Node {
    if (this.isOp("-") || this.isOp("+") || this.isOp("~")) {
      const op = this.toks[this.at++].v;
      return { t: "unary", op, operand: this.nested(() => this.factor()) };
    }
    const base = this.postfix();
    if (!this.isOp("**")) return base;
    this.at++;
    return { t: "binop", op: "**", left: base, right: this.nested(() => this.factor()) };
  }

  private postfix(): Node {
    let n = this.atom();
    for (;;) {
      if (this.isOp("(")) n = this.callArgs(n);
      else if (this.isOp(".")) {
        this.at++;
        if (this.peek().k !== "name") throw new DecodeError("expected a name after '.'");
        n = { t: "attr", value: n, attr: this.toks[this.at++].v };
      } else if (this.isOp("[")) {
        this.at++;
        const items = this.sequence("]");
        n = { t: "subscript", value: n, slice: items.length === 1 && !items.trailingComma ? items[0] : { t: "tuple", elts: items } };
      } else return n;
    }
  }

  private callArgs(func: Node): Node {
    this.eat("(");
    const args: Node[] = [];
    const keywords: { arg: string | null; value: Node }[] = [];
    while (!this.isOp(")")) {
      const next = this.toks[this.at + 1];
      if (this.isOp("**")) {
        this.at++;
        keywords.push({ arg: null, value: this.expr() });
      } else if (this.isOp("*")) {
        this.at++;
        args.push({ t: "starred", value: this.expr() });
      } else if (this.peek().k === "name" && next.k === "op" && next.v === "=") {
        const arg = this.peek().v;
        // A repeated keyword parses (Python's compiler rejects it, `ast.parse` does not): the last wins.
        this.at += 2;
        keywords.push({ arg, value: this.expr() });
      } else {
        if (keywords.length) throw new DecodeError("positional argument follows keyword argument");
        args.push(this.expr());
      }
      if (!this.isOp(")")) this.eat(",");
    }
    this.eat(")");
    return { t: "call", func, args, keywords };
  }

  /** Comma-separated expressions up to `close` (consumed). */
  private sequence(close: string): Node[] & { trailingComma?: boolean } {
    const items: Node[] & { trailingComma?: boolean } = [];
    while (!this.isOp(close)) {
      if (this.isOp("*")) {
        this.at++;
        items.push({ t: "starred", value: this.expr() });
      } else items.push(this.expr());
      if (this.isOp(close)) break;
      this.eat(",");
      items.trailingComma = this.isOp(close);
    }
    this.eat(close);
    return items;
  }

  private atom(): Node {
    const tok = this.peek();
    if (tok.k === "num") return this.at++, { t: "const", v: numberValue(tok.v) };
    if (tok.k === "str") return this.strings();
    if (tok.k === "name") {
      this.at++;
      if (tok.nfkc) return { t: "name", id: tok.v };
      if (tok.v === "True") return { t: "const", v: true };
      if (tok.v === "False") return { t: "const", v: false };
      if (tok.v === "None") return { t: "const", v: null };
      if (KEYWORDS.has(tok.v)) throw new DecodeError(`unsupported syntax: ${tok.v}`);
      return { t: "name", id: tok.v };
    }
    if (this.isOp("...")) return this.at++, { t: "const", v: "...", ellipsis: true };
    if (this.isOp("(")) {
      this.at++;
      const items = this.sequence(")");
      return items.length === 1 && !items.trailingComma ? items[0] : { t: "tuple", elts: items };
    }
    if (this.isOp("[")) {
      this.at++;
      return { t: "list", elts: this.sequence("]") };
    }
    if (this.isOp("{")) return this.braces();
    throw this.unexpected();
  }

  /** A dict or set display. */
  private braces(): Node {
    this.eat("{");
    const keys: (Node | null)[] = [];
    const values: Node[] = [];
    const elts: Node[] = [];
    while (!this.isOp("}")) {
      if (this.isOp("**")) {
        this.at++;
        keys.push(null);
        values.push(this.expr());
      } else {
        const first = this.expr();
        if (this.isOp(":")) {
          this.at++;
          keys.push(first);
          values.push(this.expr());
        } else elts.push(first);
      }
      if (!this.isOp("}")) this.eat(",");
    }
    this.eat("}");
    if (elts.length && keys.length) throw new DecodeError("mixed set and dict display");
    return elts.length ? { t: "set", elts } : { t: "dict", keys, values };
  }

  /** Adjacent literals concatenate; bytes and str cannot mix; any f-string makes a JoinedStr. */
  private strings(): Node {
    const parts: StrInfo[] = [];
    const startPos = this.peek().pos;
    let endPos = startPos;
    while (this.peek().k === "str") {
      const t = this.toks[this.at++];
      parts.push(t.str!);
      endPos = t.pos + t.v.length;
    }
    if (new Set(parts.map((p) => p.bytes)).size > 1) throw new DecodeError("cannot mix bytes and nonbytes literals");
    if (parts.some((p) => p.f)) return { t: "fstring", src: this.src.slice(startPos, endPos) };
    const text = parts.map((p) => p.value).join("");
    return { t: "const", v: parts[0].bytes ? new PyOther("bytes", "b" + JSON.stringify(text)) : text };
  }
}

const KEYWORDS = new Set(["and", "or", "not", "in", "is", "if", "else", "for", "lambda", "yield", "await", "def", "class", "return", "import", "from", "as", "with", "while", "pass", "break", "continue", "global", "nonlocal", "del", "assert", "raise", "try", "except", "finally", "elif", "async"]);

/** Python ≥ 3.11's `sys.get_int_max_str_digits()`: `ast.parse` and `json.loads` reject longer decimal ints. */
export const MAX_INT_DIGITS = 4300;

function numberValue(text: string): PyValue {
  const s = text.replace(/_/g, "");
  if (/[jJ]$/.test(s)) return new PyOther("complex", s);
  if (/^0[xXoObB]/.test(s)) return BigInt(s);
  if (/[.eE]/.test(s)) return Number(s);
  if (/^0+\d/.test(s) && !/^0+$/.test(s)) throw new DecodeError("leading zeros in a decimal integer");
  if (s.length > MAX_INT_DIGITS) throw new DecodeError(`Exceeds the limit (${MAX_INT_DIGITS} digits) for integer string conversion`);
  return BigInt(s);
}
