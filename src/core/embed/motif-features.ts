// Catalytic-motif features: motif counts, motif–motif spacing histograms and the residues around active sites.
import { REDUCTIONS, UNKNOWN } from './residue-alphabets.ts';

// AA20 codes ('ACDEFGHIKLMNPQRSTVWY').
const A = 0;
const D = 2;
const E = 3;
const G = 5;
const H = 6;
const K = 8;
const L = 9;
const N = 11;
const S = 15;
const T = 16;
const V = 17;
const Y = 19;

/**
 * Layout (sub-blocks, in order):
 * - counts (12): counts of SxxK, SDN, SxN, YAN, YxN, SxV, KTG, KSG, HxHxD, HxHxDH, NxHxD, ExELN
 *   (serine β-lactamases/PBPs share SxxK, SxN/YxN/SxV and K[TS]G; MBLs and glyoxalase II share HxHxD).
 * - SxxK→K[TS]G spacing (16 bins of 20 aa over 40..360): class A ≈ 165, D ≈ 140, C ≈ 250, PBPs ≈ 190.
 * - SxxK→SxN, SxxK→YxN, SxxK→SxV spacing (10 bins of 10 aa over 20..120 each).
 * - relative position of SxxK that have a K[TS]G 100–300 aa downstream (8 bins).
 * - Murphy-10 letters at offsets −4..+7 around those SxxK (12 × 10), −4..+6 around their K[TS]G (11 × 10),
 *   and −6..+8 around HxHxD (15 × 10).
 */
export const MOTIF_COUNTS = 12;
const SPACE_KTG_BINS = 16;
const SPACE_SHORT_BINS = 10;
const RELPOS_BINS = 8;
const M10 = 10;
const SXXK_CTX = { from: -4, to: 7 };
const KTG_CTX = { from: -4, to: 6 };
const HXH_CTX = { from: -6, to: 8 };

const OFF_COUNTS = 0;
const OFF_KTG = OFF_COUNTS + MOTIF_COUNTS;
const OFF_SXN = OFF_KTG + SPACE_KTG_BINS;
const OFF_YXN = OFF_SXN + SPACE_SHORT_BINS;
const OFF_SXV = OFF_YXN + SPACE_SHORT_BINS;
const OFF_RELPOS = OFF_SXV + SPACE_SHORT_BINS;
const OFF_CTX_S = OFF_RELPOS + RELPOS_BINS;
const OFF_CTX_K = OFF_CTX_S + (SXXK_CTX.to - SXXK_CTX.from + 1) * M10;
const OFF_CTX_H = OFF_CTX_K + (KTG_CTX.to - KTG_CTX.from + 1) * M10;

/** Dimension of the motif block. */
export const MOTIF_DIM = OFF_CTX_H + (HXH_CTX.to - HXH_CTX.from + 1) * M10;

/** Sub-block boundaries [start, end) within the motif block, for per-sub-block normalisation. */
export const MOTIF_SUBBLOCKS: readonly (readonly [number, number])[] = [
  [OFF_COUNTS, OFF_KTG],
  [OFF_KTG, OFF_SXN],
  [OFF_SXN, OFF_RELPOS],
  [OFF_RELPOS, OFF_CTX_S],
  [OFF_CTX_S, OFF_CTX_K],
  [OFF_CTX_K, OFF_CTX_H],
  [OFF_CTX_H, MOTIF_DIM],
];

/** Scratch position lists, reused across calls (grown as needed). */
let sxxk: Int32Array = new Int32Array(64);
let ktg: Int32Array = new Int32Array(64);

function push(list: Int32Array, n: number, v: number): Int32Array {
  if (n < list.length) {
    list[n] = v;
    return list;
  }
  const grown = new Int32Array(list.length * 2);
  grown.set(list);
  grown[n] = v;
  return grown;
}

function addContext(
  codes: Uint8Array,
  at: number,
  ctx: { from: number; to: number },
  out: Float32Array,
  base: number,
): void {
  const m10 = REDUCTIONS.murphy10;
  for (let o = ctx.from; o <= ctx.to; o++) {
    const p = at + o;
    if (p < 0 || p >= codes.length) {
      continue;
    }
    const letter = m10[codes[p] ?? UNKNOWN] ?? UNKNOWN;
    if (letter !== UNKNOWN) {
      const idx = base + (o - ctx.from) * M10 + letter;
      out[idx] = (out[idx] ?? 0) + 1;
    }
  }
}

function addSpacing(
  dist: number,
  lo: number,
  width: number,
  bins: number,
  out: Float32Array,
  base: number,
): void {
  const b = Math.floor((dist - lo) / width);
  if (b >= 0 && b < bins) {
    out[base + b] = (out[base + b] ?? 0) + 1;
  }
}

/** Writes the raw (un-normalised) motif features of AA20 `codes` into out[start .. start + MOTIF_DIM). */
export function addMotifFeatures(codes: Uint8Array, out: Float32Array, start: number): void {
  const n = codes.length;
  const at = (i: number): number => (i < n ? (codes[i] ?? UNKNOWN) : UNKNOWN);
  let nS = 0;
  let nK = 0;
  const c = new Float64Array(MOTIF_COUNTS);
  for (let i = 0; i < n; i++) {
    const r = codes[i];
    if (r === S) {
      if (at(i + 3) === K) {
        c[0] = (c[0] ?? 0) + 1;
        sxxk = push(sxxk, nS++, i);
      }
      if (at(i + 2) === N) {
        c[2] = (c[2] ?? 0) + 1;
        if (at(i + 1) === D) {
          c[1] = (c[1] ?? 0) + 1;
        }
      }
      if (at(i + 2) === V) {
        c[5] = (c[5] ?? 0) + 1;
      }
    } else if (r === Y && at(i + 2) === N) {
      c[4] = (c[4] ?? 0) + 1;
      if (at(i + 1) === A) {
        c[3] = (c[3] ?? 0) + 1;
      }
    } else if (r === K && at(i + 2) === G) {
      const m = at(i + 1);
      if (m === T || m === S) {
        c[m === T ? 6 : 7] = (c[m === T ? 6 : 7] ?? 0) + 1;
        ktg = push(ktg, nK++, i);
      }
    } else if (r === H && at(i + 2) === H && at(i + 4) === D) {
      c[8] = (c[8] ?? 0) + 1;
      if (at(i + 5) === H) {
        c[9] = (c[9] ?? 0) + 1;
      }
      addContext(codes, i, HXH_CTX, out, start + OFF_CTX_H);
    } else if (r === N && at(i + 2) === H && at(i + 4) === D) {
      c[10] = (c[10] ?? 0) + 1;
    } else if (r === E && at(i + 2) === E && at(i + 3) === L && at(i + 4) === N) {
      c[11] = (c[11] ?? 0) + 1;
    }
  }
  for (let j = 0; j < MOTIF_COUNTS; j++) {
    out[start + OFF_COUNTS + j] = c[j] ?? 0;
  }
  for (let a = 0; a < nS; a++) {
    const s = sxxk[a] ?? 0;
    let plausible = false;
    for (let b = 0; b < nK; b++) {
      const d = (ktg[b] ?? 0) - s;
      if (d > 0) {
        addSpacing(d, 40, 20, SPACE_KTG_BINS, out, start + OFF_KTG);
        if (d >= 100 && d <= 300) {
          if (!plausible) {
            addContext(codes, s, SXXK_CTX, out, start + OFF_CTX_S);
          }
          addContext(codes, ktg[b] ?? 0, KTG_CTX, out, start + OFF_CTX_K);
          plausible = true;
        }
      }
    }
    if (plausible) {
      const rel = Math.min(RELPOS_BINS - 1, Math.floor((s / n) * RELPOS_BINS));
      out[start + OFF_RELPOS + rel] = (out[start + OFF_RELPOS + rel] ?? 0) + 1;
    }
    // Second motifs downstream of this SxxK, within 20..120 aa.
    const hi = Math.min(n - 2, s + 120);
    for (let p = s + 20; p < hi; p++) {
      const r = codes[p];
      if (r === S) {
        if (codes[p + 2] === N) {
          addSpacing(p - s, 20, 10, SPACE_SHORT_BINS, out, start + OFF_SXN);
        } else if (codes[p + 2] === V) {
          addSpacing(p - s, 20, 10, SPACE_SHORT_BINS, out, start + OFF_SXV);
        }
      } else if (r === Y && codes[p + 2] === N) {
        addSpacing(p - s, 20, 10, SPACE_SHORT_BINS, out, start + OFF_YXN);
      }
    }
  }
}
