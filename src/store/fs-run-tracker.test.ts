import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { FsRunTracker, currentProcess, processStartTicks } from './fs-run-tracker.ts';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'arginator-runs-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const base = { command: 'train', packageVersion: '0.1.0', environment: { node: 'v20' } };

/** A clock that advances one second per reading, so timestamps and durations are known. */
function tickingClock(start = Date.parse('2026-01-02T03:04:05Z')): { now: () => Date } {
  let t = start;
  return {
    now: () => {
      const d = new Date(t);
      t += 1000;
      return d;
    },
  };
}

describe('FsRunTracker', () => {
  it('records every run kind with params, tags, parent, per-step metrics and duration', async () => {
    const runs = new FsRunTracker(join(root, 'a'), tickingClock());
    const sweep = await runs.start({ ...base, kind: 'sweep', command: 'sweep s.yaml' });
    const run = await runs.start({
      ...base,
      kind: 'sweep-trial',
      parentRunId: sweep.id,
      tags: { seed: '1' },
      params: { optimizer: { lr: 0.01 } },
    });
    await run.logMetrics(1, { train_loss: 0.5, val_f1: 0.7, nan: Number.NaN });
    await run.appendMetrics({ epoch: 2, train_loss: 0.25, note: 'ignored' });
    await run.update({
      tags: { phase: 'x' },
      data: { fingerprint: 'f', dataset: 'd', labels: null, clusters: 'c' },
    });
    await run.writeJson('metrics.json', { best_epoch: 2 });
    await run.writeText('plots/loss-curves.svg', '<svg/>');
    const finished = await run.finish('finished', { summary: { test_f1: 0.9 } });
    expect(finished.status).toBe('finished');

    const record = await runs.get(run.id);
    expect(record).toMatchObject({
      kind: 'sweep-trial',
      parentRunId: sweep.id,
      tags: { seed: '1', phase: 'x' },
      params: { optimizer: { lr: 0.01 } },
      data: { fingerprint: 'f', clusters: 'c' },
      status: 'finished',
      summary: { test_f1: 0.9 },
      process: { pid: process.pid, host: hostname() },
    });
    // One clock reading per start, per logged step and per finish: the sweep took t.
    expect(record.startedAt).toBe('2026-01-02T03:04:06.000Z');
    expect(record.durationSeconds).toBe(3);
    expect(await runs.metrics(run.id)).toEqual([
      { key: 'train_loss', value: 0.5, step: 1, timestamp: Date.parse('2026-01-02T03:04:07Z') },
      { key: 'val_f1', value: 0.7, step: 1, timestamp: Date.parse('2026-01-02T03:04:07Z') },
      { key: 'train_loss', value: 0.25, step: 2, timestamp: Date.parse('2026-01-02T03:04:08Z') },
    ]);
    expect(await runs.artifacts(run.id)).toEqual([
      { path: 'metrics.json', bytes: 22 },
      { path: 'plots/loss-curves.svg', bytes: 6 },
    ]);
    expect((await runs.list()).map((r) => r.kind)).toEqual(['sweep', 'sweep-trial']);
  });

  it('starts a run under a given id, and resumes it when that id exists (MLflow start_run(run_id))', async () => {
    const runs = new FsRunTracker(join(root, 'resume'), tickingClock());
    const first = await runs.start({
      ...base,
      id: '20260102T030405Z-abc123',
      kind: 'sweep',
      tags: { sweep_method: 'bayes', first: 'yes' },
    });
    expect(first.id).toBe('20260102T030405Z-abc123');
    await first.logMetrics(1, { val_loss: 0.5 });
    await first.finish('killed', { error: 'interrupted', summary: { best: 0.5 } });

    const again = await runs.start({
      ...base,
      id: first.id,
      kind: 'sweep',
      command: 'sweep --resume 20260102T030405Z-abc123',
      tags: { sweep_method: 'bayes', resumed: 'yes' },
    });
    expect(again.dir).toBe(first.dir);
    const open = await runs.get(first.id);
    expect(open.status).toBe('running');
    // The first start stays; the error, summary and end of the first attempt are gone.
    expect(open.startedAt).toBe('2026-01-02T03:04:05.000Z');
    expect(open.finishedAt).toBeUndefined();
    expect(open.error).toBeUndefined();
    expect(open.summary).toBeUndefined();
    expect(open.command).toBe('sweep --resume 20260102T030405Z-abc123');
    expect(open.tags).toEqual({ sweep_method: 'bayes', first: 'yes', resumed: 'yes' });
    await again.logMetrics(2, { val_loss: 0.25 });
    await again.finish('finished', { summary: { best: 0.25 } });
    expect((await runs.metrics(first.id)).map((p) => [p.step, p.value])).toEqual([
      [1, 0.5],
      [2, 0.25],
    ]);
    expect(await runs.list()).toHaveLength(1);
    expect((await runs.get(first.id)).status).toBe('finished');
    await expect(runs.start({ ...base, id: '../escape' })).rejects.toThrow(/bad run id/);
  });

  it('reads run folders written before issue 14 as today’s records', async () => {
    const dir = join(root, 'old', '20250101T000000Z-abcdef');
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, 'run.json'),
      JSON.stringify({
        ...base,
        id: '20250101T000000Z-abcdef',
        status: 'completed',
        startedAt: '2025-01-01T00:00:00.000Z',
        finishedAt: '2025-01-01T00:01:30.000Z',
        gitCommit: `${'a'.repeat(40)}+dirty`,
        dataFingerprint: 'e'.repeat(64),
      }),
    );
    await writeFile(join(dir, 'config.json'), JSON.stringify({ config: { task: { name: 'x' } } }));
    await writeFile(
      join(dir, 'metrics.jsonl'),
      `${JSON.stringify({ epoch: 1, seconds: 0.5, train_loss: 1, val_f1: 0.5 })}\n{"epoch": 2, "tra`,
    );
    const cancelled = join(root, 'old', '20250101T000100Z-abcdef');
    await mkdir(cancelled);
    await writeFile(
      join(cancelled, 'run.json'),
      JSON.stringify({ ...base, id: 'x', status: 'cancelled', startedAt: '2025-01-01T00:01:00Z' }),
    );
    const runs = new FsRunTracker(join(root, 'old'));
    const record = await runs.get('20250101T000000Z-abcdef');
    expect(record).toMatchObject({
      kind: 'train',
      status: 'finished',
      git: { commit: 'a'.repeat(40), dirty: true },
      durationSeconds: 90,
      params: { task: { name: 'x' } },
    });
    const t = Date.parse('2025-01-01T00:00:00Z');
    // The torn last line (a crash mid-append) is skipped.
    expect(await runs.metrics(record.id)).toEqual([
      { key: 'seconds', value: 0.5, step: 1, timestamp: t },
      { key: 'train_loss', value: 1, step: 1, timestamp: t },
      { key: 'val_f1', value: 0.5, step: 1, timestamp: t },
    ]);
    expect((await runs.list()).map((r) => r.status)).toEqual(['finished', 'killed']);
  });

  it('shows a run whose process died as killed, and a live one as running', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
      stdio: 'ignore',
    });
    await once(child, 'spawn');
    const pid = child.pid as number;
    const startTicks = processStartTicks(pid);
    const runs = new FsRunTracker(join(root, 'pid'), undefined, {
      process: { pid, host: hostname(), ...(startTicks === undefined ? {} : { startTicks }) },
    });
    const run = await runs.start(base);
    expect((await runs.get(run.id)).status).toBe('running');
    child.kill('SIGKILL');
    await once(child, 'exit');
    const record = await runs.get(run.id);
    expect(record.status).toBe('killed');
    expect(record.error).toContain(`pid ${pid}`);
    // Only the reading says killed: run.json keeps what the process wrote.
    expect(JSON.parse(await readFile(join(run.dir, 'run.json'), 'utf8'))).toMatchObject({
      status: 'running',
    });
  });

  it('does not take a reused pid for the run’s process, nor judge another host', async () => {
    const me = currentProcess();
    const reused = new FsRunTracker(join(root, 'reuse'), undefined, {
      process: { ...me, startTicks: (me.startTicks ?? 0) + 1 },
    });
    const a = await reused.start(base);
    // Without /proc (not Linux) the start time is unknown and the live pid decides.
    expect((await reused.get(a.id)).status).toBe(
      me.startTicks === undefined ? 'running' : 'killed',
    );
    const remote = new FsRunTracker(join(root, 'remote'), undefined, {
      process: { pid: 999_999_999, host: `${hostname()}-elsewhere` },
    });
    const b = await remote.start(base);
    expect((await remote.get(b.id)).status).toBe('running');
  });
});
