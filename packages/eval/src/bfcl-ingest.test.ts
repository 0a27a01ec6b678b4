import { describe, expect, it } from "vitest";
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { ingestRecord, toRow } from "@tooltune/format";
import { BFCL_CATEGORIES, groundTruthToPython, loadBfclCategory } from "./bfcl-data.js";
import { checkOutput } from "./check.js";
import { itemsFromRow } from "./items.js";
import { sharedData } from "@tooltune/core/shared-data";

const BFCL_DIR = sharedData("bfcl", "/");
const lines = (f: string) => readFileSync(f, "utf8").split("\n").filter((l) => l.trim());

// The path the eval stage takes: BFCL files → format's ingest (meta.possible_answer) → items.
describe("BFCL rows through format's ingest", () => {
  it.each(BFCL_CATEGORIES)("%s: one item per row, and ground-truth outputs pass as with the files", (category) => {
    const answerFile = join(BFCL_DIR, "possible_answer", `BFCL_v4_${category}.json`);
    const answers = existsSync(answerFile) ? new Map(lines(answerFile).map((l) => { const r = JSON.parse(l); return [r.id, r.ground_truth]; })) : undefined;
    const rows = lines(join(BFCL_DIR, `BFCL_v4_${category}.json`)).map((l, i) => {
      const r = ingestRecord(JSON.parse(l), "bfcl", { source: `${category}:${i}`, answers }, { seed: 1, testFraction: 0.1 });
      if (!("conv" in r)) throw new Error(JSON.stringify(r.problem));
      return toRow(r.conv);
    });
    const items = rows.flatMap(itemsFromRow);
    const exact = new Map(loadBfclCategory(BFCL_DIR, category).map((i) => [i.id, i]));
    expect(items.map((i) => i.category)).toEqual(rows.map(() => category));
    expect(items.map((i) => i.id).sort()).toEqual([...exact.keys()].sort());
    const verdicts = items.map((item) => {
      const output = item.answers.length ? groundTruthToPython(exact.get(item.id)!) : "No function fits.";
      return [item.id, checkOutput(item, output, "bfcl").pass, checkOutput(exact.get(item.id)!, output, "bfcl").pass];
    });
    expect(verdicts.filter(([, viaIngest, viaFiles]) => viaIngest !== viaFiles)).toEqual([]);
    expect(rows.every((r) => r.split === "test")).toBe(true);
  });
});
