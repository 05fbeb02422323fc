// Per-feature drift with Evidently's default test choice (by reference size and number of distinct values).
import { ArginatorError } from '../errors.ts';
import {
  categoryCounts,
  chiSquareTest,
  histogramCounts,
  histogramEdges,
  jensenShannonDistance,
  ksTwoSample,
  populationStd,
  sharesWithoutZeros,
  wassersteinDistance,
} from './two-sample-tests.ts';

/** Evidently: at most this many reference rows → p-value tests (KS, chi-square); more → distances. */
export const SMALL_REFERENCE_ROWS = 1000;
/** Evidently: a numeric column with at most this many distinct values is tested as categories. */
export const FEW_VALUES = 5;
/** Evidently's thresholds: p-value tests drift at p ≤ 0.05 (chi-square p < 0.05), distances at ≥ 0.1. */
export const P_VALUE_THRESHOLD = 0.05;
export const DISTANCE_THRESHOLD = 0.1;
/** Bins of numeric columns for the Jensen–Shannon distance (Evidently's n_bins). */
const JS_BINS = 30;
/** Evidently divides the Wasserstein distance by max(std(reference), 0.001). */
const MIN_NORM = 0.001;

export const COLUMN_TESTS = ['ks', 'chi-square', 'wasserstein', 'jensen-shannon'] as const;
export type ColumnTest = (typeof COLUMN_TESTS)[number];

export type Column =
  | {
      readonly kind: 'numeric';
      readonly reference: ArrayLike<number>;
      readonly current: ArrayLike<number>;
    }
  | {
      readonly kind: 'categorical';
      readonly reference: readonly string[];
      readonly current: readonly string[];
    };

export interface ColumnDrift {
  readonly test: ColumnTest;
  /** KS: the p-value; chi-square: the p-value; Wasserstein: distance / reference std; JS: the distance. */
  readonly statistic: number;
  /** The raw statistic behind it: KS D, the χ² value, the unnormalised distance (JS: the same distance). */
  readonly raw: number;
  readonly threshold: number;
  /** How `statistic` is compared with `threshold` for a drift. */
  readonly rule: 'p ≤ threshold' | 'p < threshold' | 'distance ≥ threshold';
  readonly drift: boolean;
}

function distinct(column: Column): number {
  return new Set<unknown>(
    Array.from(column.reference as ArrayLike<unknown>).concat(
      Array.from(column.current as ArrayLike<unknown>),
    ),
  ).size;
}

/** Evidently's default test for a column (get_default_stattest). */
export function defaultTest(column: Column): ColumnTest {
  const categorical = column.kind === 'categorical' || distinct(column) <= FEW_VALUES;
  if (column.reference.length <= SMALL_REFERENCE_ROWS) {
    return categorical ? 'chi-square' : 'ks';
  }
  return categorical ? 'jensen-shannon' : 'wasserstein';
}

function wrongKind(test: string): ArginatorError {
  return new ArginatorError(
    'INTERNAL',
    'drift.wrong-column-kind',
    `${test} needs a numeric column`,
    'test a categorical column with chi-square or Jensen–Shannon',
  );
}

function asCategories(values: ArrayLike<number> | readonly string[]): string[] {
  return Array.from(values as ArrayLike<number | string>, (v) => String(v));
}

/** Runs the column's default test (or the one given) and decides drift at Evidently's threshold. */
export function columnDrift(column: Column, test: ColumnTest = defaultTest(column)): ColumnDrift {
  switch (test) {
    case 'ks': {
      if (column.kind !== 'numeric') {
        throw wrongKind('the KS test');
      }
      const r = ksTwoSample(column.reference, column.current);
      return {
        test,
        statistic: r.pValue,
        raw: r.statistic,
        threshold: P_VALUE_THRESHOLD,
        rule: 'p ≤ threshold',
        drift: r.pValue <= P_VALUE_THRESHOLD,
      };
    }
    case 'chi-square': {
      const r = chiSquareTest(asCategories(column.reference), asCategories(column.current));
      return {
        test,
        statistic: r.pValue,
        raw: r.statistic,
        threshold: P_VALUE_THRESHOLD,
        rule: 'p < threshold',
        drift: r.pValue < P_VALUE_THRESHOLD,
      };
    }
    case 'wasserstein': {
      if (column.kind !== 'numeric') {
        throw wrongKind('the Wasserstein distance');
      }
      const raw = wassersteinDistance(column.reference, column.current);
      const statistic = raw / Math.max(populationStd(column.reference), MIN_NORM);
      return {
        test,
        statistic,
        raw,
        threshold: DISTANCE_THRESHOLD,
        rule: 'distance ≥ threshold',
        drift: statistic >= DISTANCE_THRESHOLD,
      };
    }
    case 'jensen-shannon': {
      let ref: number[];
      let cur: number[];
      if (column.kind === 'numeric' && distinct(column) > FEW_VALUES) {
        const pooled = Float64Array.from([
          ...Array.from(column.reference),
          ...Array.from(column.current),
        ]);
        const edges = histogramEdges(pooled, JS_BINS);
        ref = histogramCounts(column.reference, edges);
        cur = histogramCounts(column.current, edges);
      } else {
        const counts = categoryCounts(asCategories(column.reference), asCategories(column.current));
        ref = counts.reference;
        cur = counts.current;
      }
      const statistic = jensenShannonDistance(sharesWithoutZeros(ref), sharesWithoutZeros(cur));
      return {
        test,
        statistic,
        raw: statistic,
        threshold: DISTANCE_THRESHOLD,
        rule: 'distance ≥ threshold',
        drift: statistic >= DISTANCE_THRESHOLD,
      };
    }
  }
}
