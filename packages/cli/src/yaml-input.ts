// What people write: YAML files (pipelines, --params files) and key=value flags (--set, --param).
// Both readers report errors where the text is: `file:line:col`, or the flag that wrote the value.
import { readFile } from "node:fs/promises";
import { Composer, isAlias, isCollection, isMap, isScalar, isSeq, Lexer, LineCounter, Parser, visit, type Document, type Node } from "yaml";
import { TooltuneError } from "@tooltune/core";

/** Maps a path in the parsed YAML back to `file:line:col`, so every error points at the text. */
export interface Locator {
  /** Where the value at `path` is; with `key`, where that key of the map at `path` is written. */
  where(path: readonly PropertyKey[], key?: string): string;
}

/** Read a YAML file; `what` names it in the error ("pipeline file", "params file"). */
export async function readYamlFile(path: string, file: string, what: string): Promise<string> {
  return readFile(path, "utf8").catch((cause) => {
    throw new TooltuneError("INPUT", `cannot read ${what}: ${(cause as Error).message}`, { where: file, cause });
  });
}

/**
 * Bounds on what the yaml library is given, all found by the fuzzer (issue 15). A pipeline or params
 * file is a few kB and nests ~5 levels. Past a few thousand levels the library overflows the stack
 * (and, once, V8 died compiling a regex at that depth: a fatal error no catch sees); nested flow
 * collections that do not close take quadratic time (64 kB of `{ n: [[[…`: 3.7 s), and so does a
 * chain of collection keys (`? ? ? …`: 500 deep took 36 s in toJS; the parser's cost per chain
 * grows with the square of its depth, hence a limit well under what YAML allows).
 */
export const MAX_YAML_CHARS = 1_000_000;
export const MAX_YAML_DEPTH = 32;
/**
 * The library's time goes by token (~2 µs each: a 64 kB file of 8,000 `k: 1` lines took ~100 ms;
 * a 64 kB quoted string, one token, ~0 ms). The repo's largest pipeline has ~600.
 */
export const MAX_YAML_TOKENS = 20_000;

/** Parse YAML text; a syntax error is a CONFIG error at its `file:line:col`. */
export function parseYaml(text: string, file: string): { value: unknown; locator: Locator } {
  if (text.length > MAX_YAML_CHARS) {
    throw new TooltuneError("CONFIG", `YAML of ${text.length.toLocaleString("en-US")} characters, over the ${MAX_YAML_CHARS.toLocaleString("en-US")} a pipeline or params file may have`, { where: file, fix: "a pipeline or params file is a few kB: put data in a dataset file and name it there" });
  }
  const lines = new LineCounter();
  const at = (offset: number) => {
    const { line, col } = lines.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  // The yaml library throws its own errors for some input (ReferenceError for an undefined alias
  // `*a`, RangeError for YAML nested thousands deep, both found by the fuzzer): bad input either way.
  const unreadable = (cause: unknown) =>
    cause instanceof TooltuneError ? cause : new TooltuneError("CONFIG", `invalid YAML: ${(cause as Error).message.split("\n")[0]}`, { where: file, fix: "fix the YAML there (aliases must be defined; nesting a few levels deep)", cause });
  let doc: Document;
  try {
    doc = composeWithin(text, lines, at);
  } catch (cause) {
    throw unreadable(cause);
  }
  const error = doc.errors[0];
  if (error) {
    const where = error.pos[0] >= 0 ? at(error.pos[0]) : file;
    throw new TooltuneError("CONFIG", `invalid YAML: ${error.message.split("\n")[0]}`, { where, fix: "fix the YAML syntax there" });
  }
  checkKeys(doc, at);
  let value: unknown;
  try {
    value = doc.toJS();
  } catch (cause) {
    throw unreadable(cause);
  }
  return { value, locator: yamlLocator(file, doc, lines) };
}

/**
 * parseDocument's steps, with the bounds checked on the lexer's tokens as they pass to the parser,
 * and without its pretty errors (each copies its source line through a regex: quadratic for many
 * errors on one long line) or its uniqueKeys (it compares every key with every earlier one: 8,000
 * keys took 0.7 s; parseYaml checks keys once each). Throws a TooltuneError past a bound or at a
 * second document, or the library's own error.
 */
function composeWithin(text: string, lines: LineCounter, at: (offset: number) => string): Document {
  const tooBig = (offset: number, deep: boolean): never => {
    throw deep
      ? new TooltuneError("CONFIG", `YAML nested over ${MAX_YAML_DEPTH} levels deep`, { where: at(offset), fix: "a pipeline or params file nests a few levels: flatten it there" })
      : new TooltuneError("CONFIG", `YAML of over ${MAX_YAML_TOKENS.toLocaleString("en-US")} tokens (keys, values, punctuation, line breaks)`, { where: at(offset), fix: "a pipeline or params file has a few hundred: put data in a dataset file and name it there" });
  };
  // Each syntax error is an Error whose stack trace costs more than parsing its line (8,000 bad
  // lines: half the time); none is shown, so none is captured while the library runs.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    let doc: Document | undefined;
    for (const next of new Composer({ uniqueKeys: false }).compose(parseWithin(text, lines, tooBig), true, text.length)) {
      if (doc) throw new TooltuneError("CONFIG", "invalid YAML: more than one document (a second `---`)", { where: at(next.range[0]), fix: "one pipeline or params file holds one YAML document" });
      doc = next as Document;
    }
    return doc!; // compose(…, forceDoc = true) yields at least one
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

/**
 * The parser's tokens for `text`, lexed once, stopping (`tooBig`) at the MAX_YAML_TOKENS-th token
 * or where the text first nests deeper than MAX_YAML_DEPTH: open flow brackets + indentation
 * levels + block indicators on the line (`- - x`), which is never less than the depth the composer
 * will recurse to. The lexer is a loop, not a recursion, so this runs before anything deep is built.
 */
function* parseWithin(text: string, lines: LineCounter, tooBig: (offset: number, deep: boolean) => never) {
  const parser = new Parser(lines.addNewLine);
  lines.addNewLine(0); // as Parser.parse does
  let offset = 0;
  let tokens = 0;
  let flow = 0;
  let onLine = 0;
  let lineStart = true;
  const indents: number[] = [];
  for (const token of new Lexer().lex(text)) {
    const marker = token === "\x02" || token === "\x18" || token === "\x1f"; // the lexer's own, not source
    if (!marker) {
      if (lineStart) {
        const indent = /^ +$/.test(token) ? token.length : 0;
        while (indents.length && indents[indents.length - 1] >= indent) indents.pop();
        indents.push(indent);
        lineStart = false;
      }
      if (token === "[" || token === "{") flow++;
      else if (token === "]" || token === "}") flow = Math.max(0, flow - 1);
      else if (flow === 0 && (token === "-" || token === "?" || token === ":")) onLine++;
      if (flow + indents.length + onLine > MAX_YAML_DEPTH) tooBig(offset, true);
      if (++tokens > MAX_YAML_TOKENS) tooBig(offset, false);
      offset += token.length;
      if (token.endsWith("\n")) {
        lineStart = true;
        onLine = 0;
      }
    }
    yield* parser.next(token);
  }
  yield* parser.end();
}

/** Map keys are names written once: a repeated key, or a list or map as a key, is a CONFIG error at the key. */
function checkKeys(doc: Document, at: (offset: number) => string): void {
  visit(doc, {
    Map(_, map) {
      const seen = new Set<string>();
      for (const { key } of map.items) {
        const offset = (key as Node | null)?.range?.[0] ?? map.range?.[0] ?? 0;
        if (isCollection(key)) throw new TooltuneError("CONFIG", "a list or map as a map key", { where: at(offset), fix: "keys are names: write the key as a plain word" });
        const name = isScalar(key) ? String(key.value) : isAlias(key) ? `*${key.source}` : String(key);
        if (seen.has(name)) throw new TooltuneError("CONFIG", `invalid YAML: Map keys must be unique ('${name}' is written twice)`, { where: at(offset), fix: "write each key once" });
        seen.add(name);
      }
    },
  });
}

export function yamlLocator(file: string, doc: Document, lines: LineCounter): Locator {
  const at = (offset: number) => {
    const { line, col } = lines.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  return {
    where(path, key) {
      // Walk as far as the path exists: a missing value is reported where its parent is.
      let node: Node | null | undefined = doc.contents as Node | null;
      let offset = node?.range?.[0] ?? 0;
      const steps = key === undefined ? path : [...path, key];
      for (const [i, step] of steps.entries()) {
        const isKey = key !== undefined && i === steps.length - 1;
        const pair = isMap(node) ? node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(step)) : undefined;
        if (pair) {
          node = (isKey ? pair.key : (pair.value ?? pair.key)) as Node;
        } else if (isSeq(node) && typeof step === "number" && node.items[step]) {
          node = node.items[step] as Node;
        } else {
          break;
        }
        offset = node?.range?.[0] ?? offset;
      }
      return at(offset);
    },
  };
}

/** `--param lora.r=16` → dotted "lora.r", value 16. `shape` and `example` say how to write it right. */
export function parseOverride(flag: string, text: string, shape: string, example: string): { dotted: string; value: unknown; where: string } {
  const where = `${flag} ${text}`;
  const match = /^([^=]+)=(.*)$/s.exec(text);
  if (!match) throw new TooltuneError("CONFIG", `expected ${shape}`, { where, fix: `write it like ${flag} ${example}` });
  return { dotted: match[1], value: setValue(match[2]), where };
}

/**
 * Write each override at `path` under `root` (making maps on the way) and return which flag wrote
 * a path: an error at or under that path is the flag's fault, so it names the flag.
 */
export function applyOverrides(root: Record<string, unknown>, writes: { path: string[]; value: unknown; where: string }[]): (path: readonly PropertyKey[]) => string | undefined {
  for (const { path, value } of writes) {
    let target = root;
    for (const key of path.slice(0, -1)) target = isObject(target[key]) ? target[key] : (target[key] = {});
    target[path.at(-1)!] = value;
  }
  return (path) => writes.findLast((w) => path.length >= w.path.length && w.path.every((p, i) => String(path[i]) === p))?.where;
}

export const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** Dotted keys of a --set/--param, refusing names that would write into Object.prototype. */
export function safeKeys(dotted: string, where: string): string[] {
  const keys = dotted.split(".");
  if (keys.some((k) => k === "" || k === "__proto__" || k === "constructor" || k === "prototype")) {
    throw new TooltuneError("CONFIG", `'${dotted}' is not a param path`, { where, fix: "use dotted param names, like lora.r" });
  }
  return keys;
}

/** A YAML scalar (`16` → number, `true` → boolean), a flow list/map when written as one, else the text as is. */
export function setValue(text: string): unknown {
  // Read within parseYaml's bounds (the fuzzer's `--set s.n=[[[[…` took 0.2 s); past one, or
  // unreadable, it is the text as is, which the param's schema then judges.
  let doc: Document;
  try {
    doc = composeWithin(text, new LineCounter(), () => "");
    if (doc.errors.length > 0) return text;
    if (isScalar(doc.contents) || /^\s*[[{]/.test(text)) return doc.toJS() as unknown;
  } catch {
    return text;
  }
  return text; // `?`, `a: b`, `- x` would otherwise turn into maps and lists by surprise
}
