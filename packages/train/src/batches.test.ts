import { describe, expect, it } from "vitest";
import { collate, epochOrder, nextBatch, type BatchingConfig, type TokenRow } from "./batches.js";

const row = (ids: number[], mask: number[], pos?: number[]): TokenRow => ({
  inputIds: Int32Array.from(ids),
  lossMask: Uint8Array.from(mask),
  positionIds: Int32Array.from(pos ?? ids.map((_, i) => i)),
});

describe("batches", () => {
  const rows = [row([1, 2, 3], [0, 1, 1]), row([4, 5], [0, 1]), row([6, 7, 8, 9], [0, 0, 1, 1]), row([10], [1])];
  const cfg: BatchingConfig = { batchSize: 2, shuffle: true, seed: 3, padId: 0 };

  it("walks every row once per epoch, then rolls over", () => {
    let pos = { epoch: 0, cursor: 0 };
    const seen: number[] = [];
    for (let i = 0; i < 2; i++) {
      const { batch, next } = nextBatch(rows, pos, cfg);
      for (let b = 0; b < batch.batchSize; b++) seen.push(batch.inputIds[b * batch.seqLen]);
      pos = next;
    }
    expect(seen.sort((a, b) => a - b)).toEqual([1, 4, 6, 10]);
    const { next } = nextBatch(rows, pos, cfg);
    expect(next.epoch).toBe(1);
    expect(epochOrder(20, 0, cfg)).not.toEqual(epochOrder(20, 1, cfg));
    expect(epochOrder(20, 1, cfg)).toEqual(epochOrder(20, 1, { ...cfg }));
  });

  it("pads with mask 0 and counts targets only where a predecessor exists", () => {
    const b = collate([rows[0], rows[1]], 99);
    expect(b.seqLen).toBe(3);
    expect(Array.from(b.inputIds)).toEqual([1, 2, 3, 4, 5, 99]);
    expect(Array.from(b.lossMask)).toEqual([0, 1, 1, 0, 1, 0]);
    expect(b.targetTokens).toBe(3);
    // a packed row: two examples, the second starts at position 0 with mask 1 on its first token
    const packed = collate([row([1, 2, 3, 4], [0, 1, 1, 1], [0, 1, 0, 1])], 0);
    expect(packed.targetTokens).toBe(2);
  });

  it("batches by tokens when asked", () => {
    const { batch } = nextBatch(rows, { epoch: 0, cursor: 0 }, { ...cfg, shuffle: false, batchTokens: 6 });
    expect(batch.batchSize * batch.seqLen).toBeLessThanOrEqual(6);
    expect(batch.batchSize).toBe(2);
  });
});
