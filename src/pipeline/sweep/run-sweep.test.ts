// The sweep loop with an in-process objective behind the TrialLauncher port: caps, parallelism, hyperband, resume.
import { describe, expect, it } from 'vitest';

import type { SweepSpec } from '../../core/sweep/types.ts';
import type { RunningTrial, SweepState, TrialEnd, TrialLauncher } from './run-sweep.ts';
import { prepareResume, runSweep, trialOverrides } from './run-sweep.ts';
import { parseSweepYaml } from './sweep-spec.ts';
import { resolveMetric } from './trial-metrics.ts';

const clock = { now: () => new Date('2026-12-01T00:00:00Z') };

function initial(runCap: number, parallel: number, base: string[] = []): SweepState {
  return {
    version: 1,
    id: 'test-sweep',
    createdAt: clock.now().toISOString(),
    updatedAt: clock.now().toISOString(),
    status: 'running',
    specText: '',
    source: 'test.yaml',
    seed: 1,
    runCap,
    parallel,
    baseOverrides: base,
    notes: [],
    warnings: [],
    trials: [],
  };
}

/**
 * An objective that trains for `epochs` steps: val_loss falls towards (lr - 0.3)^2 with noise-free
 * steps, each epoch one macrotask later, so several trials interleave.
 */
function objective(
  epochs: number,
  log: { active: number; maxActive: number; started: number },
): TrialLauncher {
  return (trial, onEpoch) => {
    log.started++;
    log.active++;
    log.maxActive = Math.max(log.maxActive, log.active);
    const lr = Number(/experiment\.lr=([^ ]+)/.exec(trial.overrides.join(' '))?.[1]);
    const flags = { stopped: false };
    const done = (async (): Promise<TrialEnd> => {
      for (let e = 1; e <= epochs; e++) {
        await new Promise((r) => setTimeout(r, 1));
        if (flags.stopped) {
          log.active--;
          return { status: 'cancelled' as const, runId: `run-${trial.index}`, final: {} };
        }
        onEpoch({ val_loss: (lr - 0.3) ** 2 + 1 / e });
      }
      log.active--;
      return {
        status: 'completed' as const,
        runId: `run-${trial.index}`,
        final: { test_f1: 1 - lr },
      };
    })();
    const handle: RunningTrial = {
      stop: () => {
        flags.stopped = true;
      },
      done,
    };
    return handle;
  };
}

const yaml = (extra = ''): SweepSpec =>
  parseSweepYaml(
    `method: random
metric: {name: val_loss, goal: minimize}
parameters:
  experiment.lr: {min: 0.0, max: 1.0}
${extra}`,
    't.yaml',
  ).spec;

describe('runSweep', () => {
  it('runs run_cap trials, at most N at once, the first alone until it has an epoch', async () => {
    const spec = yaml();
    const log = { active: 0, maxActive: 0, started: 0 };
    const saved: SweepState[] = [];
    const end = await runSweep({
      spec,
      metric: resolveMetric('val_loss', 't'),
      state: initial(7, 3, ['experiment.epochs=4']),
      store: {
        save: (s) => {
          saved.push(s);
          return Promise.resolve();
        },
      },
      launch: objective(4, log),
      clock,
    });
    expect(end.status).toBe('finished');
    expect(end.endReason).toBe('run_cap 7');
    expect(end.trials).toHaveLength(7);
    expect(end.trials.every((t) => t.state === 'finished' && t.history.length === 4)).toBe(true);
    expect(log.maxActive).toBe(3);
    // While trial 0 had no epoch, nothing else started.
    const beforeFirstEpoch = saved.filter((s) => (s.trials[0]?.history.length ?? 0) === 0);
    expect(Math.max(...beforeFirstEpoch.map((s) => s.trials.length))).toBe(1);
    expect(end.trials[0]?.overrides[0]).toBe('experiment.epochs=4');
  });

  it('hyperband stops trials below the band thresholds', async () => {
    const spec = yaml('early_terminate: {type: hyperband, min_iter: 2, eta: 2}');
    const log = { active: 0, maxActive: 0, started: 0 };
    const end = await runSweep({
      spec,
      metric: resolveMetric('val_loss', 't'),
      state: initial(12, 3),
      store: { save: () => Promise.resolve() },
      launch: objective(8, log),
      clock,
    });
    const stopped = end.trials.filter((t) => t.state === 'stopped');
    expect(stopped.length).toBeGreaterThan(0);
    expect(stopped.every((t) => t.history.length < 8 && t.stopReason?.includes('STOP'))).toBe(true);
    expect(end.trials.filter((t) => t.state === 'finished').length).toBeGreaterThan(0);
  });

  it('a sweep aborted midway resumes and ends with run_cap trials in total', async () => {
    const spec = yaml();
    const log = { active: 0, maxActive: 0, started: 0 };
    const controller = new AbortController();
    let saved: SweepState | undefined;
    const first = await runSweep({
      spec,
      metric: resolveMetric('val_loss', 't'),
      state: initial(6, 2),
      store: {
        save: (s) => {
          saved = s;
          if (s.trials.filter((t) => t.state === 'finished').length === 2) {
            controller.abort();
          }
          return Promise.resolve();
        },
      },
      launch: objective(3, log),
      clock,
      signal: controller.signal,
    });
    expect(first.status).toBe('interrupted');
    expect(first.trials.length).toBeLessThan(6);
    expect(first.trials.some((t) => t.state === 'killed')).toBe(true);
    const resumed = prepareResume(saved as SweepState);
    const killedParams = first.trials.filter((t) => t.state === 'killed').map((t) => t.params);
    const end = await runSweep({
      spec,
      metric: resolveMetric('val_loss', 't'),
      state: resumed,
      store: { save: () => Promise.resolve() },
      launch: objective(3, log),
      clock,
    });
    expect(end.status).toBe('finished');
    expect(end.trials).toHaveLength(6);
    expect(end.trials.every((t) => t.state === 'finished')).toBe(true);
    // The interrupted trials ran again with their parameters (attempt 2).
    for (const p of killedParams) {
      const t = end.trials.find((x) => JSON.stringify(x.params) === JSON.stringify(p));
      expect(t?.attempts).toBe(2);
    }
  });

  it('stops making trials once the target is reached; grid ends when exhausted', async () => {
    const log = { active: 0, maxActive: 0, started: 0 };
    const target = parseSweepYaml(
      `method: grid
metric: {name: test_f1, goal: maximize, target: 0.75}
parameters:
  experiment.lr: {values: [0.9, 0.5, 0.2, 0.1, 0.05]}
`,
      't.yaml',
    ).spec;
    const end = await runSweep({
      spec: target,
      metric: resolveMetric('test_f1', 't'),
      state: initial(50, 1),
      store: { save: () => Promise.resolve() },
      launch: objective(1, log),
      clock,
    });
    expect(end.trials.map((t) => t.final)).toEqual([1 - 0.9, 0.5, 0.8]);
    expect(end.endReason).toMatch(/target 0.75/);
    const grid = await runSweep({
      spec: { ...target, metric: undefined },
      metric: undefined,
      state: initial(50, 2),
      store: { save: () => Promise.resolve() },
      launch: objective(1, log),
      clock,
    });
    expect(grid.trials).toHaveLength(5);
    expect(grid.endReason).toBe('grid exhausted');
  });

  it('formats overrides as YAML values', () => {
    expect(trialOverrides(['a=1'], { 'x.y': 0.001, s: 'adam', l: [256, 128] })).toEqual([
      'a=1',
      'x.y=0.001',
      's="adam"',
      'l=[256,128]',
    ]);
  });
});
