import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { withTrackedRun } from '../pipeline/tracked-run.ts';
import { FsRunTracker } from '../store/fs-run-tracker.ts';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'arginator-tracked-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const init = {
  command: 'models promote v2',
  packageVersion: '0.1.0',
  environment: { node: 'v20' },
};

describe('withTrackedRun', () => {
  it('records a promotion gate as a finished run of its kind, with its metrics', async () => {
    const runs = new FsRunTracker(join(root, 'ok'));
    const { value, record } = await withTrackedRun(
      runs,
      { ...init, kind: 'promotion-gate', parentRunId: 'train-run', tags: { candidate: 'v2' } },
      async (run) => {
        await run.logMetrics(0, { macro_f1: 0.91 });
        return { value: 'passed', summary: { passed: true } };
      },
    );
    expect(value).toBe('passed');
    expect(record).toMatchObject({ kind: 'promotion-gate', status: 'finished' });
    expect(await runs.get(record.id)).toMatchObject({
      parentRunId: 'train-run',
      tags: { candidate: 'v2' },
      summary: { passed: true },
    });
    expect((await runs.metrics(record.id)).map((p) => p.key)).toEqual(['macro_f1']);
  });

  it('marks a run failed (and rethrows) or killed when aborted', async () => {
    const runs = new FsRunTracker(join(root, 'bad'));
    await expect(
      withTrackedRun(runs, { ...init, kind: 'evaluate' }, () => Promise.reject(new Error('boom'))),
    ).rejects.toThrow('boom');
    const controller = new AbortController();
    await withTrackedRun(
      runs,
      { ...init, kind: 'sweep-trial' },
      () => {
        controller.abort();
        return Promise.resolve({ value: 0 });
      },
      controller.signal,
    );
    expect((await runs.list()).map((r) => [r.kind, r.status, r.error])).toEqual([
      ['evaluate', 'failed', 'boom'],
      ['sweep-trial', 'killed', undefined],
    ]);
  });
});
