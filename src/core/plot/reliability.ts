// Chart spec: reliability diagram (confidence vs accuracy per bin, counts below), ECE in the title.
import {
  PANEL,
  SERIES_COLOURS,
  fixed,
  isFiniteNumber,
  topLevel,
  type JsonObject,
  type VegaLiteSpec,
} from './chart-style.ts';

export interface ReliabilityBin {
  /** Lower edge of the confidence bin, in [0, 1]. */
  lower: number;
  /** Upper edge of the confidence bin, in [0, 1]. */
  upper: number;
  /** Number of predictions whose confidence fell in the bin. */
  count: number;
  /** Mean confidence of those predictions. */
  confidence: number;
  /** Fraction of them that were correct. */
  accuracy: number;
}

export interface ReliabilityInput {
  bins: readonly ReliabilityBin[];
  ece: number;
  /** Bins after temperature scaling, to compare with `bins`. */
  binsAfter?: readonly ReliabilityBin[] | undefined;
  eceAfter?: number | undefined;
  /** Series names (default: 'Before' / 'After scaling', or 'Model' alone). */
  beforeLabel?: string | undefined;
  afterLabel?: string | undefined;
  /** The fitted temperature, shown in the subtitle when given. */
  temperature?: number | undefined;
  title?: string | undefined;
}

interface BinRow extends JsonObject {
  series: string;
  lower: number;
  upper: number;
  count: number;
  confidence: number;
  accuracy: number;
}

function binRows(series: string, bins: readonly ReliabilityBin[]): BinRow[] {
  return bins
    .filter(
      (b) =>
        isFiniteNumber(b.lower) &&
        isFiniteNumber(b.upper) &&
        isFiniteNumber(b.count) &&
        b.count > 0 &&
        isFiniteNumber(b.confidence) &&
        isFiniteNumber(b.accuracy),
    )
    .map((b) => ({
      series,
      lower: b.lower,
      upper: b.upper,
      count: b.count,
      confidence: b.confidence,
      accuracy: b.accuracy,
    }));
}

const unit = { domain: [0, 1], nice: false };

/** Reliability diagram; with `binsAfter`, before and after temperature scaling side by side. */
export function reliabilitySpec(input: ReliabilityInput): VegaLiteSpec {
  const hasAfter = input.binsAfter !== undefined && input.binsAfter.length > 0;
  const beforeName = `${input.beforeLabel ?? (hasAfter ? 'Before' : 'Model')} (ECE ${fixed(input.ece, 3)})`;
  const afterName = `${input.afterLabel ?? 'After scaling'} (ECE ${fixed(input.eceAfter ?? Number.NaN, 3)})`;
  const series = hasAfter ? [beforeName, afterName] : [beforeName];
  const colours = hasAfter
    ? [SERIES_COLOURS.secondary, SERIES_COLOURS.primary]
    : [SERIES_COLOURS.primary];
  const values = [
    ...binRows(beforeName, input.bins),
    ...(hasAfter ? binRows(afterName, input.binsAfter ?? []) : []),
  ];
  const eceText =
    hasAfter && isFiniteNumber(input.eceAfter)
      ? `ECE ${fixed(input.ece, 3)} → ${fixed(input.eceAfter, 3)}`
      : `ECE ${fixed(input.ece, 3)}`;
  const title = `${input.title ?? 'Reliability diagram'} (${eceText})`;
  const subtitleParts = ['Points on the diagonal are perfectly calibrated'];
  if (isFiniteNumber(input.temperature)) {
    subtitleParts.push(`temperature T = ${fixed(input.temperature, 2)}`);
  }
  const color = {
    field: 'series',
    type: 'nominal',
    title: null,
    scale: { domain: series, range: colours },
    legend: {
      // Top-left lies above the diagonal, which over-confident models (the usual case) leave empty.
      orient: 'top-left',
      fillColor: 'white',
      strokeColor: '#CCCCCC',
      padding: 6,
      symbolStrokeWidth: 3,
    },
  };
  const tooltip: JsonObject[] = [
    { field: 'series', type: 'nominal', title: 'Series' },
    { field: 'lower', type: 'quantitative', title: 'Bin from', format: '.2f' },
    { field: 'upper', type: 'quantitative', title: 'Bin to', format: '.2f' },
    { field: 'count', type: 'quantitative', title: 'Count' },
    { field: 'confidence', type: 'quantitative', title: 'Mean confidence', format: '.3f' },
    { field: 'accuracy', type: 'quantitative', title: 'Accuracy', format: '.3f' },
  ];
  const calibration: JsonObject = {
    width: PANEL.square,
    height: PANEL.square - 60,
    layer: [
      {
        data: {
          values: [
            { x: 0, y: 0 },
            { x: 1, y: 1 },
          ],
        },
        mark: { type: 'line', strokeDash: [5, 5], color: '#999999', strokeWidth: 1 },
        encoding: {
          x: { field: 'x', type: 'quantitative', scale: unit },
          y: { field: 'y', type: 'quantitative', scale: unit },
        },
      },
      {
        data: { values },
        mark: { type: 'line', point: { size: 40, filled: true }, strokeWidth: 2 },
        encoding: {
          x: {
            field: 'confidence',
            type: 'quantitative',
            title: 'Mean predicted confidence',
            scale: unit,
            axis: { tickCount: 5, format: '.1f' },
          },
          y: {
            field: 'accuracy',
            type: 'quantitative',
            title: 'Observed accuracy',
            scale: unit,
            axis: { tickCount: 5, format: '.1f' },
          },
          color,
          order: { field: 'confidence', type: 'quantitative' },
          tooltip,
        },
      },
    ],
  };
  const counts: JsonObject = {
    width: PANEL.square,
    height: 90,
    data: { values },
    mark: { type: 'bar', orient: 'vertical', opacity: hasAfter ? 0.5 : 0.8 },
    encoding: {
      x: {
        field: 'lower',
        type: 'quantitative',
        title: 'Confidence bin',
        scale: unit,
        axis: { tickCount: 5, format: '.1f' },
      },
      x2: { field: 'upper' },
      y: {
        field: 'count',
        type: 'quantitative',
        title: 'Count',
        stack: null,
        axis: { tickCount: 3 },
      },
      color: { ...color, legend: null },
      tooltip,
    },
  };
  const description =
    `Reliability diagram: observed accuracy against mean predicted confidence per bin, ` +
    `with the diagonal of perfect calibration and a bar chart of bin counts. ` +
    `${series.join('; ')}.`;
  return topLevel({ text: title, subtitle: subtitleParts.join('; ') }, description, {
    vconcat: [calibration, counts],
    spacing: 12,
    // The legend sits inside the calibration panel; the counts panel repeats its colours.
    resolve: { scale: { color: 'independent' }, legend: { color: 'independent' } },
  });
}
