// The stored reference map: everything needed to draw the references and project queries without refitting.
import { ArginatorError } from '../errors.ts';
import type { Pca } from './pca.ts';
import type { FittedLayout } from './umap-transform.ts';

/** Bytes 0-3 of every map file. */
export const MAP_MAGIC = 'ARMP';
/** Bumped when the layout or meaning of the file changes; part of the cache key, so old files are refitted. */
export const MAP_FORMAT_VERSION = 1;

/** How a map is fitted; part of the cache key. */
export interface MapParams {
  readonly seed: number;
  readonly nNeighbors: number;
  readonly minDist: number;
  readonly spread: number;
  /** PCA components the embeddings are reduced to before UMAP. */
  readonly pcaComponents: number;
  /** Power iterations of the randomised PCA (2 keeps 99% of the exact top-50 variance on the shipped data). */
  readonly pcaIterations: number;
  /** UMAP epochs for the fit (0 = umap-js's default: 500 up to 2,500 points, 400 up to 5,000, …). */
  readonly fitEpochs: number;
  /** Optimisation epochs when projecting a query. */
  readonly transformEpochs: number;
}

export const DEFAULT_MAP_PARAMS: MapParams = {
  seed: 42,
  nNeighbors: 15,
  minDist: 0.1,
  spread: 1,
  pcaComponents: 50,
  pcaIterations: 2,
  fitEpochs: 0,
  transformEpochs: 100,
};

/** The fitted state: what the fitter computes from the reference embeddings. */
export interface MapFit {
  readonly pca: Pca;
  /** The layout in the PCA space (FittedLayout.reduced) and in 2-D (FittedLayout.coords). */
  readonly layout: FittedLayout;
  /** What fitted it, e.g. 'umap-js 1.4.0'. */
  readonly fitter: string;
}

/** A map as stored: the fit plus which model and references it belongs to. */
export interface ReferenceMapState {
  /** Cache key it was fitted for (model, embedder, references, params, format version). */
  readonly key: string;
  readonly modelVersion: string;
  /** Class names; `referenceLabels` index into them. */
  readonly labels: readonly string[];
  readonly ids: readonly string[];
  readonly referenceLabels: readonly number[];
  readonly params: MapParams;
  readonly fit: MapFit;
}

interface MapHeader {
  readonly format: 'arginator-reference-map';
  readonly version: number;
  readonly key: string;
  readonly modelVersion: string;
  readonly labels: readonly string[];
  readonly ids: readonly string[];
  readonly referenceLabels: readonly number[];
  readonly params: MapParams;
  readonly fitter: string;
  readonly n: number;
  readonly inputDim: number;
  readonly components: number;
  readonly a: number;
  readonly b: number;
  readonly variances: readonly number[];
  readonly totalVariance: number;
}

function mapFileError(source: string, what: string): ArginatorError {
  return new ArginatorError(
    'INTERNAL',
    'map.bad-file',
    `${source} is not a readable reference map (${what})`,
    'delete the file; the map is fitted again on next use',
  );
}

/** Serialises a map: magic, format version, header length, JSON header, then float32 blocks. */
export function encodeReferenceMap(state: ReferenceMapState): Uint8Array {
  const { pca, layout } = state.fit;
  const header: MapHeader = {
    format: 'arginator-reference-map',
    version: MAP_FORMAT_VERSION,
    key: state.key,
    modelVersion: state.modelVersion,
    labels: state.labels,
    ids: state.ids,
    referenceLabels: state.referenceLabels,
    params: state.params,
    fitter: state.fit.fitter,
    n: layout.n,
    inputDim: pca.dim,
    components: pca.components,
    a: layout.a,
    b: layout.b,
    variances: Array.from(pca.variances),
    totalVariance: pca.totalVariance,
  };
  const blocks = [pca.mean, pca.basis, layout.reduced, layout.coords];
  const json = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = Math.ceil((12 + json.length) / 4) * 4;
  const floats = blocks.reduce((s, blk) => s + blk.length, 0);
  const bytes = new Uint8Array(dataStart + floats * 4);
  const view = new DataView(bytes.buffer);
  bytes.set(new TextEncoder().encode(MAP_MAGIC), 0);
  view.setUint32(4, MAP_FORMAT_VERSION, true);
  view.setUint32(8, json.length, true);
  bytes.set(json, 12);
  let offset = dataStart;
  for (const blk of blocks) {
    for (let i = 0; i < blk.length; i++) {
      view.setFloat32(offset, blk[i] as number, true);
      offset += 4;
    }
  }
  return bytes;
}

/** Reads a map written by encodeReferenceMap; throws 'map.bad-file' on anything else. */
export function decodeReferenceMap(bytes: Uint8Array, source = 'reference map'): ReferenceMapState {
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 4)) !== MAP_MAGIC) {
    throw mapFileError(source, `no '${MAP_MAGIC}' signature`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== MAP_FORMAT_VERSION) {
    throw mapFileError(source, `format version ${version}, expected ${MAP_FORMAT_VERSION}`);
  }
  const headerLength = view.getUint32(8, true);
  if (12 + headerLength > bytes.length) {
    throw mapFileError(source, 'truncated header');
  }
  let header: MapHeader;
  try {
    header = JSON.parse(
      new TextDecoder().decode(bytes.subarray(12, 12 + headerLength)),
    ) as MapHeader;
  } catch {
    throw mapFileError(source, 'unreadable header');
  }
  const { n, inputDim: d, components: k } = header;
  let offset = Math.ceil((12 + headerLength) / 4) * 4;
  const take = (length: number): Float32Array => {
    if (!Number.isInteger(length) || length < 0 || offset + length * 4 > bytes.length) {
      throw mapFileError(source, 'truncated data');
    }
    const out = new Float32Array(length);
    for (let i = 0; i < length; i++) {
      out[i] = view.getFloat32(offset + i * 4, true);
    }
    offset += length * 4;
    return out;
  };
  const mean = take(d);
  const basis = take(k * d);
  const reduced = take(n * k);
  const coords = take(n * 2);
  if (header.ids.length !== n || header.referenceLabels.length !== n) {
    throw mapFileError(source, 'reference count mismatch');
  }
  return {
    key: header.key,
    modelVersion: header.modelVersion,
    labels: header.labels,
    ids: header.ids,
    referenceLabels: header.referenceLabels,
    params: header.params,
    fit: {
      fitter: header.fitter,
      pca: {
        dim: d,
        components: k,
        mean,
        basis,
        variances: Float64Array.from(header.variances),
        totalVariance: header.totalVariance,
      },
      layout: {
        n,
        dim: k,
        reduced,
        coords,
        a: header.a,
        b: header.b,
        nNeighbors: header.params.nNeighbors,
        seed: header.params.seed,
      },
    },
  };
}
