// No package's modules import each other in a circle (issue 16: kernels.ts ↔ elementwise.ts/gather.ts
// at run time, model.ts ↔ masks.ts and train's stage ↔ trainee by types): so it stays fixed.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { importCycles } from "../../scripts/import-cycles.mjs";

const packages = fileURLToPath(new URL("../../packages/", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "tooltune-cycles-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("the cycle finder", () => {
  const dirOf = (files: Record<string, string>) => {
    const dir = mkdtempSync(join(scratch, "src-"));
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(join(dir, name, ".."), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    return dir;
  };

  it.each([
    ["a run-time cycle", { "a.ts": 'import { b } from "./b.js";\n', "b.ts": 'import { a } from "./a.js";\n' }, [["a.ts", "b.ts"]]],
    ["a type-only, multi-line import closing a cycle", { "a.ts": 'import type {\n  B,\n} from "./b.js";\n', "b.ts": 'export { a } from "./a.js";\n' }, [["a.ts", "b.ts"]]],
    ["three modules through a sub-directory's index", { "a.ts": 'import "./sub/index.js";\n', "sub/index.ts": 'import { c } from "../c.js";\n', "c.ts": 'import { a } from "./a.js";\n' }, [["a.ts", "c.ts", "sub/index.ts"]]],
    ["a dynamic import (loading on use) is no cycle", { "a.ts": 'import { b } from "./b.js";\n', "b.ts": 'export const load = () => import("./a.js");\n' }, []],
    ["a chain is no cycle", { "a.ts": 'import { b } from "./b.js";\n', "b.ts": 'import { c } from "./c.js";\n', "c.ts": "export const c = 1;\n" }, []],
  ])("%s", (_what, files, cycles) => {
    expect(importCycles(dirOf(files))).toEqual(cycles);
  });
});

it.each(readdirSync(packages).filter((p) => readdirSync(join(packages, p)).includes("src")))("packages/%s/src has no import cycles", (pkg) => {
  expect(importCycles(join(packages, pkg, "src"))).toEqual([]);
});
