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
 * rows far better than next-fit on chat data whose lengths vary a lot.
 */
export function planPacking(lengths: number[], maxLength: number): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[b] - lengths[a] || a - b);
  const rows: number[][] = [];
  const free: number[] = [];
  for (const i of order) {
    if (lengths[i] > maxLength) throw new Error(`example ${i} has ${lengths[i]} tokens > max_length ${maxLength}`);
    let r = free.findIndex((f) => f >= lengths[i]);
    if (r < 0) {
      r = rows.length;
      rows.push([]);
      free.push(maxLength);
    }
    rows[r].push(i);
    free[r] -= lengths[i];
  }
  // Within a row, examples keep their input order: easier to read when debugging.
  return rows.map((row) => row.sort((a, b) => a - b));
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
