// Counts of (spaced) k-mers over a residue alphabet, indexed directly or hashed into a fixed number of bins.
import { UNKNOWN } from './residue-alphabets.ts';

/** A k-mer block: residue offsets (e.g. [0,1,2] = contiguous 3-mer, [0,1,3] = spaced), alphabet size, bins. */
export interface KmerSpec {
  readonly size: number;
  readonly offsets: readonly number[];
  readonly bins: number;
}

/** Golden-ratio multiplier of Fibonacci hashing (Knuth); fixed so hashed bins never change. */
export const FIB_HASH = 0x9e3779b1;

/** True if the k-mer code space fits the bins, so every k-mer gets its own bin (no hashing). */
export function isDirect(spec: KmerSpec): boolean {
  return spec.size ** spec.offsets.length <= spec.bins;
}

/** Validates a spec: offsets strictly increasing from 0; hashed specs need a power-of-two bin count. */
export function checkKmerSpec(spec: KmerSpec): void {
  const ok =
    spec.offsets.length > 0 &&
    spec.offsets[0] === 0 &&
    spec.offsets.every((o, i) => i === 0 || o > (spec.offsets[i - 1] ?? 0)) &&
    (isDirect(spec) || (spec.bins > 1 && (spec.bins & (spec.bins - 1)) === 0));
  if (!ok) {
    throw new RangeError(`invalid k-mer spec ${JSON.stringify(spec)}`);
  }
}

/** Bin of a k-mer code (base-`size` number, first residue most significant). */
export function kmerBin(code: number, spec: KmerSpec): number {
  if (isDirect(spec)) {
    return code;
  }
  const shift = 32 - Math.log2(spec.bins);
  return Math.imul(code, FIB_HASH) >>> shift;
}

/**
 * Adds the counts of every k-mer of `letters` (codes < spec.size; UNKNOWN letters skip the k-mers
 * that contain them) to out[start + bin]. Returns the number of k-mers counted.
 */
export function addKmerCounts(
  letters: Uint8Array,
  spec: KmerSpec,
  out: Float32Array,
  start: number,
): number {
  const { size, offsets } = spec;
  const k = offsets.length;
  const span = offsets[k - 1] ?? 0;
  const last = letters.length - span;
  const direct = isDirect(spec);
  const shift = direct ? 0 : 32 - Math.log2(spec.bins);
  let counted = 0;
  if (span === k - 1) {
    // Contiguous k-mer: rolling code, restarted after an unknown residue.
    const modulus = size ** (k - 1);
    let code = 0;
    let run = 0;
    for (let i = 0; i < letters.length; i++) {
      const c = letters[i] ?? UNKNOWN;
      if (c === UNKNOWN) {
        run = 0;
        code = 0;
        continue;
      }
      code = (run >= k - 1 ? code % modulus : code) * size + c;
      run++;
      if (run >= k) {
        const bin = direct ? code : Math.imul(code, FIB_HASH) >>> shift;
        out[start + bin] = (out[start + bin] ?? 0) + 1;
        counted++;
      }
    }
    return counted;
  }
  outer: for (let i = 0; i < last; i++) {
    let code = 0;
    for (let j = 0; j < k; j++) {
      const c = letters[i + (offsets[j] ?? 0)] ?? UNKNOWN;
      if (c === UNKNOWN) {
        continue outer;
      }
      code = code * size + c;
    }
    const bin = direct ? code : Math.imul(code, FIB_HASH) >>> shift;
    out[start + bin] = (out[start + bin] ?? 0) + 1;
    counted++;
  }
  return counted;
}
