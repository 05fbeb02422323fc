// Chart spec: confusion-matrix heatmap with counts and row-normalised percentages in each cell.
import { fixed, topLevel, type JsonObject, type VegaLiteSpec } from './chart-style.ts';

export interface ConfusionMatrixInput {
  /** Class labels, in the order of the matrix rows and columns. */
  labels: readonly string[];
  /** matrix[t][p] = number of samples of true class t predicted as p. */
  matrix: readonly (readonly number[])[];
  title?: string | undefined;
}

interface CellRow extends JsonObject {
  actual: string;
  predicted: string;
  count: number;
  /** Share of the true class's samples, 0–100. */
  rowPercent: number;
  countText: string;
  percentText: string;
}

/** One row per cell, with the percentage of its row (0 for an empty row). */
export function confusionCells(
  labels: readonly string[],
  matrix: readonly (readonly number[])[],
): CellRow[] {
  const cells: CellRow[] = [];
  labels.forEach((actual, t) => {
    const row = matrix[t] ?? [];
    const total = labels.reduce((sum, _label, p) => sum + (row[p] ?? 0), 0);
    labels.forEach((predicted, p) => {
      const count = row[p] ?? 0;
      const rowPercent = total > 0 ? (100 * count) / total : 0;
      cells.push({
        actual,
        predicted,
        count,
        rowPercent: Number(rowPercent.toFixed(4)),
        countText: String(count),
        percentText: `${fixed(rowPercent, 1)}%`,
      });
    });
  });
  return cells;
}

/** Heatmap: true class on y, predicted class on x, colour = row %, text = count and row %. */
export function confusionMatrixSpec(input: ConfusionMatrixInput): VegaLiteSpec {
  const labels = [...input.labels];
  const cells = confusionCells(labels, input.matrix);
  const total = cells.reduce((sum, c) => sum + c.count, 0);
  const correct = cells.filter((c) => c.actual === c.predicted).reduce((s, c) => s + c.count, 0);
  const accuracy = total > 0 ? correct / total : Number.NaN;
  const subtitle = `n = ${total}, accuracy ${fixed(100 * accuracy, 1)}% (cells: count and % of true class)`;
  // Wide enough for the longest label (about 7.5 px per character at 12 px) and two text lines.
  const longest = Math.max(0, ...labels.map((l) => l.length));
  const step = Math.max(
    labels.length <= 2 ? 110 : labels.length <= 5 ? 78 : 56,
    Math.ceil(longest * 7.5) + 16,
  );
  const axisCommon = {
    labelAngle: 0,
    labelFontSize: 12,
    ticks: false,
    domain: false,
    labelPadding: 6,
  };
  const x = {
    field: 'predicted',
    type: 'nominal',
    sort: labels,
    title: 'Predicted class',
    axis: { ...axisCommon, orient: 'bottom' },
  };
  const y = {
    field: 'actual',
    type: 'nominal',
    sort: labels,
    title: 'True class',
    axis: axisCommon,
  };
  // Dark cells get white text so the numbers stay readable on any shade.
  const textColour = {
    condition: { test: 'datum.rowPercent >= 55', value: 'white' },
    value: '#222222',
  };
  const description =
    `Confusion matrix heatmap for ${labels.length} classes (${labels.join(', ')}), ` +
    `true class on the vertical axis and predicted class on the horizontal axis; ` +
    `${total} samples, ${correct} on the diagonal (accuracy ${fixed(100 * accuracy, 1)}%).`;
  return topLevel({ text: input.title ?? 'Confusion matrix', subtitle }, description, {
    data: { values: cells },
    width: { step },
    height: { step },
    encoding: { x, y },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white', strokeWidth: 1 },
        encoding: {
          color: {
            field: 'rowPercent',
            type: 'quantitative',
            title: '% of true class',
            scale: { scheme: 'blues', domain: [0, 100] },
            legend: { gradientLength: Math.max(120, step * labels.length - 20), format: 'd' },
          },
          tooltip: [
            { field: 'actual', type: 'nominal', title: 'True' },
            { field: 'predicted', type: 'nominal', title: 'Predicted' },
            { field: 'count', type: 'quantitative', title: 'Count' },
            { field: 'percentText', type: 'nominal', title: '% of true class' },
          ],
        },
      },
      {
        mark: { type: 'text', fontSize: 13, fontWeight: 'bold', dy: -7 },
        encoding: { text: { field: 'countText', type: 'nominal' }, color: textColour },
      },
      {
        mark: { type: 'text', fontSize: 10, dy: 8 },
        encoding: { text: { field: 'percentText', type: 'nominal' }, color: textColour },
      },
    ],
  });
}
