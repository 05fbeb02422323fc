// Sequences to per-residue byte codes through a 256-entry table, concatenated, for the kernels.
// TextEncoder writes an ASCII sequence's bytes natively and one loop translates the whole buffer:
// a charCodeAt loop per sequence ran cold (unoptimised) for most of a CLI run's 3.4 M residues.

const encoder = new TextEncoder();

export interface ByteCodes {
  /** Sequence i is codes[offsets[i] .. offsets[i + 1]). */
  readonly codes: Uint8Array;
  readonly offsets: Int32Array;
}

/**
 * table[c] for each character c < 256 of each sequence, and `beyond(c)` for any other character
 * (a sanitised protein is ASCII; another string is translated character by character).
 */
export function translateSequences(
  sequences: readonly string[],
  table: Uint8Array,
  beyond: (c: number) => number,
): ByteCodes {
  const offsets = new Int32Array(sequences.length + 1);
  sequences.forEach((s, i) => (offsets[i + 1] = (offsets[i] as number) + s.length));
  const total = offsets[sequences.length] as number;
  const codes = new Uint8Array(total);
  // Characters >= 128 are written as their code's low byte + a marker: UTF-8 would change lengths.
  let special: number[] | undefined;
  for (let i = 0; i < sequences.length; i++) {
    const s = sequences[i] as string;
    const at = offsets[i] as number;
    const { read, written } = encoder.encodeInto(s, codes.subarray(at, at + s.length));
    if (read !== s.length || written !== s.length) {
      (special ??= []).push(i);
    }
  }
  for (let k = 0; k < total; k++) {
    codes[k] = table[codes[k] as number] as number;
  }
  for (const i of special ?? []) {
    const s = sequences[i] as string;
    const at = offsets[i] as number;
    for (let j = 0; j < s.length; j++) {
      const c = s.charCodeAt(j);
      codes[at + j] = c < 256 ? (table[c] as number) : beyond(c);
    }
  }
  return { codes, offsets };
}
