// Chart specs of a validation report: class shares against the balance threshold, and sequence lengths per label.
import type { ClassCount } from '../validation/validation-report.ts';
import { binCounts, binEdges } from './histogram.ts';
import {
  classColours,
  PANEL,
  topLevel,
  type JsonObject,
  type VegaLiteSpec,
} from './chart-style.ts';

/** Bars of each class's share with a dashed rule at the minimum share; bars below it are outlined red. */
export function classBalanceSpec(
  counts: readonly ClassCount[],
  minFraction: number,
  title: string,
): VegaLiteSpec {
  const values: JsonObject[] = counts.map((c) => ({
    label: c.label,
    count: c.count,
    percent: Number((100 * c.fraction).toFixed(2)),
    below: c.fraction < minFraction,
  }));
  const labels = counts.map((c) => c.label);
  const min = 100 * minFraction;
  return topLevel(
    { text: title, subtitle: `dashed line: the minimum share, ${min.toFixed(0)}%` },
    `Bar chart of the share of proteins per class (${counts.map((c) => `${c.label} ${c.count}`).join(', ')}), with a rule at the ${min.toFixed(0)}% minimum.`,
    {
      width: PANEL.width,
      height: PANEL.height - 60,
      layer: [
        {
          data: { values },
          mark: { type: 'bar' },
          encoding: {
            x: {
              field: 'label',
              type: 'nominal',
              title: null,
              sort: labels,
              axis: { labelAngle: 0 },
            },
            y: { field: 'percent', type: 'quantitative', title: '% of proteins' },
            color: {
              field: 'label',
              type: 'nominal',
              legend: null,
              scale: { domain: labels, range: classColours(labels) },
            },
            stroke: {
              condition: { test: 'datum.below', value: '#C00000' },
              value: null,
            },
            strokeWidth: { value: 2 },
            tooltip: [
              { field: 'label', type: 'nominal', title: 'Class' },
              { field: 'count', type: 'quantitative', title: 'Proteins' },
              { field: 'percent', type: 'quantitative', title: '%', format: '.1f' },
            ],
          },
        },
        {
          data: { values: [{ min }] },
          mark: { type: 'rule', strokeDash: [6, 4], color: '#C00000' },
          encoding: { y: { field: 'min', type: 'quantitative' } },
        },
      ],
    },
  );
}

/** Histograms of sequence length, one colour per label, as a share of each label's proteins. */
export function lengthHistogramSpec(
  lengths: Readonly<Record<string, readonly number[]>>,
  title: string,
  bins = 40,
): VegaLiteSpec {
  const labels = Object.keys(lengths);
  const all = labels.flatMap((l) => lengths[l] ?? []);
  const edges = binEdges(all, bins);
  const values: JsonObject[] = labels.flatMap((label) => {
    const v = lengths[label] ?? [];
    const counts = binCounts(v, edges);
    return counts.map((count, i) => ({
      series: `${label} (n = ${v.length})`,
      start: edges[i] ?? 0,
      end: edges[i + 1] ?? 0,
      count,
      percent: v.length > 0 ? Number(((100 * count) / v.length).toFixed(3)) : 0,
    }));
  });
  const series = labels.map((l) => `${l} (n = ${(lengths[l] ?? []).length})`);
  return topLevel(
    { text: title },
    `Histograms of sequence length in residues for ${labels.join(', ')} on ${edges.length - 1} shared bins, as percent of each label's proteins.`,
    {
      width: PANEL.width,
      height: PANEL.height - 40,
      data: { values },
      mark: { type: 'bar', opacity: 0.55 },
      encoding: {
        x: {
          field: 'start',
          type: 'quantitative',
          title: 'Length (residues)',
          scale: { zero: false, nice: false },
        },
        x2: { field: 'end' },
        y: { field: 'percent', type: 'quantitative', title: '% of the label', stack: null },
        // Bars from zero (without y2 vega-lite draws each overlaid bar as a thin band).
        y2: { datum: 0 },
        color: {
          field: 'series',
          type: 'nominal',
          title: null,
          scale: { domain: series, range: classColours(labels) },
          legend: { orient: 'top', direction: 'horizontal' },
        },
        tooltip: [
          { field: 'series', type: 'nominal', title: 'Label' },
          { field: 'start', type: 'quantitative', title: 'From', format: '.0f' },
          { field: 'end', type: 'quantitative', title: 'To', format: '.0f' },
          { field: 'count', type: 'quantitative', title: 'Proteins' },
        ],
      },
    },
  );
}
