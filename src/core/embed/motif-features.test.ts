import { describe, expect, it } from 'vitest';

import { addLengthFeatures, LENGTH_DIM } from './length-features.ts';
import { addMotifFeatures, MOTIF_COUNTS, MOTIF_DIM, MOTIF_SUBBLOCKS } from './motif-features.ts';
import { encodeAa20 } from './residue-alphabets.ts';

function motif(seq: string): Float32Array {
  const out = new Float32Array(MOTIF_DIM);
  addMotifFeatures(encodeAa20(seq, new Uint8Array(seq.length)), out, 0);
  return out;
}

function sub(v: Float32Array, i: number): Float32Array {
  const [s, e] = MOTIF_SUBBLOCKS[i] ?? [0, 0];
  return v.subarray(s, e);
}

const filler = (n: number): string => 'L'.repeat(n);

describe('motif features', () => {
  it('see nothing in a motif-free sequence', () => {
    expect(motif(filler(300)).every((x) => x === 0)).toBe(true);
    expect(motif('M').every((x) => x === 0)).toBe(true);
  });

  it('count a class A-like serine site and its KTG spacing', () => {
    // SxxK at 20, SDN 60 aa later, KTG 165 aa after the serine (class A-like).
    const seq = filler(20) + 'STFK' + filler(56) + 'SDN' + filler(102) + 'KTG' + filler(60);
    const v = motif(seq);
    const counts = sub(v, 0);
    expect(counts.length).toBe(MOTIF_COUNTS);
    expect(counts[0]).toBe(1); // SxxK
    expect(counts[1]).toBe(1); // SDN
    expect(counts[2]).toBe(1); // SxN
    expect(counts[6]).toBe(1); // KTG
    const ktg = sub(v, 1);
    expect(ktg[Math.floor((165 - 40) / 20)]).toBe(1);
    expect(sub(v, 2)[Math.floor((60 - 20) / 10)]).toBe(1); // SxxK→SxN at 60
    expect(sub(v, 3).reduce((a, b) => a + b, 0)).toBe(1); // relative position of the plausible SxxK
    expect(sub(v, 4).reduce((a, b) => a + b, 0)).toBe(12); // 12 context residues around it
    expect(sub(v, 5).reduce((a, b) => a + b, 0)).toBe(11); // 11 around KTG
  });

  it('ignore a KTG too far from the serine to be the same active site', () => {
    const seq = filler(20) + 'STFK' + filler(400) + 'KTG';
    const v = motif(seq);
    expect(sub(v, 3).every((x) => x === 0)).toBe(true);
    expect(sub(v, 4).every((x) => x === 0)).toBe(true);
  });

  it('count the metallo-β-lactamase zinc motif HxHxD(H) and its context', () => {
    const v = motif(filler(50) + 'HAHLDH' + filler(50));
    expect(sub(v, 0)[8]).toBe(1);
    expect(sub(v, 0)[9]).toBe(1);
    expect(sub(v, 6).reduce((a, b) => a + b, 0)).toBe(15);
  });
});

describe('length features', () => {
  it('separate class A-like (290 aa) from class C-like (380 aa) lengths', () => {
    const a = new Float32Array(LENGTH_DIM);
    const c = new Float32Array(LENGTH_DIM);
    addLengthFeatures(290, a, 0);
    addLengthFeatures(380, c, 0);
    expect(a).not.toEqual(c);
    expect(a.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 6);
    // log2(256) = 8 is the centre of bin (8 - 5.5) / 0.5 = 5.
    const b = new Float32Array(LENGTH_DIM);
    addLengthFeatures(256, b, 0);
    expect(b[5]).toBe(1);
  });
});
