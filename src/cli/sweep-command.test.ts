// End to end: the original's W&B sweep file runs as it is (run cap 4), and a sweep killed midway resumes to run_cap trials.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { FsRunTracker } from '../store/fs-run-tracker.ts';
import { REPO_ROOT, runCli } from '../wiring/test-support/run-cli.ts';

// Each trial is a full training run (1-3 minutes on the shared 2-core machine).
vi.setConfig({ testTimeout: 1_200_000 });

let home: string;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'arginator-sweep-cli-'));
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

// No re-clustering and no homology stage: the sweep's metric (val_loss) is the MLP's.
const FAST = ['split.clusters=data/default/derived/clusters-cdhit40.tsv', 'model.homology=false'];

interface State {
  status: string;
  trials: {
    index: number;
    state: string;
    params: Record<string, unknown>;
    history: number[];
    attempts: number;
    runId?: string;
  }[];
}

async function readState(id: string): Promise<State> {
  return JSON.parse(await readFile(join(home, 'sweeps', id, 'state.json'), 'utf8')) as State;
}

describe('arginator sweep', () => {
  it("runs the original's configs/sweep.yaml as it is with --run-cap 4", async () => {
    const r = await runCli(
      [
        'sweep',
        'fixtures/original-sweep/sweep.yaml',
        '--run-cap',
        '4',
        '--parallel',
        '2',
        '--json',
        ...FAST,
      ],
      { env: { ARGINATOR_HOME: home }, timeoutMs: 1_100_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/note: ignored program, command, entity, project/);
    expect(r.stderr).toMatch(/samples values in \[1\.00001, 1\.01005\]/);
    const summary = JSON.parse(r.stdout) as {
      sweep_id: string;
      trials: number;
      states: Record<string, number>;
      dir: string;
    };
    expect(summary.trials).toBe(4);
    const state = await readState(summary.sweep_id);
    expect(state.status).toBe('finished');
    expect(state.trials.map((t) => t.state)).toEqual([
      'finished',
      'finished',
      'finished',
      'finished',
    ]);
    // Each trial is a tracked run with the sweep in its record, not a registered model.
    for (const t of state.trials) {
      const run = JSON.parse(
        await readFile(join(home, 'runs', t.runId ?? '', 'run.json'), 'utf8'),
      ) as {
        environment: Record<string, string>;
        command: string;
        kind: string;
        parentRunId?: string;
        tags: Record<string, string>;
      };
      expect(run.environment['sweep_id']).toBe(summary.sweep_id);
      expect(run.kind).toBe('sweep-trial');
      expect(run.parentRunId).toBe(summary.sweep_id);
      expect(run.tags['sweep_trial']).toBe(run.environment['sweep_trial']);
      expect(run.command).toMatch(/experiment\.lr=1\.0/);
      // experiment.epochs is 5 or 10; early stopping (patience 8) may end a 10-epoch trial sooner.
      const epochs = Number(t.params['experiment.epochs']);
      expect([5, 10]).toContain(epochs);
      expect(t.history.length).toBeGreaterThanOrEqual(Math.min(epochs, 9));
      expect(t.history.length).toBeLessThanOrEqual(epochs);
    }
    // The sweep itself is a run of kind sweep with the sweep's id: the trials' parent.
    const runs = new FsRunTracker(join(home, 'runs'));
    const sweepRun = await runs.get(summary.sweep_id);
    expect(sweepRun).toMatchObject({
      kind: 'sweep',
      status: 'finished',
      tags: { sweep_id: summary.sweep_id, sweep_method: 'bayes', sweep_metric: 'val_loss' },
      summary: { trials: 4, finished: 4, metric: 'val_loss' },
    });
    expect((await runs.metrics(summary.sweep_id)).map((p) => [p.key, p.step])).toEqual([
      ['val_loss', 1],
      ['val_loss', 2],
      ['val_loss', 3],
      ['val_loss', 4],
    ]);
    expect(existsSync(join(home, 'models'))).toBe(false);
    const files = await readdir(summary.dir);
    expect(files).toEqual(
      expect.arrayContaining(['state.json', 'sweep.yaml', 'report.md', 'report.html']),
    );
    const md = await readFile(join(summary.dir, 'report.md'), 'utf8');
    expect(md).toMatch(/## Parameter importance/);
    expect(md).toMatch(/!\[parallel-coordinates\]\(plots\/parallel-coordinates\.svg\)/);
    expect(await readFile(join(summary.dir, 'report.html'), 'utf8')).toMatch(/<svg/);
  });

  it('a sweep killed midway resumes and finishes with run_cap trials in total', async () => {
    const file = join(home, 'small.yaml');
    await writeFile(
      file,
      'method: random\nmetric: {name: val_f1, goal: maximize}\nparameters:\n  experiment.lr: {distribution: log_uniform_values, min: 0.0001, max: 0.01}\n  experiment.epochs: {value: 2}\n',
    );
    const child = spawn(
      process.execPath,
      [join(REPO_ROOT, 'dist/cli/bin.js'), 'sweep', file, '--run-cap', '3', '--seed', '4', ...FAST],
      { cwd: REPO_ROOT, env: { ...process.env, ARGINATOR_HOME: home }, stdio: 'ignore' },
    );
    const exited = new Promise((resolve) => child.on('exit', resolve));
    // Kill it (no chance to clean up) once the first trial has ended.
    let id: string | undefined;
    const deadline = Date.now() + 900_000;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1000));
      const ids = existsSync(join(home, 'sweeps')) ? await readdir(join(home, 'sweeps')) : [];
      for (const candidate of ids) {
        const s = await readState(candidate).catch(() => undefined);
        if (
          s !== undefined &&
          s.trials.length > 0 &&
          (await readFile(join(home, 'sweeps', candidate, 'sweep.yaml'), 'utf8')).includes('val_f1')
        ) {
          id = candidate;
          if (s.trials.some((t) => t.state === 'finished')) {
            child.kill('SIGKILL');
          }
        }
      }
      if (child.killed) {
        break;
      }
    }
    await exited;
    expect(id).toBeDefined();
    const killed = await readState(id ?? '');
    expect(killed.status).toBe('running');
    const endedBefore = killed.trials.filter((t) => t.state === 'finished').length;
    expect(endedBefore).toBeGreaterThan(0);
    expect(endedBefore).toBeLessThan(3);
    // Its process is gone: the sweep run reads as killed.
    const runs = new FsRunTracker(join(home, 'runs'));
    expect((await runs.get(id ?? '')).status).toBe('killed');

    const r = await runCli(['sweep', '--resume', id ?? '', '--json'], {
      env: { ARGINATOR_HOME: home },
      timeoutMs: 900_000,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/resuming sweep/);
    const end = await readState(id ?? '');
    expect(end.status).toBe('finished');
    expect(end.trials).toHaveLength(3);
    expect(end.trials.every((t) => t.state === 'finished' && t.history.length === 2)).toBe(true);
    // The resume continued the same sweep run.
    expect(await runs.get(id ?? '')).toMatchObject({
      kind: 'sweep',
      status: 'finished',
      command: `sweep --resume ${id ?? ''}`,
      summary: { trials: 3, finished: 3 },
    });
    // A resumed sweep cannot run past its cap.
    const again = await runCli(['sweep', '--resume', id ?? ''], { env: { ARGINATOR_HOME: home } });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/finished/);
  });
});
