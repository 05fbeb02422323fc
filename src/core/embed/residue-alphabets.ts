// Residue encodings for the built-in embedder: the 20 standard amino acids and two reduced alphabets.

/** The 20 standard residues in a fixed order; index = code. */
export const AA20 = 'ACDEFGHIKLMNPQRSTVWY';

/** Code for anything that is not one of the 20 standard residues (X, B, Z, J, U, O, *, gaps). */
export const UNKNOWN = 255;

export type AlphabetName = 'aa20' | 'murphy10' | 'phys6';

/**
 * Reduced alphabets as groups of AA20 letters (group index = letter code).
 * murphy10: Murphy, Wang & Wang (2000), 10 groups chosen from BLOSUM50 substitution clusters.
 * phys6: a physicochemical 6-group alphabet (aliphatic, aromatic, polar, positive, negative, special).
 */
export const ALPHABET_GROUPS: Readonly<Record<AlphabetName, readonly string[]>> = {
  aa20: AA20.split(''),
  murphy10: ['LVIM', 'C', 'A', 'G', 'ST', 'P', 'FYW', 'EDNQ', 'KR', 'H'],
  phys6: ['AVLIMC', 'FWYH', 'STNQ', 'KR', 'DE', 'GP'],
};

/** Number of letters of an alphabet. */
export function alphabetSize(name: AlphabetName): number {
  return ALPHABET_GROUPS[name].length;
}

function buildAsciiTable(): Uint8Array {
  const table = new Uint8Array(128).fill(UNKNOWN);
  for (let i = 0; i < AA20.length; i++) {
    table[AA20.charCodeAt(i)] = i;
    table[AA20.toLowerCase().charCodeAt(i)] = i;
  }
  return table;
}

/** ASCII char code → AA20 code (0..19) or UNKNOWN. Lower case is accepted. */
export const ASCII_TO_AA20: Uint8Array = buildAsciiTable();

function buildReduction(name: AlphabetName): Uint8Array {
  const map = new Uint8Array(256).fill(UNKNOWN);
  ALPHABET_GROUPS[name].forEach((group, letter) => {
    for (const ch of group) {
      map[AA20.indexOf(ch)] = letter;
    }
  });
  return map;
}

/** AA20 code (or UNKNOWN) → reduced-alphabet letter (or UNKNOWN). */
export const REDUCTIONS: Readonly<Record<AlphabetName, Uint8Array>> = {
  aa20: buildReduction('aa20'),
  murphy10: buildReduction('murphy10'),
  phys6: buildReduction('phys6'),
};

/** Writes the AA20 codes of `seq` into `out` (grown if needed) and returns the view of length seq.length. */
export function encodeAa20(seq: string, out: Uint8Array): Uint8Array {
  const n = seq.length;
  const view = out.length >= n ? out.subarray(0, n) : new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = seq.charCodeAt(i);
    view[i] = c < 128 ? (ASCII_TO_AA20[c] ?? UNKNOWN) : UNKNOWN;
  }
  return view;
}

/** Maps AA20 codes to a reduced alphabet, into `out` (same length as `codes`). */
export function reduceCodes(codes: Uint8Array, name: AlphabetName, out: Uint8Array): Uint8Array {
  const map = REDUCTIONS[name];
  const n = codes.length;
  const view = out.length >= n ? out.subarray(0, n) : new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    view[i] = map[codes[i] ?? UNKNOWN] ?? UNKNOWN;
  }
  return view;
}
