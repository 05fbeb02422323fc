import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { FsRunTracker } from '../store/fs-run-tracker.ts';
import { runCli } from '../wiring/test-support/run-cli.ts';

let home: string;
const ids: Record<string, string> = {};
const env = (): Record<string, string> => ({ ARGINATOR_HOME: home });

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'arginator-runs-cli-'));
  const runs = new FsRunTracker(join(home, 'runs'));
  const base = { packageVersion: '0.1.0', environment: { node: 'v20' } };
  const sweep = await runs.start({ ...base, kind: 'sweep', command: 'sweep s.yaml' });
  for (const [name, lr, f1] of [
    ['a', 0.001, 0.8],
    ['b', 0.01, 0.9],
  ] as const) {
    const run = await runs.start({
      ...base,
      kind: 'sweep-trial',
      command: `train optimizer.lr=${lr}`,
      parentRunId: sweep.id,
      tags: { trial: name },
      params: { optimizer: { name: 'adam', lr }, experiment: { epochs: 2 } },
    });
    await run.logMetrics(1, { val_f1: f1 - 0.1 });
    await run.logMetrics(2, { val_f1: f1 });
    await run.finish('finished', { summary: { test_f1: f1 } });
    ids[name] = run.id;
  }
  await sweep.finish('finished', {});
  ids['sweep'] = sweep.id;
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('arginator runs', () => {
  it('lists runs of every kind, filtered by --kind and --parent', async () => {
    const all = await runCli(['runs', 'list'], { env: env() });
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout.split('\n')[0]).toBe(
      'run\tkind\tstatus\tduration\tparent\tcommand\ttest F1\tmodel',
    );
    expect(all.stdout).toContain(`${ids['a']}\tsweep-trial\tfinished\t`);
    const trials = await runCli(['runs', 'list', '--parent', ids['sweep'] ?? '', '--json'], {
      env: env(),
    });
    expect((JSON.parse(trials.stdout) as { id: string }[]).map((r) => r.id)).toEqual([
      ids['a'],
      ids['b'],
    ]);
    const sweeps = await runCli(['runs', 'list', '--kind', 'sweep', '--json'], { env: env() });
    expect((JSON.parse(sweeps.stdout) as { id: string }[]).map((r) => r.id)).toEqual([
      ids['sweep'],
    ]);
    const bad = await runCli(['runs', 'list', '--kind', 'nope'], { env: env() });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('sweep-trial');
  });

  it('shows a run with its kind, parent, tags and last metric values', async () => {
    const r = await runCli(['runs', 'show', ids['b'] ?? ''], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`kind        sweep-trial (parent ${ids['sweep']})`);
    expect(r.stdout).toContain('tags        trial=b');
    expect(r.stdout).toContain('last step   val_f1 0.9000 (step 2)');
  });

  it('compares runs side by side: the params that differ and the final metrics', async () => {
    const r = await runCli(['runs', 'compare', ids['a'] ?? '', ids['b'] ?? ''], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(
      lines
        .find((l) => l.trim().startsWith('val_f1'))
        ?.trim()
        .split(/\s+/)
        .slice(1),
    ).toEqual(['0.8000', '0.9000']);
    expect(
      lines
        .find((l) => l.trim().startsWith('optimizer.lr'))
        ?.trim()
        .split(/\s+/)
        .slice(1),
    ).toEqual(['0.001', '0.01']);
    // Equal params are not listed.
    expect(r.stdout).not.toContain('optimizer.name');
    expect(r.stdout).not.toContain('experiment.epochs');
    const one = await runCli(['runs', 'compare', ids['a'] ?? ''], { env: env() });
    expect(one.code).toBe(2);
  });

  it('exports the store as an MLflow file store', async () => {
    const out = join(home, 'mlruns');
    const r = await runCli(['runs', 'export', '--format', 'mlflow', out, '--json'], {
      env: env(),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ experiment_id: '0', runs: 3 });
    expect(existsSync(join(out, '0', 'meta.yaml'))).toBe(true);
    expect(existsSync(join(out, '0', ids['a'] ?? '', 'metrics', 'val_f1'))).toBe(true);
    expect(existsSync(join(out, '0', ids['a'] ?? '', 'tags', 'mlflow.parentRunId'))).toBe(true);
    const wrong = await runCli(['runs', 'export', '--format', 'wandb', out], { env: env() });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--format mlflow');
  });
});
