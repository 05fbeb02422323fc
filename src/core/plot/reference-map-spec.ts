// Chart spec: a model's UMAP reference map — class clouds of reference proteins, a job's queries on top.
import {
  PANEL,
  classColours,
  isFiniteNumber,
  topLevel,
  type JsonObject,
  type VegaLiteSpec,
} from './chart-style.ts';
import { orderedLabels } from './scatter.ts';

export interface ReferenceMapPoint {
  readonly id: string;
  readonly label: string;
  readonly x: number;
  readonly y: number;
}

export interface QueryMapPoint extends ReferenceMapPoint {
  /** 'known' | 'distant' | 'novel' (shown in the tooltip). */
  readonly novelty?: string | undefined;
}

export interface ReferenceMapSpecInput {
  readonly modelVersion: string;
  /** The model's classes in its order; every one gets a legend entry even without points. */
  readonly labels: readonly string[];
  readonly references: readonly ReferenceMapPoint[];
  /** A job's queries, labelled with their predicted class; drawn on top. */
  readonly queries?: readonly QueryMapPoint[] | undefined;
  /** At most this many queries are drawn (evenly sampled; default 3,000); the title says so. */
  readonly maxQueries?: number | undefined;
  /** Query ids are written next to the markers when there are at most this many (default 12). */
  readonly maxQueryLabels?: number | undefined;
}

/** Every `step`-th element so that at most `max` remain, in order (deterministic thinning). */
export function evenSample<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) {
    return [...items];
  }
  const out: T[] = [];
  for (let i = 0; i < max; i++) {
    out.push(items[Math.floor((i * items.length) / max)] as T);
  }
  return out;
}

function plural(n: number, one: string, many: string): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/**
 * References as small translucent points coloured by class (the clouds), queries as large
 * diamonds in their predicted class's colour with a black outline, one shared class legend.
 */
export function referenceMapSpec(input: ReferenceMapSpecInput): VegaLiteSpec {
  const references = input.references
    .filter((p) => isFiniteNumber(p.x) && isFiniteNumber(p.y))
    .map((p) => ({ id: p.id, label: p.label, x: p.x, y: p.y, set: 'Reference' }));
  const allQueries = (input.queries ?? []).filter(
    (p) => isFiniteNumber(p.x) && isFiniteNumber(p.y),
  );
  const shown = evenSample(allQueries, input.maxQueries ?? 3000);
  const queries = shown.map((p) => ({
    id: p.id,
    label: p.label,
    x: p.x,
    y: p.y,
    novelty: p.novelty ?? '',
    set: 'Query',
  }));
  const present = orderedLabels([...input.references, ...shown]);
  const labels = [...input.labels, ...present.filter((l) => !input.labels.includes(l))];
  const colour: JsonObject = {
    field: 'label',
    type: 'nominal',
    title: 'Class',
    scale: { domain: labels, range: classColours(labels) },
    legend: { orient: 'right', symbolOpacity: 1, symbolType: 'circle' },
  };
  const x: JsonObject = {
    field: 'x',
    type: 'quantitative',
    title: 'UMAP 1',
    scale: { zero: false, nice: false },
    axis: { grid: false, labels: false, ticks: false },
  };
  const y: JsonObject = { ...x, field: 'y', title: 'UMAP 2' };
  const layers: JsonObject[] = [
    {
      data: { values: references },
      mark: { type: 'circle', size: 14, opacity: 0.35 },
      encoding: {
        x,
        y,
        color: colour,
        tooltip: [
          { field: 'id', type: 'nominal', title: 'Reference' },
          { field: 'label', type: 'nominal', title: 'Class' },
        ],
      },
    },
  ];
  if (queries.length > 0) {
    layers.push({
      data: { values: queries },
      mark: {
        type: 'point',
        shape: 'diamond',
        filled: true,
        size: queries.length > 500 ? 60 : 140,
        opacity: 1,
        stroke: 'black',
        strokeWidth: queries.length > 500 ? 0.8 : 1.5,
      },
      encoding: {
        x,
        y,
        color: colour,
        tooltip: [
          { field: 'id', type: 'nominal', title: 'Query' },
          { field: 'label', type: 'nominal', title: 'Predicted class' },
          { field: 'novelty', type: 'nominal', title: 'Novelty' },
        ],
      },
    });
    if (queries.length <= (input.maxQueryLabels ?? 12)) {
      layers.push({
        data: { values: queries },
        mark: { type: 'text', align: 'left', dx: 9, dy: -8, fontSize: 11, fontWeight: 'bold' },
        encoding: { x, y, text: { field: 'id', type: 'nominal' } },
      });
    }
  }
  const total = allQueries.length;
  const subtitle =
    total === 0
      ? `${plural(references.length, 'reference protein', 'reference proteins')} by class`
      : `${plural(total, 'query', 'queries')} (diamonds, coloured by predicted class)` +
        (shown.length < total ? `, ${shown.length.toLocaleString('en-US')} drawn` : '') +
        ` over ${plural(references.length, 'reference protein', 'reference proteins')}`;
  const counts = labels
    .map((l) => `${l}: ${references.filter((p) => p.label === l).length}`)
    .join(', ');
  const description =
    `UMAP map of model ${input.modelVersion}: ${references.length} reference proteins coloured by class (${counts})` +
    (total > 0 ? `, with ${total} query proteins drawn as outlined diamonds.` : '.');
  return topLevel(
    {
      text:
        total > 0
          ? `Reference map, model ${input.modelVersion}: ${plural(total, 'query', 'queries')}`
          : `Reference map, model ${input.modelVersion}`,
      subtitle,
    },
    description,
    { width: PANEL.square + 120, height: PANEL.square + 60, layer: layers },
  );
}
