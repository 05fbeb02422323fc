// Dot products of one vector against the rows of a matrix, shared by the JS matrix product and PCA.

/**
 * out[oo + j] = Σ_t v[vo + t] · z[j·d + t] for j < l: one vector against the l rows of z (l×d), four
 * rows at a time so each v value is loaded once per four dot products.
 */
export function dotRows(
  v: Float32Array | Float64Array,
  vo: number,
  d: number,
  z: Float32Array | Float64Array,
  l: number,
  out: Float32Array | Float64Array,
  oo: number,
): void {
  let j = 0;
  for (; j + 3 < l; j += 4) {
    const o0 = j * d;
    const o1 = o0 + d;
    const o2 = o1 + d;
    const o3 = o2 + d;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let t = 0; t < d; t++) {
      const x = v[vo + t] as number;
      s0 += x * (z[o0 + t] as number);
      s1 += x * (z[o1 + t] as number);
      s2 += x * (z[o2 + t] as number);
      s3 += x * (z[o3 + t] as number);
    }
    out[oo + j] = s0;
    out[oo + j + 1] = s1;
    out[oo + j + 2] = s2;
    out[oo + j + 3] = s3;
  }
  for (; j < l; j++) {
    const o = j * d;
    let s = 0;
    for (let t = 0; t < d; t++) {
      s += (v[vo + t] as number) * (z[o + t] as number);
    }
    out[oo + j] = s;
  }
}
