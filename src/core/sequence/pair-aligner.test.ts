import { describe, expect, it } from 'vitest';

import { encodeForAlignment } from './blosum62.ts';
import { codeSet, sequenceCodes } from './pair-aligner.ts';

describe('codeSet', () => {
  it('holds each sequence as encodeForAlignment encodes it, back to back', () => {
    const sequences = ['MKTAYIAKQR', '', 'acdefghiklmnpqrstvwy', 'BZXJUO*-', 'W'];
    const set = codeSet(sequences);
    expect(Array.from(set.offsets)).toEqual([0, 10, 10, 30, 38, 39]);
    sequences.forEach((s, i) => {
      expect(Array.from(sequenceCodes(set, i))).toEqual(Array.from(encodeForAlignment(s)));
    });
    expect(codeSet([]).codes.length).toBe(0);
  });
});
