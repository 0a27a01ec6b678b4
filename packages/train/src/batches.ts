import { Rng, mixSeed } from "./rng.js";

/** One example row of a tokens dataset, as train keeps it in memory. */
export interface TokenRow {
  inputIds: Int32Array;
  lossMask: Uint8Array;
  positionIds: Int32Array;
}

/** A micro-batch, padded to the longest row: [B, T] flattened row-major. */
export interface Batch {
  batchSize: number;
  seqLen: number;
  inputIds: Int32Array;
  lossMask: Uint8Array;
  positionIds: Int32Array;
  /** Number of target tokens (mask = 1): the loss is summed over these. */
  targetTokens: number;
}

/** Where the data stream is: enough to resume exactly (the order of an epoch is a function of seed and epoch). */
export interface DataPosition {
  epoch: number;
  /** Index into the epoch's shuffled order of the next row to read. */
  cursor: number;
}

export interface BatchingConfig {
  /** Rows per micro-batch, or … */
  batchSize: number;
  /** … when set, rows are added to a micro-batch until it would hold more than this many (padded) tokens. */
  batchTokens?: number;
  shuffle: boolean;
  seed: number;
  padId: number;
}

/** The row order of an epoch: a seeded shuffle, the same in a resumed run. */
export function epochOrder(rows: number, epoch: number, cfg: BatchingConfig): number[] {
  const order = Array.from({ length: rows }, (_, i) => i);
  return cfg.shuffle ? new Rng(mixSeed(cfg.seed, epoch)).shuffle(order) : order;
}

/**
 * The next micro-batch from `pos`, and the position after it. Epochs roll over; a micro-batch never
 * spans two epochs.
 */
export function nextBatch(rows: TokenRow[], pos: DataPosition, cfg: BatchingConfig): { batch: Batch; next: DataPosition } {
  let { epoch, cursor } = pos;
  if (cursor >= rows.length) {
    epoch += 1;
    cursor = 0;
  }
  const order = epochOrder(rows.length, epoch, cfg);
  const picked: TokenRow[] = [];
  let longest = 0;
  while (cursor < rows.length) {
    const row = rows[order[cursor]];
    const len = Math.max(longest, row.inputIds.length);
    const full = cfg.batchTokens !== undefined ? picked.length > 0 && len * (picked.length + 1) > cfg.batchTokens : picked.length >= cfg.batchSize;
    if (full) break;
    picked.push(row);
    longest = len;
    cursor += 1;
  }
  return { batch: collate(picked, cfg.padId), next: { epoch, cursor } };
}

/** Pad rows to the longest; padding has mask 0 and position 0 (its own segment, so it attends only to itself). */
export function collate(rows: TokenRow[], padId: number): Batch {
  const seqLen = Math.max(...rows.map((r) => r.inputIds.length));
  const n = rows.length * seqLen;
  const inputIds = new Int32Array(n).fill(padId);
  const lossMask = new Uint8Array(n);
  const positionIds = new Int32Array(n);
  let targetTokens = 0;
  rows.forEach((r, b) => {
    inputIds.set(r.inputIds, b * seqLen);
    lossMask.set(r.lossMask, b * seqLen);
    positionIds.set(r.positionIds, b * seqLen);
    for (let t = 0; t < r.lossMask.length; t++) targetTokens += countsAsTarget(r, t);
  });
  return { batchSize: rows.length, seqLen, inputIds, lossMask, positionIds, targetTokens };
}

/**
 * Token t is a target when its mask is 1 and it has a predecessor in the same example (the first
 * token of an example is never predicted: position 0 has nothing before it).
 */
function countsAsTarget(r: TokenRow, t: number): number {
  return r.lossMask[t] === 1 && t > 0 && r.positionIds[t] !== 0 ? 1 : 0;
}
