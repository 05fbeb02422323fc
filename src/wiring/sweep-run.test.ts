// The sweep as a tracked run of kind sweep (on a real run folder): its id, best metric per ended trial, status, and resume.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { SweepSpec } from '../core/sweep/types.ts';
import type { SweepState, TrialEnd, TrialLauncher } from '../pipeline/sweep/run-sweep.ts';
import { prepareResume, runSweep, sweepBest } from '../pipeline/sweep/run-sweep.ts';
import { withSweepRun } from '../pipeline/sweep/sweep-run.ts';
import { parseSweepYaml } from '../pipeline/sweep/sweep-spec.ts';
import { resolveMetric } from '../pipeline/sweep/trial-metrics.ts';
import { FsRunTracker } from '../store/fs-run-tracker.ts';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'arginator-sweep-run-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const clock = { now: () => new Date('2026-12-01T00:00:00Z') };
const facts = {
  packageVersion: '0.1.0',
  environment: { node: 'v20' },
  command: 'sweep s.yaml',
};

const spec: SweepSpec = parseSweepYaml(
  `name: lr search
method: random
metric: {name: val_loss, goal: minimize}
parameters:
  experiment.lr: {min: 0.0, max: 1.0}
`,
  's.yaml',
).spec;

function initial(id: string, runCap: number): SweepState {
  return {
    version: 1,
    id,
    createdAt: clock.now().toISOString(),
    updatedAt: clock.now().toISOString(),
    status: 'running',
    specText: '',
    source: 's.yaml',
    seed: 3,
    runCap,
    parallel: 1,
    baseOverrides: [],
    notes: [],
    warnings: [],
    trials: [],
  };
}

/** Two epochs per trial: val_loss (lr - 0.3)^2 + 1/epoch; `abortAfter` trials end, then Ctrl-C. */
function objective(controller?: AbortController, abortAfter = Infinity): TrialLauncher {
  let ended = 0;
  return (trial, onEpoch) => {
    const lr = Number(/experiment\.lr=([^ ]+)/.exec(trial.overrides.join(' '))?.[1]);
    const flags = { stopped: false };
    const done = (async (): Promise<TrialEnd> => {
      for (let e = 1; e <= 2; e++) {
        await new Promise((r) => setTimeout(r, 1));
        if (flags.stopped) {
          return { status: 'cancelled', runId: `trial-run-${trial.index}`, final: {} };
        }
        onEpoch({ val_loss: (lr - 0.3) ** 2 + 1 / e });
      }
      ended++;
      if (ended >= abortAfter) {
        controller?.abort();
      }
      return { status: 'completed', runId: `trial-run-${trial.index}`, final: {} };
    })();
    return { stop: () => (flags.stopped = true), done };
  };
}

function sweep(
  runs: FsRunTracker,
  state: SweepState,
  launch: TrialLauncher,
  signal?: AbortSignal,
): Promise<SweepState> {
  return withSweepRun(
    runs,
    spec,
    state,
    facts,
    (observe) =>
      runSweep({
        spec,
        metric: resolveMetric('val_loss', 's.yaml'),
        state,
        store: { save: async () => {} },
        launch,
        clock,
        signal,
        onChange: (s) => observe(s),
      }),
    signal,
  );
}

describe('the sweep run (kind sweep)', () => {
  it('is the parent of its trials, logs the best metric as trials end and finishes with it', async () => {
    const runs = new FsRunTracker(join(root, 'ok'));
    const final = await sweep(runs, initial('20261201T000000Z-aaaaaa', 4), objective());
    expect(final.status).toBe('finished');
    const record = await runs.get('20261201T000000Z-aaaaaa');
    const best = sweepBest(spec, final);
    expect(best).toBeDefined();
    expect(record).toMatchObject({
      kind: 'sweep',
      name: 'lr search',
      status: 'finished',
      command: 'sweep s.yaml',
      tags: { sweep_id: final.id, sweep_method: 'random', sweep_metric: 'val_loss' },
      params: { method: 'random', run_cap: 4, seed: 3 },
      summary: {
        val_loss: best?.value,
        best_value: best?.value,
        best_trial: best?.trial.index,
        best_run_id: `trial-run-${String(best?.trial.index)}`,
        trials: 4,
        finished: 4,
        sweep_status: 'finished',
        end_reason: 'run_cap 4',
      },
    });
    // One point per ended trial: the best value so far, never worse than before (minimize).
    const points = await runs.metrics(final.id);
    expect(points.map((p) => [p.key, p.step])).toEqual([
      ['val_loss', 1],
      ['val_loss', 2],
      ['val_loss', 3],
      ['val_loss', 4],
    ]);
    const values = points.map((p) => p.value);
    expect(values.every((v, i) => i === 0 || v <= (values[i - 1] as number))).toBe(true);
    expect(values.at(-1)).toBe(best?.value);
  });

  it('is killed by Ctrl-C, and a resumed sweep continues the same run to finished', async () => {
    const runs = new FsRunTracker(join(root, 'resume'));
    const controller = new AbortController();
    const stopped = await sweep(
      runs,
      initial('20261201T000000Z-bbbbbb', 4),
      objective(controller, 2),
      controller.signal,
    );
    expect(stopped.status).toBe('interrupted');
    const killed = await runs.get(stopped.id);
    expect(killed.status).toBe('killed');
    expect(killed.summary).toMatchObject({ sweep_status: 'interrupted', finished: 2 });

    const final = await sweep(runs, prepareResume(stopped), objective());
    expect(final.status).toBe('finished');
    expect(final.trials).toHaveLength(4);
    const records = await runs.list();
    expect(records.map((r) => [r.id, r.kind, r.status])).toEqual([
      [stopped.id, 'sweep', 'finished'],
    ]);
    // The steps go on from the trials that ended before the interruption.
    expect((await runs.metrics(final.id)).map((p) => p.step)).toEqual([1, 2, 3, 4]);
  });

  it('is failed when the sweep throws', async () => {
    const runs = new FsRunTracker(join(root, 'bad'));
    const state = initial('20261201T000000Z-cccccc', 2);
    await expect(
      withSweepRun(runs, spec, state, facts, () => Promise.reject(new Error('disk full'))),
    ).rejects.toThrow('disk full');
    const record = await runs.get(state.id);
    expect(record).toMatchObject({ kind: 'sweep', status: 'failed', error: 'disk full' });
  });
});
