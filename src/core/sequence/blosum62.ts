// BLOSUM62 substitution scores (NCBI matrix, half-bit units) and the residue encoding alignment uses.

/** Residue order of the NCBI BLOSUM62 file; index = residue code used by the aligner. */
export const BLOSUM62_ALPHABET = 'ARNDCQEGHILKMFPSTWYVBZX*';

/** Number of residue codes (24: 20 standard, B, Z, X, stop). */
export const BLOSUM62_SIZE = 24;

/** Code of X; any byte that is not a BLOSUM62 letter is encoded as X. */
export const BLOSUM62_X = 22;

// Rows in BLOSUM62_ALPHABET order, copied from NCBI's `data/BLOSUM62` (the matrix BLAST and DIAMOND use).
const ROWS: readonly (readonly number[])[] = [
  [4, -1, -2, -2, 0, -1, -1, 0, -2, -1, -1, -1, -1, -2, -1, 1, 0, -3, -2, 0, -2, -1, 0, -4],
  [-1, 5, 0, -2, -3, 1, 0, -2, 0, -3, -2, 2, -1, -3, -2, -1, -1, -3, -2, -3, -1, 0, -1, -4],
  [-2, 0, 6, 1, -3, 0, 0, 0, 1, -3, -3, 0, -2, -3, -2, 1, 0, -4, -2, -3, 3, 0, -1, -4],
  [-2, -2, 1, 6, -3, 0, 2, -1, -1, -3, -4, -1, -3, -3, -1, 0, -1, -4, -3, -3, 4, 1, -1, -4],
  [0, -3, -3, -3, 9, -3, -4, -3, -3, -1, -1, -3, -1, -2, -3, -1, -1, -2, -2, -1, -3, -3, -2, -4],
  [-1, 1, 0, 0, -3, 5, 2, -2, 0, -3, -2, 1, 0, -3, -1, 0, -1, -2, -1, -2, 0, 3, -1, -4],
  [-1, 0, 0, 2, -4, 2, 5, -2, 0, -3, -3, 1, -2, -3, -1, 0, -1, -3, -2, -2, 1, 4, -1, -4],
  [0, -2, 0, -1, -3, -2, -2, 6, -2, -4, -4, -2, -3, -3, -2, 0, -2, -2, -3, -3, -1, -2, -1, -4],
  [-2, 0, 1, -1, -3, 0, 0, -2, 8, -3, -3, -1, -2, -1, -2, -1, -2, -2, 2, -3, 0, 0, -1, -4],
  [-1, -3, -3, -3, -1, -3, -3, -4, -3, 4, 2, -3, 1, 0, -3, -2, -1, -3, -1, 3, -3, -3, -1, -4],
  [-1, -2, -3, -4, -1, -2, -3, -4, -3, 2, 4, -2, 2, 0, -3, -2, -1, -2, -1, 1, -4, -3, -1, -4],
  [-1, 2, 0, -1, -3, 1, 1, -2, -1, -3, -2, 5, -1, -3, -1, 0, -1, -3, -2, -2, 0, 1, -1, -4],
  [-1, -1, -2, -3, -1, 0, -2, -3, -2, 1, 2, -1, 5, 0, -2, -1, -1, -1, -1, 1, -3, -1, -1, -4],
  [-2, -3, -3, -3, -2, -3, -3, -3, -1, 0, 0, -3, 0, 6, -4, -2, -2, 1, 3, -1, -3, -3, -1, -4],
  [-1, -2, -2, -1, -3, -1, -1, -2, -2, -3, -3, -1, -2, -4, 7, -1, -1, -4, -3, -2, -2, -1, -2, -4],
  [1, -1, 1, 0, -1, 0, 0, 0, -1, -2, -2, 0, -1, -2, -1, 4, 1, -3, -2, -2, 0, 0, 0, -4],
  [0, -1, 0, -1, -1, -1, -1, -2, -2, -1, -1, -1, -1, -2, -1, 1, 5, -2, -2, 0, -1, -1, 0, -4],
  [-3, -3, -4, -4, -2, -2, -3, -2, -2, -3, -2, -3, -1, 1, -4, -3, -2, 11, 2, -3, -4, -3, -2, -4],
  [-2, -2, -2, -3, -2, -1, -2, -3, 2, -1, -1, -2, -1, 3, -3, -2, -2, 2, 7, -1, -3, -2, -1, -4],
  [0, -3, -3, -3, -1, -2, -2, -3, -3, 3, 1, -2, 1, -1, -2, -2, 0, -3, -1, 4, -3, -2, -1, -4],
  [-2, -1, 3, 4, -3, 0, 1, -1, 0, -3, -4, 0, -3, -3, -2, 0, -1, -4, -3, -3, 4, 1, -1, -4],
  [-1, 0, 0, 1, -3, 3, 4, -2, 0, -3, -3, 1, -1, -3, -1, 0, -1, -3, -2, -2, 1, 4, -1, -4],
  [0, -1, -1, -1, -2, -1, -1, -1, -1, -1, -1, -1, -1, -1, -2, 0, 0, -2, -1, -1, -1, -1, -1, -4],
  [-4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, 1],
];

function buildMatrix(): Int8Array {
  const m = new Int8Array(BLOSUM62_SIZE * BLOSUM62_SIZE);
  ROWS.forEach((row, a) => {
    row.forEach((s, b) => {
      m[a * BLOSUM62_SIZE + b] = s;
    });
  });
  return m;
}

/** Flat 24×24 matrix: score of residue codes a, b is BLOSUM62[a * BLOSUM62_SIZE + b]. */
export const BLOSUM62: Int8Array = buildMatrix();

function buildEncoding(): Uint8Array {
  const table = new Uint8Array(256).fill(BLOSUM62_X);
  for (let i = 0; i < BLOSUM62_ALPHABET.length; i++) {
    const c = BLOSUM62_ALPHABET.charCodeAt(i);
    table[c] = i;
    if (c >= 65 && c <= 90) {
      table[c + 32] = i;
    }
  }
  // J (I/L), U (Sec), O (Pyl) are not in the NCBI file; they score as X, as the readers map them to X anyway.
  return table;
}

/** Char code (0..255) → residue code (0..23); unknown letters become X. */
export const BLOSUM62_ENCODING: Uint8Array = buildEncoding();

/** Encodes a protein sequence into residue codes for the aligner. */
export function encodeForAlignment(sequence: string): Uint8Array {
  const out = new Uint8Array(sequence.length);
  for (let i = 0; i < sequence.length; i++) {
    out[i] = BLOSUM62_ENCODING[sequence.charCodeAt(i) & 0xff] ?? BLOSUM62_X;
  }
  return out;
}
