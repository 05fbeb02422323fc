// Loads a registered (or file) model: reads the artifact, opens and checks its embedder, embeds its references.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

import { ArginatorError } from '../core/errors.ts';
import { stackRows } from '../core/embed/embedder.ts';
import { decodeArtifact } from '../core/model/artifact.ts';
import type { Kernels } from '../core/model/kernels.ts';
import type { SeedPostingsCache } from '../core/model/predictor.ts';
import { createPredictor } from '../core/model/predictor.ts';
import type { ModelCatalog, ResolvedModel } from '../pipeline/model-catalog.ts';
import type { PredictionModel } from '../pipeline/predict.ts';
import {
  loadFastestScreenKernels,
  loadFastestSeedKernels,
  loadFastestPairAligner,
} from '../native/load-kernels.ts';
import { FsReferenceEmbeddingCache } from '../store/fs-reference-embedding-cache.ts';
import { FsScreenIndexCache } from '../store/fs-screen-index-cache.ts';
import { FsSeedPostingsCache } from '../store/fs-seed-postings-cache.ts';
import { SCREEN_INDEX_KEY, type ScreenPostingsCache } from '../core/sequence/ungapped-screen.ts';
import { openEmbedder } from './embedders.ts';
import type { ClassifierRuntimeSetting } from './onnx-classifier-runtime.ts';
import { openClassifierRuntime } from './onnx-classifier-runtime.ts';

export interface LoadModelOptions {
  /** The embedder's threads. */
  readonly threads?: number | undefined;
  /**
   * Threads of the native screen, seed search and alignment calls (default 2, at most the cores): 1
   * where each caller has one core of its own (a queue worker's chunk threads).
   */
  readonly searchThreads?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Where reference embeddings are cached (default: the `cache` folder next to modelsDir). */
  readonly cacheDir?: string | undefined;
  /**
   * Prepare the references (seed index, unit vectors) before returning (default). `false` leaves it
   * to the first prediction, e.g. for the predict pipeline, which prepares while its first batch is
   * embedded on the embedder's threads.
   */
  readonly prepare?: boolean | undefined;
  /** model.runtime and model.onnx_quantize (default: native, the in-process classifier). */
  readonly runtime?: ClassifierRuntimeSetting | undefined;
}

/** A loaded model; with model.runtime=onnx also the ONNX graph its classifier runs. */
export interface LoadedPredictionModel extends PredictionModel {
  /** The serialised classifier graph (what `arginator export onnx` writes); undefined: native. */
  readonly classifierOnnx?: Uint8Array | undefined;
  /** The references (training proteins) embedded, n×dim row-major; undefined: the model has none. */
  readonly referenceEmbeddings?: Float32Array | undefined;
}

/**
 * `ref` is a model file (.argm), a registry version ('v3') or alias ('latest:binary'), a task name
 * ('multiclass' = its latest model), or an entry the caller resolved already (read once per
 * prediction: the registry is not read again here).
 */
export async function loadPredictionModel(
  ref: string | ResolvedModel,
  catalog: ModelCatalog,
  kernels: Kernels,
  options: LoadModelOptions = {},
): Promise<LoadedPredictionModel> {
  const modelsDir = catalog.dir;
  const isFile =
    typeof ref === 'string' &&
    ref.endsWith('.argm') &&
    (await stat(ref).catch(() => undefined))?.isFile() === true;
  const entry: ResolvedModel | undefined =
    typeof ref !== 'string' ? ref : isFile ? undefined : await catalog.resolve(ref);
  const path = entry?.path ?? (ref as string);
  const version = entry?.version ?? basename(path, '.argm');
  const bytes = await readFile(path);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  // A registered model is served only if its file is the one registered (a file changed on disk,
  // truncated by a full disk or swapped by hand is refused, never half-served).
  if (entry !== undefined && entry.sha256 !== sha256) {
    throw checksumMismatch(entry, sha256);
  }
  // The caches are keyed by the model file's content (and the embedder), so a retrained model or
  // another embedder never reads stale data.
  const modelKey = sha256.slice(0, 32);
  const cacheDir = options.cacheDir ?? join(dirname(modelsDir), 'cache');
  const postingsCache = new FsSeedPostingsCache(cacheDir);
  // The cache reads (tens of MB, on libuv's threads) start now and run while the header is parsed
  // and the embedder opened. Neither rejects; a model without seeds or references has no such files.
  const postingsRead = postingsCache.read(modelKey);
  const screenCache = new FsScreenIndexCache(cacheDir);
  const screenKey = `${modelKey}-${createHash('sha256').update(SCREEN_INDEX_KEY).digest('hex').slice(0, 12)}`;
  const screenRead = screenCache.read(screenKey);
  const decoded = decodeArtifact(bytes, path);
  const { header } = decoded;
  const cache = new FsReferenceEmbeddingCache(cacheDir);
  // The header's embedder id and dim: the embedder opened below is checked to be that one.
  const key = `${modelKey}-${header.embedder.id.replace(/[^A-Za-z0-9._-]/g, '_')}`;
  const embeddingsRead =
    header.homology === undefined
      ? undefined
      : cache.read(key, header.homology.references.sequences.length, header.embedder.dim);
  const embedder = await openEmbedder({
    name: header.embedder.name,
    options: header.embedder.options,
    threads: options.threads,
  });
  try {
    if (
      embedder.id !== header.embedder.id ||
      JSON.stringify(embedder.fingerprint) !== JSON.stringify(header.embedder.fingerprint)
    ) {
      throw new ArginatorError(
        'CONFIG',
        'model.embedder-mismatch',
        `model ${version} was trained with embedder ${header.embedder.id}, but this installation's '${header.embedder.name}' embedder is ${embedder.id} with different settings`,
        'use the arginator version and model folder the model was trained with, or train the model again',
      );
    }
    let referenceEmbeddings: Float32Array | undefined;
    let seedPostings: SeedPostingsCache = {};
    let screenPostings: ScreenPostingsCache = {};
    if (header.homology !== undefined) {
      const refs = header.homology.references;
      const usesSeeds = (header.homology.seedCandidates ?? 0) > 0;
      const [cachedEmbeddings, cachedPostings, cachedScreen] = await Promise.all([
        embeddingsRead,
        usesSeeds ? postingsRead : undefined,
        screenRead,
      ]);
      screenPostings = {
        cached: cachedScreen,
        onBuilt: (postings) => void screenCache.write(screenKey, postings),
      };
      // Read at the header's dim; an embedder of another dim embeds the references again.
      referenceEmbeddings = embedder.dim === header.embedder.dim ? cachedEmbeddings : undefined;
      seedPostings = {
        cached: cachedPostings,
        onBuilt: (postings) => void postingsCache.write(modelKey, postings),
      };
      if (referenceEmbeddings === undefined) {
        const vectors = await embedder.embed(
          refs.sequences.map((sequence, i) => ({
            id: refs.ids[i] ?? String(i),
            description: '',
            sequence,
          })),
          { signal: options.signal },
        );
        referenceEmbeddings = stackRows(vectors, embedder.dim);
        await cache.write(key, referenceEmbeddings);
      }
    }
    const onnx =
      options.runtime === undefined || options.runtime.runtime === 'native'
        ? undefined
        : await openClassifierRuntime(decoded, {
            version,
            sha256: createHash('sha256').update(bytes).digest('hex'),
            quantize: options.runtime.quantize,
            trainingEmbeddings: referenceEmbeddings,
            kernels,
          });
    const predictor = createPredictor(
      decoded,
      kernels,
      referenceEmbeddings,
      loadFastestPairAligner(options.searchThreads),
      loadFastestSeedKernels(options.searchThreads),
      seedPostings,
      {
        screenKernels: loadFastestScreenKernels(options.searchThreads),
        screenPostings,
        classifier: onnx?.classifier,
      },
    );
    if (options.prepare !== false) {
      predictor.prepare();
    }
    return { version, embedder, predictor, classifierOnnx: onnx?.bytes, referenceEmbeddings };
  } catch (e) {
    await embedder.close();
    throw e;
  }
}

/** The file of a registered model is not the one registered: refused, with what to do. */
export function checksumMismatch(entry: ResolvedModel, actual: string): ArginatorError {
  return new ArginatorError(
    'INTERNAL',
    'model.checksum-mismatch',
    `model ${entry.version}'s file ${entry.path} has sha256 ${actual.slice(0, 12)}…, but the registry recorded ${entry.sha256.slice(0, 12)}…: it is not served`,
    'restore the file from a backup, or promote another version (arginator models promote V)',
  );
}

/** Models loaded once per version and kept (a failed load is forgotten, so the next call retries). */
export interface ModelCache {
  get(version: string): Promise<PredictionModel>;
  /** Every load started so far. */
  all(): Promise<PredictionModel>[];
  clear(): void;
}

export function createModelCache(
  catalog: ModelCatalog,
  kernels: Kernels,
  options: Pick<LoadModelOptions, 'threads' | 'searchThreads' | 'runtime'> = {},
): ModelCache {
  const loaded = new Map<string, Promise<PredictionModel>>();
  return {
    get(version) {
      let model = loaded.get(version);
      if (model === undefined) {
        model = loadPredictionModel(version, catalog, kernels, {
          threads: options.threads,
          searchThreads: options.searchThreads,
          runtime: options.runtime,
        });
        loaded.set(version, model);
        model.catch(() => loaded.delete(version));
      }
      return model;
    },
    all: () => [...loaded.values()],
    clear: () => {
      loaded.clear();
    },
  };
}
