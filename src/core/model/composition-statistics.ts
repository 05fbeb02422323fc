// Composition-adjusted Karlin-Altschul λ of one alignment's two sequences (BLAST's composition-based statistics, mode 1).
import { BLOSUM62, BLOSUM62_SIZE } from '../sequence/blosum62.ts';
import { KARLIN_LAMBDA } from './named-evidence.ts';

/**
 * Robinson & Robinson (1991) background frequencies of the 20 standard residues in BLOSUM62 code
 * order (ARNDCQEGHILKMFPSTWYV, core/sequence/blosum62.ts), the ones NCBI BLAST uses.
 */
export const BACKGROUND = Float64Array.from([
  0.07805, 0.05129, 0.04487, 0.05364, 0.01925, 0.04264, 0.06295, 0.07377, 0.02199, 0.05142, 0.09019,
  0.05744, 0.02243, 0.03856, 0.05203, 0.0712, 0.05841, 0.0133, 0.03216, 0.06441,
]);
const STANDARD = 20;
/**
 * Residues of background composition mixed into every sequence's counts, so a short sequence is
 * not judged on a handful of residues.
 */
export const PSEUDOCOUNTS = 20;

/** The residue frequencies of a sequence (BLOSUM62 codes; non-standard residues left out), with pseudocounts. */
export function composition(codes: Uint8Array): Float64Array {
  const counts = new Float64Array(STANDARD);
  let n = 0;
  for (const c of codes) {
    if (c < STANDARD) {
      counts[c] = (counts[c] as number) + 1;
      n++;
    }
  }
  const out = new Float64Array(STANDARD);
  for (let i = 0; i < STANDARD; i++) {
    out[i] =
      ((counts[i] as number) + PSEUDOCOUNTS * (BACKGROUND[i] as number)) / (n + PSEUDOCOUNTS);
  }
  return out;
}

const LOW = -4;
const HIGH = 11;

/**
 * The ungapped λ of BLOSUM62 for residues drawn from p (query) and q (reference): the positive root of
 * Σ p_i q_j e^{λ s_ij} = 1; 0 when the expected score is not negative (no such root: the two
 * compositions match so well that any score is expected by chance).
 */
export function ungappedLambda(p: Float64Array, q: Float64Array): number {
  // The weight of each score value: 16 terms instead of 400.
  const weight = new Float64Array(HIGH - LOW + 1);
  let mean = 0;
  for (let i = 0; i < STANDARD; i++) {
    for (let j = 0; j < STANDARD; j++) {
      const s = BLOSUM62[i * BLOSUM62_SIZE + j] as number;
      const w = (p[i] as number) * (q[j] as number);
      weight[s - LOW] = (weight[s - LOW] as number) + w;
      mean += w * s;
    }
  }
  if (!(mean < 0)) {
    return 0;
  }
  const f = (lambda: number): number => {
    let sum = 0;
    for (let s = LOW; s <= HIGH; s++) {
      sum += (weight[s - LOW] as number) * Math.exp(lambda * s);
    }
    return sum - 1;
  };
  // f(0) = 0, f'(0) = mean < 0 and f is convex: bracket the positive root, then bisect.
  let lo = 0;
  let hi = 0.5;
  while (f(hi) < 0 && hi < 64) {
    lo = hi;
    hi *= 2;
  }
  for (let k = 0; k < 60; k++) {
    const mid = (lo + hi) / 2;
    if (f(mid) < 0) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return (lo + hi) / 2;
}

const STANDARD_UNGAPPED = ungappedLambda(BACKGROUND, BACKGROUND);

/**
 * The gapped λ for this pair: BLOSUM62 11/1's λ scaled by the pair's ungapped λ over the ungapped λ
 * of background composition (Schäffer et al. 2001; K is kept). Biased compositions (e.g. the
 * asparagine- and lysine-rich proteins of AT-rich genomes) score high by chance; their λ is
 * smaller, so the same raw score is worth fewer bits.
 */
export function adjustedLambda(p: Float64Array, q: Float64Array): number {
  return (KARLIN_LAMBDA * ungappedLambda(p, q)) / STANDARD_UNGAPPED;
}
