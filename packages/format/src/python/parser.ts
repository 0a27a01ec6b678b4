/**
 * A recursive-descent parser for the expression subset models write in calls and literals
 * (calls, attributes, literals, displays, unary, arithmetic and bit operators, subscripts and
 * slices), giving a small AST as Python's `ast.parse(text, mode="eval")` would. Anything else is a
 * DecodeError, as BFCL's resolution rejects the same constructs (comparisons, lambdas,
 * comprehensions, f-strings).
 */
import { DecodeError, numberValue, tokenize, type StrInfo, type Tok } from "./lexer.js";
import { bytesRepr } from "./repr.js";
import { PyOther, type PyValue } from "./value.js";

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
  | { t: "slice"; lower: Node | null; upper: Node | null; step: Node | null }
  | { t: "starred"; value: Node };

/**
 * Nesting of operators (unary chains, `**`, chained `+`) plus brackets in one expression. Python's
 * limit comes from its stack: BFCL's `eval(ast.unparse(…))` fails from ~330 chained operators.
 */
const MAX_OPERATOR_DEPTH = 300;

const ADD_OPS = ["+", "-"];
const MUL_OPS = ["*", "/", "//", "%", "@"];
const SHIFT_OPS = ["<<", ">>"];

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
    // Python's precedence, loosest first: | ^ & (<< >>) (+ -) (* / // % @).
    const term = () => this.binary(MUL_OPS, () => this.factor());
    const arith = () => this.binary(ADD_OPS, term);
    const shift = () => this.binary(SHIFT_OPS, arith);
    return this.binary(["|"], () => this.binary(["^"], () => this.binary(["&"], shift)));
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
      while (this.peek().k === "op" && ops.includes(this.peek().v)) {
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
        const items = this.sequence("]", true);
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

  /** Comma-separated expressions up to `close` (consumed); in a subscript, slices too. */
  private sequence(close: string, slices = false): Node[] & { trailingComma?: boolean } {
    const items: Node[] & { trailingComma?: boolean } = [];
    while (!this.isOp(close)) {
      if (this.isOp("*")) {
        this.at++;
        items.push({ t: "starred", value: this.expr() });
      } else items.push(slices ? this.sliceItem(close) : this.expr());
      if (this.isOp(close)) break;
      this.eat(",");
      items.trailingComma = this.isOp(close);
    }
    this.eat(close);
    return items;
  }

  /** `a`, or a slice `a:b:c` with any part left out. */
  private sliceItem(close: string): Node {
    const ends = () => this.isOp(":") || this.isOp(",") || this.isOp(close);
    const lower = ends() ? null : this.expr();
    if (!this.isOp(":")) {
      if (lower === null) throw this.unexpected();
      return lower;
    }
    this.at++;
    const upper = ends() ? null : this.expr();
    let step: Node | null = null;
    if (this.isOp(":")) {
      this.at++;
      step = ends() ? null : this.expr();
    }
    return { t: "slice", lower, upper, step };
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
    return { t: "const", v: parts[0].bytes ? new PyOther("bytes", bytesRepr(text)) : text };
  }
}

const KEYWORDS = new Set(["and", "or", "not", "in", "is", "if", "else", "for", "lambda", "yield", "await", "def", "class", "return", "import", "from", "as", "with", "while", "pass", "break", "continue", "global", "nonlocal", "del", "assert", "raise", "try", "except", "finally", "elif", "async"]);
