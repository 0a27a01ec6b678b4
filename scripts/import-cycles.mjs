#!/usr/bin/env node
// `node scripts/import-cycles.mjs [packages/NAME …]`: import cycles among each package's src/
// modules, type-only imports included (a cycle of types still ties two modules into one), dynamic
// `import()` left out (loading on use is how the CLI stays light). No nx graph or madge: a module's
// relative `import … from` / `export … from` specifiers are all that is read. Exits 1 on a cycle.
// tests/src/import-cycles.test.ts runs it on every package.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

// `import x from "./a.js"`, `import type { T } from "./a.js"`, `export { y } from "./a.js"`, `import "./a.js"`.
// A static import statement starts its line; `import(` (dynamic) never matches.
const STATIC = /^\s*(?:import|export)\s(?:[^;"'`]*?\sfrom\s)?["'](\.{1,2}\/[^"']+)["']/gm;

/** Every .ts module under `dir` (tests included: they may not close cycles either). */
function modules(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|mts)$/.test(e.name) && !e.name.endsWith(".d.ts"))
    .map((e) => join(e.parentPath, e.name));
}

/** The module a relative specifier names: `./a.js` is `a.ts` in the sources. */
function target(from, spec) {
  const path = resolve(dirname(from), spec);
  for (const candidate of [path.replace(/\.m?js$/, ".ts"), path, `${path}.ts`, join(path, "index.ts")]) if (existsSync(candidate) && candidate.endsWith(".ts")) return candidate;
  return undefined;
}

/** The import graph of `srcDir`: module → the modules it imports statically. */
export function importGraph(srcDir) {
  const graph = new Map();
  for (const file of modules(srcDir)) {
    const text = readFileSync(file, "utf8");
    const deps = new Set();
    for (const m of text.matchAll(STATIC)) {
      const t = target(file, m[1]);
      if (t) deps.add(t);
    }
    graph.set(file, deps);
  }
  return graph;
}

/** Each cycle once, as module paths relative to `srcDir` (strongly connected components of size > 1, or a self-import). */
export function importCycles(srcDir) {
  const graph = importGraph(srcDir);
  // Tarjan's strongly connected components.
  let index = 0;
  const stack = [];
  const info = new Map();
  const cycles = [];
  const visit = (v) => {
    info.set(v, { index, low: index, onStack: true });
    index++;
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!info.has(w)) {
        visit(w);
        info.get(v).low = Math.min(info.get(v).low, info.get(w).low);
      } else if (info.get(w).onStack) info.get(v).low = Math.min(info.get(v).low, info.get(w).index);
    }
    if (info.get(v).low !== info.get(v).index) return;
    const component = [];
    let w;
    do {
      w = stack.pop();
      info.get(w).onStack = false;
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || graph.get(v).has(v)) cycles.push(component.map((f) => relative(srcDir, f)).sort());
  };
  for (const v of graph.keys()) if (!info.has(v)) visit(v);
  return cycles;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL("../", import.meta.url));
  const pkgs = process.argv.slice(2).length ? process.argv.slice(2) : readdirSync(join(root, "packages")).map((p) => join("packages", p));
  let found = 0;
  for (const pkg of pkgs) {
    const src = join(root, pkg, "src");
    if (!existsSync(src)) continue;
    for (const cycle of importCycles(src)) {
      found++;
      console.log(`${pkg}: ${cycle.join(" ↔ ")}`);
    }
  }
  if (found === 0) console.log("no import cycles");
  process.exit(found ? 1 : 0);
}
