import { describe, expect, it } from 'vitest';

import { createRng } from '../rng.ts';
import { translateSequences } from './byte-codes.ts';

/** The per-character translation translateSequences replaces. */
function slow(sequences: readonly string[], table: Uint8Array, beyond: (c: number) => number) {
  const out: number[] = [];
  for (const s of sequences) {
    for (let j = 0; j < s.length; j++) {
      const c = s.charCodeAt(j);
      out.push(c < 256 ? (table[c] as number) : beyond(c));
    }
  }
  return out;
}

describe('translateSequences', () => {
  const table = Uint8Array.from({ length: 256 }, (_, c) => (c * 7 + 3) & 255);
  const beyond = (c: number): number => (c >> 8) & 255;

  it('translates ASCII, Latin-1 and other characters as a per-character loop would', () => {
    const rng = createRng(3);
    const alphabet = [
      'A',
      'C',
      'W',
      'x',
      '*',
      '-',
      ' ',
      'é',
      'ÿ',
      '\u0100',
      'Ω',
      '\ud83d\ude00',
      '\ud800',
    ];
    const sequences = Array.from({ length: 200 }, (_, i) =>
      Array.from({ length: i % 7 === 0 ? 0 : 1 + Math.floor(rng() * 60) }, () =>
        rng() < 0.9
          ? 'ACDEFGHIKLMNPQRSTVWY'[Math.floor(rng() * 20)]
          : alphabet[Math.floor(rng() * alphabet.length)],
      ).join(''),
    );
    const { codes, offsets } = translateSequences(sequences, table, beyond);
    expect(Array.from(codes)).toEqual(slow(sequences, table, beyond));
    expect(offsets[0]).toBe(0);
    sequences.forEach((s, i) =>
      expect((offsets[i + 1] as number) - (offsets[i] as number)).toBe(s.length),
    );
  });

  it('handles no sequences and empty ones', () => {
    expect(translateSequences([], table, beyond).codes.length).toBe(0);
    const { codes, offsets } = translateSequences(['', 'A', ''], table, beyond);
    expect(Array.from(codes)).toEqual([table[65]]);
    expect(Array.from(offsets)).toEqual([0, 0, 1, 1]);
  });
});
