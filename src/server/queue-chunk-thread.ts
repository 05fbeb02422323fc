// Worker-thread entry of `arginator worker`: classifies one chunk at a time off the main thread (which keeps renewing the queue locks), keeping models between chunks.
import { rename } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';

import { TABLE_FORMATS } from '../core/domain.ts';
import type { TableFormat } from '../core/domain.ts';
import { readFastaFile } from '../io/fasta-source.ts';
import { loadFastestKernels } from '../native/load-kernels.ts';
import { classifyFile } from '../pipeline/classify-file.ts';
import type { JobTask } from '../pipeline/jobs/job.ts';
import { FsModelRegistry } from '../store/fs-model-registry.ts';
import { createModelCache } from '../wiring/load-model.ts';
import { predictionTableFiles } from '../wiring/prediction-tables.ts';
import { adaptModelToTask } from '../wiring/task-model.ts';
import { createMapSpill } from './job-map-spill.ts';
import type { SerialisedError, WorkerInit } from './worker-protocol.ts';
import { serialiseError } from './worker-protocol.ts';

/** One chunk to classify: its FASTA in, its tables and map input out (all under the job folder). */
export interface ChunkRun {
  readonly type: 'run';
  readonly key: string;
  readonly task: JobTask;
  readonly modelVersion: string;
  readonly input: string;
  readonly outputs: Readonly<Record<TableFormat, string>>;
  readonly mapInput: string;
}

export type ToChunkThread = ChunkRun | { readonly type: 'cancel'; readonly key: string };

export type FromChunkThread =
  | { readonly type: 'progress'; readonly key: string; readonly done: number }
  | {
      readonly type: 'done';
      readonly key: string;
      readonly summary: {
        proteins: number;
        counts: Record<string, number>;
        novelty: Record<string, number>;
      };
    }
  | { readonly type: 'failed'; readonly key: string; readonly error: SerialisedError }
  /** The preloaded models are loaded (or failed to: the chunk that needs one reports it). */
  | { readonly type: 'ready' };

const port = parentPort;
if (port === null) {
  throw new Error('queue-chunk-thread.ts runs as a worker thread only');
}
const init = workerData as WorkerInit;
// One core per chunk: a worker process with --concurrency N uses N cores (docs/queue.md).
const kernels = loadFastestKernels({ threads: 1, notify: () => undefined });
const models = createModelCache(new FsModelRegistry(init.modelsDir), kernels, {
  threads: init.threads,
  // The screen, seed search and aligner default to both cores: one here, as the embedder.
  searchThreads: 1,
  runtime: init.runtime,
});
const running = new Map<string, AbortController>();
// Warm before the first chunk: the models new jobs would use (a failed load is retried by the chunk
// that needs it, which then reports the error).
void Promise.allSettled((init.preload ?? []).map(async (v) => models.get(v))).then(() =>
  port.postMessage({ type: 'ready' } satisfies FromChunkThread),
);

function post(message: FromChunkThread): void {
  port?.postMessage(message);
}

async function runChunk(run: ChunkRun, signal: AbortSignal): Promise<FromChunkThread> {
  const model = adaptModelToTask(await models.get(run.modelVersion), run.task);
  // A name of this process: a chunk run twice at once (a stalled but living worker) never shares a temp file.
  const spillPath = `${run.mapInput}.${process.pid}`;
  const spill = createMapSpill(spillPath);
  try {
    // The same use case as `arginator predict` and the embedded job worker: one classification code path.
    const summary = await classifyFile(
      { kind: 'fasta', records: readFastaFile(run.input, { signal, duplicateIds: 'error' }) },
      {
        model,
        tables: predictionTableFiles(
          model,
          TABLE_FORMATS.map((format) => ({ format, path: run.outputs[format] })),
          `.${process.pid}.tmp`,
        ),
        embeddings: spill,
        signal,
        onProgress: (done) => post({ type: 'progress', key: run.key, done }),
      },
    );
    await spill.finish();
    await rename(spillPath, run.mapInput);
    return {
      type: 'done',
      key: run.key,
      summary: {
        proteins: summary.proteins,
        counts: { ...summary.counts },
        novelty: { ...summary.novelty },
      },
    };
  } catch (e) {
    await spill.discard();
    throw e;
  }
}

port.on('message', (message: ToChunkThread) => {
  if (message.type === 'cancel') {
    running.get(message.key)?.abort();
    return;
  }
  const controller = new AbortController();
  running.set(message.key, controller);
  runChunk(message, controller.signal)
    .then(post, (e: unknown) =>
      post({ type: 'failed', key: message.key, error: serialiseError(e, 'a queue worker') }),
    )
    .finally(() => running.delete(message.key));
});
