import { describe, expect, it } from 'vitest';

import type { PredictionRow } from './prediction-rows.ts';
import { countByLabel, DEFAULT_QUERY, queryRows } from './table-query.ts';

function row(index: number, over: Partial<PredictionRow>): PredictionRow {
  return {
    index,
    protein_id: `p${index}`,
    predicted_label: 'NBL',
    confidence_score: 0.5,
    prob_betalactamase: 0.5,
    probabilities: {},
    nearest_reference: null,
    nearest_reference_label: null,
    identity: null,
    coverage: null,
    novelty: 'novel',
    model_version: 'v1',
    nearest_gene: null,
    nearest_family: null,
    nearest_subclass: null,
    carbapenemase: null,
    bitscore: null,
    evalue: null,
    method: 'NONE',
    ...over,
  };
}

const rows = [
  row(0, {
    protein_id: 'KPC-2',
    predicted_label: 'A',
    confidence_score: 0.9,
    identity: 99,
    novelty: 'known',
  }),
  row(1, {
    protein_id: 'NDM-1',
    predicted_label: 'B',
    confidence_score: 0.6,
    identity: 45,
    novelty: 'distant',
  }),
  row(2, { protein_id: 'kpc-3', predicted_label: 'A', confidence_score: 0.3 }),
  row(3, {
    protein_id: 'OXA-48',
    predicted_label: 'D',
    confidence_score: 0.9,
    identity: 80,
    novelty: 'known',
  }),
];

const ids = (order: Uint32Array): string[] => [...order].map((i) => rows[i]?.protein_id ?? '?');

describe('queryRows', () => {
  it('keeps input order by default', () => {
    expect(ids(queryRows(rows, DEFAULT_QUERY))).toEqual(['KPC-2', 'NDM-1', 'kpc-3', 'OXA-48']);
  });

  it('searches ids case-insensitively', () => {
    expect(ids(queryRows(rows, { ...DEFAULT_QUERY, search: ' KPC ' }))).toEqual(['KPC-2', 'kpc-3']);
  });

  it('filters by label, novelty and confidence range together', () => {
    expect(ids(queryRows(rows, { ...DEFAULT_QUERY, labels: new Set(['A', 'D']) }))).toEqual([
      'KPC-2',
      'kpc-3',
      'OXA-48',
    ]);
    expect(
      ids(queryRows(rows, { ...DEFAULT_QUERY, novelty: new Set(['known'] as const) })),
    ).toEqual(['KPC-2', 'OXA-48']);
    expect(
      ids(queryRows(rows, { ...DEFAULT_QUERY, minConfidence: 0.5, maxConfidence: 0.7 })),
    ).toEqual(['NDM-1']);
  });

  it('sorts numbers and text both ways, ties in input order, empty values last', () => {
    expect(
      ids(
        queryRows(rows, { ...DEFAULT_QUERY, sortKey: 'confidence_score', sortDirection: 'desc' }),
      ),
    ).toEqual(['KPC-2', 'OXA-48', 'NDM-1', 'kpc-3']);
    expect(
      ids(queryRows(rows, { ...DEFAULT_QUERY, sortKey: 'identity', sortDirection: 'asc' })),
    ).toEqual(['NDM-1', 'OXA-48', 'KPC-2', 'kpc-3']);
    expect(
      ids(queryRows(rows, { ...DEFAULT_QUERY, sortKey: 'identity', sortDirection: 'desc' })),
    ).toEqual(['KPC-2', 'OXA-48', 'NDM-1', 'kpc-3']);
    expect(
      ids(queryRows(rows, { ...DEFAULT_QUERY, sortKey: 'protein_id', sortDirection: 'asc' })),
    ).toEqual(['KPC-2', 'kpc-3', 'NDM-1', 'OXA-48']);
    expect(
      ids(queryRows(rows, { ...DEFAULT_QUERY, sortKey: 'novelty', sortDirection: 'asc' })),
    ).toEqual(['KPC-2', 'OXA-48', 'NDM-1', 'kpc-3']);
  });

  it('filters and sorts 100,000 rows quickly', () => {
    const many = Array.from({ length: 100_000 }, (_, i) =>
      row(i, {
        confidence_score: ((i * 7919) % 1000) / 1000,
        predicted_label: i % 2 === 0 ? 'A' : 'B',
      }),
    );
    const t0 = performance.now();
    const order = queryRows(many, {
      ...DEFAULT_QUERY,
      labels: new Set(['A']),
      sortKey: 'confidence_score',
      sortDirection: 'desc',
    });
    const ms = performance.now() - t0;
    expect(order.length).toBe(50_000);
    expect(many[order[0] ?? 0]?.confidence_score).toBeGreaterThanOrEqual(
      many[order[order.length - 1] ?? 0]?.confidence_score ?? 1,
    );
    expect(ms).toBeLessThan(1500);
  });
});

describe('countByLabel', () => {
  it('counts every given label, zero included, then unexpected ones', () => {
    expect([...countByLabel(rows, ['A', 'B', 'C', 'D', 'NBL'])]).toEqual([
      ['A', 2],
      ['B', 1],
      ['C', 0],
      ['D', 1],
      ['NBL', 0],
    ]);
  });
});
