// A fixed pool of job worker threads behind the JobExecutor port; a crashed worker is replaced.
import { Worker } from 'node:worker_threads';

import { ArginatorError, cancelledError } from '../core/errors.ts';
import type { Job, JobSummary } from '../pipeline/jobs/job.ts';
import type { JobExecutor, JobFiles, JobRunOptions } from '../pipeline/jobs/ports.ts';
import { jobMapPaths } from './job-maps.ts';
import type { FromWorker, ToWorker, WorkerInit } from './worker-protocol.ts';
import { deserialiseError, serialiseError } from './worker-protocol.ts';

interface Current {
  readonly jobId: string;
  readonly options: JobRunOptions;
  resolve(summary: JobSummary): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  current: Current | undefined;
}

/**
 * Starts `name` (a sibling module: `job-worker`, `predict-worker`) as a worker thread. From
 * TypeScript sources (tests, `npm run dev`) the worker registers tsx's loader itself: on Node 20 a
 * worker does not inherit the parent's loader hooks (as in embedders/threaded).
 */
export function startWorkerThread(name: string, workerData: unknown): Worker {
  const url = new URL(
    import.meta.url.endsWith('.ts') ? `./${name}.ts` : `./${name}.js`,
    import.meta.url,
  );
  if (!url.pathname.endsWith('.ts')) {
    return new Worker(url, { workerData });
  }
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(code, { eval: true, workerData });
}

function startWorker(init: WorkerInit): Worker {
  return startWorkerThread('job-worker', init);
}

export interface WorkerPoolOptions extends WorkerInit {
  readonly size: number;
  readonly files: JobFiles;
  /**
   * Makes sure the reference map of a model version is stored (fitting it if needed) before a
   * worker places a finished job on it; the request thread owns fitting, so each model is fitted once.
   */
  readonly prepareMap: (modelVersion: string) => Promise<unknown>;
}

export function createWorkerPool(options: WorkerPoolOptions): JobExecutor {
  const init: WorkerInit = { modelsDir: options.modelsDir, threads: options.threads };
  let closed = false;
  const slots: Slot[] = [];

  const attach = (slot: Slot): void => {
    const worker = slot.worker;
    worker.on('message', (message: FromWorker) => {
      const current = slot.current;
      if (slot.worker !== worker || current?.jobId !== message.jobId) {
        return;
      }
      switch (message.type) {
        case 'progress':
          current.options.onProgress(message.done);
          return;
        case 'map-needed': {
          const reply = (answer: ToWorker & { type: 'map-ready' }): void => {
            if (slot.current?.jobId === message.jobId) {
              slot.worker.postMessage(answer);
            }
          };
          options.prepareMap(message.modelVersion).then(
            () => reply({ type: 'map-ready', jobId: message.jobId, error: undefined }),
            (e: unknown) =>
              reply({
                type: 'map-ready',
                jobId: message.jobId,
                error: serialiseError(e, 'the reference map'),
              }),
          );
          return;
        }
        case 'done':
          slot.current = undefined;
          current.resolve(message.summary);
          return;
        case 'failed': {
          slot.current = undefined;
          current.reject(deserialiseError(message.error));
          return;
        }
      }
    });
    const crashed = (why: string): void => {
      // A crash emits 'error' and then 'exit': only the first may touch the slot (by then it may
      // already run the next job on a replacement worker).
      if (slot.worker !== worker) {
        return;
      }
      const current = slot.current;
      slot.current = undefined;
      current?.reject(
        new ArginatorError(
          'INTERNAL',
          'job.worker-crashed',
          `the job worker thread stopped (${why})`,
          'retry the job; if it fails again, report it with the server log',
        ),
      );
      if (!closed) {
        slot.worker = startWorker(init);
        attach(slot);
      }
    };
    worker.on('error', (e) => crashed(e.message));
    worker.on('exit', (code) => {
      if (!closed) {
        crashed(`exit code ${code}`);
      }
    });
  };

  for (let i = 0; i < options.size; i++) {
    const slot: Slot = { worker: startWorker(init), current: undefined };
    attach(slot);
    slots.push(slot);
  }

  return {
    run(job: Job, runOptions: JobRunOptions): Promise<JobSummary> {
      const slot = slots.find((s) => s.current === undefined);
      if (slot === undefined || closed) {
        return Promise.reject(
          new ArginatorError('INTERNAL', 'job.no-worker', 'no free job worker', ''),
        );
      }
      if (runOptions.signal.aborted) {
        return Promise.reject(cancelledError('The job'));
      }
      return new Promise<JobSummary>((resolve, reject) => {
        const onAbort = (): void => {
          const message: ToWorker = { type: 'cancel', jobId: job.id };
          slot.worker.postMessage(message);
        };
        runOptions.signal.addEventListener('abort', onAbort, { once: true });
        const settle = (): void => runOptions.signal.removeEventListener('abort', onAbort);
        slot.current = {
          jobId: job.id,
          options: runOptions,
          resolve: (s) => {
            settle();
            resolve(s);
          },
          reject: (e) => {
            settle();
            reject(e);
          },
        };
        const message: ToWorker = {
          type: 'run',
          jobId: job.id,
          task: job.task,
          modelVersion: job.modelVersion,
          inputPath: options.files.inputPath(job.id),
          proteins: job.proteinsTotal ?? 0,
          outputs: {
            csv: options.files.resultPath(job.id, 'csv'),
            tsv: options.files.resultPath(job.id, 'tsv'),
            json: options.files.resultPath(job.id, 'json'),
          },
          map: jobMapPaths(options.files, job.id),
        };
        slot.worker.postMessage(message);
      });
    },
    async close(): Promise<void> {
      closed = true;
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
