// The map file round-trips exactly and refuses foreign bytes.
import { describe, expect, it } from 'vitest';

import { ArginatorError } from '../errors.ts';
import {
  DEFAULT_MAP_PARAMS,
  decodeReferenceMap,
  encodeReferenceMap,
  type ReferenceMapState,
} from './reference-map-codec.ts';

function sample(): ReferenceMapState {
  return {
    key: 'k'.repeat(64),
    modelVersion: 'v7',
    labels: ['A', 'NBL'],
    ids: ['r1', 'r2', 'r3'],
    referenceLabels: [0, 1, 1],
    params: DEFAULT_MAP_PARAMS,
    fit: {
      fitter: 'test',
      pca: {
        dim: 4,
        components: 2,
        mean: Float32Array.from([0.5, 0.25, 0, -1]),
        basis: Float32Array.from([1, 0, 0, 0, 0, 1, 0, 0]),
        variances: Float64Array.from([2.5, 0.125]),
        totalVariance: 3,
      },
      layout: {
        n: 3,
        dim: 2,
        reduced: Float32Array.from([1, 2, 3, 4, 5, 6]),
        coords: Float32Array.from([-1.5, 2.25, 3, 4, 5.5, -6]),
        a: 1.5,
        b: 0.9,
        nNeighbors: DEFAULT_MAP_PARAMS.nNeighbors,
        seed: DEFAULT_MAP_PARAMS.seed,
      },
    },
  };
}

describe('reference map codec', () => {
  it('round-trips every field exactly', () => {
    const state = sample();
    expect(decodeReferenceMap(encodeReferenceMap(state))).toEqual(state);
  });

  it('refuses bytes that are not a map', () => {
    expect(() => decodeReferenceMap(new TextEncoder().encode('ARGM....'))).toThrow(ArginatorError);
    const bytes = encodeReferenceMap(sample());
    expect(() => decodeReferenceMap(bytes.subarray(0, bytes.length - 4))).toThrow(/truncated/);
  });
});
