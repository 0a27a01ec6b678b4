import { describe, expect, it } from "vitest";
import { joinRow, padRow, planPacking, StreamingPacker, type Example, type SplitRow } from "./pack.js";

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

  it("places each example exactly where a scan of every open row would (the tree is only faster)", () => {
    const scan = (lens: number[], max: number): number[][] => {
      const order = lens.map((_, i) => i).sort((a, b) => lens[b] - lens[a] || a - b);
      const rows: number[][] = [];
      const free: number[] = [];
      for (const i of order) {
        let r = free.findIndex((f) => f >= lens[i]);
        if (r < 0) {
          r = rows.length;
          rows.push([]);
          free.push(max);
        }
        rows[r].push(i);
        free[r] -= lens[i];
      }
      return rows.map((row) => row.sort((a, b) => a - b));
    };
    for (const [n, max, seed] of [[1, 8, 1], [5000, 256, 2], [3000, 1024, 3], [777, 64, 4]]) {
      const lens = lengths(n, max, seed);
      expect(planPacking(lens, max)).toEqual(scan(lens, max));
    }
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

describe("StreamingPacker", () => {
  // 600 examples, every fifth in test, lengths 1..200.
  const lens = lengths(600, 200, 11);
  const examples = lens.map((n, i) => ({ example: example(i, n), split: i % 5 === 0 ? "test" : "train" }));
  async function packAll(windowTokens: number, pack = true): Promise<SplitRow[][]> {
    const emitted: SplitRow[][] = [];
    const packer = new StreamingPacker({ maxLength: 256, pack, padId: 0, windowTokens }, async (rows) => void emitted.push(rows));
    for (const { example: e, split } of examples) await packer.add(e, split);
    await packer.finish();
    expect(packer.rows).toBe(emitted.flat().length);
    return emitted;
  }
  const ofSplit = (split: string) => examples.filter((e) => e.split === split).map((e) => e.example);

  it("with every split inside one window, gives one planPacking per split, splits in order of first appearance", async () => {
    const rows = (await packAll(1 << 20)).flat();
    const expected = ["test", "train"].flatMap((split) => planPacking(ofSplit(split).map((e) => e.ids.length), 256).map((plan) => ({ ...joinRow(plan.map((i) => ofSplit(split)[i])), split })));
    expect(rows).toEqual(expected);
  });

  it("with small windows, holds at most a window per split and still places every example once, whole, in its split", async () => {
    const emitted = await packAll(5000);
    expect(emitted.length).toBeGreaterThan(10);
    const idsOf = new Map(examples.map(({ example: e, split }) => [e.id, { split, n: e.ids.length }]));
    const placed: string[] = [];
    for (const chunk of emitted) {
      expect(new Set(chunk.map((r) => r.split)).size).toBe(1);
      expect(chunk.reduce((n, r) => n + r.input_ids.length, 0)).toBeLessThanOrEqual(5000);
      for (const row of chunk) {
        expect(row.input_ids.length).toBeLessThanOrEqual(256);
        for (const id of row.id.split("+")) {
          expect(idsOf.get(id)?.split).toBe(row.split);
          placed.push(id);
        }
      }
    }
    expect(placed.sort()).toEqual(examples.map(({ example: e }) => e.id).sort());
    // The windows cost few rows: within 3% of packing each split whole.
    const whole = (await packAll(1 << 20)).flat().length;
    expect(emitted.flat().length).toBeLessThanOrEqual(Math.ceil(whole * 1.03));
  });

  it("pack: false writes one example per row, in input order within each split", async () => {
    const rows = (await packAll(5000, false)).flat();
    expect(rows.every((r) => r.n_examples === 1)).toBe(true);
    for (const split of ["train", "test"]) expect(rows.filter((r) => r.split === split).map((r) => r.id)).toEqual(ofSplit(split).map((e) => e.id));
  });
});
