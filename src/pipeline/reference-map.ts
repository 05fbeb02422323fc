// Use case: the UMAP reference map of a model — load it if stored, else fit once and store; project queries onto it.
import { ArginatorError, throwIfAborted } from '../core/errors.ts';
import { reduceEmbeddings } from '../core/map/prepare.ts';
import {
  DEFAULT_MAP_PARAMS,
  MAP_FORMAT_VERSION,
  type MapFit,
  type MapParams,
  type ReferenceMapState,
} from '../core/map/reference-map-codec.ts';
import { projectToLayout, type ProjectionMethod } from '../core/map/umap-transform.ts';
import type { JsonHasher } from './embedding-cache.ts';
import type { PredictedProtein } from './predict.ts';

/** Port: where fitted maps live (a file per key next to the models). */
export interface ReferenceMapStore {
  /** The stored map of `modelVersion` for `key`, or undefined if there is none (or it is unreadable). */
  read(
    modelVersion: string,
    key: string,
    signal?: AbortSignal,
  ): Promise<ReferenceMapState | undefined>;
  /** Stores a map atomically under its key. */
  write(state: ReferenceMapState, signal?: AbortSignal): Promise<void>;
}

/** Port: fits PCA + 2-D layout to n reference embeddings (dim wide, row-major). */
export type ReferenceMapFitter = (
  input: {
    readonly embeddings: Float32Array;
    readonly n: number;
    readonly dim: number;
    readonly params: MapParams;
  },
  options: {
    readonly signal?: AbortSignal | undefined;
    readonly onProgress?: ((fraction: number, message: string) => void) | undefined;
  },
) => Promise<MapFit>;

/** A model's references, as the map needs them. Embeddings are only computed when a fit is needed. */
export interface MapReferences {
  readonly modelVersion: string;
  /** Class names (the model's labels). */
  readonly labels: readonly string[];
  readonly ids: readonly string[];
  /** Per reference, an index into `labels`. */
  readonly referenceLabels: readonly number[];
  /** The reference sequences: part of the cache key (a retrained 'v1' gets a new map). */
  readonly sequences: readonly string[];
  readonly embedder: {
    readonly id: string;
    readonly dim: number;
    readonly fingerprint: Readonly<Record<string, unknown>>;
  };
  /** Embeds the references with the model's embedder (n×dim row-major). */
  embed(signal?: AbortSignal): Promise<Float32Array>;
}

/** `GET /v1/models/{version}/map` (docs/api.md, Map). */
export interface ReferenceMapJson {
  readonly model_version: string;
  readonly labels: readonly string[];
  readonly references: readonly { id: string; label: string; x: number; y: number }[];
}

/** One query on the map, with what the prediction said about it. */
export interface MappedQuery {
  readonly id: string;
  readonly predictedLabel: string;
  readonly novelty: string;
  readonly x: number;
  readonly y: number;
  /** How the point was placed; when absent, the job size decides (projectionMethodFor). */
  readonly projection?: ProjectionMethod | undefined;
}

/** `GET /v1/jobs/{id}/map` (docs/api.md, Map), plus how the points were placed. */
export interface QueryMapJson {
  readonly model_version: string;
  /**
   * 'transform' (UMAP transform, references fixed) or 'interpolate' (kNN-weighted mean only);
   * 'mixed' only if points placed both ways were put together.
   */
  readonly projection: ProjectionMethod | 'mixed';
  readonly queries: readonly {
    id: string;
    predicted_label: string;
    novelty: string;
    x: number;
    y: number;
  }[];
}

export interface ProjectedPoint {
  readonly id: string;
  readonly x: number;
  readonly y: number;
}

/** A loaded (or freshly fitted) map: draw the references, place queries. Immutable, safe to share. */
export interface ReferenceMap {
  readonly modelVersion: string;
  readonly labels: readonly string[];
  /** Reference count. */
  readonly size: number;
  readonly params: MapParams;
  /** Where the layout came from, e.g. 'umap-js 1.4.0'. */
  readonly fitter: string;
  /** The stored state (for tests and tools). */
  readonly state: ReferenceMapState;
  referenceMapJson(): ReferenceMapJson;
  /**
   * Places queries given their embeddings (ids.length × embedder dim, row-major, from the model's
   * embedder). Each point is placed independently (seeded by the map seed and its id), so results
   * do not depend on batching: call it per prediction batch. Cost ≈ 0.5 ms per query ('transform').
   */
  project(
    ids: readonly string[],
    embeddings: Float32Array,
    options?: { method?: ProjectionMethod | undefined },
  ): ProjectedPoint[];
}

/**
 * Above this many queries in one job, the job map uses 'interpolate': the transform's optimisation
 * costs ~3× the kNN interpolation, and for large jobs it would rival the prediction itself
 * (docs/adr/0009-reference-map.md). umap-learn also cuts its transform epochs above 10,000 points.
 */
export const TRANSFORM_MAX_QUERIES = 10_000;

/** The projection method for a job of `count` queries. */
export function projectionMethodFor(count: number): ProjectionMethod {
  return count <= TRANSFORM_MAX_QUERIES ? 'transform' : 'interpolate';
}

/** The cache key of a model's map: changes with the model, its references, embedder, params or format. */
export function referenceMapKey(
  hash: JsonHasher,
  refs: Omit<MapReferences, 'embed'>,
  params: MapParams,
): string {
  return hash({
    format: MAP_FORMAT_VERSION,
    model: refs.modelVersion,
    labels: refs.labels,
    ids: refs.ids,
    referenceLabels: refs.referenceLabels,
    sequences: refs.sequences,
    embedder: {
      id: refs.embedder.id,
      dim: refs.embedder.dim,
      fingerprint: refs.embedder.fingerprint,
    },
    params,
  });
}

/** Wraps a stored state into the runtime map. */
export function openReferenceMap(state: ReferenceMapState): ReferenceMap {
  const { pca, layout } = state.fit;
  return {
    modelVersion: state.modelVersion,
    labels: state.labels,
    size: layout.n,
    params: state.params,
    fitter: state.fit.fitter,
    state,
    referenceMapJson() {
      return {
        model_version: state.modelVersion,
        labels: state.labels,
        references: state.ids.map((id, i) => ({
          id,
          label: state.labels[state.referenceLabels[i] ?? -1] ?? 'unknown',
          x: layout.coords[i * 2] as number,
          y: layout.coords[i * 2 + 1] as number,
        })),
      };
    },
    project(ids, embeddings, options = {}) {
      if (embeddings.length !== ids.length * pca.dim) {
        throw new ArginatorError(
          'INTERNAL',
          'map.bad-embeddings',
          `expected ${ids.length} embeddings of width ${pca.dim} (${ids.length * pca.dim} values), got ${embeddings.length}`,
          "embed the queries with the model's own embedder",
        );
      }
      const reduced = reduceEmbeddings(pca, embeddings, ids.length);
      const xy = projectToLayout(layout, reduced, ids, {
        method: options.method,
        epochs: state.params.transformEpochs,
      });
      return ids.map((id, i) => ({ id, x: xy[i * 2] as number, y: xy[i * 2 + 1] as number }));
    },
  };
}

export interface LoadOrFitDeps {
  readonly store: ReferenceMapStore;
  readonly fitter: ReferenceMapFitter;
  readonly hash: JsonHasher;
  readonly params?: Partial<MapParams> | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((fraction: number, message: string) => void) | undefined;
}

/**
 * The model's map: read from the store when a map with the same key exists (no embedding, no fit),
 * otherwise embed the references, fit, store, and return it. `fitted` says which happened.
 */
export async function loadOrFitReferenceMap(
  refs: MapReferences,
  deps: LoadOrFitDeps,
): Promise<{ map: ReferenceMap; fitted: boolean }> {
  const n = refs.ids.length;
  const requested: MapParams = { ...DEFAULT_MAP_PARAMS, ...deps.params };
  if (n < 3) {
    throw new ArginatorError(
      'CONFIG',
      'map.too-few-references',
      `model ${refs.modelVersion} has ${n} reference proteins; a map needs at least 3`,
      'train the model with more data and model.homology=true',
    );
  }
  // A tiny reference set cannot have more neighbours or components than points.
  const params: MapParams = {
    ...requested,
    nNeighbors: Math.max(2, Math.min(requested.nNeighbors, n - 1)),
  };
  const key = referenceMapKey(deps.hash, refs, params);
  const stored = await deps.store.read(refs.modelVersion, key, deps.signal);
  if (stored !== undefined) {
    return { map: openReferenceMap(stored), fitted: false };
  }
  throwIfAborted(deps.signal, 'Fitting the reference map');
  deps.onProgress?.(0, `embedding ${n} reference proteins`);
  const embeddings = await refs.embed(deps.signal);
  if (embeddings.length !== n * refs.embedder.dim) {
    throw new ArginatorError(
      'INTERNAL',
      'map.bad-embeddings',
      `the embedder returned ${embeddings.length} values for ${n} references of width ${refs.embedder.dim}`,
      'this is a bug; please report it',
    );
  }
  const fit = await deps.fitter(
    { embeddings, n, dim: refs.embedder.dim, params },
    { signal: deps.signal, onProgress: deps.onProgress },
  );
  const state: ReferenceMapState = {
    key,
    modelVersion: refs.modelVersion,
    labels: refs.labels,
    ids: refs.ids,
    referenceLabels: refs.referenceLabels,
    params,
    fit,
  };
  await deps.store.write(state, deps.signal);
  return { map: openReferenceMap(state), fitted: true };
}

/** Joins predictions with their map positions (same ids, same order) into job map points. */
export function mappedQueries(
  predicted: readonly PredictedProtein[],
  points: readonly ProjectedPoint[],
  projection: ProjectionMethod,
): MappedQuery[] {
  if (predicted.length !== points.length) {
    throw new ArginatorError(
      'INTERNAL',
      'map.length-mismatch',
      `${predicted.length} predictions but ${points.length} map points`,
      'project the same proteins that were predicted, in the same order',
    );
  }
  return predicted.map((p, i) => {
    const point = points[i] as ProjectedPoint;
    return {
      id: p.id,
      predictedLabel: p.prediction.label,
      novelty: p.prediction.novelty,
      x: point.x,
      y: point.y,
      projection,
    };
  });
}

/** `GET /v1/jobs/{id}/map` body. */
export function queryMapJson(modelVersion: string, queries: readonly MappedQuery[]): QueryMapJson {
  const byCount = projectionMethodFor(queries.length);
  const methods = new Set(queries.map((q) => q.projection ?? byCount));
  return {
    model_version: modelVersion,
    projection: methods.size > 1 ? 'mixed' : (queries[0]?.projection ?? byCount),
    queries: queries.map((q) => ({
      id: q.id,
      predicted_label: q.predictedLabel,
      novelty: q.novelty,
      x: q.x,
      y: q.y,
    })),
  };
}
