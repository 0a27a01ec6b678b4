import { describe, expect, it } from "vitest";
import { computeMetrics, metricsOf, type ScoredRow } from "./metrics.js";

const row = (category: string, over: Partial<ScoredRow>): ScoredRow => ({
  category, parse_status: "valid_call", name_ok: true, args_ok: true, pass: true, expects_call: true, think: false, ...over,
});

describe("metricsOf", () => {
  it("counts each rate over the rows it is defined on", () => {
    const m = metricsOf([
      row("simple", { think: true }),
      row("simple", { args_ok: false, pass: false }),
      row("simple", { name_ok: false, args_ok: false, pass: false }),
      row("simple", { parse_status: "malformed_call", name_ok: false, args_ok: false, pass: false }),
      row("no_call", { expects_call: false, parse_status: "no_call" }),
      row("no_call", { expects_call: false, parse_status: "malformed_call", think: true }),
      row("no_call", { expects_call: false, pass: false, name_ok: false, args_ok: false }),
    ]);
    expect(m.rows).toBe(7);
    expect(m.accuracy).toBeCloseTo(3 / 7);
    expect(m.parse_rate).toBeCloseTo(5 / 7);
    expect(m.name_accuracy).toBeCloseTo(2 / 4);
    expect(m.argument_accuracy).toBeCloseTo(1 / 2);
    expect(m.full_call_accuracy).toBeCloseTo(1 / 4);
    expect(m.irrelevance_accuracy).toBeCloseTo(2 / 3);
    expect(m.think_rate).toBeCloseTo(2 / 7);
    expect(m.malformed_abstentions).toBe(1);
  });

  it("gives null for rates with no rows to count", () => {
    const m = metricsOf([row("no_call", { expects_call: false })]);
    expect([m.name_accuracy, m.argument_accuracy, m.full_call_accuracy]).toEqual([null, null, null]);
    expect(metricsOf([row("simple", {})]).irrelevance_accuracy).toBeNull();
  });
});

describe("BFCL aggregation (CHECKER.md)", () => {
  const rows = (category: string, passed: number, total: number) =>
    Array.from({ length: total }, (_, i) => row(category, { pass: i < passed, expects_call: !category.includes("irrelevance") }));
  it("non-live is an unweighted mean, live a row-weighted one, irrelevance an unweighted mean", () => {
    const r = computeMetrics([
      ...rows("simple_python", 10, 10), ...rows("multiple", 0, 2), ...rows("parallel", 1, 2), ...rows("parallel_multiple", 1, 4),
      ...rows("live_simple", 3, 4), ...rows("live_multiple", 1, 12),
      ...rows("irrelevance", 1, 1), ...rows("live_irrelevance", 0, 9),
    ], { bfcl: true });
    expect(r.bfcl!.non_live).toBeCloseTo((1 + 0 + 0.5 + 0.25) / 4);
    expect(r.bfcl!.live).toBeCloseTo((3 + 1) / 16);
    expect(r.bfcl!.irrelevance).toBeCloseTo((1 + 0) / 2);
    expect(Object.keys(r.by_category)).toHaveLength(8);
    expect(r.by_category.parallel_multiple.accuracy).toBe(0.25);
  });
});
