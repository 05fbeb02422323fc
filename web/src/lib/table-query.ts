// Filtering and sorting of the results table, as an index array so 100,000 rows stay cheap.
import type { Novelty, PredictionRow } from './prediction-rows.ts';

export type SortKey =
  | 'index'
  | 'protein_id'
  | 'predicted_label'
  | 'confidence_score'
  | 'prob_betalactamase'
  | 'nearest_reference'
  | 'identity'
  | 'coverage'
  | 'novelty';

export interface TableQuery {
  /** Case-insensitive substring of the protein id; empty matches all. */
  readonly search: string;
  /** Only these labels; empty set means all. */
  readonly labels: ReadonlySet<string>;
  /** Only these novelty levels; empty set means all. */
  readonly novelty: ReadonlySet<Novelty>;
  /** Confidence range, inclusive, 0–1. */
  readonly minConfidence: number;
  readonly maxConfidence: number;
  readonly sortKey: SortKey;
  readonly sortDirection: 'asc' | 'desc';
}

export const DEFAULT_QUERY: TableQuery = {
  search: '',
  labels: new Set(),
  novelty: new Set(),
  minConfidence: 0,
  maxConfidence: 1,
  sortKey: 'index',
  sortDirection: 'asc',
};

const NOVELTY_ORDER: Readonly<Record<Novelty, number>> = { known: 0, distant: 1, novel: 2 };

/**
 * The positions (into `rows`) of the rows that pass the filters, in sort order. Ties keep input
 * order, and empty values (no nearest reference, say) sort last in both directions.
 * @example queryRows(rows, { ...DEFAULT_QUERY, search: 'kpc' }) // Uint32Array of matching positions
 */
export function queryRows(rows: readonly PredictionRow[], query: TableQuery): Uint32Array {
  const needle = query.search.trim().toLowerCase();
  const kept: number[] = [];
  for (let i = 0; i < rows.length; i += 1) {
    const row = rows[i];
    if (row !== undefined && matches(row, query, needle)) {
      kept.push(i);
    }
  }
  const out = Uint32Array.from(kept);
  if (query.sortKey === 'index' && query.sortDirection === 'asc') {
    return out;
  }
  const sign = query.sortDirection === 'asc' ? 1 : -1;
  const key = sortValue(query.sortKey);
  const values = new Map<number, string | number | null>();
  for (const i of kept) {
    const row = rows[i];
    values.set(i, row === undefined ? null : key(row));
  }
  const compareText = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' }).compare;
  out.sort((a, b) => {
    const va = values.get(a) ?? null;
    const vb = values.get(b) ?? null;
    if (va === null || vb === null) {
      return va === vb ? a - b : va === null ? 1 : -1;
    }
    const c =
      typeof va === 'number' && typeof vb === 'number'
        ? va - vb
        : compareText(String(va), String(vb));
    return c === 0 ? a - b : sign * c;
  });
  return out;
}

function matches(row: PredictionRow, query: TableQuery, needle: string): boolean {
  if (needle !== '' && !row.protein_id.toLowerCase().includes(needle)) {
    return false;
  }
  if (query.labels.size > 0 && !query.labels.has(row.predicted_label)) {
    return false;
  }
  if (query.novelty.size > 0 && (row.novelty === null || !query.novelty.has(row.novelty))) {
    return false;
  }
  return row.confidence_score >= query.minConfidence && row.confidence_score <= query.maxConfidence;
}

function sortValue(key: SortKey): (row: PredictionRow) => string | number | null {
  switch (key) {
    case 'novelty':
      return (r) => (r.novelty === null ? null : NOVELTY_ORDER[r.novelty]);
    case 'nearest_reference':
      // Sorted as shown: by gene where the model names it (results-table.ts), else by id.
      return (r) => r.nearest_gene ?? r.nearest_reference;
    default:
      return (r) => r[key];
  }
}

/** Rows per predicted label, in the order the labels are given, then any others seen. */
export function countByLabel(
  rows: readonly PredictionRow[],
  labels: readonly string[],
): Map<string, number> {
  const counts = new Map<string, number>(labels.map((l) => [l, 0]));
  for (const r of rows) {
    counts.set(r.predicted_label, (counts.get(r.predicted_label) ?? 0) + 1);
  }
  return counts;
}
