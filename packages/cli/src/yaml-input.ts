// What people write: YAML files (pipelines, --params files) and key=value flags (--set, --param).
// Both readers report errors where the text is: `file:line:col`, or the flag that wrote the value.
import { readFile } from "node:fs/promises";
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml";
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

/** Parse YAML text; a syntax error is a CONFIG error at its `file:line:col`. */
export function parseYaml(text: string, file: string): { value: unknown; locator: Locator } {
  const lines = new LineCounter();
  // The yaml library throws its own errors for some input (ReferenceError for an undefined alias
  // `*a`, RangeError for YAML nested thousands deep, both found by the fuzzer): bad input either way.
  const unreadable = (cause: unknown) =>
    new TooltuneError("CONFIG", `invalid YAML: ${(cause as Error).message.split("\n")[0]}`, { where: file, fix: "fix the YAML there (aliases must be defined; nesting a few levels deep)", cause });
  let doc: Document;
  try {
    doc = parseDocument(text, { lineCounter: lines });
  } catch (cause) {
    throw unreadable(cause);
  }
  const error = doc.errors[0];
  if (error) {
    const pos = error.linePos?.[0];
    const where = pos ? `${file}:${pos.line}:${pos.col}` : file;
    throw new TooltuneError("CONFIG", `invalid YAML: ${error.message.split("\n")[0]}`, { where, fix: "fix the YAML syntax there" });
  }
  let value: unknown;
  try {
    value = doc.toJS();
  } catch (cause) {
    throw unreadable(cause);
  }
  return { value, locator: yamlLocator(file, doc, lines) };
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
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return text;
  if (isScalar(doc.contents) || /^\s*[[{]/.test(text)) return doc.toJS() as unknown;
  return text; // `?`, `a: b`, `- x` would otherwise turn into maps and lists by surprise
}
