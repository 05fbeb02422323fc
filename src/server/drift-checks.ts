// Drift checks of the service (POST /v1/drift, the schedule): queued one at a time, run on a worker thread, stored, then alerted on.
import { rm } from 'node:fs/promises';
import type { Worker } from 'node:worker_threads';

import type {
  DriftCheckJson,
  DriftCheckStatus,
  DriftHistogramJson,
  DriftRunReport,
  DriftTrigger,
} from '../core/drift/drift-contract.ts';
import { ArginatorError, cancelledError, isArginatorError } from '../core/errors.ts';
import { DEFAULT_MAX_CURRENT } from '../pipeline/drift.ts';
import type { DriftReportStore, StoredDriftReport } from '../pipeline/drift.ts';
import type { JobTask } from '../pipeline/jobs/job.ts';
import type { FromDriftWorker, ToDriftWorker } from './drift-protocol.ts';
import { HttpProblem } from './problem.ts';
import { startWorkerThread } from './worker-pool.ts';
import type { WorkerInit } from './worker-protocol.ts';
import { deserialiseError, serialiseError } from './worker-protocol.ts';

/** What a check compares with the model's references. */
export interface DriftCheckRequest {
  readonly trigger: Exclude<DriftTrigger, 'cli'>;
  readonly source: string;
  readonly modelVersion: string;
  readonly task: JobTask;
  /** FASTA files of the current set (job inputs, or an upload). */
  readonly inputs: readonly string[];
  readonly proteins: number;
  /** Files the check owns (an upload), removed when it ends. */
  readonly owned?: readonly string[] | undefined;
}

export interface DriftRunResult {
  readonly report: DriftRunReport;
  readonly histograms: readonly DriftHistogramJson[];
}

/** Runs one check's drift use case somewhere (a worker thread by default; tests may run it inline). */
export interface DriftExecutor {
  run(
    id: string,
    request: DriftCheckRequest,
    options: { signal: AbortSignal; onProgress: (done: number) => void },
  ): Promise<DriftRunResult>;
  close(): Promise<void>;
}

export interface DriftCheck {
  readonly id: string;
  readonly request: DriftCheckRequest;
  status: DriftCheckStatus;
  proteinsDone: number;
  readonly createdAt: string;
  finishedAt: string | null;
  reportId: string | null;
  error: ArginatorError | null;
}

export interface DriftChecks {
  /** Queues a check; refuses (503) when `maxQueued` checks are waiting or running. */
  submit(request: DriftCheckRequest): DriftCheck;
  get(id: string): DriftCheck | undefined;
  /** Whether a check of this trigger is queued or running (the schedule does not pile them up). */
  busy(trigger: DriftCheckRequest['trigger']): boolean;
  /** Settles when the check has ended (tests, and the schedule's log line). */
  settled(id: string): Promise<DriftCheck | undefined>;
  /** Cancels the queued and running checks and stops the worker; no timer or thread is left. */
  close(): Promise<void>;
}

export interface DriftChecksOptions {
  readonly executor: DriftExecutor;
  readonly store: DriftReportStore;
  readonly now: () => Date;
  readonly newId: () => string;
  /** Checks waiting or running at most (each holds a model's predictions in memory while it runs). */
  readonly maxQueued: number;
  /** Checks kept for GET /v1/drift/checks/{id} after they end (the reports themselves stay on disk). */
  readonly keepFinished?: number | undefined;
  /** Told of each stored report (the alert webhook). */
  readonly onReport?: ((stored: StoredDriftReport) => void) | undefined;
  readonly onFailed?: ((check: DriftCheck) => void) | undefined;
}

export function createDriftChecks(options: DriftChecksOptions): DriftChecks {
  const checks = new Map<string, DriftCheck>();
  const waiters = new Map<string, (() => void)[]>();
  const queue: DriftCheck[] = [];
  const keep = options.keepFinished ?? 100;
  let current: { check: DriftCheck; controller: AbortController } | undefined;
  let closed = false;

  /** Uploads being removed: close() waits for them, so none is left behind. */
  const removals = new Set<Promise<void>>();
  const removeLater = (path: string): void => {
    const removal = rm(path, { force: true }).catch(() => undefined);
    removals.add(removal);
    void removal.finally(() => removals.delete(removal));
  };

  const active = (): DriftCheck[] => [...(current === undefined ? [] : [current.check]), ...queue];

  /** Removes the check's own files, then records its end (so an ended check has left none). */
  async function finish(check: DriftCheck, status: DriftCheckStatus): Promise<void> {
    await Promise.all(
      (check.request.owned ?? []).map((path) => rm(path, { force: true }).catch(() => undefined)),
    );
    check.status = status;
    check.finishedAt = options.now().toISOString();
    for (const wake of waiters.get(check.id) ?? []) {
      wake();
    }
    waiters.delete(check.id);
    // Forget the oldest ended checks beyond `keep` (Map keeps insertion order).
    const ended = [...checks.values()].filter((c) => c.finishedAt !== null);
    for (const old of ended.slice(0, Math.max(0, ended.length - keep))) {
      checks.delete(old.id);
    }
  }

  async function runOne(check: DriftCheck, controller: AbortController): Promise<void> {
    check.status = 'running';
    try {
      const { report, histograms } = await options.executor.run(check.id, check.request, {
        signal: controller.signal,
        onProgress: (done) => {
          check.proteinsDone = done;
        },
      });
      const stored = await options.store.save(report, options.now(), {
        trigger: check.request.trigger,
        histograms,
      });
      check.reportId = stored.id;
      check.proteinsDone = report.current.seen;
      await finish(check, 'completed');
      options.onReport?.(stored);
    } catch (e) {
      const error = isArginatorError(e)
        ? e
        : deserialiseError(serialiseError(e, 'the drift check'));
      check.error = error;
      await finish(check, error.code === 'CANCELLED' ? 'cancelled' : 'failed');
      if (error.code !== 'CANCELLED') {
        options.onFailed?.(check);
      }
    }
  }

  async function drain(): Promise<void> {
    for (let next = queue.shift(); next !== undefined && !closed; next = queue.shift()) {
      const controller = new AbortController();
      current = { check: next, controller };
      await runOne(next, controller);
      current = undefined;
    }
  }

  return {
    submit(request) {
      if (closed) {
        throw cancelledError('The drift check');
      }
      if (active().length >= options.maxQueued) {
        for (const path of request.owned ?? []) {
          removeLater(path);
        }
        throw new HttpProblem(
          503,
          'drift.busy',
          `${options.maxQueued} drift check${options.maxQueued === 1 ? ' is' : 's are'} already queued or running`,
          'wait for them to finish (GET /v1/drift/checks/{id}) and send the check again',
          { retryAfterSeconds: 30 },
        );
      }
      const check: DriftCheck = {
        id: options.newId(),
        request,
        status: 'queued',
        proteinsDone: 0,
        createdAt: options.now().toISOString(),
        finishedAt: null,
        reportId: null,
        error: null,
      };
      checks.set(check.id, check);
      queue.push(check);
      if (current === undefined && queue.length === 1) {
        void drain();
      }
      return check;
    },
    get: (id) => checks.get(id),
    busy: (trigger) => active().some((c) => c.request.trigger === trigger),
    settled(id) {
      const check = checks.get(id);
      if (check === undefined || check.finishedAt !== null) {
        return Promise.resolve(check);
      }
      return new Promise((resolve) => {
        waiters.set(id, [...(waiters.get(id) ?? []), () => resolve(check)]);
      });
    },
    async close() {
      closed = true;
      await Promise.all(
        queue.splice(0).map((check) => {
          check.error = cancelledError('The drift check');
          return finish(check, 'cancelled');
        }),
      );
      const running = current;
      running?.controller.abort();
      // The worker is stopped rather than waited for: a check may be inside a long synchronous
      // step (the PCA fit) that would only see the cancel after it; its promise then settles
      // as cancelled, and the check is recorded so before close returns.
      await options.executor.close();
      if (running !== undefined && running.check.finishedAt === null) {
        await new Promise<void>((resolve) => {
          waiters.set(running.check.id, [...(waiters.get(running.check.id) ?? []), resolve]);
        });
      }
      await Promise.all(removals);
    },
  };
}

/** A check as GET /v1/drift/checks/{id} and POST /v1/drift answer it. */
export function driftCheckJson(check: DriftCheck): DriftCheckJson {
  return {
    id: check.id,
    status: check.status,
    trigger: check.request.trigger,
    source: check.request.source,
    model: check.request.modelVersion,
    proteinsDone: check.proteinsDone,
    proteinsTotal: check.request.proteins,
    createdAt: check.createdAt,
    finishedAt: check.finishedAt,
    reportId: check.reportId,
    error:
      check.error === null
        ? null
        : { code: check.error.code, reason: check.error.reason, detail: check.error.message },
    links: {
      self: `/v1/drift/checks/${check.id}`,
      report: check.reportId === null ? null : `/v1/drift/reports/${check.reportId}`,
    },
  };
}

/**
 * The drift worker thread behind DriftExecutor: started on the first check and kept (its models
 * and reference PCAs are reused by the next check), replaced after a crash, terminated on close.
 */
export function createWorkerDriftExecutor(init: WorkerInit): DriftExecutor {
  let worker: Worker | undefined;
  const pending = new Map<
    string,
    { resolve(r: DriftRunResult): void; reject(e: Error): void; progress(n: number): void }
  >();
  let closing = false;

  function failAll(error: Error): void {
    for (const p of pending.values()) {
      p.reject(error);
    }
    pending.clear();
  }

  function start(): Worker {
    const w = startWorkerThread('drift-worker', init);
    w.on('message', (message: FromDriftWorker) => {
      const p = pending.get(message.id);
      if (p === undefined) {
        return;
      }
      if (message.type === 'progress') {
        p.progress(message.done);
        return;
      }
      pending.delete(message.id);
      if (message.type === 'done') {
        p.resolve({ report: message.report, histograms: message.histograms });
      } else {
        p.reject(deserialiseError(message.error));
      }
    });
    const crashed = (why: string): void => {
      if (worker === w) {
        worker = undefined;
      }
      failAll(
        closing
          ? cancelledError('The drift check')
          : new ArginatorError(
              'INTERNAL',
              'drift.worker-crashed',
              `the drift worker stopped (${why})`,
              'send the check again; if it fails again, report it with the server log',
            ),
      );
    };
    w.on('error', (e) => crashed(e.message));
    w.on('exit', (code) => crashed(`exit code ${code}`));
    return w;
  }

  return {
    run(id, request, { signal, onProgress }) {
      if (closing) {
        return Promise.reject(cancelledError('The drift check'));
      }
      worker ??= start();
      const w = worker;
      return new Promise<DriftRunResult>((resolve, reject) => {
        const onAbort = (): void => w.postMessage({ type: 'cancel', id } satisfies ToDriftWorker);
        signal.addEventListener('abort', onAbort, { once: true });
        const settle = (): void => signal.removeEventListener('abort', onAbort);
        pending.set(id, {
          resolve: (r) => {
            settle();
            resolve(r);
          },
          reject: (e) => {
            settle();
            reject(e);
          },
          progress: onProgress,
        });
        w.postMessage({
          type: 'run',
          id,
          modelVersion: request.modelVersion,
          task: request.task,
          inputs: request.inputs,
          source: request.source,
          maxProteins: DEFAULT_MAX_CURRENT,
          seed: 42,
        } satisfies ToDriftWorker);
      });
    },
    async close() {
      closing = true;
      const w = worker;
      worker = undefined;
      await w?.terminate();
      failAll(cancelledError('The drift check'));
    },
  };
}
