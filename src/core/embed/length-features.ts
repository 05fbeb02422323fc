// Protein length as a soft one-hot over log2-spaced bins (triangular interpolation between bin centres).

/** Bin centres: log2(length) = 5.5, 6.0, ..., 11.0 (≈ 45 .. 2048 aa); shorter/longer lengths clamp to the ends. */
export const LENGTH_LOG2_MIN = 5.5;
export const LENGTH_LOG2_STEP = 0.5;
export const LENGTH_DIM = 12;

/** Writes the length block of a protein of `length` residues into out[start .. start + LENGTH_DIM). */
export function addLengthFeatures(length: number, out: Float32Array, start: number): void {
  const x = (Math.log2(Math.max(1, length)) - LENGTH_LOG2_MIN) / LENGTH_LOG2_STEP;
  const clamped = Math.min(LENGTH_DIM - 1, Math.max(0, x));
  const lo = Math.floor(clamped);
  const frac = clamped - lo;
  out[start + lo] = (out[start + lo] ?? 0) + (1 - frac);
  if (frac > 0 && lo + 1 < LENGTH_DIM) {
    out[start + lo + 1] = (out[start + lo + 1] ?? 0) + frac;
  }
}
