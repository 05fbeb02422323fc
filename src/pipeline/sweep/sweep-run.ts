// The sweep itself as a tracked run of kind `sweep`: the parent of its trials (it has the sweep's id), its best metric logged as trials end.
import type { SweepSpec } from '../../core/sweep/types.ts';
import type { RunHandle, RunInit, RunTracker } from '../ports.ts';
import { withTrackedRun } from '../tracked-run.ts';
import type { SweepState } from './run-sweep.ts';
import { sweepBest } from './run-sweep.ts';

/** What every run record carries (runEnvironment()), and the command line that ran the sweep. */
export type SweepRunFacts = Pick<
  RunInit,
  'packageVersion' | 'gitCommit' | 'git' | 'environment'
> & {
  readonly command: string;
};

const ENDED = new Set(['finished', 'stopped', 'failed', 'killed']);

/** Trials that ended (any way); the sweep run logs its best metric at this step. */
function endedCount(state: SweepState): number {
  return state.trials.filter((t) => ENDED.has(t.state)).length;
}

/**
 * The sweep run's record. Its id is the sweep's, so the trials' parent_run_id (the sweep id)
 * names this run; a resumed sweep resumes the same run. Params: the sweep's configuration.
 */
export function sweepRunInit(spec: SweepSpec, state: SweepState, facts: SweepRunFacts): RunInit {
  return {
    id: state.id,
    kind: 'sweep',
    ...(spec.name === undefined ? {} : { name: spec.name }),
    command: facts.command,
    packageVersion: facts.packageVersion,
    ...(facts.gitCommit === undefined ? {} : { gitCommit: facts.gitCommit }),
    ...(facts.git === undefined ? {} : { git: facts.git }),
    environment: { ...facts.environment, sweep_id: state.id },
    params: {
      method: spec.method,
      metric: spec.metric ?? null,
      parameters: spec.parameters,
      early_terminate: spec.earlyTerminate ?? null,
      run_cap: state.runCap,
      seed: state.seed,
      parallel: state.parallel,
      base_overrides: state.baseOverrides,
      source: state.source,
    },
    tags: {
      sweep_id: state.id,
      sweep_method: spec.method,
      ...(spec.metric === undefined
        ? {}
        : { sweep_metric: spec.metric.name, sweep_goal: spec.metric.goal }),
    },
  };
}

/** The run's headline numbers: the best trial (its metric under the metric's own name) and the trial counts. */
export function sweepRunSummary(spec: SweepSpec, state: SweepState): Record<string, unknown> {
  const best = sweepBest(spec, state);
  const count = (s: string): number => state.trials.filter((t) => t.state === s).length;
  return {
    ...(spec.metric === undefined || best === undefined
      ? {}
      : {
          [spec.metric.name]: best.value,
          best_value: best.value,
          best_trial: best.trial.index,
          best_run_id: best.trial.runId ?? null,
        }),
    metric: spec.metric?.name ?? null,
    goal: spec.metric?.goal ?? null,
    trials: state.trials.length,
    run_cap: state.runCap,
    finished: count('finished'),
    stopped: count('stopped'),
    failed: count('failed'),
    killed: count('killed'),
    sweep_status: state.status,
    ...(state.endReason === undefined ? {} : { end_reason: state.endReason }),
  };
}

/** Logs the best value so far under the metric's name at step = trials ended, once per new step. */
async function logBest(
  run: RunHandle,
  spec: SweepSpec,
  state: SweepState,
  lastStep: number,
): Promise<number> {
  const step = endedCount(state);
  const best = sweepBest(spec, state);
  if (step <= lastStep || spec.metric === undefined || best === undefined) {
    return Math.max(step, lastStep);
  }
  await run.logMetrics(step, { [spec.metric.name]: best.value });
  return step;
}

/**
 * Runs `body` (the sweep) as the tracked `sweep` run: `finished` when the sweep ends, `killed`
 * when `signal` stopped it (Ctrl-C; resume continues the same run), `failed` if it throws.
 * `body` gets `observe`, to be called with every persisted state.
 */
export async function withSweepRun(
  runs: RunTracker,
  spec: SweepSpec,
  state: SweepState,
  facts: SweepRunFacts,
  body: (observe: (state: SweepState) => Promise<void>) => Promise<SweepState>,
  signal?: AbortSignal,
): Promise<SweepState> {
  const { value } = await withTrackedRun(
    runs,
    sweepRunInit(spec, state, facts),
    async (run) => {
      // On resume the trials that ended before are already logged (metrics.jsonl is kept).
      let last = endedCount(state);
      const final = await body(async (s) => {
        last = await logBest(run, spec, s, last);
      });
      return { value: final, summary: sweepRunSummary(spec, final) };
    },
    signal,
  );
  return value;
}
