// Test helper: sweep folders as `arginator sweep` leaves them (real runSweep, an in-process objective), with the sweep's tracked run.
import { hostname } from 'node:os';
import { join } from 'node:path';

import type { RunProcess } from '../../pipeline/ports.ts';
import type { SweepState, TrialEnd, TrialLauncher } from '../../pipeline/sweep/run-sweep.ts';
import { runSweep } from '../../pipeline/sweep/run-sweep.ts';
import { sweepMarkdown, sweepReportData } from '../../pipeline/sweep/sweep-report.ts';
import { sweepRunInit, withSweepRun } from '../../pipeline/sweep/sweep-run.ts';
import { parseSweepYaml } from '../../pipeline/sweep/sweep-spec.ts';
import { resolveMetric } from '../../pipeline/sweep/trial-metrics.ts';
import { FsRunTracker } from '../../store/fs-run-tracker.ts';
import { FsSweepStore } from '../../store/fs-sweep-store.ts';

export const SWEEP_YAML = `name: mlp search
method: random
metric: {name: val_loss, goal: minimize}
parameters:
  experiment.lr: {distribution: log_uniform_values, min: 0.0001, max: 0.1}
  experiment.dropout_rate: {min: 0.0, max: 0.5}
  experiment.batch_size: {values: [32, 64, 128]}
`;

/** val_loss after epoch e: best near lr 0.01, dropout 0.2, batch 64; two epochs per trial. */
function objective(): TrialLauncher {
  return (trial, onEpoch) => {
    const get = (key: string): number =>
      Number(new RegExp(`${key.replace('.', '\\.')}=([^ ]+)`).exec(trial.overrides.join(' '))?.[1]);
    const base =
      Math.abs(Math.log10(get('experiment.lr')) + 2) +
      Math.abs(get('experiment.dropout_rate') - 0.2) +
      Math.abs(get('experiment.batch_size') - 64) / 64;
    const done = (async (): Promise<TrialEnd> => {
      for (let e = 1; e <= 2; e++) {
        await new Promise((r) => setTimeout(r, 1));
        onEpoch({ val_loss: Number((base + 0.5 / e).toFixed(6)) });
      }
      return { status: 'completed', runId: `trial-run-${trial.index}`, final: {} };
    })();
    return { stop: () => undefined, done };
  };
}

export interface SweepFixture {
  readonly store: FsSweepStore;
  readonly state: SweepState;
}

/**
 * Runs a finished random sweep of `trials` trials into <home>/sweeps/<id>, with report.md and a
 * finished `sweep` run in <home>/runs. `id` sorts by time like real sweep ids.
 */
export async function writeFinishedSweep(
  home: string,
  id: string,
  trials: number,
  seed = 1,
): Promise<SweepFixture> {
  const store = new FsSweepStore(join(home, 'sweeps'));
  const { spec } = parseSweepYaml(SWEEP_YAML, 'mlp.yaml');
  const created = new Date('2026-12-01T10:00:00Z');
  const initial: SweepState = {
    version: 1,
    id,
    createdAt: created.toISOString(),
    updatedAt: created.toISOString(),
    status: 'running',
    specText: SWEEP_YAML,
    source: 'mlp.yaml',
    seed,
    runCap: trials,
    parallel: 1,
    baseOverrides: ['experiment.epochs=2'],
    notes: [],
    warnings: [],
    trials: [],
  };
  // As `arginator sweep` does it: the sweep inside its tracked run.
  const state = await withSweepRun(
    new FsRunTracker(join(home, 'runs')),
    spec,
    initial,
    facts(id),
    (observe) =>
      runSweep({
        spec,
        metric: resolveMetric('val_loss', 'mlp.yaml'),
        state: initial,
        store,
        launch: objective(),
        clock: { now: () => created },
        onChange: (s) => observe(s),
      }),
  );
  await store.writeFile(id, 'report.md', sweepMarkdown(spec, state, sweepReportData(spec, state)));
  return { store, state };
}

const facts = (id: string) => ({
  packageVersion: '0.1.0',
  environment: { node: process.version },
  command: `sweep mlp.yaml (${id})`,
});

/**
 * `finished` reopened as a sweep still running: one more trial running after one epoch, run_cap
 * two higher. Its tracked run is in this process (`alive`), or in a process that is gone (`dead`).
 */
export async function writeRunningSweep(
  home: string,
  finished: SweepFixture,
  process: 'alive' | 'dead',
): Promise<SweepState> {
  const { store, state } = finished;
  const { spec } = parseSweepYaml(state.specText, state.source);
  const first = state.trials[0];
  if (first === undefined) {
    throw new Error('the finished sweep has no trial');
  }
  const running: SweepState = {
    ...state,
    status: 'running',
    runCap: state.runCap + 2,
    endReason: undefined,
    trials: [
      ...state.trials,
      {
        ...first,
        index: state.trials.length,
        state: 'running',
        history: [2.5],
        runId: undefined,
        finishedAt: undefined,
      },
    ],
  };
  await store.save(running);
  const gone: RunProcess = { pid: 999_999_999, host: hostname() };
  const runs = new FsRunTracker(
    join(home, 'runs'),
    undefined,
    process === 'dead' ? { process: gone } : {},
  );
  await runs.start(sweepRunInit(spec, running, facts(state.id)));
  return running;
}
