import { describe, expect, it } from 'vitest';

import { createRng } from '../core/rng.ts';
import { buildPostingsJs, buildSeedIndex } from '../core/sequence/seed-index.ts';
import { loadNativeSeedKernels } from './native-seed-kernels.ts';

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

const native = loadNativeSeedKernels();

describe('native seed search', () => {
  it('builds the same postings and finds the same candidates with the same hit counts as the TypeScript loops', () => {
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
    const fast = buildSeedIndex(refs, { kernels: native });
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
    // Cached postings are not scanned at load: a damaged range is skipped where it is read.
    const damaged = { ...fast.postings, offsets: fast.postings.offsets.slice() };
    for (let c = 1; c + 1 < damaged.offsets.length; c += 3) {
      damaged.offsets[c] = c % 2 === 0 ? damaged.refs.length + 1000 : -5;
    }
    const broken = buildSeedIndex(refs, { kernels: native, postings: damaged });
    const brokenJs = buildSeedIndex(refs, { postings: damaged });
    expect(broken.searchBatch(queries, 12, 3)).toEqual(brokenJs.searchBatch(queries, 12, 3));
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

  it('builds postings identical to the TypeScript counting sort, and rejects bad shapes', () => {
    if (native === undefined) {
      expect(process.env['CI']).not.toBe('true');
      return;
    }
    // Letters 0-9 and 255 (out of alphabet) so some seeds are left out; shapes '101' and '11'.
    const rng = createRng(9);
    const lengths = [0, 1, 2, 3, 50, 120, 7];
    const letterOffsets = new Int32Array(lengths.length + 1);
    lengths.forEach((l, i) => (letterOffsets[i + 1] = (letterOffsets[i] as number) + l));
    const letters = Uint8Array.from({ length: letterOffsets[lengths.length] as number }, () =>
      rng() < 0.05 ? 255 : Math.floor(rng() * 10),
    );
    const shapes = Int32Array.from([0, 3, 2, 0, 2, 100, 2, 2, 0, 1]);
    const room = lengths.reduce((sum, l) => sum + Math.max(0, l - 2) + Math.max(0, l - 1), 0);
    const build = () => ({
      letters,
      letterOffsets,
      shapes,
      offsets: new Int32Array(201),
      refs: new Int32Array(room),
      positions: new Int32Array(room),
    });
    const js = build();
    const cpp = build();
    const total = buildPostingsJs(js);
    expect(native.postings(cpp)).toBe(total);
    expect(total).toBeGreaterThan(200);
    expect(Array.from(cpp.offsets)).toEqual(Array.from(js.offsets));
    expect(Array.from(cpp.refs.subarray(0, total))).toEqual(Array.from(js.refs.subarray(0, total)));
    expect(Array.from(cpp.positions.subarray(0, total))).toEqual(
      Array.from(js.positions.subarray(0, total)),
    );
    // A shape whose codes do not fit the offsets, and too little room, are errors, not overruns.
    expect(() => native.postings({ ...build(), offsets: new Int32Array(50) })).toThrow(
      /inconsistent/,
    );
    expect(() => native.postings({ ...build(), refs: new Int32Array(3) })).toThrow(/no room/);
  });
});
