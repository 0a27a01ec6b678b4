/**
 * Packing (as TRL's SFTConfig `packing=True`, the course's setting): whole examples are placed into
 * rows of at most `maxLength` tokens, and `position_ids` restart at 0 for each example, which is
 * how the model keeps examples from attending to each other. No example is ever split: examples
 * longer than `maxLength` were already truncated or dropped before packing.
 */
export interface Example {
  id: string;
  ids: Int32Array;
  mask: Uint8Array;
}

export interface PackedRow {
  id: string;
  input_ids: Int32Array;
  loss_mask: Uint8Array;
  position_ids: Int32Array;
  n_examples: number;
}

/**
 * Which examples go into which row: first-fit over lengths in decreasing order (ties keep input
 * order), a pure function so the same lengths always give the same rows. First-fit decreasing fills
 * rows far better than next-fit on chat data whose lengths vary a lot. The first row with room is
 * found in a tree of free space (O(log rows) per example, not a scan of every open row).
 */
export function planPacking(lengths: number[], maxLength: number): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[b] - lengths[a] || a - b);
  const rows: number[][] = [];
  const free = new FreeSpace(lengths.length, maxLength);
  for (const i of order) {
    if (lengths[i] > maxLength) throw new Error(`example ${i} has ${lengths[i]} tokens > max_length ${maxLength}`);
    const r = free.take(lengths[i]);
    (rows[r] ??= []).push(i);
  }
  // Within a row, examples keep their input order: easier to read when debugging.
  return rows.map((row) => row.sort((a, b) => a - b));
}

/**
 * Free tokens of rows 0…n-1 in a max-tree. Rows not opened yet have all `maxLength` free, and
 * rows open left to right, so the leftmost row with room is exactly what a scan of the open rows
 * (then a new row) would pick.
 */
class FreeSpace {
  private readonly size: number;
  private readonly tree: Int32Array;

  constructor(rows: number, maxLength: number) {
    this.size = 1 << Math.ceil(Math.log2(Math.max(1, rows)));
    this.tree = new Int32Array(2 * this.size).fill(maxLength);
  }

  /** Index of the first row with at least `length` free, which loses that much. */
  take(length: number): number {
    let node = 1;
    while (node < this.size) node = this.tree[2 * node] >= length ? 2 * node : 2 * node + 1;
    this.tree[node] -= length;
    for (let up = node >> 1; up >= 1; up >>= 1) this.tree[up] = Math.max(this.tree[2 * up], this.tree[2 * up + 1]);
    return node - this.size;
  }
}

/**
 * Tokens a split's packing window holds before it is packed and written. Why a window: packing the
 * whole corpus at once holds every example in memory; a window holds ~5 bytes a token (ids and
 * mask), 40 MB here, whatever the corpus size. Why this many: the quickstart's and pretrain's
 * splits (at most 4.6 M tokens) fit in one window, so their rows are those of one planPacking over
 * the whole split, as before windows existed. A window's last rows may be emptier than packing the
 * whole split would leave them (pack.test.ts bounds that at 3% of rows with windows of 5,000 tokens).
 */
export const PACK_WINDOW_TOKENS = 8 << 20;

export type SplitRow = PackedRow & { split: string };

const EMIT_ROWS = 512;

export interface PackerOptions {
  maxLength: number;
  /** false: one example per row. */
  pack: boolean;
  /** Pad every row to this length (padRow). */
  padTo?: number;
  padId: number;
  windowTokens?: number;
}

/**
 * Rows made as examples stream in. Each split has its own window (train and test never share a
 * row); when a split's window would overflow, its examples are packed (planPacking) and their rows
 * handed to `emit`; `finish` packs what is left, splits in order of first appearance. A corpus
 * whose splits each fit in one window gets the rows of one planPacking per split, in that order.
 */
export class StreamingPacker {
  private readonly windows = new Map<string, { examples: Example[]; tokens: number }>();
  private readonly windowTokens: number;
  rows = 0;

  constructor(private readonly options: PackerOptions, private readonly emit: (rows: SplitRow[]) => Promise<void>) {
    this.windowTokens = options.windowTokens ?? PACK_WINDOW_TOKENS;
  }

  async add(example: Example, split: string): Promise<void> {
    let window = this.windows.get(split);
    if (!window) this.windows.set(split, (window = { examples: [], tokens: 0 }));
    if (window.examples.length > 0 && window.tokens + example.ids.length > this.windowTokens) await this.flush(split, window);
    window.examples.push(example);
    window.tokens += example.ids.length;
  }

  async finish(): Promise<void> {
    for (const [split, window] of this.windows) await this.flush(split, window);
  }

  private async flush(split: string, window: { examples: Example[]; tokens: number }): Promise<void> {
    const { examples } = window;
    window.examples = [];
    window.tokens = 0;
    const { maxLength, pack, padTo, padId } = this.options;
    const plans = pack ? planPacking(examples.map((e) => e.ids.length), maxLength) : examples.map((_, i) => [i]);
    // Rows are made and handed on EMIT_ROWS at a time: the writer turns each full row group into
    // Parquet as it goes, so a window's rows never all exist at once next to a row group's.
    for (let start = 0; start < plans.length; start += EMIT_ROWS) {
      const rows = plans.slice(start, start + EMIT_ROWS).map((plan): SplitRow => {
        const row = joinRow(plan.map((i) => examples[i]));
        return { ...(padTo ? padRow(row, padTo, padId) : row), split };
      });
      this.rows += rows.length;
      await this.emit(rows);
    }
  }
}

/** Concatenate examples into one row; positions restart at 0 at each example. */
export function joinRow(examples: Example[]): PackedRow {
  const length = examples.reduce((n, e) => n + e.ids.length, 0);
  const row: PackedRow = {
    id: examples.map((e) => e.id).join("+"),
    input_ids: new Int32Array(length),
    loss_mask: new Uint8Array(length),
    position_ids: new Int32Array(length),
    n_examples: examples.length,
  };
  let at = 0;
  for (const e of examples) {
    row.input_ids.set(e.ids, at);
    row.loss_mask.set(e.mask, at);
    for (let p = 0; p < e.ids.length; p++) row.position_ids[at + p] = p;
    at += e.ids.length;
  }
  return row;
}

/**
 * Pad a row to `padTo` with `padId` and mask 0. Padding positions keep counting from the last
 * example's: padding comes after it, so causal attention never lets a real token see padding.
 */
export function padRow(row: PackedRow, padTo: number, padId: number): PackedRow {
  const n = row.input_ids.length;
  if (n >= padTo) return row;
  const input_ids = new Int32Array(padTo).fill(padId);
  input_ids.set(row.input_ids);
  const loss_mask = new Uint8Array(padTo);
  loss_mask.set(row.loss_mask);
  const position_ids = new Int32Array(padTo);
  position_ids.set(row.position_ids);
  for (let t = n; t < padTo; t++) position_ids[t] = t > 0 ? position_ids[t - 1] + 1 : 0;
  return { ...row, input_ids, loss_mask, position_ids };
}
