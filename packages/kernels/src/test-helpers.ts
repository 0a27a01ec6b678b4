// Helpers shared by the tests: seeded random data and a norm-wise relative error.
export function random(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5; // xorshift32
    out[i] = (s >>> 0) / 2 ** 32 - 0.5;
  }
  return out;
}

/** max |got - want| / max |want|: element-wise ratios blow up where sums cancel to ~0. */
export function relError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  if (got.length !== want.length) throw new Error(`length ${got.length} != ${want.length}`);
  let diff = 0, scale = 0;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  return Number.isNaN(diff) ? Infinity : diff / (scale || 1); // Math.max propagates NaN
}
