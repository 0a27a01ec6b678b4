import { describe, expect, it } from "vitest";
import { lrAt, warmupStepsFrom, type Schedule } from "./schedule.js";

describe("lrAt", () => {
  const cos: Schedule = { kind: "cosine", lr: 1e-4, warmupSteps: 10, totalSteps: 110 };
  it.each([
    // [step, expected] — transformers' get_cosine_schedule_with_warmup values for these settings
    [0, 0],
    [5, 0.5e-4],
    [10, 1e-4],
    [60, 0.5e-4],
    [110, 0],
  ])("cosine step %i → %f", (step, expected) => expect(lrAt(step, cos)).toBeCloseTo(expected, 12));

  it("linear decays to zero, constant stays", () => {
    const lin: Schedule = { kind: "linear", lr: 2, warmupSteps: 0, totalSteps: 4 };
    expect([0, 1, 2, 3, 4].map((s) => lrAt(s, lin))).toEqual([2, 1.5, 1, 0.5, 0]);
    const c: Schedule = { kind: "constant", lr: 3, warmupSteps: 2, totalSteps: 10 };
    expect([0, 1, 2, 9].map((s) => lrAt(s, c))).toEqual([0, 1.5, 3, 3]);
  });

  it("warmup ratio rounds up like transformers", () => {
    expect(warmupStepsFrom(25, { ratio: 0.1 })).toBe(3);
    expect(warmupStepsFrom(25, { ratio: 0.1, steps: 7 })).toBe(7);
  });
});
