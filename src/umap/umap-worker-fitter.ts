// Runs the umap-js map fit on a worker thread, so a server stays responsive; aborting terminates the worker.
import { Worker, type ResourceLimits } from 'node:worker_threads';

import { ArginatorError, cancelledError, throwIfAborted, type ErrorCode } from '../core/errors.ts';
import type { MapFit } from '../core/map/reference-map-codec.ts';
import type { UmapWorkerMessage } from './umap-fit-worker.ts';
import type { MapFitInput, MapFitOptions } from './umap-js-layout.ts';

/**
 * Starts the worker module. From TypeScript sources (tests, `npm run dev`, bench scripts) the worker
 * registers tsx's loader first (Node 20 workers do not inherit the parent's loader hooks), as
 * embedders/threaded does.
 */
function startWorker(
  url: URL,
  workerData: MapFitInput,
  resourceLimits: ResourceLimits | undefined,
): Worker {
  const limits = resourceLimits === undefined ? {} : { resourceLimits };
  if (!url.pathname.endsWith('.ts')) {
    return new Worker(url, { workerData, ...limits });
  }
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(code, { eval: true, workerData, ...limits });
}

/**
 * A V8 heap cap for the fit worker, scaled to its input: without one V8 lets the heap grow far past
 * what the fit needs before collecting (a server's start-up peak was 594 MB with an uncapped fit and
 * 473 MB with a 96 MB cap, 3,130 references; docs/service.md). The fit needs a few times its input;
 * a worker that still runs out is retried once without the cap (fitMapOnWorker).
 */
export function fitHeapLimit(input: MapFitInput): ResourceLimits {
  const inputMb = (input.n * input.dim * 4) / 2 ** 20;
  return { maxOldGenerationSizeMb: Math.ceil(Math.max(96, 64 + 3 * inputMb)) };
}

const CODES: readonly ErrorCode[] = [
  'BAD_INPUT',
  'LIMIT',
  'USAGE',
  'CONFIG',
  'NOT_FOUND',
  'VALIDATION',
  'CANCELLED',
  'INTERNAL',
];

/**
 * Same contract as fitMapWithUmapJs, computed on a fresh worker thread (the embeddings are copied
 * once) with a heap cap (fitHeapLimit); if the capped worker runs out of memory, once more without.
 */
export async function fitMapOnWorker(
  input: MapFitInput,
  options: MapFitOptions & { readonly resourceLimits?: ResourceLimits | null } = {},
): Promise<MapFit> {
  const limits =
    options.resourceLimits === null ? undefined : (options.resourceLimits ?? fitHeapLimit(input));
  try {
    return await fitOnce(input, options, limits);
  } catch (e) {
    if (limits !== undefined && e instanceof ArginatorError && e.reason === 'map.out-of-memory') {
      return fitOnce(input, options, undefined);
    }
    throw e;
  }
}

function fitOnce(
  input: MapFitInput,
  options: MapFitOptions,
  resourceLimits: ResourceLimits | undefined,
): Promise<MapFit> {
  const { signal, onProgress } = options;
  throwIfAborted(signal, 'Fitting the reference map');
  const url = new URL(
    import.meta.url.endsWith('.ts') ? './umap-fit-worker.ts' : './umap-fit-worker.js',
    import.meta.url,
  );
  return new Promise<MapFit>((resolve, reject) => {
    const worker = startWorker(url, input, resourceLimits);
    let settled = false;
    const finish = (action: () => void): void => {
      if (settled) {
        return;
      }
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      action();
      void worker.terminate();
    };
    const onAbort = (): void => {
      finish(() => {
        reject(cancelledError('Fitting the reference map'));
      });
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (msg: UmapWorkerMessage) => {
      if (msg.kind === 'progress') {
        onProgress?.(msg.fraction, msg.message);
      } else if (msg.kind === 'done') {
        finish(() => {
          resolve(msg.fit);
        });
      } else {
        const code = CODES.find((c) => c === msg.code) ?? 'INTERNAL';
        finish(() => {
          reject(
            new ArginatorError(
              code,
              msg.reason ?? 'map.fit-failed',
              `fitting the reference map failed: ${msg.message}`,
              msg.hint ?? 'this is a bug; please report it with the model version',
            ),
          );
        });
      }
    });
    worker.on('error', (e) => {
      const outOfMemory = (e as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY';
      finish(() => {
        reject(
          new ArginatorError(
            'INTERNAL',
            outOfMemory ? 'map.out-of-memory' : 'map.fit-failed',
            `the reference map worker failed: ${e.message}`,
            'this is a bug; please report it with the model version',
            {},
            { cause: e },
          ),
        );
      });
    });
    worker.on('exit', (code) => {
      finish(() => {
        reject(
          new ArginatorError(
            'INTERNAL',
            'map.fit-failed',
            `the reference map worker exited (code ${code}) before finishing`,
            'check the memory available to the process',
          ),
        );
      });
    });
  });
}
