// Per-feature histograms of a drift report as counts (kept with the report for the web UI's drift page).
import { binCounts, binEdges } from '../plot/histogram.ts';
import type { DriftHistogramJson } from './drift-contract.ts';
import type { DriftFeature } from './drift-report.ts';
import { categoryCounts } from './two-sample-tests.ts';

/** Bins of a numeric feature: enough to see a shift, few enough to keep a report small (~1 kB per feature). */
export const HISTOGRAM_BINS = 20;

/** Shared bins over both sides (numeric, as the HTML report's charts) or the categories' counts. */
export function featureHistograms(
  features: readonly DriftFeature[],
  bins = HISTOGRAM_BINS,
): DriftHistogramJson[] {
  return features.map((f) => {
    if (f.column.kind === 'categorical') {
      const counts = categoryCounts(f.column.reference, f.column.current);
      return { name: f.name, kind: 'categorical', ...counts };
    }
    const reference = Array.from(f.column.reference);
    const current = Array.from(f.column.current);
    const edges = binEdges([...reference, ...current], bins);
    return {
      name: f.name,
      kind: 'numeric',
      edges,
      reference: binCounts(reference, edges),
      current: binCounts(current, edges),
    };
  });
}
