/**
 * BFCL's decoding of prompted (Python-call) outputs, without `eval`: the expression a model writes
 * (`[f(a=1), mod.g(b="x", c=[1, 2])]`) is parsed by format's `parseExpression`, then each node is resolved into
 * a value as BFCL does (`resolve_ast_by_type` in `bfcl_eval/model_handler/utils.py`, commit
 * 6ea5797 of ShishirPatil/gorilla). Unsupported syntax fails to decode, as it does there.
 */
import { DecodeError, NON_STRING_KEY, parseExpression, PyOther, pyRepr, PyTuple, setKey, type PyDict, type PyNode as Node, type PyValue } from "@tooltune/format";

export { DecodeError };

export interface DecodedCall {
  name: string;
  args: PyDict;
}

/**
 * Where a `**` splat lands: BFCL stores it under the key `None` (`args_dict[arg.arg]` with
 * `arg.arg is None`), which no schema has, so the call decodes and then fails its check.
 */
export const SPLAT_KEY = NON_STRING_KEY + "None";

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
  for (const kw of call.keywords) setKey(args, kw.arg ?? SPLAT_KEY, resolve(kw.value));
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
  // An imaginary literal negates too (`-4j` is Python's (-0-4j)), and then fails its type check.
  if (v instanceof PyOther && v.typeName === "complex") return new PyOther("complex", `(-0-${v.repr})`);
  throw new DecodeError(`bad operand type for unary -: ${typeof v}`);
}

/**
 * BFCL evals a BinOp (`eval(ast.unparse(value))`); we evaluate what such an eval can compute from
 * constants and displays of constants with Python's semantics: arithmetic and bit operators on
 * numbers, `+` and `*` on strings, lists and tuples. A name, a call or anything else in the expression fails to decode.
 */
function evalArith(n: Node): PyValue {
  if (n.t === "const" && !n.ellipsis) return n.v;
  if (n.t === "list") return n.elts.map(evalArith);
  if (n.t === "tuple") return new PyTuple(n.elts.map(evalArith));
  if (n.t === "dict") {
    const out: PyDict = {};
    n.keys.forEach((k, i) => {
      if (k === null) throw new DecodeError("** in a dict inside arithmetic");
      const key = evalArith(k);
      setKey(out, typeof key === "string" ? key : NON_STRING_KEY + pyRepr(key), evalArith(n.values[i]));
    });
    return out;
  }
  if (n.t === "unary" && (n.op === "-" || n.op === "+" || n.op === "~")) {
    const v = evalArith(n.operand);
    if (n.op === "-") return negate(v);
    if (n.op === "+") return typeof v === "boolean" ? BigInt(v) : v;
    if (typeof v === "bigint" || typeof v === "boolean") return -BigInt(v) - 1n;
    throw new DecodeError("bad operand type for unary ~");
  }
  if (n.t !== "binop") throw new DecodeError("non-constant operand in arithmetic");
  const a = evalArith(n.left);
  const b = evalArith(n.right);
  const seq = sequenceOp(n.op, a, b);
  if (seq !== undefined) return seq;
  // bool & | ^ bool stays a bool, as in Python.
  if (typeof a === "boolean" && typeof b === "boolean" && (n.op === "&" || n.op === "|" || n.op === "^")) {
    return n.op === "&" ? a && b : n.op === "|" ? a || b : a !== b;
  }
  const x = typeof a === "boolean" ? BigInt(a) : a;
  const y = typeof b === "boolean" ? BigInt(b) : b;
  if (typeof x === "bigint" && typeof y === "bigint") return intOp(n.op, x, y);
  if ((typeof x === "bigint" || typeof x === "number") && (typeof y === "bigint" || typeof y === "number")) return floatOp(n.op, Number(x), Number(y));
  throw new DecodeError("unsupported operand types");
}

/**
 * Python repeats anything, given memory; a model's `'x' * 10**9` would take BFCL's eval gigabytes.
 * Past 10 M characters, or a list/tuple of 10,000 items built by `+` or `*` (a 300-term chain of
 * such lists is copied 300 times), the decode fails instead.
 */
const MAX_REPEATED_CHARS = 10_000_000n;
const MAX_BUILT_ITEMS = 10_000;

/** `+` and `*` on str, list and tuple (concatenation, repetition by an int or bool); else undefined. */
function sequenceOp(op: string, a: PyValue, b: PyValue): PyValue | undefined {
  const items = (v: PyValue): PyValue[] | undefined => (Array.isArray(v) ? v : v instanceof PyTuple ? v.items : undefined);
  const isCount = (v: PyValue): v is bigint | boolean => typeof v === "bigint" || typeof v === "boolean";
  if (op === "+") {
    if (typeof a === "string" && typeof b === "string") return a + b;
    const [x, y] = [items(a), items(b)];
    if (x === undefined || y === undefined || Array.isArray(a) !== Array.isArray(b)) return undefined;
    if (x.length + y.length > MAX_BUILT_ITEMS) throw new DecodeError("sequence too long to evaluate");
    return Array.isArray(a) ? [...x, ...y] : new PyTuple([...x, ...y]);
  }
  if (op !== "*") return undefined;
  const [s, count] = isCount(b) && (typeof a === "string" || items(a)) ? [a, b] : isCount(a) && (typeof b === "string" || items(b)) ? [b, a] : [undefined, undefined];
  if (s === undefined || count === undefined) return undefined;
  const times = BigInt(count) < 0n ? 0n : BigInt(count);
  if (typeof s === "string") {
    if (BigInt(s.length) * times > MAX_REPEATED_CHARS) throw new DecodeError("string repetition too large to evaluate");
    return s.repeat(Number(times));
  }
  const one = items(s)!;
  if (BigInt(one.length) * times > BigInt(MAX_BUILT_ITEMS)) throw new DecodeError("sequence too long to evaluate");
  const out = Array.from({ length: one.length * Number(times) }, (_, i) => one[i % one.length]);
  return Array.isArray(s) ? out : new PyTuple(out);
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
    case "**": return y < 0n ? Number(x) ** Number(y) : intPow(x, y);
    case "&": return x & y;
    case "|": return x | y;
    case "^": return x ^ y;
    case ">>":
      if (y < 0n) throw new DecodeError("negative shift count");
      return x >> y;
    case "<<":
      if (y < 0n) throw new DecodeError("negative shift count");
      if (x !== 0n && BigInt((x < 0n ? -x : x).toString(2).length) + y > MAX_INT_BITS) throw new DecodeError("integer shift too large to evaluate");
      return x << y;
  }
  throw new DecodeError(`unsupported operator ${op}`);
}

/**
 * Python computes any power, given time and memory; a model's `2**2**2**2**2**2` would take Python
 * forever and BigInt throws a RangeError. Past a million bits the decode fails instead.
 */
const MAX_INT_BITS = 1_000_000n;

function intPow(x: bigint, y: bigint): bigint {
  const bits = BigInt((x < 0n ? -x : x).toString(2).length);
  if (x !== 0n && x !== 1n && x !== -1n && bits * y > MAX_INT_BITS) throw new DecodeError("integer power too large to evaluate");
  return x ** y;
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
    case "slice": return `${n.lower ? unparse(n.lower) : ""}:${n.upper ? unparse(n.upper) : ""}${n.step ? `:${unparse(n.step)}` : ""}`;
  }
}

/** `ast.unparse` writes a constant as its repr; `1e400` (infinite) as 1e309, a literal that reads back as it. */
const reprConst = (v: PyValue): string => (v === Infinity ? "1e309" : pyRepr(v));
