import { describe, expect, it } from "vitest";
import { BFCL_CATEGORIES, groundTruthToPython, loadBfcl, loadBfclCategory } from "./bfcl-data.js";
import { scoreOutputs } from "./score.js";
import { sharedData } from "@tooltune/core/shared-data";

const BFCL_DIR = sharedData("bfcl", "/");

describe("scoreOutputs on BFCL files", () => {
  const answers = BFCL_CATEGORIES.flatMap((c) => loadBfclCategory(BFCL_DIR, c));

  it("gives BFCL's numbers: ground-truth outputs score 100% but for the four unsatisfiable rows", () => {
    // BFCL result-file lines; irrelevance rows answer in prose.
    const outputs = answers.map((a) => ({ id: a.id, result: a.answers.length ? groundTruthToPython(a) : "No function fits." }));
    const s = scoreOutputs(outputs, answers, "bfcl");
    expect(s.missing).toEqual([]);
    expect(s.metrics.by_category.live_simple.accuracy).toBeCloseTo(127 / 129);
    expect(s.metrics.by_category.live_multiple.accuracy).toBeCloseTo(525 / 527);
    expect(s.metrics.by_category.simple_python.accuracy).toBe(1);
    expect(s.metrics.bfcl!.non_live).toBe(1);
    expect(s.metrics.bfcl!.live).toBeCloseTo((127 + 525 + 8 + 12) / (129 + 527 + 8 + 12));
    expect(s.metrics.bfcl!.irrelevance).toBe(1);
  });

  it("loads BFCL items from a folder, a question file or an answer file", () => {
    expect(loadBfcl(BFCL_DIR).map((i) => i.id).sort()).toEqual(answers.map((i) => i.id).sort());
    const fromAnswers = loadBfcl(`${BFCL_DIR}possible_answer/BFCL_v4_parallel.json`);
    expect(fromAnswers.map((i) => i.id)).toEqual(loadBfcl(`${BFCL_DIR}BFCL_v4_parallel.json`).map((i) => i.id));
    expect(fromAnswers[0]).toMatchObject({ category: "parallel", id: "parallel_0" });
    expect(fromAnswers[0].functions.length).toBeGreaterThan(0);
  });

  it("counts a missing output as a failure and ignores unknown ids; raw JSONL generations work the same", () => {
    const simple = answers.filter((a) => a.category === "simple_python").slice(0, 4);
    const outputs = [
      { id: simple[0].id, output: `<tool_call>\n${JSON.stringify({ name: "nope", arguments: {} })}\n</tool_call>` },
      { id: simple[1].id, output: groundTruthToPython(simple[1]) },
      { id: simple[2].id, result: [groundTruthToPython(simple[2])] },
      { id: "not_a_row", output: "x" },
    ];
    const s = scoreOutputs(outputs, simple, "strict");
    expect(s.rows.map((r) => r.pass)).toEqual([false, true, true, false]);
    expect(s.missing).toEqual([simple[3].id]);
    expect(s.unknown).toEqual(["not_a_row"]);
    expect(s.metrics.overall.full_call_accuracy).toBe(0.5);
  });
});
