import { describe, expect, it } from 'vitest';

import {
  BUILTIN_DIM,
  BUILTIN_FINGERPRINT,
  BUILTIN_ID,
  embedSequence,
} from '../embed/builtin-embedder.ts';
import { createRng } from '../rng.ts';
import { decodeArtifact } from './artifact.ts';
import { jsKernels } from './kernels.ts';
import type { NearestReference } from './predictor.ts';
import {
  createPredictor,
  KNOWN_COSINE,
  NOVEL_COSINE,
  NOVELTY_THRESHOLDS,
  noveltyOf,
} from './predictor.ts';
import { randomModelArtifact } from './test-support/random-model.ts';

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

describe('novelty of real alignments (createPredictor)', () => {
  const AA = 'ACDEFGHIKLMNPQRSTVWY';
  const rng = createRng(17);
  const protein = (length: number): string =>
    Array.from({ length }, () => AA[Math.floor(rng() * AA.length)] ?? 'A').join('');
  /** `sequence` with every `every`-th residue replaced by another amino acid. */
  const mutate = (sequence: string, every: number): string =>
    Array.from({ length: sequence.length }, (_, i) => {
      const c = sequence.charAt(i);
      return i % every === every - 1 ? (AA[(AA.indexOf(c) + 7) % AA.length] ?? 'A') : c;
    }).join('');
  const references = [protein(200), protein(200), protein(200)];
  const embed = (sequences: readonly string[]): Float32Array => {
    const out = new Float32Array(sequences.length * BUILTIN_DIM);
    sequences.forEach((s, i) =>
      embedSequence(s, out.subarray(i * BUILTIN_DIM, (i + 1) * BUILTIN_DIM)),
    );
    return out;
  };
  const predictor = createPredictor(
    decodeArtifact(
      randomModelArtifact({
        embedder: { id: BUILTIN_ID, dim: BUILTIN_DIM, fingerprint: BUILTIN_FINGERPRINT },
        labels: ['A', 'B', 'C', 'D', 'NBL'],
        references: {
          ids: ['r0', 'r1', 'r2'],
          labels: [0, 1, 4],
          sequences: references,
        },
        homology: { candidates: 2 },
      }),
    ),
    jsKernels,
    embed(references),
  );
  const r0 = references[0] ?? '';

  it('calls a 95%-identical full-length variant known, with BLAST identity and both coverages', () => {
    const [p] = predictor.predict([mutate(r0, 20)], embed([mutate(r0, 20)]));
    expect(p?.nearest?.id).toBe('r0');
    expect(p?.nearest?.identity).toBeCloseTo(0.95, 2); // 190 of 199 aligned columns (last residue mutated, left out)
    expect(p?.nearest?.coverage).toBeGreaterThan(0.99);
    expect(p?.novelty).toBe('known');
  });

  it('calls a variant at two-thirds identity distant and an unrelated protein novel', () => {
    const variant = mutate(r0, 3);
    const unrelated = protein(200);
    const [a, b] = predictor.predict([variant, unrelated], embed([variant, unrelated]));
    expect(a?.nearest?.identity).toBeGreaterThan(0.6);
    expect(a?.nearest?.identity).toBeLessThan(0.68);
    expect(a?.novelty).toBe('distant');
    expect(b?.novelty).toBe('novel');
  });

  it('reads coverage of the query: a known protein inside a query three times as long is novel', () => {
    const fusion = `${protein(200)}${r0}${protein(200)}`;
    const [p] = predictor.predict([fusion], embed([fusion]));
    expect(p?.nearest?.id).toBe('r0');
    expect(p?.nearest?.identity).toBeGreaterThan(0.95);
    expect(p?.nearest?.coverage).toBeLessThan(0.5);
    expect(p?.nearest?.referenceCoverage).toBeGreaterThan(0.95);
    expect(p?.novelty).toBe('novel');
  });
});
