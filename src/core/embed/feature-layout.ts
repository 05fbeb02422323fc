// Composable feature layouts (k-mer, motif and length blocks, each normalised) → one dense L2-normalised vector.
import { l2Block, sqrtL2Block } from './block-norm.ts';
import { addKmerCounts, checkKmerSpec, type KmerSpec } from './kmer-features.ts';
import { addLengthFeatures, LENGTH_DIM } from './length-features.ts';
import { addMotifFeatures, MOTIF_DIM, MOTIF_SUBBLOCKS } from './motif-features.ts';
import { alphabetSize, encodeAa20, reduceCodes, type AlphabetName } from './residue-alphabets.ts';

export type BlockSpec =
  | {
      readonly kind: 'kmer';
      readonly alphabet: AlphabetName;
      readonly offsets: readonly number[];
      readonly bins: number;
      readonly weight: number;
    }
  | { readonly kind: 'motif'; readonly weight: number }
  | { readonly kind: 'length'; readonly weight: number };

export interface Featurizer {
  readonly dim: number;
  readonly blocks: readonly BlockSpec[];
  /** Embeds one sequence (letters other than the 20 standard residues count as unknown) into `out`. */
  embed(seq: string, out?: Float32Array): Float32Array;
}

/** Dimension of one block. */
export function blockDim(block: BlockSpec): number {
  switch (block.kind) {
    case 'kmer':
      return block.bins;
    case 'motif':
      return MOTIF_DIM;
    case 'length':
      return LENGTH_DIM;
  }
}

/**
 * Builds a featurizer. Every block is normalised on its own (k-mer counts: sqrt then L2; motif:
 * per sub-block; length: L2) and scaled so that block weights² sum to 1: the whole vector has unit
 * L2 norm unless a block is empty (e.g. no complete k-mer in a 1-residue protein).
 */
export function createFeaturizer(blocks: readonly BlockSpec[]): Featurizer {
  const specs: (KmerSpec | null)[] = blocks.map((b) =>
    b.kind === 'kmer' ? { size: alphabetSize(b.alphabet), offsets: b.offsets, bins: b.bins } : null,
  );
  for (const s of specs) {
    if (s !== null) {
      checkKmerSpec(s);
    }
  }
  const norm = Math.sqrt(blocks.reduce((acc, b) => acc + b.weight * b.weight, 0));
  if (!(norm > 0)) {
    throw new RangeError('feature layout needs at least one block with a positive weight');
  }
  const starts: number[] = [];
  let dim = 0;
  for (const b of blocks) {
    starts.push(dim);
    dim += blockDim(b);
  }
  const alphabets = [...new Set(blocks.flatMap((b) => (b.kind === 'kmer' ? [b.alphabet] : [])))];
  let codesBuf = new Uint8Array(1024);
  const reducedBufs = new Map<AlphabetName, Uint8Array>(
    alphabets.map((a) => [a, new Uint8Array(1024)]),
  );

  const embed = (seq: string, out?: Float32Array): Float32Array => {
    const vec = out ?? new Float32Array(dim);
    if (vec.length !== dim) {
      throw new RangeError(`output vector has length ${vec.length}, expected ${dim}`);
    }
    vec.fill(0);
    if (codesBuf.length < seq.length) {
      codesBuf = new Uint8Array(seq.length * 2);
    }
    const codes = encodeAa20(seq, codesBuf);
    const reduced = new Map<AlphabetName, Uint8Array>();
    for (const a of alphabets) {
      let buf = reducedBufs.get(a) ?? new Uint8Array(0);
      if (buf.length < seq.length) {
        buf = new Uint8Array(seq.length * 2);
        reducedBufs.set(a, buf);
      }
      reduced.set(a, a === 'aa20' ? codes : reduceCodes(codes, a, buf));
    }
    blocks.forEach((b, i) => {
      const start = starts[i] ?? 0;
      const end = start + blockDim(b);
      const w = b.weight / norm;
      if (b.kind === 'kmer') {
        const letters = reduced.get(b.alphabet) ?? codes;
        addKmerCounts(letters, specs[i] ?? { size: 20, offsets: [0], bins: 20 }, vec, start);
        sqrtL2Block(vec, start, end, w);
      } else if (b.kind === 'motif') {
        addMotifFeatures(codes, vec, start);
        const share = 1 / Math.sqrt(MOTIF_SUBBLOCKS.length);
        for (const [s, e] of MOTIF_SUBBLOCKS) {
          sqrtL2Block(vec, start + s, start + e, share);
        }
        l2Block(vec, start, end, w);
      } else {
        addLengthFeatures(seq.length, vec, start);
        l2Block(vec, start, end, w);
      }
    });
    return vec;
  };
  return { dim, blocks, embed };
}
