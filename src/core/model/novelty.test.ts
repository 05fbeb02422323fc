import { describe, expect, it } from 'vitest';

import type { NearestReference } from './predictor.ts';
import { KNOWN_COSINE, NOVEL_COSINE, NOVELTY_THRESHOLDS, noveltyOf } from './predictor.ts';

/** A nearest reference found by alignment, with the given identity and query coverage (fractions). */
const aligned = (identity: number, coverage: number): NearestReference => ({
  id: 'ref',
  label: 'A',
  identity,
  coverage,
});

/** A nearest reference found by embedding cosine (HDF5 input: no alignment). */
const byCosine = (cosine: number | undefined): NearestReference => ({
  id: 'ref',
  label: 'A',
  identity: undefined,
  coverage: undefined,
  cosine,
});

describe('noveltyOf (alignment)', () => {
  it('has the cut-offs measured on the cluster CV (docs/prediction.md, bench/novelty-identity.ts)', () => {
    expect(NOVELTY_THRESHOLDS).toEqual({
      knownIdentity: 0.68,
      knownCoverage: 0.7,
      novelIdentity: 0.4,
      novelCoverage: 0.5,
    });
  });

  it('calls a near-identical full-length relative known and an unrelated protein novel', () => {
    expect(noveltyOf(aligned(0.97, 1))).toBe('known');
    expect(noveltyOf(aligned(1, 1))).toBe('known');
    expect(noveltyOf(aligned(0.3, 0.95))).toBe('novel');
    expect(noveltyOf(undefined)).toBe('novel');
  });

  it('puts the known boundary at 68% identity over 70% of the query, inclusive', () => {
    expect(noveltyOf(aligned(0.68, 0.7))).toBe('known');
    expect(noveltyOf(aligned(0.6799, 1))).toBe('distant');
    expect(noveltyOf(aligned(1, 0.6999))).toBe('distant');
  });

  it('puts the novel boundary at 40% identity or 50% query coverage, exclusive', () => {
    expect(noveltyOf(aligned(0.4, 0.5))).toBe('distant');
    expect(noveltyOf(aligned(0.3999, 1))).toBe('novel');
    // A short, highly identical stretch of a longer query is not a known protein.
    expect(noveltyOf(aligned(0.99, 0.4999))).toBe('novel');
    expect(noveltyOf(aligned(0.55, 0.8))).toBe('distant');
  });

  it('counts an empty alignment (NaN identity) as novel, never distant', () => {
    expect(noveltyOf(aligned(Number.NaN, 1))).toBe('novel');
    expect(noveltyOf(aligned(0.9, Number.NaN))).toBe('novel');
  });

  it('follows thresholds passed in (the bench sweeps them)', () => {
    const strict = {
      knownIdentity: 0.9,
      knownCoverage: 0.9,
      novelIdentity: 0.6,
      novelCoverage: 0.8,
    };
    expect(noveltyOf(aligned(0.85, 1), strict)).toBe('distant');
    expect(noveltyOf(aligned(0.55, 1), strict)).toBe('novel');
    expect(noveltyOf(aligned(0.95, 0.85), strict)).toBe('distant');
    expect(noveltyOf(aligned(0.95, 0.95), strict)).toBe('known');
  });
});

describe('noveltyOf (embedding cosine, no alignment)', () => {
  it('uses the cosine cut-offs', () => {
    expect(noveltyOf(byCosine(KNOWN_COSINE))).toBe('known');
    expect(noveltyOf(byCosine((KNOWN_COSINE + NOVEL_COSINE) / 2))).toBe('distant');
    expect(noveltyOf(byCosine(NOVEL_COSINE - 1e-6))).toBe('novel');
    expect(noveltyOf(byCosine(undefined))).toBe('novel');
    expect(noveltyOf(byCosine(Number.NaN))).toBe('novel');
  });
});
