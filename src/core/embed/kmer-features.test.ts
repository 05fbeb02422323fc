import { describe, expect, it } from 'vitest';

import { addKmerCounts, checkKmerSpec, isDirect, kmerBin } from './kmer-features.ts';
import { encodeAa20, reduceCodes, UNKNOWN } from './residue-alphabets.ts';

function letters(seq: string, alphabet: 'aa20' | 'murphy10' | 'phys6' = 'aa20'): Uint8Array {
  const codes = encodeAa20(seq, new Uint8Array(seq.length));
  return alphabet === 'aa20' ? codes : reduceCodes(codes, alphabet, new Uint8Array(seq.length));
}

describe('residue alphabets', () => {
  it('encode the 20 residues in order and everything else as unknown', () => {
    expect(Array.from(letters('ACDY'))).toEqual([0, 1, 2, 19]);
    expect(Array.from(letters('XBZ*'))).toEqual([UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN]);
    // murphy10: LVIM=0 C=1 A=2 G=3 ST=4 P=5 FYW=6 EDNQ=7 KR=8 H=9
    expect(Array.from(letters('LVIMCAGSTPFYWEDNQKRHX', 'murphy10'))).toEqual([
      0,
      0,
      0,
      0,
      1,
      2,
      3,
      4,
      4,
      5,
      6,
      6,
      6,
      7,
      7,
      7,
      7,
      8,
      8,
      9,
      UNKNOWN,
    ]);
  });
});

describe('k-mer counts', () => {
  it('counts dipeptides directly (base-20 index)', () => {
    const out = new Float32Array(400);
    const spec = { size: 20, offsets: [0, 1], bins: 400 };
    expect(isDirect(spec)).toBe(true);
    expect(addKmerCounts(letters('ACAC'), spec, out, 0)).toBe(3);
    expect(out[1]).toBe(2); // AC
    expect(out[20]).toBe(1); // CA
    expect(out.reduce((a, b) => a + b, 0)).toBe(3);
  });

  it('skips k-mers containing unknown residues and handles sequences shorter than k', () => {
    const out = new Float32Array(400);
    expect(addKmerCounts(letters('AXC'), { size: 20, offsets: [0, 1], bins: 400 }, out, 0)).toBe(0);
    expect(addKmerCounts(letters('A'), { size: 20, offsets: [0, 1], bins: 400 }, out, 0)).toBe(0);
  });

  it('reads spaced patterns: [0,2] pairs residues two apart', () => {
    const out = new Float32Array(400);
    addKmerCounts(letters('ACD'), { size: 20, offsets: [0, 2], bins: 400 }, out, 0);
    expect(out[0 * 20 + 2]).toBe(1); // A.D
    expect(out.reduce((a, b) => a + b, 0)).toBe(1);
  });

  it('hashes large code spaces with a fixed Fibonacci hash', () => {
    const spec = { size: 10, offsets: [0, 1, 2, 3], bins: 512 };
    expect(isDirect(spec)).toBe(false);
    // 'CCCC' in murphy10 = 1111; (1111 * 0x9e3779b1 mod 2^32) >>> 23 = 325 (computed with Python).
    expect(kmerBin(1111, spec)).toBe(325);
    const out = new Float32Array(512);
    addKmerCounts(letters('CCCC', 'murphy10'), spec, out, 0);
    expect(out[325]).toBe(1);
  });

  it('rejects invalid specs', () => {
    expect(() => {
      checkKmerSpec({ size: 10, offsets: [0, 1, 2, 3], bins: 1000 });
    }).toThrow(RangeError);
    expect(() => {
      checkKmerSpec({ size: 10, offsets: [1, 2], bins: 100 });
    }).toThrow(RangeError);
  });
});

describe('rolling contiguous k-mers', () => {
  it('agree with a brute-force count, across unknown residues', () => {
    const seq =
      'MKTAYIAKQRXQISFVKSHFSRQLEERLGLIEVQAPILSRVGDGTQDNLSGAEKAVQVKVKALPDAQFEVVHSLAKWKRQTLGQ';
    const l = letters(seq, 'murphy10');
    for (const k of [1, 2, 3, 4]) {
      const spec = { size: 10, offsets: Array.from({ length: k }, (_, i) => i), bins: 10 ** k };
      const fast = new Float32Array(spec.bins);
      addKmerCounts(l, spec, fast, 0);
      const slow = new Float32Array(spec.bins);
      for (let i = 0; i + k <= l.length; i++) {
        const w = Array.from(l.subarray(i, i + k));
        if (w.every((c) => c !== UNKNOWN)) {
          const code = w.reduce((a, c) => a * 10 + c, 0);
          slow[code] = (slow[code] ?? 0) + 1;
        }
      }
      expect(fast).toEqual(slow);
    }
  });
});
