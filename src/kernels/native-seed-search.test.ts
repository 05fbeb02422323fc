import { describe, expect, it } from 'vitest';

import { createRng } from '../core/rng.ts';
import { buildSeedIndex } from '../core/sequence/seed-index.ts';
import { loadNativeSeedSearcher } from './native-kernels.ts';

const AA = 'ACDEFGHIKLMNPQRSTVWY';

function randomProtein(rng: () => number, length: number): string {
  return Array.from({ length }, () => AA[Math.floor(rng() * AA.length)] ?? 'A').join('');
}

/** Keeps ~45% of residues, so queries share some seeds with their source and many chance ones. */
function relative(rng: () => number, s: string): string {
  return Array.from(s, (ch) =>
    rng() < 0.45 ? ch : (AA[Math.floor(rng() * AA.length)] ?? 'A'),
  ).join('');
}

const native = loadNativeSeedSearcher();

describe('native seed search', () => {
  it('finds the same candidates with the same hit counts as the TypeScript loop', () => {
    if (native === undefined) {
      expect(process.env['CI']).not.toBe('true'); // CI builds the addon; it must be there
      return;
    }
    const rng = createRng(5);
    // Low-complexity stretches too, so the occurrence cap and saturation paths are exercised.
    const refs = Array.from({ length: 400 }, (_, i) =>
      i % 50 === 0 ? 'L'.repeat(400) : randomProtein(rng, 100 + Math.floor(rng() * 400)),
    );
    const js = buildSeedIndex(refs);
    const fast = buildSeedIndex(refs, { searcher: native });
    let compared = 0;
    for (let t = 0; t < 60; t++) {
      const source = refs[Math.floor(rng() * refs.length)] ?? '';
      const query = t % 3 === 0 ? randomProtein(rng, 300) : relative(rng, source);
      const a = js.search(query, 20, 1);
      const b = fast.search(query, 20, 1);
      expect(b).toEqual(a);
      compared += a.length;
    }
    expect(compared).toBeGreaterThan(100);
    // Scratch is left clean: the same query twice gives the same answer.
    const q = relative(rng, refs[3] ?? '');
    expect(fast.search(q, 5)).toEqual(fast.search(q, 5));
    // A batch (split over two threads) gives each query's single-search answer, padded with -1 / 0.
    const queries = Array.from({ length: 41 }, (_, t) =>
      t % 4 === 0 ? randomProtein(rng, 200) : relative(rng, refs[(t * 7) % refs.length] ?? ''),
    );
    queries.push('', 'XXXXXXXXXXXX', 'ACD');
    const batch = fast.searchBatch(queries, 12, 3);
    const jsBatch = js.searchBatch(queries, 12, 3);
    expect(Array.from(batch.refs)).toEqual(Array.from(jsBatch.refs));
    expect(Array.from(batch.hits)).toEqual(Array.from(jsBatch.hits));
    queries.forEach((query, i) => {
      const single = js.search(query, 12, 3);
      const refsOf = Array.from(batch.refs.subarray(i * 12, (i + 1) * 12));
      expect(refsOf.filter((r) => r >= 0)).toEqual(single.map((c) => c.reference));
      expect(refsOf.slice(single.length).every((r) => r === -1)).toBe(true);
    });
  });
});
