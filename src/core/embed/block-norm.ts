// Per-block normalisation of feature vectors: sqrt (Hellinger-style) damping of counts, then unit L2 norm.

/** sqrt-transforms out[start..end) in place, then scales it to L2 norm `weight` (all-zero blocks stay zero). */
export function sqrtL2Block(out: Float32Array, start: number, end: number, weight: number): void {
  let ss = 0;
  for (let i = start; i < end; i++) {
    const v = Math.sqrt(out[i] ?? 0);
    out[i] = v;
    ss += v * v;
  }
  scaleBlock(out, start, end, ss, weight);
}

/** Scales out[start..end) to L2 norm `weight` (all-zero blocks stay zero; never NaN). */
export function l2Block(out: Float32Array, start: number, end: number, weight: number): void {
  let ss = 0;
  for (let i = start; i < end; i++) {
    const v = out[i] ?? 0;
    ss += v * v;
  }
  scaleBlock(out, start, end, ss, weight);
}

function scaleBlock(
  out: Float32Array,
  start: number,
  end: number,
  ss: number,
  weight: number,
): void {
  if (!(ss > 0)) {
    return;
  }
  const s = weight / Math.sqrt(ss);
  for (let i = start; i < end; i++) {
    out[i] = (out[i] ?? 0) * s;
  }
}
