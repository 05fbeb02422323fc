import { describe, expect, it } from 'vitest';

import { createRng } from '../rng.ts';
import { buildSeedIndex, DEFAULT_SHAPES } from './seed-index.ts';

const AA = 'ACDEFGHIKLMNPQRSTVWY';
/** Substitutions within a Murphy-10 group (what distant homologs mostly show). */
const SIMILAR: Readonly<Record<string, string>> = {
  L: 'VIM',
  V: 'LIM',
  I: 'LVM',
  M: 'LVI',
  S: 'T',
  T: 'S',
  F: 'YW',
  Y: 'FW',
  W: 'FY',
  E: 'DNQ',
  D: 'ENQ',
  N: 'EDQ',
  Q: 'EDN',
  K: 'R',
  R: 'K',
};

function randomProtein(rng: () => number, length: number): string {
  return Array.from({ length }, () => AA[Math.floor(rng() * AA.length)] ?? 'A').join('');
}

/** ~25% identical residues, ~35% group-preserving substitutions, the rest random, plus two indels. */
function distantHomolog(rng: () => number, seq: string): string {
  const out: string[] = [];
  for (const ch of seq) {
    const r = rng();
    const similar = SIMILAR[ch];
    if (r < 0.25) {
      out.push(ch);
    } else if (r < 0.6 && similar !== undefined) {
      out.push(similar[Math.floor(rng() * similar.length)] ?? ch);
    } else {
      out.push(AA[Math.floor(rng() * AA.length)] ?? 'A');
    }
  }
  const s = out.join('');
  return `${s.slice(0, 80)}GSG${s.slice(80, 200)}${s.slice(205)}`;
}

describe('buildSeedIndex', () => {
  it('ranks a distant homolog first among 300 unrelated proteins', () => {
    const rng = createRng(11);
    const refs = Array.from({ length: 300 }, () =>
      randomProtein(rng, 250 + Math.floor(rng() * 200)),
    );
    const index = buildSeedIndex(refs);
    let first = 0;
    for (let t = 0; t < 20; t++) {
      const target = Math.floor(rng() * refs.length);
      const query = distantHomolog(rng, refs[target] ?? '');
      const found = index.search(query, 5);
      if (found[0]?.reference === target) {
        first++;
      }
    }
    expect(first).toBeGreaterThanOrEqual(18);
  });

  it('reuses postings given back from an earlier build, and rebuilds ones that do not fit', () => {
    const rng = createRng(5);
    const refs = Array.from({ length: 60 }, () => randomProtein(rng, 120 + Math.floor(rng() * 80)));
    const queries = Array.from({ length: 10 }, (_, i) => distantHomolog(rng, refs[i * 5] ?? ''));
    const built = buildSeedIndex(refs);
    const expected = built.searchBatch(queries, 5);
    const reused = buildSeedIndex(refs, { postings: built.postings });
    expect(reused.postings).toBe(built.postings);
    expect(reused.searchBatch(queries, 5)).toEqual(expected);
    // Postings that cannot be these sequences' (more seeds than they have, or other shapes) are not
    // used: the index builds its own. (Which sequences postings belong to is the caller's key.)
    const more = buildSeedIndex([...refs, ...refs]).postings;
    const rebuilt = buildSeedIndex(refs, { postings: more });
    expect(rebuilt.postings).not.toBe(more);
    expect(rebuilt.searchBatch(queries, 5)).toEqual(expected);
    const otherShapes = buildSeedIndex(refs, { shapes: ['11111'] }).postings;
    expect(buildSeedIndex(refs, { postings: otherShapes }).postings).not.toBe(otherShapes);
  });

  it('skips the posting ranges of a damaged cache where it reads them: no range is read past the postings', () => {
    const rng = createRng(6);
    const refs = Array.from({ length: 60 }, () => randomProtein(rng, 120 + Math.floor(rng() * 80)));
    const queries = refs.slice(0, 10);
    const built = buildSeedIndex(refs);
    const expected = built.searchBatch(queries, 5);
    // Every offset of a damaged copy points past the postings or backwards (sizes still fit):
    // the search answers, with no reference it did not find in the good one.
    const damaged = { ...built.postings, offsets: built.postings.offsets.slice() };
    const total = damaged.refs.length;
    for (let c = 1; c + 1 < damaged.offsets.length; c++) {
      damaged.offsets[c] = c % 2 === 0 ? total + 1000 : -5;
    }
    const index = buildSeedIndex(refs, { postings: damaged });
    expect(index.postings).toBe(damaged);
    const found = index.searchBatch(queries, 5);
    expect(Array.from(found.refs).every((r) => r === -1)).toBe(true);
    expect(Array.from(expected.refs).some((r) => r >= 0)).toBe(true);
  });

  it('returns nothing for a query sharing no seed, and respects topK and minHits', () => {
    const index = buildSeedIndex(['LLLLLLLLLLLL', 'KKKKKKKKKKKK', 'LLLLLLKKKKKK']);
    expect(index.search('GGGGGGGGGG', 5)).toEqual([]);
    const hits = index.search('LLLLLLLLLL', 1);
    expect(hits).toHaveLength(1);
    expect(hits[0]?.reference).toBe(0);
    expect(index.search('LLLLLL', 5, 1000)).toEqual([]);
  });

  it('skips residues outside the alphabet instead of matching them', () => {
    const index = buildSeedIndex(['XXXXXXXXXXXX']);
    expect(index.search('XXXXXXXXXXXX', 5, 1)).toEqual([]);
    expect(index.size).toBe(1);
  });

  it('rejects malformed shapes with a clear error', () => {
    expect(() => buildSeedIndex(['ACDE'], { shapes: ['0110'] })).toThrow(/must be 0\/1/);
    expect(() => buildSeedIndex(['ACDE'], { shapes: ['1'.repeat(9)] })).toThrow(/too many/);
    expect(DEFAULT_SHAPES.length).toBeGreaterThan(0);
  });
});
