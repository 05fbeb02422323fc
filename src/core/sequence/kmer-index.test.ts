import { describe, expect, it } from 'vitest';

import { createRng, type Rng } from '../rng.ts';
import { buildKmerIndex } from './kmer-index.ts';

const AA = 'ACDEFGHIKLMNPQRSTVWY';

function randomProtein(rng: Rng, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) {
    s += AA[Math.floor(rng() * AA.length)] as string;
  }
  return s;
}

function substitute(rng: Rng, s: string, rate: number): string {
  return s.replace(/./g, (c) => (rng() < rate ? (AA[Math.floor(rng() * 20)] as string) : c));
}

describe('buildKmerIndex', () => {
  const rng = createRng(5);
  const refs = Array.from({ length: 300 }, () => randomProtein(rng, 150 + Math.floor(rng() * 200)));

  it('ranks the relative first, with its diagonal', () => {
    const index = buildKmerIndex(refs);
    for (const target of [17, 123, 250]) {
      const ref = refs[target] ?? '';
      // A relative with 30% substitutions and 20 residues cut from the front: diagonal = +20.
      const query = substitute(rng, ref.slice(20), 0.3);
      const hits = index.search(query, { topK: 5 });
      expect(hits[0]?.reference).toBe(target);
      expect(Math.abs((hits[0]?.diagonal ?? 0) - 20)).toBeLessThanOrEqual(16);
      expect(hits[0]?.diagonalHits).toBeGreaterThan(hits[1]?.diagonalHits ?? 0);
      expect(hits.length).toBe(5);
      const noDiag = index.search(query, { topK: 3, diagonal: false });
      expect(noDiag[0]?.reference).toBe(target);
      expect(noDiag[0]?.diagonalHits).toBe(0);
    }
  });

  it('honours mask, exclude and minShared', () => {
    const index = buildKmerIndex(refs, { alphabet: 'murphy10', k: 4 });
    const query = refs[40] ?? '';
    const mask = new Uint8Array(refs.length).fill(1);
    mask[40] = 0;
    expect(index.search(query, { mask }).some((h) => h.reference === 40)).toBe(false);
    expect(index.search(query, { exclude: 40 }).some((h) => h.reference === 40)).toBe(false);
    expect(index.search(query, { topK: 1 })[0]?.reference).toBe(40);
    expect(index.search(query, { minShared: 1e9 })).toEqual([]);
  });

  it('counts distinct shared k-mers and skips k-mers with unknown residues', () => {
    const index = buildKmerIndex(['ACDEFG', 'ACDXEFG', 'WWWWWW'], { k: 3 });
    const hits = index.search('ACDEFG', { topK: 3, diagonal: false });
    // ACD CDE DEF EFG vs ACD, EFG (X breaks the others); WWW shares none.
    expect(hits.map((h) => [h.reference, h.shared])).toEqual([
      [0, 4],
      [1, 2],
    ]);
    // Repeated k-mers in the query count once.
    expect(index.search('WWWWWWWWW', { diagonal: false })[0]?.shared).toBe(1);
  });

  it('rejects word sizes beyond the code range', () => {
    expect(() => buildKmerIndex([], { k: 7 })).toThrow(RangeError);
  });
});
