// Geometry of a drift histogram: reference and current bars side by side per bin, heights as the share of each side.
import type { DriftHistogramJson } from '../api/types.ts';

export interface Bar {
  readonly side: 'reference' | 'current';
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  /** Share of its side's values in this bin (0..1), for the tooltip. */
  readonly share: number;
  /** The bin: 'start – end' (numeric) or the category. */
  readonly bin: string;
}

export interface BarBox {
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

const round = (v: number): number => Math.round(v * 100) / 100;

function binLabels(h: DriftHistogramJson): string[] {
  if (h.kind === 'categorical') {
    return [...h.categories];
  }
  const show = (v: number): string => Number(v.toPrecision(3)).toString();
  return h.reference.map((_, i) => `${show(h.edges[i] ?? 0)} – ${show(h.edges[i + 1] ?? 0)}`);
}

/**
 * Two bars per bin, each side scaled to its own total (the sides differ in size), on one y scale
 * whose top is the largest share of either side.
 */
export function histogramBars(h: DriftHistogramJson, box: BarBox): Bar[] {
  const total = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) || 1;
  const refTotal = total(h.reference);
  const curTotal = total(h.current);
  const bins = h.reference.length;
  const refShares = h.reference.map((c) => c / refTotal);
  const curShares = h.current.map((c) => c / curTotal);
  const top = Math.max(...refShares, ...curShares, 1e-9);
  const plotW = box.width - box.left - box.right;
  const plotH = box.height - box.top - box.bottom;
  const slot = plotW / Math.max(1, bins);
  const labels = binLabels(h);
  const bars: Bar[] = [];
  for (let i = 0; i < bins; i++) {
    for (const [k, side, share] of [
      [0, 'reference', refShares[i] ?? 0],
      [1, 'current', curShares[i] ?? 0],
    ] as const) {
      const height = (share / top) * plotH;
      bars.push({
        side,
        x: round(box.left + i * slot + (k * slot) / 2 + slot * 0.05),
        y: round(box.top + plotH - height),
        width: round(slot * 0.45),
        height: round(height),
        share,
        bin: labels[i] ?? '',
      });
    }
  }
  return bars;
}
