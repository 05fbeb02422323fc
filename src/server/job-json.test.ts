// The original /status shape for every job state (the states the held-job contract test cannot reach).
import { describe, expect, it } from 'vitest';

import type { Job } from '../pipeline/jobs/job.ts';
import { legacyStatusJson } from './job-json.ts';

const base: Job = {
  id: '8c6f0d5e-0000-4000-8000-000000000001',
  status: 'queued',
  task: 'binary',
  inputName: 'isolates.fa',
  modelVersion: 'v1',
  proteinsTotal: 3,
  proteinsDone: 0,
  attempts: 0,
  createdAt: '2026-12-01T10:00:00.000Z',
  startedAt: null,
  finishedAt: null,
  expiresAt: null,
  error: null,
  summary: null,
  idempotencyKey: null,
  owner: null,
};

describe('legacyStatusJson', () => {
  it('maps the six job states onto the original three', () => {
    const preview = { protein_id: { 0: 'q0' } };
    const of = (changes: Partial<Job>) =>
      legacyStatusJson(
        { ...base, ...changes },
        changes.status === 'completed' ? preview : undefined,
      );
    expect(of({ status: 'queued' })).toEqual({
      status: 'processing',
      progress: 0,
      result: null,
      filename: 'isolates.fa',
    });
    expect(of({ status: 'running', proteinsDone: 2 })).toMatchObject({
      status: 'processing',
      progress: 66,
    });
    expect(of({ status: 'completed', task: 'multiclass' })).toEqual({
      status: 'completed',
      progress: 100,
      result: { classification_type: 'Multiclass', preview },
      filename: 'isolates.fa',
    });
    expect(
      of({
        status: 'failed',
        proteinsDone: 1,
        error: { code: 'INTERNAL', reason: 'job.internal', detail: 'internal error: boom' },
      }),
    ).toEqual({
      status: 'failed',
      progress: 33,
      result: null,
      filename: 'isolates.fa',
      error: 'internal error: boom',
    });
    expect(of({ status: 'cancelled' })).toMatchObject({
      status: 'failed',
      error: 'the job was cancelled',
    });
    expect(of({ status: 'expired', expiresAt: '2026-12-02T10:00:00.000Z' })).toMatchObject({
      status: 'failed',
      result: null,
      error:
        "the results were removed when the job's retention ended (2026-12-02T10:00:00.000Z); submit the input again",
    });
  });
});
