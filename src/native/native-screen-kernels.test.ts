import { describe, expect, it } from 'vitest';

import { createRng } from '../core/rng.ts';
import { codeSet } from '../core/sequence/pair-aligner.ts';
import {
  buildScreenIndex,
  JS_SCREEN_KERNELS,
  screenQueries,
} from '../core/sequence/ungapped-screen.ts';
import { loadNativeScreenKernels } from './native-screen-kernels.ts';

const AA = 'ACDEFGHIKLMNPQRSTVWY';
const randomProtein = (rng: () => number, length: number): string =>
  Array.from({ length }, () => AA[Math.floor(rng() * AA.length)] ?? 'A').join('');
const relative = (rng: () => number, s: string): string =>
  Array.from(s, (ch) => (rng() < 0.55 ? ch : (AA[Math.floor(rng() * AA.length)] ?? 'A'))).join('');

const native = loadNativeScreenKernels();

describe('native ungapped screen', () => {
  it('builds the same index and screens to the same references, scores and flags as the TypeScript loops', () => {
    if (native === undefined) {
      expect(process.env['CI']).not.toBe('true'); // CI builds the addon; it must be there
      return;
    }
    const rng = createRng(23);
    // Low-complexity references and queries too: the occurrence cap and long extensions.
    const refs = Array.from({ length: 300 }, (_, i) =>
      i % 40 === 0
        ? 'N'.repeat(120) + randomProtein(rng, 100)
        : randomProtein(rng, 80 + Math.floor(rng() * 400)),
    );
    const flagged = Uint8Array.from(refs, (_, r) => r % 3);
    const js = buildScreenIndex(refs, codeSet(refs), flagged, JS_SCREEN_KERNELS);
    const fast = buildScreenIndex(refs, codeSet(refs), flagged, native);
    expect(Array.from(fast.shapeOffsets)).toEqual(Array.from(js.shapeOffsets));
    expect(Array.from(fast.codes)).toEqual(Array.from(js.codes));
    expect(Array.from(fast.positions)).toEqual(Array.from(js.positions));
    const queries = Array.from({ length: 120 }, (_, t) => {
      const source = refs[Math.floor(rng() * refs.length)] ?? '';
      if (t % 4 === 0) {
        return randomProtein(rng, 50 + Math.floor(rng() * 600));
      }
      if (t % 4 === 1) {
        return relative(rng, source) + relative(rng, refs[(t * 7) % refs.length] ?? '');
      }
      if (t % 11 === 0) {
        return 'N'.repeat(200);
      }
      return relative(rng, source);
    });
    // Letters outside Murphy-10 (X, B, Z, U) break the windows that cover them: scattered, in runs,
    // and at both ends. Some queries shorter than every seed span, and an empty batch.
    for (let t = 0; t < 12; t++) {
      const source = relative(rng, refs[(t * 13) % refs.length] ?? '');
      const odd = 'XBZU'[t % 4] ?? 'X';
      queries.push(
        t % 3 === 0
          ? Array.from(source, (ch, i) => (i % (7 + t) === 0 ? odd : ch)).join('')
          : t % 3 === 1
            ? `${odd.repeat(10)}${source.slice(0, 60)}${odd.repeat(5)}${source.slice(60)}${odd}`
            : `${source}${odd.repeat(3)}`,
      );
    }
    queries.push('MK', '');
    const a = screenQueries(js, queries, codeSet(queries), 6, JS_SCREEN_KERNELS);
    const b = screenQueries(js, queries, codeSet(queries), 6, native);
    expect(Array.from(b.refs)).toEqual(Array.from(a.refs));
    expect(Array.from(b.scores)).toEqual(Array.from(a.scores));
    expect(Array.from(b.diagonals)).toEqual(Array.from(a.diagonals));
    expect(Array.from(b.flagged)).toEqual(Array.from(a.flagged));
    // One thread (a queue worker's chunk thread has one core) screens the same.
    const single = screenQueries(js, queries, codeSet(queries), 6, loadNativeScreenKernels(1));
    expect(Array.from(single.refs)).toEqual(Array.from(a.refs));
    expect(Array.from(single.flagged)).toEqual(Array.from(a.flagged));
    expect(a.refs.filter((r) => r >= 0).length).toBeGreaterThan(30);
    expect(a.flagged.filter((f) => f === 1).length).toBeGreaterThan(20);
    const none = screenQueries(js, [], codeSet([]), 6, native);
    expect(none.refs.length).toBe(0);
  });

  it('refuses inconsistent arrays with a RangeError instead of reading out of bounds', () => {
    if (native === undefined) {
      return;
    }
    const refs = ['MKTAYIAKQRQISFVKSHFSRQLEERLGLIEVQ', 'MSDNELKQLLEKVRQGEFSAAQKLLA'];
    const index = buildScreenIndex(refs, codeSet(refs), new Uint8Array(2), native);
    const broken = { ...index, positions: Int32Array.from(index.positions, () => 10_000) };
    // A seed that would run past its reference's last residue into the next one.
    const crossing = {
      ...index,
      positions: Int32Array.from(index.positions, () => (refs[0]?.length ?? 0) - 3),
    };
    expect(() => screenQueries(broken, refs, codeSet(refs), 2, native)).toThrow(RangeError);
    expect(() => screenQueries(crossing, refs, codeSet(refs), 2, native)).toThrow(RangeError);
  });
});
