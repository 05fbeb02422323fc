// Worker-thread side of the UMAP map fitter: fits once (umap-js-layout.ts), reports progress, returns the fit.
import { parentPort, workerData } from 'node:worker_threads';

import type { MapFit } from '../core/map/reference-map-codec.ts';
import { fitMapWithUmapJs, type MapFitInput } from './umap-js-layout.ts';

/** Messages from the worker to the main thread. */
export type UmapWorkerMessage =
  | { readonly kind: 'progress'; readonly fraction: number; readonly message: string }
  | { readonly kind: 'done'; readonly fit: MapFit }
  | {
      readonly kind: 'error';
      readonly message: string;
      readonly code?: string | undefined;
      readonly reason?: string | undefined;
      readonly hint?: string | undefined;
    };

const port = parentPort;
if (port === null) {
  throw new Error('umap-fit-worker must run in a worker thread');
}

const input = workerData as MapFitInput;
fitMapWithUmapJs(input, {
  onProgress: (fraction, message) => {
    const msg: UmapWorkerMessage = { kind: 'progress', fraction, message };
    port.postMessage(msg);
  },
}).then(
  (fit) => {
    const msg: UmapWorkerMessage = { kind: 'done', fit };
    // Typed-array buffers are transferred, not copied.
    const buffers = [
      fit.pca.mean.buffer,
      fit.pca.basis.buffer,
      fit.pca.variances.buffer,
      fit.layout.reduced.buffer,
      fit.layout.coords.buffer,
    ].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
    port.postMessage(msg, buffers);
  },
  (e: unknown) => {
    const err = e as { message?: unknown; code?: unknown; reason?: unknown; hint?: unknown };
    const msg: UmapWorkerMessage = {
      kind: 'error',
      message: typeof err.message === 'string' ? err.message : String(e),
      code: typeof err.code === 'string' ? err.code : undefined,
      reason: typeof err.reason === 'string' ? err.reason : undefined,
      hint: typeof err.hint === 'string' ? err.hint : undefined,
    };
    port.postMessage(msg);
  },
);
