// A fixed pool of job worker threads behind the JobExecutor port (and the maps of completed jobs); a crashed worker is replaced.
import { Worker } from 'node:worker_threads';

import { ArginatorError, cancelledError } from '../core/errors.ts';
import type { Job, JobSummary } from '../pipeline/jobs/job.ts';
import type { JobExecutor, JobFiles, JobRunOptions } from '../pipeline/jobs/ports.ts';
import { removeMapInput } from './job-map-spill.ts';
import { writeMapUnavailable } from './job-map-writer.ts';
import { jobMapPaths } from './job-maps.ts';
import type { FromWorker, SerialisedError, ToWorker, WorkerInit } from './worker-protocol.ts';
import { deserialiseError, serialiseError } from './worker-protocol.ts';

interface Current {
  readonly jobId: string;
  readonly modelVersion: string;
  readonly options: JobRunOptions;
  resolve(summary: JobSummary): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  current: Current | undefined;
  /** Completed jobs whose map this worker owes (queued after their tables, or after a restart). */
  readonly maps: Map<string, string>;
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
  /** Told when a completed job's map is written, failed (recorded) or interrupted (for the log). */
  readonly onMapFinished?: ((jobId: string, outcome: MapOutcome) => void) | undefined;
}

export type MapOutcome =
  | { readonly state: 'written' }
  | { readonly state: 'failed'; readonly error: SerialisedError }
  | { readonly state: 'interrupted'; readonly error: SerialisedError };

/** The job executor that also places completed jobs on their map, after their tables. */
export interface JobPool extends JobExecutor {
  /** Makes the map a completed job still owes from its kept embeddings (after a restart). */
  mapJob(job: Job): void;
}

export function createWorkerPool(options: WorkerPoolOptions): JobPool {
  const init: WorkerInit = {
    modelsDir: options.modelsDir,
    threads: options.threads,
    runtime: options.runtime,
  };
  let closed = false;
  const slots: Slot[] = [];

  const attach = (slot: Slot): void => {
    const worker = slot.worker;
    worker.on('message', (message: FromWorker) => {
      if (slot.worker !== worker) {
        return;
      }
      // Map messages come from running jobs and from the maps of completed ones alike.
      if (message.type === 'map-needed') {
        const reply = (answer: ToWorker & { type: 'map-ready' }): void => {
          if (slot.worker === worker) {
            worker.postMessage(answer);
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
      if (message.type === 'map-finished') {
        slot.maps.delete(message.jobId);
        options.onMapFinished?.(
          message.jobId,
          message.error === undefined
            ? { state: 'written' }
            : { state: message.interrupted ? 'interrupted' : 'failed', error: message.error },
        );
        return;
      }
      const current = slot.current;
      if (current?.jobId !== message.jobId) {
        return;
      }
      switch (message.type) {
        case 'progress':
          current.options.onProgress(message.done);
          return;
        case 'done':
          slot.current = undefined;
          slot.maps.set(message.jobId, current.modelVersion);
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
      const owed = [...slot.maps];
      slot.maps.clear();
      for (const [jobId, modelVersion] of owed) {
        // The maps it owed die with it: recorded as failed, so they never answer 503 for ever.
        void recordLostMap(jobId, modelVersion, why);
      }
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

  const recordLostMap = async (jobId: string, modelVersion: string, why: string): Promise<void> => {
    const paths = jobMapPaths(options.files, jobId);
    const error = serialiseError(
      new ArginatorError(
        'INTERNAL',
        'map.worker-crashed',
        `the job worker thread stopped while it made the map (${why})`,
        'the results are complete; submit the input again for a map, and report it with the server log',
      ),
      'the job map',
    );
    await writeMapUnavailable(paths.unavailable, modelVersion, error).catch(() => undefined);
    await removeMapInput(paths);
    options.onMapFinished?.(jobId, { state: 'failed', error });
  };

  for (let i = 0; i < options.size; i++) {
    const slot: Slot = { worker: startWorker(init), current: undefined, maps: new Map() };
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
          modelVersion: job.modelVersion,
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
    mapJob(job: Job): void {
      // The worker owing the fewest maps (each makes its maps one at a time, between jobs).
      const slot = slots.reduce((a, b) => (b.maps.size < a.maps.size ? b : a));
      if (closed) {
        return;
      }
      slot.maps.set(job.id, job.modelVersion);
      const message: ToWorker = {
        type: 'map',
        jobId: job.id,
        modelVersion: job.modelVersion,
        proteins: job.proteinsTotal ?? 0,
        map: jobMapPaths(options.files, job.id),
      };
      slot.worker.postMessage(message);
    },
    async close(): Promise<void> {
      closed = true;
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
