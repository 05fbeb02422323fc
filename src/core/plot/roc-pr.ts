// Chart specs: ROC curves with AUC and the chance diagonal; precision–recall curves with AP.
import {
  PANEL,
  classColours,
  fixed,
  isFiniteNumber,
  topLevel,
  type JsonObject,
  type VegaLiteSpec,
} from './chart-style.ts';

export interface RocCurve {
  /** Class label (one-vs-rest) or the positive class of a binary task. */
  label: string;
  fpr: readonly number[];
  tpr: readonly number[];
  auc: number;
}

export interface RocInput {
  curves: readonly RocCurve[];
  title?: string | undefined;
}

export interface PrCurve {
  label: string;
  precision: readonly number[];
  recall: readonly number[];
  /** Average precision. */
  ap: number;
}

export interface PrInput {
  curves: readonly PrCurve[];
  title?: string | undefined;
}

interface CurvePoint extends JsonObject {
  series: string;
  order: number;
  x: number;
  y: number;
}

function curvePoints(series: string, xs: readonly number[], ys: readonly number[]): CurvePoint[] {
  const points: CurvePoint[] = [];
  const n = Math.min(xs.length, ys.length);
  for (let i = 0; i < n; i++) {
    const x = xs[i];
    const y = ys[i];
    if (isFiniteNumber(x) && isFiniteNumber(y)) {
      points.push({ series, order: i, x, y });
    }
  }
  return points;
}

function unitAxis(field: string, title: string): JsonObject {
  return {
    field,
    type: 'quantitative',
    title,
    scale: { domain: [0, 1], nice: false },
    axis: { tickCount: 5, format: '.1f' },
  };
}

function curveChart(
  points: CurvePoint[],
  series: readonly string[],
  labels: readonly string[],
  xTitle: string,
  yTitle: string,
  legendOrient: string,
  extraLayers: JsonObject[],
): JsonObject {
  return {
    width: PANEL.square,
    height: PANEL.square,
    layer: [
      ...extraLayers,
      {
        data: { values: points },
        mark: { type: 'line', strokeWidth: 2, interpolate: 'linear' },
        encoding: {
          x: unitAxis('x', xTitle),
          y: unitAxis('y', yTitle),
          order: { field: 'order', type: 'quantitative' },
          color: {
            field: 'series',
            type: 'nominal',
            title: null,
            scale: { domain: [...series], range: classColours(labels) },
            legend: {
              orient: legendOrient,
              fillColor: 'white',
              strokeColor: '#CCCCCC',
              padding: 6,
              symbolType: 'stroke',
              symbolStrokeWidth: 3,
            },
          },
          tooltip: [
            { field: 'series', type: 'nominal', title: 'Curve' },
            { field: 'x', type: 'quantitative', title: xTitle, format: '.3f' },
            { field: 'y', type: 'quantitative', title: yTitle, format: '.3f' },
          ],
        },
      },
    ],
  };
}

/** ROC curves, one per class (one-vs-rest) or one for a binary task, AUC in the legend. */
export function rocSpec(input: RocInput): VegaLiteSpec {
  const series = input.curves.map((c) => `${c.label} (AUC ${fixed(c.auc, 3)})`);
  const points = input.curves.flatMap((c, i) => curvePoints(series[i] ?? c.label, c.fpr, c.tpr));
  const aucs = input.curves.map((c) => c.auc).filter(isFiniteNumber);
  const macro = aucs.length > 0 ? aucs.reduce((a, b) => a + b, 0) / aucs.length : Number.NaN;
  const many = input.curves.length > 1;
  const subtitle = many ? `One-vs-rest; macro-average AUC ${fixed(macro, 3)}` : undefined;
  const diagonal: JsonObject = {
    data: {
      values: [
        { x: 0, y: 0 },
        { x: 1, y: 1 },
      ],
    },
    mark: { type: 'line', strokeDash: [5, 5], color: '#999999', strokeWidth: 1 },
    encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
  };
  const description =
    `ROC curves (true positive rate against false positive rate) with the chance diagonal: ` +
    `${series.join('; ')}.`;
  return topLevel(
    { text: input.title ?? (many ? 'ROC curves' : 'ROC curve'), subtitle },
    description,
    curveChart(
      points,
      series,
      input.curves.map((c) => c.label),
      'False positive rate',
      'True positive rate',
      'bottom-right',
      [diagonal],
    ),
  );
}

/** Precision–recall curves, one per class (one-vs-rest) or one for binary, AP in the legend. */
export function prSpec(input: PrInput): VegaLiteSpec {
  const series = input.curves.map((c) => `${c.label} (AP ${fixed(c.ap, 3)})`);
  const points = input.curves.flatMap((c, i) =>
    curvePoints(series[i] ?? c.label, c.recall, c.precision),
  );
  const aps = input.curves.map((c) => c.ap).filter(isFiniteNumber);
  const macro = aps.length > 0 ? aps.reduce((a, b) => a + b, 0) / aps.length : Number.NaN;
  const many = input.curves.length > 1;
  const subtitle = many ? `One-vs-rest; mean AP ${fixed(macro, 3)}` : undefined;
  const description = `Precision–recall curves (precision against recall): ${series.join('; ')}.`;
  return topLevel(
    {
      text: input.title ?? (many ? 'Precision–recall curves' : 'Precision–recall curve'),
      subtitle,
    },
    description,
    curveChart(
      points,
      series,
      input.curves.map((c) => c.label),
      'Recall',
      'Precision',
      'bottom-left',
      [],
    ),
  );
}
