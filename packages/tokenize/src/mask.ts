/**
 * Loss masks from `formatted` train spans.
 *
 * Convention (shared with train): `loss_mask[t] = 1` means token t is a *target* — the loss
 * compares the prediction made at position t-1 with input_ids[t]; train does the shift. The first
 * token of an example is never a target (nothing in its example comes before it).
 *
 * Straddling rule: a token is a target when its characters overlap a train span by at least one
 * UTF-16 unit. A token crossing a span edge (e.g. BPE merging the last prompt character with the
 * first reply character) is therefore trained: every character of the reply — including its
 * end-of-turn marker — is produced by some target token, at the cost of at most one token at each
 * edge that also covers prompt text. Dropping it instead would leave the reply's first or last
 * characters untrained, and the model would never learn to emit them.
 */
export interface MaskSpan {
  start: number;
  end: number;
  train: boolean;
}

/** Reason a span list cannot be used with `text`, or undefined when it is valid. */
export function checkSpans(spans: MaskSpan[], textLength: number): string | undefined {
  for (const [i, s] of spans.entries()) {
    if (!Number.isInteger(s.start) || !Number.isInteger(s.end) || s.start < 0 || s.end < s.start || s.end > textLength) {
      return `span ${i} [${s.start}, ${s.end}) is not inside the text (length ${textLength})`;
    }
  }
  return undefined;
}

/**
 * `offsets` holds [start, end) per token at 2t, 2t+1 (UTF-16 units, as `encodeWithOffsets` gives).
 * Tokens with an empty range cover no character and are never targets.
 */
export function lossMask(offsets: Int32Array, spans: MaskSpan[], textLength: number): Uint8Array {
  // trainedBefore[u] = number of trained UTF-16 units before u: overlap test in O(1) per token.
  const trainedBefore = new Int32Array(textLength + 1);
  const trained = new Uint8Array(textLength);
  for (const s of spans) if (s.train) trained.fill(1, s.start, s.end);
  for (let u = 0; u < textLength; u++) trainedBefore[u + 1] = trainedBefore[u] + trained[u];
  const n = offsets.length / 2;
  const mask = new Uint8Array(n);
  for (let t = 0; t < n; t++) {
    const start = Math.min(offsets[2 * t], textLength);
    const end = Math.min(offsets[2 * t + 1], textLength);
    mask[t] = trainedBefore[end] - trainedBefore[start] > 0 ? 1 : 0;
  }
  if (n > 0) mask[0] = 0;
  return mask;
}
