/**
 * Checker parity with BFCL itself: `fixtures/bfcl_parity.jsonl.gz` holds ~19,000 correct and
 * mutated Python-call outputs of the shared BFCL half, each with the verdict and error_type that
 * BFCL's own decoder and `ast_checker.py` (gorilla 6ea5797) gave it (made by
 * `fixtures/make_bfcl_parity.py`). bfcl mode must agree on every one; strict mode must differ
 * only where its documented rules say.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { sharedData } from "@tooltune/core/shared-data";
import { gunzipSync } from "node:zlib";
import { z } from "zod";
import { loadBfclCategory, type BfclItem } from "./bfcl-data.js";
import { checkOutput, type CheckResult } from "./check.js";

const BFCL_DIR = sharedData("bfcl/");
// BFCL_PARITY_GOLDEN: another file from the generator, e.g. its exhaustive `--every` output.
const GOLDEN = process.env.BFCL_PARITY_GOLDEN ?? fileURLToPath(new URL("../fixtures/bfcl_parity.jsonl.gz", import.meta.url));

const Row = z.object({ c: z.string(), id: z.string(), k: z.string(), o: z.string(), v: z.boolean(), e: z.string().nullable() });
type Row = z.infer<typeof Row>;

const lines = gunzipSync(readFileSync(GOLDEN)).toString("utf8").split("\n").filter((l) => l.trim());
const meta = z.object({ meta: z.object({ gorilla_commit: z.string(), outputs: z.number() }) }).parse(JSON.parse(lines[0])).meta;
const rows: Row[] = lines.slice(1).map((l, i) => {
  const r = Row.safeParse(JSON.parse(l));
  if (!r.success) throw new Error(`${GOLDEN} line ${i + 2}: ${r.error.message}`);
  return r.data;
});

const items = new Map<string, BfclItem>();
for (const category of new Set(rows.map((r) => r.c))) {
  for (const item of loadBfclCategory(BFCL_DIR, category)) items.set(item.id, item);
}
const itemOf = (r: Row): BfclItem => {
  const item = items.get(r.id);
  if (!item) throw new Error(`golden row ${r.id}: no such row in ${BFCL_DIR}`);
  return item;
};

/** The error type a result reports: its reason up to the first ": " (null when it passes). */
const errorTypeOf = (r: CheckResult): string | null => (r.pass ? null : r.reason.slice(0, r.reason.indexOf(": ")));

const show = (r: Row, got: CheckResult) => `${r.c} ${r.id} [${r.k}] ${JSON.stringify(r.o)}: BFCL ${r.v} ${r.e ?? ""}, here ${got.pass} ${got.reason}`;

describe("parity with BFCL's ast_checker.py on the shared half", () => {
  it("the golden covers every category with ~19,000 outputs from the named commit", () => {
    expect(meta.gorilla_commit).toMatch(/^6ea5797/);
    expect(rows.length).toBe(meta.outputs);
    expect(rows.length).toBeGreaterThan(18_000);
    expect(new Set(rows.map((r) => r.c)).size).toBe(10);
    // Both verdicts well represented, or agreement would say little.
    const valid = rows.filter((r) => r.v).length;
    expect(valid).toBeGreaterThan(rows.length * 0.25);
    expect(valid).toBeLessThan(rows.length * 0.75);
  });

  it("bfcl mode gives BFCL's verdict and error_type on every output", () => {
    const verdictOff: string[] = [];
    const typeOff: string[] = [];
    const perCategory = new Map<string, { n: number; valid: number }>();
    for (const r of rows) {
      const got = checkOutput(itemOf(r), r.o, "bfcl");
      if (got.pass !== r.v) verdictOff.push(show(r, got));
      else if (errorTypeOf(got) !== r.e) typeOff.push(show(r, got));
      const c = perCategory.get(r.c) ?? { n: 0, valid: 0 };
      c.n++;
      c.valid += Number(r.v);
      perCategory.set(r.c, c);
    }
    const summary = [...perCategory].map(([c, { n, valid }]) => `${c} ${n} (${valid} valid)`).join(", ");
    console.log(`bfcl parity: ${rows.length} outputs, ${rows.length - verdictOff.length} same verdict, ${rows.length - verdictOff.length - typeOff.length} same verdict and error_type; ${summary}`);
    expect(verdictOff.slice(0, 20)).toEqual([]);
    expect(typeOff.slice(0, 20)).toEqual([]);
  });

  it("strict mode differs from BFCL only by optimal parallel matching and malformed calls on irrelevance rows", () => {
    let strictOnly = 0;
    let malformedAbstentions = 0;
    const off: string[] = [];
    for (const r of rows) {
      const got = checkOutput(itemOf(r), r.o, "strict");
      if (got.pass === r.v) continue;
      if (r.c.includes("irrelevance") && r.v && got.parse_status === "malformed_call") malformedAbstentions++;
      // A greedy matching that fails can leave a perfect matching that the optimal one finds.
      else if (r.c.includes("parallel") && !r.v && got.pass && r.e === "parallel_function_checker_no_order:cannot_find_match") strictOnly++;
      else off.push(show(r, got));
    }
    console.log(`strict vs BFCL: ${strictOnly} parallel outputs pass only by optimal matching, ${malformedAbstentions} malformed calls on irrelevance rows fail only in strict`);
    expect(off.slice(0, 20)).toEqual([]);
    // Both differences occur in the golden, so this test shows them and would catch their loss.
    expect(strictOnly).toBeGreaterThan(0);
    expect(malformedAbstentions).toBeGreaterThan(0);
  });
});
