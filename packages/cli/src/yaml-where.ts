import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from "yaml";

/** Maps a path in the parsed YAML back to `file:line:col`, so every error points at the text. */
export interface Locator {
  /** Where the value at `path` is; with `key`, where that key of the map at `path` is written. */
  where(path: readonly PropertyKey[], key?: string): string;
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
