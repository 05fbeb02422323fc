import { describe, expect, it } from 'vitest';

import { createRng } from '../rng.ts';
import { codeSet } from './pair-aligner.ts';
import {
  buildScreenIndex,
  buildScreenJs,
  packScreenShapes,
  presenceBits,
  SCREEN_FLAG_ANCHOR,
  SCREEN_MIN_SCORE,
  SCREEN_PASS_ANCHOR,
  SCREEN_PRESENCE_BITS,
  screenFlagScores,
  screenPassScores,
  screenQueries,
} from './ungapped-screen.ts';
import { encodeAll } from './seed-index.ts';

const AA = 'ACDEFGHIKLMNPQRSTVWY';

function randomProtein(rng: () => number, length: number): string {
  return Array.from({ length }, () => AA[Math.floor(rng() * AA.length)] ?? 'A').join('');
}

/** A relative of s: each residue kept with probability `keep`, else replaced at random. */
function relative(rng: () => number, s: string, keep: number): string {
  return Array.from(s, (ch) =>
    rng() < keep ? ch : (AA[Math.floor(rng() * AA.length)] ?? 'A'),
  ).join('');
}

describe('ungapped screen', () => {
  const rng = createRng(11);
  const refs = Array.from({ length: 60 }, () => randomProtein(rng, 150 + Math.floor(rng() * 200)));
  // References 0-29 are of a flagged class, 30-59 are not.
  const flagged = Uint8Array.from(refs, (_, r) => (r < 30 ? 1 : 0));
  const index = buildScreenIndex(refs, codeSet(refs), flagged);

  it('flags a query related to a flagged reference, and passes the negative reference another descends from', () => {
    const queries = [
      relative(rng, refs[3] ?? '', 0.6),
      relative(rng, refs[40] ?? '', 0.6),
      // Embedded in unrelated sequence on both sides (a domain of a longer protein).
      randomProtein(rng, 300) + relative(rng, refs[7] ?? '', 0.6) + randomProtein(rng, 200),
    ];
    const result = screenQueries(index, queries, codeSet(queries), 4);
    // Flagged queries stop at the first flagged reference that passes and list none.
    expect(result.flagged[0]).toBe(1);
    expect(Array.from(result.refs.subarray(0, 4))).toEqual([-1, -1, -1, -1]);
    expect(result.refs[4]).toBe(40);
    expect(result.flagged[1]).toBe(0);
    expect(result.flagged[2]).toBe(1);
    // Best first, at least the pass score, -1 / 0 after the last one.
    for (const q of [1]) {
      const scores = Array.from(result.scores.subarray(q * 4, q * 4 + 4));
      const refsOf = Array.from(result.refs.subarray(q * 4, q * 4 + 4));
      expect(scores[0]).toBeGreaterThanOrEqual(SCREEN_MIN_SCORE);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
      refsOf.forEach((r, k) => expect(r < 0).toBe(scores[k] === 0));
    }
  });

  it('flags a long query only at a score raised with its length, and lists the flagged reference it passes below it', () => {
    const lengths = [0, 100, SCREEN_FLAG_ANCHOR, SCREEN_FLAG_ANCHOR + 1, 1600, 4000];
    const offsets = Int32Array.from(
      lengths.reduce<number[]>((o, l) => [...o, (o.at(-1) ?? 0) + l], [0]),
    );
    const flagScores = Array.from(screenFlagScores(offsets));
    // ln(m / 400) / λ more, rounded up: +1 just above the anchor, +5 at 1,600, +8 at 4,000.
    expect(flagScores).toEqual([55, 55, 55, 56, 60, 63].map((v) => v - 55 + SCREEN_MIN_SCORE));
    // References pass at the base score up to SCREEN_PASS_ANCHOR residues (+5 at 4,000).
    const passLengths = [SCREEN_PASS_ANCHOR, SCREEN_PASS_ANCHOR + 1, 4000];
    const passOffsets = Int32Array.from(
      passLengths.reduce<number[]>((o, l) => [...o, (o.at(-1) ?? 0) + l], [0]),
    );
    expect(Array.from(screenPassScores(passOffsets))).toEqual(
      [0, 1, 5].map((v) => v + SCREEN_MIN_SCORE),
    );
    // A piece of flagged reference 5 with the same flanks in a short and in a long query: its segment
    // scores the same in both, and is chosen to pass the long query's pass score but not reach its flag score.
    const left = randomProtein(rng, 100);
    const right = randomProtein(rng, 100);
    const far = randomProtein(rng, 1400);
    const ref = refs[5] ?? '';
    let found = false;
    // A seed of the first shape (111010110111) with its three free positions mismatched, then k
    // identical residues: the segment grows a few points per residue until it lands in the window.
    const mismatch = (ch: string): string => ('WFY'.includes(ch) ? 'D' : 'W');
    for (let at = 20, k = 0; at < 120 && !found; k = k === 12 ? 0 : k + 1, at += k === 0 ? 20 : 0) {
      const core = Array.from(ref.slice(at, at + 12), (ch, i) =>
        i === 3 || i === 5 || i === 8 ? mismatch(ch) : ch,
      ).join('');
      const piece = core + ref.slice(at + 12, at + 12 + k);
      const short = left + piece + right;
      const long = far + short;
      const result = screenQueries(index, [short, long], codeSet([short, long]), 60);
      const listed = Array.from(result.refs.subarray(60, 120)).indexOf(5);
      const score = listed < 0 ? 0 : (result.scores[60 + listed] as number);
      const flagAt = screenFlagScores(Int32Array.of(0, long.length))[0] as number;
      const passAt = screenPassScores(Int32Array.of(0, long.length))[0] as number;
      if (result.flagged[1] === 0 && score >= passAt && score < flagAt) {
        found = true;
        // The short query is flagged by the same segment: it gets the full candidates.
        expect(result.flagged[0]).toBe(1);
      }
    }
    expect(found).toBe(true);
  });

  it('passes nothing for unrelated random proteins', () => {
    const queries = Array.from({ length: 40 }, () => randomProtein(rng, 400));
    const result = screenQueries(index, queries, codeSet(queries), 4);
    expect(Array.from(result.flagged).every((f) => f === 0)).toBe(true);
    expect(Array.from(result.refs).every((r) => r === -1)).toBe(true);
  });

  it('scores the best ungapped segment exactly (an identical copy scores its whole self-score)', () => {
    const ref = refs[42] ?? '';
    const result = screenQueries(index, [ref], codeSet([ref]), 1);
    let self = 0;
    const codes = codeSet([ref]).codes;
    // BLOSUM62 diagonal: the identical diagonal never drops, so the segment is the whole protein.
    for (const c of codes) {
      self += [4, 5, 6, 6, 9, 5, 5, 6, 8, 4, 4, 5, 5, 6, 7, 4, 5, 11, 7, 4][c] ?? 0;
    }
    expect(result.refs[0]).toBe(42);
    expect(result.scores[0]).toBe(self);
    expect(result.diagonals[0]).toBe(0);
  });

  it("reports the diagonal of a reference's best segment (query position − reference position)", () => {
    const ref = refs[42] ?? '';
    // 37 unrelated residues in front: the copy lies on diagonal +37.
    const query = 'MKWVTFISLLFLFSSAYSRGVFRRDTHKSEIAHRFKD' + ref;
    const result = screenQueries(index, [query], codeSet([query]), 1);
    expect(result.refs[0]).toBe(42);
    expect(result.diagonals[0]).toBe(37);
  });

  it('drops seeds more frequent than maxOccurrences and keeps each shape sorted by code, then position', () => {
    const sequences = ['L'.repeat(80), randomProtein(rng, 200)];
    const { letters, letterOffsets } = encodeAll(sequences);
    const shapes = packScreenShapes(['111010110111']);
    const kept = buildScreenJs({ letters, letterOffsets, shapes, maxOccurrences: 8, seeds: 0 });
    const all = buildScreenJs({ letters, letterOffsets, shapes, maxOccurrences: 1000, seeds: 0 });
    // The poly-L run gives one code 80 - 12 + 1 times: dropped at 8, kept at 1000.
    expect(all.codes.length - kept.codes.length).toBe(69);
    for (let e = 1; e < kept.codes.length; e++) {
      const a = kept.codes[e - 1] as number;
      const b = kept.codes[e] as number;
      expect(
        a < b || (a === b && (kept.positions[e - 1] as number) < (kept.positions[e] as number)),
      ).toBe(true);
    }
  });

  it("sets every indexed code's presence bits, and few of other codes pass the filter", () => {
    const words = 2 ** SCREEN_PRESENCE_BITS / 32;
    const has = (s: number, code: number): boolean => {
      const [w1, m1, w2, m2, w3, m3] = presenceBits(code);
      const p = index.presence;
      const base = s * words;
      return (
        ((p[base + w1] as number) & m1) !== 0 &&
        ((p[base + w2] as number) & m2) !== 0 &&
        ((p[base + w3] as number) & m3) !== 0
      );
    };
    const nShapes = index.shapeOffsets.length - 1;
    const indexed = new Set<string>();
    for (let s = 0; s < nShapes; s++) {
      for (
        let e = index.shapeOffsets[s] as number;
        e < (index.shapeOffsets[s + 1] as number);
        e++
      ) {
        const code = index.codes[e] as number;
        indexed.add(`${s}:${code}`);
        expect(has(s, code)).toBe(true); // a filter: never a false negative
      }
    }
    // Codes of no reference: the blocked Bloom filter lets almost none through.
    const probe = createRng(5);
    let passed = 0;
    let tried = 0;
    while (tried < 20_000) {
      const code = Math.floor(probe() * 1e9);
      if (!indexed.has(`0:${code}`)) {
        tried++;
        passed += has(0, code) ? 1 : 0;
      }
    }
    expect(passed / tried).toBeLessThan(0.01);
  });

  it('refuses shapes it cannot pack', () => {
    expect(() => packScreenShapes(['0111'])).toThrow(RangeError);
    expect(() => packScreenShapes(['1111111111'])).toThrow(/more than 9/);
  });
});
