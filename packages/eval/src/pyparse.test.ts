import { describe, expect, it } from "vitest";
import { decodePythonCalls } from "./pyparse.js";
import { PyTuple, pyRepr } from "@tooltune/format";

/** [model output, decoded calls as Python repr, or null when BFCL's decoder fails] */
const CASES: [string, string | null][] = [
  ["[f(a=1)]", "[{'f': {'a': 1}}]"],
  ["f(a=1)", "[{'f': {'a': 1}}]"],
  ["```\n[f(a=1), g(b='x')]\n```", "[{'f': {'a': 1}}, {'g': {'b': 'x'}}]"],
  ["[math.factorial(number=5)]", "[{'math.factorial': {'number': 5}}]"],
  ["[f(x=1.0, y=-2, z=+3, w=True, n=None)]", "[{'f': {'x': 1.0, 'y': -2, 'z': -3, 'w': True, 'n': None}}]"], // BFCL turns +3 into -3
  ["[f(city=Paris)]", "[{'f': {'city': 'Paris'}}]"], // bare names become strings
  ["[f(1, 2, a=3)]", "[{'f': {'a': 3}}]"], // positional arguments are dropped
  ["[f(a=[1, 'b'], t=(1, 2), d={'k': [1.5]})]", "[{'f': {'a': [1, 'b'], 't': (1, 2), 'd': {'k': [1.5]}}}]"],
  ["[f(a=2*3+1, b=1/2, c=7//2, d=2**3)]", "[{'f': {'a': 7, 'b': 0.5, 'c': 3, 'd': 8}}]"],
  ["[f(a=g(1, 2))]", "[{'f': {'a': 'g(1, 2)'}}]"], // a call without keywords stays text (ast.unparse)
  ["[f(a=g(x=1))]", "[{'f': {'a': {'g': {'x': 1}}}}]"],
  ["[f(a=g(1e999, 'a\"b', 1e-5, 0.00001))]", "[{'f': {'a': 'g(1e309, \\'a\"b\\', 1e-05, 1e-05)'}}]"], // ast.unparse writes constants with repr (Python 3.11's output)
  ["[f(a='it''s' \"ok\")]", "[{'f': {'a': 'itsok'}}]"], // adjacent literals concatenate
  ["[f(s='a\\nb', r=r'a\\nb')]", "[{'f': {'s': 'a\\nb', 'r': 'a\\\\nb'}}]"],
  ["[f(a=...)]", "[{'f': {'a': '...'}}]"],
  ["[f(a=1_000, h=0x10)]", "[{'f': {'a': 1000, 'h': 16}}]"],
  ["[f(a=x[0])]", "[{'f': {'a': 'x[0]'}}]"],
  // Found by the BFCL parity golden (fixtures/bfcl_parity.jsonl.gz); expected values are BFCL's decoder's.
  ["[f(a=6 << 2, b=-7 >> 1, c=6 & 3, d=6 | 1, e=6 ^ 3, g=True & False, h=1 + 2 << 1, i=~5 + 1)]", "[{'f': {'a': 24, 'b': -4, 'c': 2, 'd': 7, 'e': 5, 'g': False, 'h': 6, 'i': -5}}]"],
  ["[f(a=[1, 'x'] * 2, b=2 * (1,), c=[1] + [2], d='ab' * 0, e=True * [None])]", "[{'f': {'a': [1, 'x', 1, 'x'], 'b': (1, 1), 'c': [1, 2], 'd': '', 'e': [None]}}]"],
  ["[f(a=x[1:], b=x[::2], c=x[1:2, 3], d=x[1:2:], e='ab'[-1:])]", "[{'f': {'a': 'x[1:]', 'b': 'x[::2]', 'c': 'x[(1:2, 3)]', 'd': 'x[1:2]', 'e': \"'ab'[-1:]\"}}]"],
  ["[f(a=[{'k': 1, 2: (3,)}] + [])]", "[{'f': {'a': [{'k': 1, 2: (3,)}]}}]"],
  ["[f(a=-4j)]", "[{'f': {'a': (-0-4j)}}]"], // a negated complex decodes (and fails any type check)
  ["[f(a=[0] * 10001)]", null], // ours: a list built past 10,000 items fails to decode (BFCL's eval builds it)
  ["[f(a=1 << -1)]", null], // negative shift count
  ["[f(a=1.5 | 1)]", null],
  ["[f(a=[x] * 2)]", null], // eval meets an undefined name
  ["[]", "[]"],
  ["  [f()]\n", "[{'f': {}}]"],
  // Fails to decode, as in BFCL:
  ["Sure! [f(a=1)]", null], // prose around the call
  ["```python\n[f(a=1)]\n```", null], // a fenced block with a language tag
  ["[f(a=1)", "[{'f': {'a': 1}}]"], // a missing ] is added back
  ["[f(a=1), 3]", null], // list elements must be calls
  ["[f(a=x.y)]", null], // attributes are not values
  ["[f(a=lambda: 1)]", null],
  ["[f(a=f'{x}')]", null], // f-strings (JoinedStr) are unsupported
  ["[f(a={1, 2})]", null], // sets are unsupported
  ["[f(a=1 < 2)]", null], // comparisons are unsupported
  // Where Python's `ast.parse` (and so BFCL) accepts what a strict reading of Python would not:
  ["[f(a=1, a=2)]", "[{'f': {'a': 2}}]"], // a repeated keyword parses (the compiler rejects it); the last wins
  ["[ｆ(ａ=1, ｂ１=Ｔｒｕｅ)]", "[{'f': {'a': 1, 'b1': 'True'}}]"], // names are NFKC-normalised; a full-width True is a name
  ["[f(a='x\\N{SPACE}y', b='\\N{en dash}', c='\\N{CJK UNIFIED IDEOGRAPH-4E00}')]", "[{'f': {'a': 'x y', 'b': '–', 'c': '一'}}]"],
  ["[f(a=b'\\N{SPACE}')]", "[{'f': {'a': b'\\\\N{SPACE}'}}]"], // no \\N in bytes: the backslash stays (Python's bytes repr)
  ["[f(**{'a': 1})]", "[{'f': {None: {'a': 1}}}]"], // BFCL stores a splat under the key None
  ["[f(a=1, **opts)]", "[{'f': {'a': 1, None: 'opts'}}]"],
  ["[f(a='\\N{NO SUCH NAME}')]", null], // an unknown name is a SyntaxError
  ["[f(a='\\N{SPACE')]", null],
  ["[f(a=" + "[".repeat(198) + "]".repeat(198) + ")]", "[{'f': {'a': " + "[".repeat(198) + "]".repeat(198) + "}}]"], // 200 brackets in all: Python's limit
  ["[f(a=" + "[".repeat(199) + "]".repeat(199) + ")]", null], // 201: "too many nested parentheses"
  ["[f(a=" + "-".repeat(400) + "1)]", null],
  ["[f(a=" + "9".repeat(4300) + ")]", "[{'f': {'a': " + "9".repeat(4300) + "}}]"],
  ["[f(a=" + "9".repeat(4301) + ")]", null],
  ["[f(a=2**2**2**2)]", "[{'f': {'a': 65536}}]"],
  ["[f(a=2**2**2**2**2**2)]", null], // found by fuzzing: BigInt's RangeError; Python would run out of time
  ["[f(a='ab'*100000000)]", null], // Python ≥ 3.11: "Exceeds the limit (4300 digits)" // too deep to evaluate, as in BFCL (a RecursionError there)
  ["[f(a=1" + "+1".repeat(400) + ")]", null],
  ["[f(a=1, 2)]", null], // positional after keyword: SyntaxError
  ["[f(a=-x)]", null], // unary minus on a name
  ["[f(a=007)]", null], // leading zeros: SyntaxError
];

describe("decodePythonCalls (BFCL's prompted-output decoding)", () => {
  it.each(CASES)("%j", (text, expected) => {
    if (expected === null) {
      expect(() => decodePythonCalls(text)).toThrow();
      return;
    }
    const calls = decodePythonCalls(text);
    expect(pyRepr(calls.map((c) => ({ [c.name]: c.args })))).toBe(expected);
  });

  it("keeps int and float apart, and tuples apart from lists", () => {
    const [call] = decodePythonCalls("[f(i=5, x=5.0, t=(1,), l=[1])]");
    expect(typeof call.args.i).toBe("bigint");
    expect(typeof call.args.x).toBe("number");
    expect(call.args.t).toBeInstanceOf(PyTuple);
    expect(Array.isArray(call.args.l)).toBe(true);
  });
});
