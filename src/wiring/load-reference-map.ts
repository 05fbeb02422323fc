// Composes the reference map for a loaded model: file store next to the registry, umap-js fitter, chart rendering.
import { ArginatorError } from '../core/errors.ts';
import type { MapParams } from '../core/map/reference-map-codec.ts';
import type { ProjectionMethod } from '../core/map/umap-transform.ts';
import { referenceMapSpec } from '../core/plot/reference-map-spec.ts';
import type { VegaLiteSpec } from '../core/plot/chart-style.ts';
import type { ProteinRecord } from '../core/sequence/protein-record.ts';
import { sha256Json } from '../io/file-hash.ts';
import { renderPng, renderSvg } from '../io/render-chart.ts';
import { fitMapWithUmapJs } from '../umap/umap-js-layout.ts';
import { fitMapOnWorker } from '../umap/umap-worker-fitter.ts';
import type { PredictedProtein, PredictionModel } from '../pipeline/predict.ts';
import {
  loadOrFitReferenceMap as loadOrFit,
  mappedQueries,
  projectionMethodFor,
  queryMapJson,
  type MappedQuery,
  type ProjectedPoint,
  type QueryMapJson,
  type ReferenceMap,
  type ReferenceMapFitter,
} from '../pipeline/reference-map.ts';
import { FsReferenceMapStore } from '../store/fs-reference-map-store.ts';

export type {
  MappedQuery,
  ProjectedPoint,
  QueryMapJson,
  ReferenceMapJson,
} from '../pipeline/reference-map.ts';

/** Embedding batch when the service embeds queries itself (bounds memory for large jobs). */
const EMBED_BATCH = 256;

/** A model's reference map, ready for the server (all methods are safe to call concurrently). */
export interface ReferenceMapService extends ReferenceMap {
  /** True if this call fitted the map (and stored it); false if it was read from disk. */
  readonly fitted: boolean;
  /** The map file. */
  readonly path: string;
  /**
   * Embeds `records` with the model's embedder (batches of 256) and places them on the map, in
   * input order. For jobs whose embeddings were not kept; a builtin-embedder batch costs ~10 ms.
   */
  projectRecords(
    records: readonly ProteinRecord[],
    options?: { signal?: AbortSignal | undefined; method?: ProjectionMethod | undefined },
  ): Promise<ProjectedPoint[]>;
  /**
   * The job map points of predicted proteins: `records` are the same proteins, in the same order,
   * as `predicted` (ids must match). Embeds and projects them. The method follows the job's size
   * (projectionMethodFor: transform up to 10,000 proteins, else interpolate): when calling per
   * batch, pass the job's total protein count as `jobSize` so every batch is placed the same way.
   */
  mapPredictions(
    records: readonly ProteinRecord[],
    predicted: readonly PredictedProtein[],
    options?: { signal?: AbortSignal | undefined; jobSize?: number | undefined },
  ): Promise<MappedQuery[]>;
  /** `GET /v1/jobs/{id}/map` body for these points. */
  queriesJson(queries: readonly MappedQuery[]): QueryMapJson;
  /** The Vega-Lite spec of the map with these queries on top (for the web UI, if it wants it). */
  spec(queries?: readonly MappedQuery[]): VegaLiteSpec;
  /** SVG document of the map with these queries (`map.svg`). */
  svg(
    queries?: readonly MappedQuery[],
    options?: { signal?: AbortSignal | undefined },
  ): Promise<string>;
  /** PNG bytes of the map with these queries (`/download_plot/{id}`, `map.png`); 2× zoom by default. */
  png(
    queries?: readonly MappedQuery[],
    options?: { signal?: AbortSignal | undefined; scale?: number | undefined },
  ): Promise<Uint8Array>;
}

export interface LoadReferenceMapOptions {
  readonly signal?: AbortSignal | undefined;
  /** Progress of a fit (never called when the map is read from disk). */
  readonly onProgress?: ((fraction: number, message: string) => void) | undefined;
  /**
   * 'worker' (default): fit on a worker thread, so the event loop stays free; 'inline': in this
   * thread (CLI, tests); or any fitter (tests count calls with a wrapper).
   */
  readonly fitter?: 'worker' | 'inline' | ReferenceMapFitter | undefined;
  /** Overrides of DEFAULT_MAP_PARAMS (they are part of the cache key). */
  readonly params?: Partial<MapParams> | undefined;
}

function chooseFitter(fitter: LoadReferenceMapOptions['fitter']): ReferenceMapFitter {
  if (typeof fitter === 'function') {
    return fitter;
  }
  return fitter === 'inline' ? fitMapWithUmapJs : fitMapOnWorker;
}

/**
 * The reference map of a loaded model (wiring/load-model.ts). Reads
 * `<modelsDir>/maps/<version>-<key>.armap` if it exists for this exact model, embedder and
 * parameters (milliseconds, no embedding); otherwise embeds the model's reference proteins, fits
 * PCA + UMAP (seeded: same model → same map; ~10–20 s for 3,000–4,500 references, on a worker
 * thread by default), writes the file atomically and returns. Fit it once per model (e.g. in the
 * background at server start) and keep the returned service; concurrent first calls would each fit.
 *
 * Server use:
 * - `GET /v1/models/{v}/map` → `service.referenceMapJson()`
 * - a job: `const queries = await service.mapPredictions(records, predicted, { signal })`, then
 *   `service.queriesJson(queries)` (`/v1/jobs/{id}/map`), `await service.png(queries)`
 *   (`/download_plot/{id}`, `map.png`), `await service.svg(queries)` (`map.svg`).
 * - with embeddings at hand (n × embedder dim, row-major): `service.project(ids, embeddings)`.
 *
 * Throws NOT_FOUND 'map.no-references' for a model trained without references (model.homology=false).
 */
export async function loadOrFitReferenceMap(
  model: PredictionModel,
  modelsDir: string,
  options: LoadReferenceMapOptions = {},
): Promise<ReferenceMapService> {
  const { header } = model.predictor;
  const refs = header.homology?.references;
  if (refs === undefined) {
    throw new ArginatorError(
      'NOT_FOUND',
      'map.no-references',
      `model ${model.version} stores no reference proteins, so it has no reference map`,
      'train the model with model.homology=true (the default)',
    );
  }
  const { embedder } = model;
  const store = new FsReferenceMapStore(modelsDir);
  const { map, fitted } = await loadOrFit(
    {
      modelVersion: model.version,
      labels: model.predictor.labels,
      ids: refs.ids,
      referenceLabels: refs.labels,
      sequences: refs.sequences,
      embedder: { id: embedder.id, dim: embedder.dim, fingerprint: embedder.fingerprint },
      embed: (signal) =>
        embedFlat(
          refs.sequences.map((sequence, i) => ({
            id: refs.ids[i] ?? String(i),
            description: '',
            sequence,
          })),
          signal,
        ),
    },
    {
      store,
      fitter: chooseFitter(options.fitter),
      hash: sha256Json,
      params: options.params,
      signal: options.signal,
      onProgress: options.onProgress,
    },
  );

  async function embedFlat(
    records: readonly ProteinRecord[],
    signal: AbortSignal | undefined,
  ): Promise<Float32Array> {
    const flat = new Float32Array(records.length * embedder.dim);
    for (let start = 0; start < records.length; start += EMBED_BATCH) {
      const vectors = await embedder.embed(records.slice(start, start + EMBED_BATCH), { signal });
      vectors.forEach((v, i) => {
        flat.set(v, (start + i) * embedder.dim);
      });
    }
    return flat;
  }

  async function projectRecords(
    records: readonly ProteinRecord[],
    opts: { signal?: AbortSignal | undefined; method?: ProjectionMethod | undefined } = {},
  ): Promise<ProjectedPoint[]> {
    const out: ProjectedPoint[] = [];
    for (let start = 0; start < records.length; start += EMBED_BATCH) {
      const batch = records.slice(start, start + EMBED_BATCH);
      const flat = await embedFlat(batch, opts.signal);
      out.push(
        ...map.project(
          batch.map((r) => r.id),
          flat,
          { method: opts.method },
        ),
      );
    }
    return out;
  }

  const spec = (queries: readonly MappedQuery[] = []): VegaLiteSpec =>
    referenceMapSpec({
      modelVersion: map.modelVersion,
      labels: map.labels,
      references: map.referenceMapJson().references,
      queries: queries.map((q) => ({
        id: q.id,
        label: q.predictedLabel,
        novelty: q.novelty,
        x: q.x,
        y: q.y,
      })),
    });

  return {
    ...map,
    fitted,
    path: store.pathOf(map.modelVersion, map.state.key),
    projectRecords,
    async mapPredictions(records, predicted, opts = {}) {
      records.forEach((r, i) => {
        if (predicted[i]?.id !== r.id) {
          throw new ArginatorError(
            'INTERNAL',
            'map.length-mismatch',
            `record ${i} is '${r.id}' but prediction ${i} is '${predicted[i]?.id ?? '(none)'}'`,
            'pass the predicted proteins and their predictions in the same order',
          );
        }
      });
      const method = projectionMethodFor(opts.jobSize ?? records.length);
      const points = await projectRecords(records, { signal: opts.signal, method });
      return mappedQueries(predicted, points, method);
    },
    queriesJson: (queries) => queryMapJson(map.modelVersion, queries),
    spec,
    svg: (queries = [], opts = {}) => renderSvg(spec(queries), { signal: opts.signal }),
    png: (queries = [], opts = {}) =>
      renderPng(spec(queries), { signal: opts.signal, scale: opts.scale }),
  };
}
