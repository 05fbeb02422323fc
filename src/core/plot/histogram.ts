// Chart spec: overlaid reference vs current histograms on shared bins (for drift reports).
import {
  PANEL,
  SERIES_COLOURS,
  isFiniteNumber,
  topLevel,
  type JsonObject,
  type VegaLiteSpec,
} from './chart-style.ts';

export interface HistogramInput {
  reference: readonly number[];
  current: readonly number[];
  /** Number of equal-width bins over the combined range (default 30). */
  bins?: number | undefined;
  title?: string | undefined;
  /** e.g. a drift test result: 'KS D = 0.21, p < 0.001'. */
  subtitle?: string | undefined;
  /** What the values are, e.g. 'Sequence length (residues)'. */
  xTitle?: string | undefined;
}

export interface HistogramBin extends JsonObject {
  series: string;
  start: number;
  end: number;
  count: number;
  /** Share of the series' values in this bin, in percent. */
  percent: number;
}

/** Equal-width bin edges covering every finite value (a unit-wide bin for constant data). */
export function binEdges(values: readonly number[], bins: number): number[] {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (isFiniteNumber(v)) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
  }
  if (min > max) {
    return [0, 1];
  }
  if (min === max) {
    return [min - 0.5, max + 0.5];
  }
  const n = Math.max(1, Math.floor(bins));
  const width = (max - min) / n;
  return Array.from({ length: n + 1 }, (_, i) => (i === n ? max : min + i * width));
}

/** Counts per bin; the last bin includes its upper edge. */
export function binCounts(values: readonly number[], edges: readonly number[]): number[] {
  const n = edges.length - 1;
  const counts = new Array<number>(Math.max(n, 0)).fill(0);
  const first = edges[0] ?? 0;
  const last = edges[n] ?? 0;
  const width = (last - first) / n;
  for (const v of values) {
    if (!isFiniteNumber(v) || v < first || v > last) {
      continue;
    }
    let i = Math.min(n - 1, Math.floor((v - first) / width));
    // Guard against rounding putting a value one bin off its edges.
    while (i > 0 && v < (edges[i] ?? first)) {
      i -= 1;
    }
    while (i < n - 1 && v >= (edges[i + 1] ?? last)) {
      i += 1;
    }
    counts[i] = (counts[i] ?? 0) + 1;
  }
  return counts;
}

function seriesBins(
  series: string,
  values: readonly number[],
  edges: readonly number[],
): HistogramBin[] {
  const counts = binCounts(values, edges);
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((count, i) => ({
    series,
    start: edges[i] ?? 0,
    end: edges[i + 1] ?? 0,
    count,
    percent: total > 0 ? Number(((100 * count) / total).toFixed(4)) : 0,
  }));
}

/** Overlaid histograms as a share of each sample, so samples of different size compare. */
export function histogramSpec(input: HistogramInput): VegaLiteSpec {
  const edges = binEdges([...input.reference, ...input.current], input.bins ?? 30);
  const nRef = input.reference.filter(isFiniteNumber).length;
  const nCur = input.current.filter(isFiniteNumber).length;
  const refName = `Reference (n = ${nRef})`;
  const curName = `Current (n = ${nCur})`;
  const values = [
    ...seriesBins(refName, input.reference, edges),
    ...seriesBins(curName, input.current, edges),
  ];
  const xTitle = input.xTitle ?? 'Value';
  const description =
    `Overlaid histograms of ${xTitle.toLowerCase()} for the reference sample (${nRef} values) and ` +
    `the current sample (${nCur} values) on ${edges.length - 1} shared bins, as percent of each sample` +
    (input.subtitle === undefined ? '.' : `; ${input.subtitle}.`);
  return topLevel(
    { text: input.title ?? 'Reference vs current distribution', subtitle: input.subtitle },
    description,
    {
      width: PANEL.width,
      height: PANEL.height - 40,
      data: { values },
      mark: { type: 'bar', orient: 'vertical', opacity: 0.5 },
      encoding: {
        x: {
          field: 'start',
          type: 'quantitative',
          title: xTitle,
          scale: { zero: false, nice: false },
        },
        x2: { field: 'end' },
        y: { field: 'percent', type: 'quantitative', title: '% of sample', stack: null },
        color: {
          field: 'series',
          type: 'nominal',
          title: null,
          scale: {
            domain: [refName, curName],
            range: [SERIES_COLOURS.primary, SERIES_COLOURS.secondary],
          },
          legend: { orient: 'top', direction: 'horizontal', symbolOpacity: 0.6 },
        },
        tooltip: [
          { field: 'series', type: 'nominal', title: 'Sample' },
          { field: 'start', type: 'quantitative', title: 'From', format: '.3~g' },
          { field: 'end', type: 'quantitative', title: 'To', format: '.3~g' },
          { field: 'count', type: 'quantitative', title: 'Count' },
          { field: 'percent', type: 'quantitative', title: '% of sample', format: '.1f' },
        ],
      },
    },
  );
}
