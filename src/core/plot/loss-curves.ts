// Chart spec: per-epoch train/validation loss, optional validation metrics panel, best epoch marked.
import {
  PANEL,
  SERIES_COLOURS,
  fixed,
  isFiniteNumber,
  topLevel,
  type JsonObject,
  type VegaLiteSpec,
} from './chart-style.ts';

export interface EpochPoint {
  epoch: number;
  trainLoss: number;
  valLoss?: number | undefined;
  /** Validation macro-F1 in [0, 1]. */
  valF1?: number | undefined;
  /** Validation accuracy in [0, 1]. */
  valAccuracy?: number | undefined;
}

export interface LossCurvesInput {
  epochs: readonly EpochPoint[];
  /** Epoch to mark; defaults to the epoch with the lowest validation loss, if any. */
  bestEpoch?: number | undefined;
  title?: string | undefined;
}

const LOSS_SERIES = ['Train loss', 'Validation loss'] as const;
const METRIC_SERIES = ['Validation macro-F1', 'Validation accuracy'] as const;

interface SeriesRow extends JsonObject {
  epoch: number;
  series: string;
  value: number;
}

/** The epoch with the lowest finite validation loss (first one on ties), if any. */
export function lowestValLossEpoch(epochs: readonly EpochPoint[]): number | undefined {
  let best: EpochPoint | undefined;
  for (const point of epochs) {
    if (
      isFiniteNumber(point.valLoss) &&
      (best?.valLoss === undefined || point.valLoss < best.valLoss)
    ) {
      best = point;
    }
  }
  return best?.epoch;
}

function rows(
  epochs: readonly EpochPoint[],
  pick: readonly [string, (p: EpochPoint) => number | undefined][],
): SeriesRow[] {
  const out: SeriesRow[] = [];
  for (const [series, get] of pick) {
    for (const point of epochs) {
      const value = get(point);
      if (isFiniteNumber(point.epoch) && isFiniteNumber(value)) {
        out.push({ epoch: point.epoch, series, value });
      }
    }
  }
  return out;
}

function bestEpochLayers(bestEpoch: number | undefined, withText: boolean): JsonObject[] {
  if (bestEpoch === undefined) {
    return [];
  }
  const data = { values: [{ epoch: bestEpoch, text: `best epoch ${bestEpoch}` }] };
  const rule: JsonObject = {
    data,
    mark: { type: 'rule', strokeDash: [4, 4], color: '#444444' },
    encoding: { x: { field: 'epoch', type: 'quantitative' } },
  };
  const text: JsonObject = {
    data,
    mark: {
      type: 'text',
      align: 'left',
      baseline: 'top',
      dx: 4,
      dy: 4,
      fontSize: 11,
      color: '#444444',
    },
    encoding: {
      x: { field: 'epoch', type: 'quantitative' },
      y: { value: 0 },
      text: { field: 'text', type: 'nominal' },
    },
  };
  return withText ? [rule, text] : [rule];
}

function panel(
  values: SeriesRow[],
  domain: readonly string[],
  range: readonly string[],
  yTitle: string,
  yScale: JsonObject,
  bestEpoch: number | undefined,
  height: number,
  labelBest: boolean,
): JsonObject {
  const y: JsonObject = { field: 'value', type: 'quantitative', title: yTitle, scale: yScale };
  return {
    width: PANEL.width,
    height,
    layer: [
      {
        data: { values },
        mark: { type: 'line', point: { size: 25 }, strokeWidth: 2 },
        encoding: {
          x: {
            field: 'epoch',
            type: 'quantitative',
            title: 'Epoch',
            axis: { tickMinStep: 1, format: 'd' },
          },
          y,
          color: {
            field: 'series',
            type: 'nominal',
            title: null,
            scale: { domain: [...domain], range: [...range] },
            legend: { orient: 'top', direction: 'horizontal', symbolStrokeWidth: 3 },
          },
          tooltip: [
            { field: 'series', type: 'nominal', title: 'Series' },
            { field: 'epoch', type: 'quantitative', title: 'Epoch' },
            { field: 'value', type: 'quantitative', title: 'Value', format: '.4f' },
          ],
        },
      },
      ...bestEpochLayers(bestEpoch, labelBest),
    ],
  };
}

/** Loss curves (top) and, when given, validation macro-F1/accuracy (bottom). */
export function lossCurvesSpec(input: LossCurvesInput): VegaLiteSpec {
  const { epochs } = input;
  const bestEpoch = input.bestEpoch ?? lowestValLossEpoch(epochs);
  const lossRows = rows(epochs, [
    [LOSS_SERIES[0], (p) => p.trainLoss],
    [LOSS_SERIES[1], (p) => p.valLoss],
  ]);
  const metricRows = rows(epochs, [
    [METRIC_SERIES[0], (p) => p.valF1],
    [METRIC_SERIES[1], (p) => p.valAccuracy],
  ]);
  const lossSeries = LOSS_SERIES.filter((s) => lossRows.some((r) => r.series === s));
  const metricSeries = METRIC_SERIES.filter((s) => metricRows.some((r) => r.series === s));
  const lossColours = lossSeries.map((s) =>
    s === 'Train loss' ? SERIES_COLOURS.primary : SERIES_COLOURS.secondary,
  );
  const metricColours = metricSeries.map((s) =>
    s === 'Validation macro-F1' ? SERIES_COLOURS.tertiary : SERIES_COLOURS.quaternary,
  );

  const best = epochs.find((p) => p.epoch === bestEpoch);
  const bestParts: string[] = [];
  if (best !== undefined) {
    bestParts.push(`best epoch ${best.epoch}`);
    if (isFiniteNumber(best.valLoss)) {
      bestParts.push(`validation loss ${fixed(best.valLoss, 4)}`);
    }
    if (isFiniteNumber(best.valF1)) {
      bestParts.push(`macro-F1 ${fixed(best.valF1, 3)}`);
    }
    if (isFiniteNumber(best.valAccuracy)) {
      bestParts.push(`accuracy ${fixed(best.valAccuracy, 3)}`);
    }
  }
  const subtitle = bestParts.length > 0 ? bestParts.join(', ') : undefined;
  const description =
    `Line chart of ${lossSeries.join(' and ').toLowerCase()} over ${epochs.length} epochs` +
    (metricSeries.length > 0 ? `, with a second panel of ${metricSeries.join(' and ')}` : '') +
    (subtitle === undefined ? '.' : `; ${subtitle}.`);

  const lossPanel = panel(
    lossRows,
    lossSeries,
    lossColours,
    'Loss',
    { zero: false },
    bestEpoch,
    metricSeries.length > 0 ? 240 : PANEL.height,
    true,
  );
  const title = { text: input.title ?? 'Training curves', subtitle };
  if (metricSeries.length === 0) {
    return topLevel(title, description, lossPanel);
  }
  const metricPanel = panel(
    metricRows,
    metricSeries,
    metricColours,
    'Score',
    { zero: false, domainMax: 1 },
    bestEpoch,
    180,
    // Scores crowd the top of their panel; the subtitle and the loss panel already name the epoch.
    false,
  );
  return topLevel(title, description, {
    vconcat: [lossPanel, metricPanel],
    spacing: 16,
    resolve: { scale: { color: 'independent' }, legend: { color: 'independent' } },
  });
}
