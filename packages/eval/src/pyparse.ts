/**
 * BFCL's decoding of prompted (Python-call) outputs, without `eval`: a small parser for the Python
 * expressions a model writes (`[f(a=1), mod.g(b="x", c=[1, 2])]`) and BFCL's resolution of each
 * node into a value (`resolve_ast_by_type` in `bfcl_eval/model_handler/utils.py`, commit
 * 6ea5797 of ShishirPatil/gorilla). Unsupported syntax fails to decode, as it does there.
 */
import { NON_STRING_KEY, PyOther, PyTuple, setKey, type PyDict, type PyValue } from "./pyvalue.js";

export interface DecodedCall {
  name: string;
  args: PyDict;
}

type Node =
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

/** `default_decode_ast_prompting` + `ast_parse` for Python: text → calls, or throws DecodeError. */
export function decodePythonCalls(text: string): DecodedCall[] {
  let s = stripChars(text, "`\n ");
  if (!s.startsWith("[")) s = "[" + s;
  if (!s.endsWith("]")) s = s + "]";
  s = stripChars(s.trim(), "'");
  const body = parseExpression(s);
  if (body.t === "call") return [resolveCall(body)];
  if (body.t !== "list" && body.t !== "tuple" && body.t !== "set") throw new DecodeError(`not a list of calls: ${body.t}`);
  return body.elts.map((e) => {
    if (e.t !== "call") throw new DecodeError(`list element is not a call: ${e.t}`);
    return resolveCall(e);
  });
}

/** Python's `str.strip(chars)`. */
export function stripChars(s: string, chars: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && chars.includes(s[a])) a++;
  while (b > a && chars.includes(s[b - 1])) b--;
  return s.slice(a, b);
}

// ---- resolution (BFCL's resolve_ast_call / resolve_ast_by_type) ----

function resolveCall(call: Extract<Node, { t: "call" }>): DecodedCall {
  const parts: string[] = [];
  let f = call.func;
  while (f.t === "attr") {
    parts.push(f.attr);
    f = f.value;
  }
  if (f.t === "name") parts.push(f.id);
  const args: PyDict = {};
  // Positional arguments are dropped, as BFCL does; they then fail on required parameters.
  for (const kw of call.keywords) {
    if (kw.arg === null) throw new DecodeError("**kwargs in a call");
    setKey(args, kw.arg, resolve(kw.value));
  }
  return { name: parts.reverse().join("."), args };
}

function resolve(n: Node): PyValue {
  switch (n.t) {
    case "const":
      return n.ellipsis ? "..." : n.v;
    case "unary":
      // BFCL returns `-operand.value` for every unary operator (so `+5` gives -5), and fails when
      // the operand is not a constant number.
      if (n.operand.t !== "const" || n.operand.ellipsis) throw new DecodeError("unary operator on a non-constant");
      return negate(n.operand.v);
    case "list":
      return n.elts.map(resolve);
    case "tuple":
      return new PyTuple(n.elts.map(resolve));
    case "dict": {
      const out: PyDict = {};
      n.keys.forEach((k, i) => {
        if (k === null) throw new DecodeError("** in a dict");
        const key = resolve(k);
        setKey(out, typeof key === "string" ? key : NON_STRING_KEY + unparse(k), resolve(n.values[i]));
      });
      return out;
    }
    case "binop":
      return evalArith(n);
    case "name":
      return n.id;
    case "call":
      if (n.keywords.length === 0) return unparse(n);
      return callAsDict(resolveCall(n));
    case "subscript":
      return `${unparse(n.value)}[${unparse(n.slice)}]`;
    default:
      throw new DecodeError(`unsupported expression: ${n.t}`);
  }
}

const callAsDict = (c: DecodedCall): PyDict => Object.fromEntries([[c.name, c.args]]);

function negate(v: PyValue): PyValue {
  if (typeof v === "boolean") return v ? -1n : 0n;
  if (typeof v === "bigint") return -v;
  if (typeof v === "number") return -v;
  throw new DecodeError(`bad operand type for unary -: ${typeof v}`);
}

/** BFCL evals a BinOp; we evaluate the arithmetic of constants with Python's semantics. */
function evalArith(n: Node): PyValue {
  if (n.t === "const" && !n.ellipsis) return n.v;
  if (n.t === "unary" && (n.op === "-" || n.op === "+")) {
    const v = evalArith(n.operand);
    return n.op === "-" ? negate(v) : v;
  }
  if (n.t !== "binop") throw new DecodeError("non-constant operand in arithmetic");
  const a = evalArith(n.left);
  const b = evalArith(n.right);
  if (typeof a === "string" && typeof b === "string" && n.op === "+") return a + b;
  if (typeof a === "string" && typeof b === "bigint" && n.op === "*") return a.repeat(Math.max(0, Number(b)));
  const x = typeof a === "boolean" ? BigInt(a) : a;
  const y = typeof b === "boolean" ? BigInt(b) : b;
  if (typeof x === "bigint" && typeof y === "bigint") return intOp(n.op, x, y);
  if ((typeof x === "bigint" || typeof x === "number") && (typeof y === "bigint" || typeof y === "number")) return floatOp(n.op, Number(x), Number(y));
  throw new DecodeError("unsupported operand types");
}

function intOp(op: string, x: bigint, y: bigint): PyValue {
  if ((op === "/" || op === "//" || op === "%") && y === 0n) throw new DecodeError("division by zero");
  switch (op) {
    case "+": return x + y;
    case "-": return x - y;
    case "*": return x * y;
    case "/": return Number(x) / Number(y);
    case "//": return x / y - ((x % y !== 0n && (x < 0n) !== (y < 0n)) ? 1n : 0n);
    case "%": return ((x % y) + y) % y;
    case "**": return y < 0n ? Number(x) ** Number(y) : x ** y;
  }
  throw new DecodeError(`unsupported operator ${op}`);
}

function floatOp(op: string, x: number, y: number): number {
  if ((op === "/" || op === "//" || op === "%") && y === 0) throw new DecodeError("division by zero");
  switch (op) {
    case "+": return x + y;
    case "-": return x - y;
    case "*": return x * y;
    case "/": return x / y;
    case "//": return Math.floor(x / y);
    case "%": return ((x % y) + y) % y;
    case "**": return x ** y;
  }
  throw new DecodeError(`unsupported operator ${op}`);
}

/** Roughly Python's `ast.unparse`, for the nodes BFCL turns back into text. */
function unparse(n: Node): string {
  switch (n.t) {
    case "const": return n.ellipsis ? "..." : reprConst(n.v);
    case "fstring": return n.src;
    case "name": return n.id;
    case "attr": return `${unparse(n.value)}.${n.attr}`;
    case "call": {
      const args = [...n.args.map(unparse), ...n.keywords.map((k) => (k.arg === null ? `**${unparse(k.value)}` : `${k.arg}=${unparse(k.value)}`))];
      return `${unparse(n.func)}(${args.join(", ")})`;
    }
    case "list": return `[${n.elts.map(unparse).join(", ")}]`;
    case "set": return `{${n.elts.map(unparse).join(", ")}}`;
    case "tuple": return n.elts.length === 1 ? `(${unparse(n.elts[0])},)` : `(${n.elts.map(unparse).join(", ")})`;
    case "dict": return `{${n.keys.map((k, i) => (k === null ? `**${unparse(n.values[i])}` : `${unparse(k)}: ${unparse(n.values[i])}`)).join(", ")}}`;
    case "unary": return n.op === "not" ? `not ${unparse(n.operand)}` : `${n.op}${unparse(n.operand)}`;
    case "binop": return `${unparse(n.left)} ${n.op} ${unparse(n.right)}`;
    case "subscript": return `${unparse(n.value)}[${n.slice.t === "tuple" ? n.slice.elts.map(unparse).join(", ") : unparse(n.slice)}]`;
    case "starred": return `*${unparse(n.value)}`;
  }
}

function reprConst(v: PyValue): string {
  if (typeof v === "string") return JSON.stringify(v).length === v.length + 2 && !v.includes("'") ? `'${v}'` : JSON.stringify(v);
  if (v === null) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number") return Number.isInteger(v) ? `${v}.0` : String(v);
  if (v instanceof PyOther) return v.repr;
  return String(v);
}

// ---- tokenizer ----

interface Tok {
  k: "name" | "num" | "str" | "op" | "end";
  v: string;
  pos: number;
  /** For strings: the decoded value, and whether it is bytes or an f-string. */
  str?: { value: string; bytes: boolean; f: boolean };
}

const OPS = ["**", "//", "...", "(", ")", "[", "]", "{", "}", ",", ":", "=", ".", "+", "-", "*", "/", "%", "~", "@", "|", "&", "^", "<", ">", "!", ";"];
const NAME_RE = /^[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*/u;
const NUM_RE = /^(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:(?:\d(?:_?\d)*)?\.\d(?:_?\d)*|\d(?:_?\d)*\.?)(?:[eE][+-]?\d(?:_?\d)*)?)[jJ]?/;
const STR_PREFIX_RE = /^(?:[rRbBuUfF]|[rR][bBfF]|[bBfF][rR])?(?='|")/;

function tokenize(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (" \t\n\r\f".includes(c)) { i++; continue; }
    if (c === "\\" && src[i + 1] === "\n") { i += 2; continue; }
    if (c === "#") { while (i < src.length && src[i] !== "\n") i++; continue; }
    const rest = src.slice(i, i + 2000);
    const prefix = STR_PREFIX_RE.exec(rest);
    if (prefix) {
      const { end, value, bytes, f } = readString(src, i, prefix[0]);
      toks.push({ k: "str", v: src.slice(i, end), pos: i, str: { value, bytes, f } });
      i = end;
      continue;
    }
    const num = /^\.?\d/.test(rest) ? NUM_RE.exec(rest) : null;
    if (num) { toks.push({ k: "num", v: num[0], pos: i }); i += num[0].length; continue; }
    const name = NAME_RE.exec(rest);
    if (name) { toks.push({ k: "name", v: name[0], pos: i }); i += name[0].length; continue; }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new DecodeError(`unexpected character ${JSON.stringify(c)} at ${i}`);
    toks.push({ k: "op", v: op, pos: i });
    i += op.length;
  }
  toks.push({ k: "end", v: "", pos: src.length });
  return toks;
}

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
      value += String.fromCodePoint(parseInt(hex, 16));
      i += 2 + hexLen;
      continue;
    }
    if (e === "N") throw new DecodeError("\\N{…} escapes are not supported");
    value += c; // an unknown escape keeps its backslash in Python
    i++;
  }
  return { end: i, value, bytes: p.includes("b"), f: p.includes("f") };
}

// ---- parser: the expression subset models write in calls ----

function parseExpression(src: string): Node {
  const toks = tokenize(src);
  let at = 0;
  const peek = () => toks[at];
  const isOp = (v: string) => peek().k === "op" && peek().v === v;
  const eat = (v: string) => {
    if (!isOp(v)) throw new DecodeError(`expected '${v}' at ${peek().pos}, got '${peek().v}'`);
    at++;
  };

  const expr = (): Node => {
    if (peek().k === "name" && peek().v === "not") {
      at++;
      return { t: "unary", op: "not", operand: expr() };
    }
    return arith();
  };
  const arith = (): Node => {
    let left = term();
    while (isOp("+") || isOp("-")) {
      const op = toks[at++].v;
      left = { t: "binop", op, left, right: term() };
    }
    return left;
  };
  const term = (): Node => {
    let left = factor();
    while (isOp("*") || isOp("/") || isOp("//") || isOp("%") || isOp("@")) {
      const op = toks[at++].v;
      left = { t: "binop", op, left, right: factor() };
    }
    return left;
  };
  const factor = (): Node => {
    if (isOp("-") || isOp("+") || isOp("~")) {
      const op = toks[at++].v;
      return { t: "unary", op, operand: factor() };
    }
    const base = postfix();
    if (isOp("**")) {
      at++;
      return { t: "binop", op: "**", left: base, right: factor() };
    }
    return base;
  };
  const postfix = (): Node => {
    let n = atom();
    for (;;) {
      if (isOp("(")) n = callArgs(n);
      else if (isOp(".")) {
        at++;
        if (peek().k !== "name") throw new DecodeError("expected a name after '.'");
        n = { t: "attr", value: n, attr: toks[at++].v };
      } else if (isOp("[")) {
        at++;
        const items = sequence("]");
        n = { t: "subscript", value: n, slice: items.length === 1 && !items.trailingComma ? items[0] : { t: "tuple", elts: items } };
      } else return n;
    }
  };
  const callArgs = (func: Node): Node => {
    eat("(");
    const args: Node[] = [];
    const keywords: { arg: string | null; value: Node }[] = [];
    while (!isOp(")")) {
      if (isOp("**")) {
        at++;
        keywords.push({ arg: null, value: expr() });
      } else if (isOp("*")) {
        at++;
        args.push({ t: "starred", value: expr() });
      } else if (peek().k === "name" && toks[at + 1].k === "op" && toks[at + 1].v === "=") {
        const arg = toks[at].v;
        if (keywords.some((k) => k.arg === arg)) throw new DecodeError(`keyword argument repeated: ${arg}`);
        at += 2;
        keywords.push({ arg, value: expr() });
      } else {
        if (keywords.length) throw new DecodeError("positional argument follows keyword argument");
        args.push(expr());
      }
      if (!isOp(")")) eat(",");
    }
    eat(")");
    return { t: "call", func, args, keywords };
  };
  /** Comma-separated expressions up to `close` (consumed). */
  const sequence = (close: string): Node[] & { trailingComma?: boolean } => {
    const items: Node[] & { trailingComma?: boolean } = [];
    while (!isOp(close)) {
      items.push(isOp("*") ? (at++, { t: "starred", value: expr() }) : expr());
      if (isOp(close)) break;
      eat(",");
      items.trailingComma = isOp(close);
    }
    eat(close);
    return items;
  };
  const atom = (): Node => {
    const tok = peek();
    if (tok.k === "num") return at++, { t: "const", v: numberValue(tok.v) };
    if (tok.k === "str") return strings();
    if (tok.k === "name") {
      at++;
      if (tok.v === "True") return { t: "const", v: true };
      if (tok.v === "False") return { t: "const", v: false };
      if (tok.v === "None") return { t: "const", v: null };
      if (KEYWORDS.has(tok.v)) throw new DecodeError(`unsupported syntax: ${tok.v}`);
      return { t: "name", id: tok.v };
    }
    if (isOp("...")) return at++, { t: "const", v: "...", ellipsis: true };
    if (isOp("(")) {
      at++;
      const items = sequence(")");
      return items.length === 1 && !items.trailingComma ? items[0] : { t: "tuple", elts: items };
    }
    if (isOp("[")) {
      at++;
      return { t: "list", elts: sequence("]") };
    }
    if (isOp("{")) return braces();
    throw new DecodeError(`unexpected '${tok.v}' at ${tok.pos}`);
  };
  const braces = (): Node => {
    eat("{");
    const keys: (Node | null)[] = [];
    const values: Node[] = [];
    const elts: Node[] = [];
    while (!isOp("}")) {
      if (isOp("**")) {
        at++;
        keys.push(null);
        values.push(expr());
      } else {
        const first = expr();
        if (isOp(":")) {
          at++;
          keys.push(first);
          values.push(expr());
        } else elts.push(first);
      }
      if (!isOp("}")) eat(",");
    }
    eat("}");
    if (elts.length && keys.length) throw new DecodeError("mixed set and dict display");
    return elts.length ? { t: "set", elts } : { t: "dict", keys, values };
  };
  /** Adjacent literals concatenate; bytes and str cannot mix; any f-string makes a JoinedStr. */
  const strings = (): Node => {
    const parts: NonNullable<Tok["str"]>[] = [];
    const startPos = peek().pos;
    let endPos = startPos;
    while (peek().k === "str") {
      const t = toks[at++];
      parts.push(t.str!);
      endPos = t.pos + t.v.length;
    }
    if (new Set(parts.map((p) => p.bytes)).size > 1) throw new DecodeError("cannot mix bytes and nonbytes literals");
    if (parts.some((p) => p.f)) return { t: "fstring", src: src.slice(startPos, endPos) };
    const text = parts.map((p) => p.value).join("");
    return { t: "const", v: parts[0].bytes ? new PyOther("bytes", "b" + JSON.stringify(text)) : text };
  };

  const node = expr();
  if (peek().k !== "end") {
    // A top-level comma makes a tuple, as `eval` would see it.
    if (!isOp(",")) throw new DecodeError(`unexpected '${peek().v}' at ${peek().pos}`);
    const elts = [node];
    while (isOp(",")) {
      at++;
      if (peek().k === "end") break;
      elts.push(expr());
    }
    if (peek().k !== "end") throw new DecodeError(`unexpected '${peek().v}' at ${peek().pos}`);
    return { t: "tuple", elts };
  }
  return node;
}

const KEYWORDS = new Set(["and", "or", "not", "in", "is", "if", "else", "for", "lambda", "yield", "await", "def", "class", "return", "import", "from", "as", "with", "while", "pass", "break", "continue", "global", "nonlocal", "del", "assert", "raise", "try", "except", "finally", "elif", "async"]);

function numberValue(text: string): PyValue {
  const s = text.replace(/_/g, "");
  if (/[jJ]$/.test(s)) return new PyOther("complex", s);
  if (/^0[xXoObB]/.test(s)) return BigInt(s);
  if (/[.eE]/.test(s)) return Number(s);
  if (/^0+\d/.test(s) && !/^0+$/.test(s)) throw new DecodeError("leading zeros in a decimal integer");
  return BigInt(s);
}
