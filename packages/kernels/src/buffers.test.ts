// The output pool recycles blocks by size class. With exact sizes, a LoRA run on unpacked rows
// (batch length changing every step) cached blocks of sizes never asked for again and grew by
// ~100 MB a step until the machine swapped; classes keep the set of sizes small.
import { describe, expect, it } from "vitest";
import { loadAddon } from "./addon.js";

const loaded = loadAddon();

describe.skipIf(!loaded.ok)("output pool size classes", () => {
  const sizeClass = (bytes: number) => (loaded.ok ? loaded.addon.poolSizeClass(bytes) : 0);

  it("gives at least what was asked, 64-byte aligned, at most 25% more", () => {
    for (const bytes of [1, 63, 64, 65, 256, 257, 1000, 4096, 12_345, 65_536, 1 << 20, 3_000_001, 33_554_433, 2 ** 31 + 7]) {
      const c = sizeClass(bytes);
      expect(c, String(bytes)).toBeGreaterThanOrEqual(bytes);
      expect(c % 64, String(bytes)).toBe(0);
      expect(c, String(bytes)).toBeLessThanOrEqual(Math.max(256, 1.25 * bytes));
    }
  });

  it("maps every size of an octave to at most five classes (its start and four steps of a quarter), so drifting batch lengths reuse blocks", () => {
    for (const octave of [4096, 1 << 20, 1 << 26]) {
      const classes = new Set<number>();
      for (let bytes = octave; bytes < 2 * octave; bytes += 4 * 97) classes.add(sizeClass(bytes));
      expect(classes.size, String(octave)).toBeLessThanOrEqual(5);
    }
  });
});
