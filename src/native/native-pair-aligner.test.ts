import { describe, expect, it } from 'vitest';

import { createRng } from '../core/rng.ts';
import {
  ALIGN_FIELDS,
  codeSet,
  createJsPairAligner,
  NO_DIAGONAL,
} from '../core/sequence/pair-aligner.ts';
import { loadNativePairAligner, type SimdChoice } from './native-pair-aligner.ts';

const AA = 'ACDEFGHIKLMNPQRSTVWY';

function randomProtein(rng: () => number, length: number): string {
  return Array.from({ length }, () => AA[Math.floor(rng() * AA.length)] ?? 'A').join('');
}

/** A mutated copy: substitutions, insertions and deletions, so alignments have gaps. */
function mutate(rng: () => number, s: string, rate: number): string {
  let out = '';
  for (const ch of s) {
    const r = rng();
    if (r < rate / 3) {
      continue;
    } else if (r < (2 * rate) / 3) {
      out += ch + (AA[Math.floor(rng() * AA.length)] ?? 'A');
    } else if (r < rate) {
      out += AA[Math.floor(rng() * AA.length)] ?? 'A';
    } else {
      out += ch;
    }
  }
  return out.length > 0 ? out : 'M';
}

const native = loadNativePairAligner();

describe('native Smith-Waterman', () => {
  // Each score path: 16 targets per query in AVX2 lanes, striped AVX2 (one pair at a time), scalar.
  it.each<SimdChoice>(['fastest', 'striped', 'scalar'])(
    'matches the TypeScript aligner on scores and alignments (%s)',
    (simd) => {
      const native = loadNativePairAligner(simd);
      if (native === undefined) {
        expect(process.env['CI']).not.toBe('true'); // CI builds the addon; it must be there
        return;
      }
      const rng = createRng(7);
      const queries: string[] = [];
      const targets: string[] = [];
      for (let i = 0; i < 160; i++) {
        // Lengths 1..1500 (the striped kernel's segment layout changes with length).
        const base = randomProtein(rng, 1 + Math.floor(rng() * (i % 8 === 0 ? 1500 : 320)));
        queries.push(base);
        targets.push(mutate(rng, base, [0.05, 0.3, 0.6, 1][i % 4] ?? 0.3));
      }
      targets.push('XXXX', 'W');
      const q = codeSet(queries);
      const t = codeSet(targets);
      const pairs = new Int32Array(queries.flatMap((_, i) => [i, i, i, (i + 7) % targets.length]));
      const js = createJsPairAligner();
      expect(Array.from(native.run(q, t, pairs, false))).toEqual(
        Array.from(js.run(q, t, pairs, false)),
      );
      const a = native.run(q, t, pairs, true);
      const b = js.run(q, t, pairs, true);
      const identity = (v: Int32Array): number =>
        (v[2] as number) === 0 ? 0 : (v[1] as number) / (v[2] as number);
      const span = (v: Int32Array): number => (v[4] as number) - (v[3] as number);
      let homologs = 0;
      for (let p = 0; p < pairs.length / 2; p++) {
        const x = a.subarray(p * ALIGN_FIELDS, (p + 1) * ALIGN_FIELDS);
        const y = b.subarray(p * ALIGN_FIELDS, (p + 1) * ALIGN_FIELDS);
        expect(x[0]).toBe(y[0]); // the same optimal score
        expect(x[1] as number).toBeLessThanOrEqual(x[2] as number);
        expect(x[2] as number).toBeGreaterThanOrEqual(span(x));
        // The native kernel may return another co-optimal alignment (its banded traceback is kept only
        // when it reaches the optimal score). Unrelated pairs (low scores) can have co-optimal
        // alignments far apart; for real homologs identity and span agree closely.
        if ((y[0] as number) >= 100) {
          homologs++;
          expect(Math.abs(identity(x) - identity(y))).toBeLessThan(0.05);
          expect(Math.abs(span(x) - span(y))).toBeLessThanOrEqual(Math.max(3, 0.1 * span(y)));
        }
      }
      expect(homologs).toBeGreaterThan(50);
      // Diagonal hints (an ungapped screen's segment), right or wrong, change where the kernel looks
      // first, never the optimum; NO_DIAGONAL is no hint.
      const hints = Int32Array.from({ length: pairs.length / 2 }, (_, p) =>
        p % 3 === 0 ? NO_DIAGONAL : Math.floor(rng() * 400) - 200,
      );
      const hinted = native.run(q, t, pairs, true, undefined, hints);
      // The reported ranges hold an alignment of the reported score: the sub-sequences they cut out
      // score exactly that (a wrong offset of a banded or rectangle traceback would not).
      const cut: [string[], string[]] = [[], []];
      for (const run of [a, hinted]) {
        for (let p = 0; p < pairs.length / 2; p++) {
          const x = run.subarray(p * ALIGN_FIELDS, (p + 1) * ALIGN_FIELDS);
          if ((x[0] as number) > 0) {
            const qi = pairs[2 * p] as number;
            const ti = pairs[2 * p + 1] as number;
            cut[0].push((queries[qi] ?? '').slice(x[3], x[4]));
            cut[1].push((targets[ti] ?? '').slice(x[5], x[6]));
          }
        }
      }
      const cutScores = js.run(
        codeSet(cut[0]),
        codeSet(cut[1]),
        Int32Array.from(cut[0].flatMap((_, i) => [i, i])),
        false,
      );
      let k = 0;
      for (const run of [a, hinted]) {
        for (let p = 0; p < pairs.length / 2; p++) {
          if ((run[p * ALIGN_FIELDS] as number) > 0) {
            expect(cutScores[k++]).toBe(run[p * ALIGN_FIELDS]);
          }
        }
      }
      expect(k).toBeGreaterThan(200);
      for (let p = 0; p < pairs.length / 2; p++) {
        expect(hinted[p * ALIGN_FIELDS]).toBe(b[p * ALIGN_FIELDS]);
        const x = hinted.subarray(p * ALIGN_FIELDS, (p + 1) * ALIGN_FIELDS);
        expect(x[1] as number).toBeLessThanOrEqual(x[2] as number);
        expect(x[2] as number).toBeGreaterThanOrEqual(span(x));
      }
    },
  );

  it('scores many targets of one query (lanes reused as targets end) like the TypeScript aligner', () => {
    const fast = loadNativePairAligner('fastest');
    if (fast === undefined) {
      expect(process.env['CI']).not.toBe('true');
      return;
    }
    const rng = createRng(21);
    const queries = Array.from({ length: 6 }, (_, i) =>
      randomProtein(rng, [1, 40, 180, 300, 520, 90][i] ?? 100),
    );
    // 45 targets per query: relatives and unrelated proteins of very different lengths (and an
    // empty one), so lanes finish at different columns and start new targets mid-call.
    const targets = Array.from({ length: 60 }, (_, i) =>
      i === 7
        ? ''
        : i % 3 === 0
          ? mutate(rng, queries[i % queries.length] ?? 'M', 0.3)
          : randomProtein(rng, 1 + Math.floor(rng() * 600)),
    );
    const pairs = new Int32Array(
      queries.flatMap((_, qi) =>
        Array.from({ length: 45 }, (_, k) => [qi, (qi * 7 + k) % 60]).flat(),
      ),
    );
    const q = codeSet(queries);
    const t = codeSet(targets);
    const expected = Array.from(createJsPairAligner().run(q, t, pairs, false));
    expect(Array.from(fast.run(q, t, pairs, false))).toEqual(expected);
    expect(expected.filter((score) => score > 100).length).toBeGreaterThanOrEqual(5);
    // Both paths of the fastest kernel: exact 8-bit lane scores (below 250 with BLOSUM62's bias of 4)
    // and pairs scored again with int16 lanes because they could have saturated 8 bits.
    expect(expected.filter((score) => score >= 250).length).toBeGreaterThanOrEqual(5);
    expect(expected.filter((score) => score > 0 && score < 250).length).toBeGreaterThanOrEqual(100);
  });

  it('rejects inconsistent input instead of reading out of bounds', () => {
    if (native === undefined) {
      return;
    }
    const q = codeSet(['MKV']);
    expect(() => native.run(q, q, new Int32Array([0, 5]), false)).toThrow(/inconsistent/);
  });
});
