// Chart spec: 2-D embedding scatter (e.g. UMAP) coloured by class, with query points on top.
import { BINARY_LABELS, MULTICLASS_LABELS } from '../domain.ts';
import {
  PANEL,
  classColours,
  isFiniteNumber,
  topLevel,
  type JsonObject,
  type VegaLiteSpec,
} from './chart-style.ts';

export interface ScatterPoint {
  x: number;
  y: number;
  label: string;
  id: string;
}

export interface ScatterInput {
  reference: readonly ScatterPoint[];
  /** Points to highlight (e.g. the user's sequences), drawn on top of the reference. */
  queries?: readonly ScatterPoint[] | undefined;
  title?: string | undefined;
  xTitle?: string | undefined;
  yTitle?: string | undefined;
  /** Write each query's id next to it when there are at most this many queries (default 12). */
  maxQueryLabels?: number | undefined;
}

const CLASS_ORDER: readonly string[] = [...MULTICLASS_LABELS, ...BINARY_LABELS];

interface PointRow extends JsonObject {
  x: number;
  y: number;
  label: string;
  id: string;
  set: string;
}

function pointRows(points: readonly ScatterPoint[], set: string): PointRow[] {
  return points
    .filter((p) => isFiniteNumber(p.x) && isFiniteNumber(p.y))
    .map((p) => ({ x: p.x, y: p.y, label: p.label, id: p.id, set }));
}

/** Known classes first in their usual order, then other labels in order of appearance. */
export function orderedLabels(points: readonly ScatterPoint[]): string[] {
  const present = new Set(points.map((p) => p.label));
  const known = CLASS_ORDER.filter((label) => present.has(label));
  const others: string[] = [];
  for (const p of points) {
    if (!CLASS_ORDER.includes(p.label) && !others.includes(p.label)) {
      others.push(p.label);
    }
  }
  return [...known, ...others];
}

/** Reference points coloured by class; queries as large outlined diamonds with their ids. */
export function scatterSpec(input: ScatterInput): VegaLiteSpec {
  const reference = pointRows(input.reference, 'Reference');
  const queries = pointRows(input.queries ?? [], 'Query');
  const labels = orderedLabels([...input.reference, ...(input.queries ?? [])]);
  const sets = queries.length > 0 ? ['Reference', 'Query'] : ['Reference'];
  const xTitle = input.xTitle ?? 'UMAP 1';
  const yTitle = input.yTitle ?? 'UMAP 2';
  const encoding: JsonObject = {
    x: {
      field: 'x',
      type: 'quantitative',
      title: xTitle,
      scale: { zero: false },
      axis: { grid: false },
    },
    y: {
      field: 'y',
      type: 'quantitative',
      title: yTitle,
      scale: { zero: false },
      axis: { grid: false },
    },
    color: {
      field: 'label',
      type: 'nominal',
      title: 'Class',
      scale: { domain: labels, range: classColours(labels) },
      legend: { orient: 'right', symbolOpacity: 1 },
    },
    shape: {
      field: 'set',
      type: 'nominal',
      title: 'Points',
      scale: { domain: sets, range: ['circle', 'diamond'].slice(0, sets.length) },
      legend: sets.length > 1 ? { orient: 'right', symbolFillColor: '#7A7A7A' } : null,
    },
    tooltip: [
      { field: 'id', type: 'nominal', title: 'Protein' },
      { field: 'label', type: 'nominal', title: 'Class' },
      { field: 'set', type: 'nominal', title: 'Set' },
    ],
  };
  const layers: JsonObject[] = [
    {
      data: { values: reference },
      mark: { type: 'point', filled: true, size: 22, opacity: 0.55 },
      encoding,
    },
  ];
  if (queries.length > 0) {
    layers.push({
      data: { values: queries },
      mark: {
        type: 'point',
        filled: true,
        size: 150,
        opacity: 1,
        stroke: 'black',
        strokeWidth: 1.5,
      },
      encoding,
    });
    if (queries.length <= (input.maxQueryLabels ?? 12)) {
      layers.push({
        data: { values: queries },
        mark: {
          type: 'text',
          align: 'left',
          dx: 9,
          dy: -8,
          fontSize: 11,
          fontWeight: 'bold',
          color: '#222222',
        },
        encoding: {
          x: { field: 'x', type: 'quantitative' },
          y: { field: 'y', type: 'quantitative' },
          text: { field: 'id', type: 'nominal' },
        },
      });
    }
  }
  const counts = labels
    .map((label) => `${label}: ${reference.filter((p) => p.label === label).length}`)
    .join(', ');
  const description =
    `Scatter plot of ${reference.length} reference proteins in two dimensions (${xTitle}, ${yTitle}), ` +
    `coloured by class (${counts})` +
    (queries.length > 0 ? `, with ${queries.length} query proteins highlighted as diamonds.` : '.');
  const subtitle =
    queries.length > 0
      ? `${reference.length} reference proteins; ${queries.length} queries shown as diamonds`
      : `${reference.length} reference proteins`;
  return topLevel({ text: input.title ?? 'Embedding map', subtitle }, description, {
    width: PANEL.square + 60,
    height: PANEL.square,
    layer: layers,
  });
}
