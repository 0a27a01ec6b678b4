import { describe, expect, it } from "vitest";
import { joinRow, padRow, planPacking, type Example } from "./pack.js";

/** Deterministic example lengths between 1 and max (a small LCG: no test randomness). */
function lengths(n: number, max: number, seed = 7): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return 1 + (s % max);
  });
}

function example(i: number, length: number): Example {
  return {
    id: `ex${i}`,
    ids: Int32Array.from({ length }, (_, t) => i * 1000 + t),
    mask: Uint8Array.from({ length }, (_, t) => (t + i) % 3 === 0 ? 1 : 0),
  };
}

describe("planPacking", () => {
  it("puts every example in exactly one row, whole, and never over max_length", () => {
    const lens = lengths(300, 512);
    const rows = planPacking(lens, 512);
    const seen = rows.flat().sort((a, b) => a - b);
    expect(seen).toEqual(lens.map((_, i) => i));
    for (const row of rows) expect(row.reduce((n, i) => n + lens[i], 0)).toBeLessThanOrEqual(512);
  });

  it("fills rows well on varied lengths (first-fit decreasing)", () => {
    const lens = lengths(300, 300);
    const rows = planPacking(lens, 512);
    const total = lens.reduce((a, b) => a + b, 0);
    // A lower bound on rows is ceil(total/512); FFD stays within a few rows of it here.
    expect(rows.length).toBeLessThanOrEqual(Math.ceil(total / 512) + 3);
  });

  it("is a pure function of the lengths", () => {
    const lens = lengths(50, 100, 3);
    expect(planPacking(lens, 128)).toEqual(planPacking([...lens], 128));
  });

  it("refuses an example longer than max_length instead of splitting it", () => {
    expect(() => planPacking([10, 600], 512)).toThrow(/600 tokens > max_length 512/);
  });
});

describe("joinRow", () => {
  it("restarts positions at 0 per example and keeps ids and masks aligned", () => {
    const exs = [example(1, 5), example(2, 3), example(3, 4)];
    const row = joinRow(exs);
    expect(row.n_examples).toBe(3);
    expect(row.id).toBe("ex1+ex2+ex3");
    expect(Array.from(row.position_ids)).toEqual([0, 1, 2, 3, 4, 0, 1, 2, 0, 1, 2, 3]);
    let at = 0;
    for (const e of exs) {
      expect(Array.from(row.input_ids.subarray(at, at + e.ids.length))).toEqual(Array.from(e.ids));
      expect(Array.from(row.loss_mask.subarray(at, at + e.ids.length))).toEqual(Array.from(e.mask));
      at += e.ids.length;
    }
  });
});

describe("padRow", () => {
  it("pads with pad id and mask 0, positions counting on; leaves full rows alone", () => {
    const row = joinRow([example(4, 2), example(5, 2)]);
    const padded = padRow(row, 6, 99);
    expect(Array.from(padded.input_ids)).toEqual([4000, 4001, 5000, 5001, 99, 99]);
    expect(Array.from(padded.loss_mask)).toEqual([...Array.from(row.loss_mask), 0, 0]);
    expect(Array.from(padded.position_ids)).toEqual([0, 1, 0, 1, 2, 3]);
    expect(padded.n_examples).toBe(2);
    expect(padRow(row, 4, 99)).toBe(row);
  });
});
