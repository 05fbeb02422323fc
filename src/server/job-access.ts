// Shared by the original and /v1 job routes: find a job, submit one, stream its results.
import { createReadStream } from 'node:fs';

import type { FastifyReply, FastifyRequest } from 'fastify';

import type { TableFormat } from '../core/domain.ts';
import { ArginatorError, isArginatorError, usageError } from '../core/errors.ts';
import type { Job } from '../pipeline/jobs/job.ts';
import { submitJob } from '../pipeline/jobs/submit-job.ts';
import { isJobId } from '../store/fs-job-files.ts';
import { callerOf, canSee, newJobOwner } from './api-keys.ts';
import type { AppDeps } from './app-deps.ts';
import type { TaskField } from './job-submission.ts';
import { readJobInput } from './job-submission.ts';
import { inServerTerms } from './limit-hints.ts';
import { HttpProblem } from './problem.ts';

function jobNotFound(id: string): ArginatorError {
  return new ArginatorError(
    'NOT_FOUND',
    'job.not-found',
    `no job '${id.slice(0, 80)}'`,
    'use the job_id returned when the job was submitted (GET /v1/jobs lists jobs)',
  );
}

/** The job, or 404 (ids that are not UUIDs never reach the store or a path). */
export function findJob(deps: AppDeps, id: string): Job {
  const job = isJobId(id) ? deps.store.get(id) : undefined;
  if (job === undefined) {
    throw jobNotFound(id);
  }
  return job;
}

/**
 * The access check of every route with a job id (create-app.ts runs it before the handler, for
 * the /v1 and the original routes alike): another key's job answers exactly as a job that does not
 * exist, 404, so a key learns nothing of other keys' jobs. A job that does not exist is left to the
 * route (its own 404).
 */
export function checkJobAccess(
  deps: AppDeps,
  request: FastifyRequest,
  id: string,
  notFound: (id: string) => Error = jobNotFound,
): void {
  const job = isJobId(id) ? deps.store.get(id) : undefined;
  if (job !== undefined && !canSee(callerOf(request), job)) {
    throw notFound(id);
  }
}

function noModel(e: unknown): never {
  if (isArginatorError(e) && e.reason === 'model.none-registered') {
    throw new HttpProblem(503, 'model.none-registered', e.message, e.hint);
  }
  throw e;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

function idempotencyKey(request: FastifyRequest): string | null {
  const key = request.headers['idempotency-key'];
  if (key === undefined) {
    return null;
  }
  if (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key)) {
    throw usageError(
      'http.bad-idempotency-key',
      'the Idempotency-Key header must be 1-200 printable ASCII characters without spaces',
      'e.g. Idempotency-Key: 6f1c2e7a-upload-1 (a UUID is a good key)',
    );
  }
  return key;
}

/** Reads the input, checks it, chooses the model, and queues the job (or returns the idempotent one). */
export async function submitFromRequest(
  deps: AppDeps,
  request: FastifyRequest,
  taskField: TaskField,
): Promise<{ job: Job; created: boolean }> {
  const key = idempotencyKey(request);
  const s = deps.settings;
  const controller = new AbortController();
  const onClose = (): void => {
    if (!request.raw.complete) {
      controller.abort();
    }
  };
  request.raw.once('close', onClose);
  try {
    const result = await submitJob(
      { store: deps.store, files: deps.files, clock: { now: deps.now }, newId: deps.newId },
      {
        idempotencyKey: key,
        owner: newJobOwner(callerOf(request)),
        writeInput: async (path, signal) => {
          const input = await readJobInput(
            request,
            path,
            {
              maxBytes: s.max_upload_bytes,
              maxProteins: s.max_proteins,
              maxSequenceLength: s.max_sequence_length,
            },
            taskField,
            signal,
          ).catch((e: unknown) => {
            throw inServerTerms(e, s, 'job');
          });
          const choice = await deps.models.choose(input.task).catch(noModel);
          return { ...input, modelVersion: choice.version };
        },
      },
      { signal: controller.signal },
    );
    if (result.created) {
      deps.events.publish(result.job);
      deps.runner.wake();
    }
    return result;
  } finally {
    request.raw.off('close', onClose);
  }
}

/** Fails early (before reading an upload) when no model at all is registered. */
export async function requireSomeModel(deps: AppDeps): Promise<void> {
  await deps.models.choose('binary').catch(noModel);
}

const CONTENT_TYPES = {
  csv: 'text/csv; charset=utf-8',
  tsv: 'text/tab-separated-values; charset=utf-8',
  json: 'application/json; charset=utf-8',
} as const;

/** Streams a completed job's table; 409 while it is not completed, 404 once expired. */
export function sendResults(
  deps: AppDeps,
  reply: FastifyReply,
  job: Job,
  format: TableFormat,
): FastifyReply {
  if (job.status === 'expired') {
    throw new ArginatorError(
      'NOT_FOUND',
      'job.expired',
      `the results of job ${job.id} were removed when its retention ended (${job.expiresAt ?? ''})`,
      'submit the input again',
    );
  }
  if (job.status !== 'completed') {
    throw new HttpProblem(
      409,
      'job.not-completed',
      `job ${job.id} is ${job.status}, so it has no results${job.error === null ? '' : ` (${job.error.detail})`}`,
      job.status === 'queued' || job.status === 'running'
        ? 'wait until its status is completed (GET /status/{job_id} or the events stream)'
        : 'submit the input again',
    );
  }
  const stream = createReadStream(deps.files.resultPath(job.id, format));
  return reply
    .type(CONTENT_TYPES[format])
    .header('content-disposition', `attachment; filename="arginator-${job.id}.${format}"`)
    .send(stream);
}
