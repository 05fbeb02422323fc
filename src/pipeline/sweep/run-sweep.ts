// Use case: run (or resume) a sweep: suggest trials, run them in parallel, stop the hyperband losers, persist after every change.
import { ArginatorError } from '../../core/errors.ts';
import type { BayesInfo } from '../../core/sweep/bayes.ts';
import { hyperbandStops } from '../../core/sweep/hyperband.ts';
import { bestTrial, nextSuggestion, targetReached } from '../../core/sweep/suggest.ts';
import type { ParamValue, SweepSpec, Trial, TrialState } from '../../core/sweep/types.ts';
import type { Clock } from '../ports.ts';
import type { ResolvedMetric } from './trial-metrics.ts';

/** One trial as state.json keeps it. */
export interface TrialRecord extends Trial {
  /** The config overrides the trial's training ran with (base overrides, then the parameters). */
  readonly overrides: readonly string[];
  readonly runId?: string | undefined;
  /** How many times it was started (an interrupted trial is run again on resume). */
  readonly attempts: number;
  readonly startedAt?: string | undefined;
  readonly finishedAt?: string | undefined;
  readonly error?: string | undefined;
  readonly suggestion?: BayesInfo | undefined;
  /** Why hyperband stopped it. */
  readonly stopReason?: string | undefined;
}

export interface SweepState {
  readonly version: 1;
  readonly id: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly status: 'running' | 'finished' | 'interrupted';
  /** The sweep file as given, so a resume needs nothing else. */
  readonly specText: string;
  readonly source: string;
  readonly seed: number;
  readonly runCap: number;
  readonly parallel: number;
  readonly baseOverrides: readonly string[];
  readonly notes: readonly string[];
  readonly warnings: readonly string[];
  readonly trials: readonly TrialRecord[];
  /** Why no more trials are made, once finished: run_cap, target, or grid exhausted. */
  readonly endReason?: string | undefined;
}

/** Port: persists a sweep's state (atomically: a crash leaves the previous state). */
export interface SweepStore {
  save(state: SweepState): Promise<void>;
}

/** Port: reads the sweep folders (the API and the web UI; the CLI writes them). */
export interface SweepReader {
  /** Sweep ids, oldest first (ids sort by creation time). */
  list(): Promise<string[]>;
  /** Throws NOT_FOUND sweep.not-found for an unknown id. */
  load(id: string): Promise<SweepState>;
  /** A file of the sweep's folder (report.md, report.html), or undefined when it is not written yet. */
  readFile(id: string, name: string): Promise<Uint8Array | undefined>;
}

export interface TrialEnd {
  readonly status: 'completed' | 'cancelled' | 'failed';
  readonly runId?: string | undefined;
  readonly error?: string | undefined;
  /** Metrics known at the end (test_f1, ...). */
  readonly final: Readonly<Record<string, number>>;
}

export interface RunningTrial {
  /** Asks the trial to stop (hyperband or Ctrl-C); it ends through `done` as cancelled. */
  stop(): void;
  readonly done: Promise<TrialEnd>;
}

/** Port: starts one trial's training; `onEpoch` gets the epoch's metrics by name. */
export type TrialLauncher = (
  trial: {
    readonly index: number;
    readonly overrides: readonly string[];
    readonly sweepId: string;
  },
  onEpoch: (metrics: Readonly<Record<string, number>>) => void,
) => RunningTrial;

export interface RunSweepDeps {
  readonly spec: SweepSpec;
  readonly metric: ResolvedMetric | undefined;
  readonly state: SweepState;
  readonly store: SweepStore;
  readonly launch: TrialLauncher;
  readonly clock: Clock;
  readonly signal?: AbortSignal | undefined;
  /** Told after every persisted change (e.g. to rewrite the report or print a line). */
  readonly onChange?: ((state: SweepState, event: string) => void | Promise<void>) | undefined;
}

/** A parameter value as a Hydra-style override value (YAML; JSON is YAML). */
export function overrideValue(value: ParamValue): string {
  return JSON.stringify(value);
}

/** The overrides of a trial: the sweep's base overrides, then one per parameter. */
export function trialOverrides(
  base: readonly string[],
  params: Readonly<Record<string, ParamValue>>,
): string[] {
  return [...base, ...Object.entries(params).map(([k, v]) => `${k}=${overrideValue(v)}`)];
}

/**
 * On resume, trials that were running when the sweep stopped (Ctrl-C or a kill) are run again
 * with the same parameters, so the sweep still ends with run_cap trials in total.
 */
export function prepareResume(state: SweepState): SweepState {
  return {
    ...state,
    status: 'running',
    trials: state.trials.map((t) =>
      t.state === 'running' || t.state === 'killed' || t.state === 'pending'
        ? {
            ...t,
            state: 'pending',
            history: [],
            final: undefined,
            runId: undefined,
            error: undefined,
          }
        : t,
    ),
  };
}

/** Runs the sweep to its end (or until the signal aborts) and returns the last state. */
export async function runSweep(deps: RunSweepDeps): Promise<SweepState> {
  const { spec, metric, clock, signal } = deps;
  let state = deps.state;
  const running = new Map<number, RunningTrial>();
  const stopRequested = new Set<number>();
  let wake: (() => void) | undefined;
  const events: (() => Promise<void>)[] = [];
  const push = (event: () => Promise<void>): void => {
    events.push(event);
    wake?.();
  };
  const now = (): string => clock.now().toISOString();
  const update = (index: number, patch: Partial<TrialRecord>): void => {
    state = {
      ...state,
      updatedAt: now(),
      trials: state.trials.map((t) => (t.index === index ? { ...t, ...patch } : t)),
    };
  };
  const persist = async (event: string): Promise<void> => {
    await deps.store.save(state);
    await deps.onChange?.(state, event);
  };
  const onAbort = (): void => {
    for (const r of running.values()) {
      r.stop();
    }
    wake?.();
  };
  signal?.addEventListener('abort', onAbort, { once: true });

  const launch = (trial: TrialRecord): void => {
    update(trial.index, {
      state: 'running',
      attempts: trial.attempts + 1,
      startedAt: now(),
      history: [],
    });
    const handle = deps.launch(
      { index: trial.index, overrides: trial.overrides, sweepId: state.id },
      (metrics) =>
        push(async () => {
          const value = metric?.kind === 'epoch' ? metrics[metric.key] : undefined;
          const current = state.trials.find((t) => t.index === trial.index);
          if (current === undefined || current.state !== 'running') {
            return;
          }
          update(trial.index, {
            history: [...current.history, value ?? Number.NaN],
          });
          if (spec.earlyTerminate !== undefined && spec.metric !== undefined) {
            const decision = hyperbandStops(spec.earlyTerminate, spec.metric, state.trials);
            for (const i of decision.stop) {
              if (!stopRequested.has(i)) {
                stopRequested.add(i);
                update(i, {
                  stopReason: decision.lines.find((l) => l.startsWith(`trial ${i}:`)),
                });
                running.get(i)?.stop();
              }
            }
          }
          await persist(`trial ${trial.index} epoch ${current.history.length + 1}`);
        }),
    );
    running.set(trial.index, handle);
    handle.done.then(
      (end) => push(() => finish(trial.index, end)),
      (e: unknown) =>
        push(() =>
          finish(trial.index, {
            status: 'failed',
            error: e instanceof Error ? e.message : String(e),
            final: {},
          }),
        ),
    );
  };

  const finish = async (index: number, end: TrialEnd): Promise<void> => {
    running.delete(index);
    const stopped = stopRequested.has(index);
    const next: TrialState =
      end.status === 'completed'
        ? stopped
          ? 'stopped'
          : 'finished'
        : end.status === 'cancelled'
          ? stopped && signal?.aborted !== true
            ? 'stopped'
            : 'killed'
          : 'failed';
    const finalValue = metric?.kind === 'final' ? end.final[metric.key] : undefined;
    update(index, {
      state: next,
      runId: end.runId,
      finishedAt: now(),
      error: end.error,
      final: finalValue,
    });
    await persist(`trial ${index} ${next}`);
  };

  /** One trial at a time until one has trained an epoch: the first warms the embedding and cluster caches. */
  const slots = (): number =>
    state.trials.some((t) => t.history.length > 0 || t.state === 'finished') ? state.parallel : 1;

  const endReason = (): string | undefined => {
    if (targetReached(spec, state.trials)) {
      return `a trial reached the target ${String(spec.metric?.target)}`;
    }
    if (state.trials.length >= state.runCap) {
      return `run_cap ${state.runCap}`;
    }
    return undefined;
  };

  let gridExhausted = false;
  await persist('started');
  try {
    for (;;) {
      while (signal?.aborted !== true && running.size < slots()) {
        const pending = state.trials.find((t) => t.state === 'pending');
        if (pending !== undefined) {
          launch(pending);
          await persist(`trial ${pending.index} started`);
          continue;
        }
        if (gridExhausted || endReason() !== undefined) {
          break;
        }
        const suggestion = nextSuggestion(spec, state.trials, state.seed);
        if (suggestion === undefined) {
          gridExhausted = true;
          break;
        }
        const trial: TrialRecord = {
          index: state.trials.length,
          params: suggestion.params,
          overrides: trialOverrides(state.baseOverrides, suggestion.params),
          state: 'pending',
          history: [],
          attempts: 0,
          suggestion: suggestion.info,
        };
        state = { ...state, trials: [...state.trials, trial] };
        launch(trial);
        await persist(`trial ${trial.index} started`);
      }
      if (running.size === 0 && events.length === 0) {
        break;
      }
      if (events.length === 0) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
      while (events.length > 0) {
        await (events.shift() as () => Promise<void>)();
      }
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  const reason =
    signal?.aborted === true
      ? undefined
      : (endReason() ?? (gridExhausted ? 'grid exhausted' : undefined));
  state = {
    ...state,
    updatedAt: now(),
    status: signal?.aborted === true ? 'interrupted' : 'finished',
    endReason: reason,
  };
  await persist(state.status);
  return state;
}

/** The best trial and its value, for summaries. */
export function sweepBest(
  spec: SweepSpec,
  state: SweepState,
): { trial: TrialRecord; value: number } | undefined {
  const best = bestTrial(spec, state.trials);
  if (best === undefined || spec.metric === undefined) {
    return undefined;
  }
  const t = state.trials.find((x) => x.index === best.index) as TrialRecord;
  const values = t.final !== undefined ? [t.final] : t.history.filter(Number.isFinite);
  const value = spec.metric.goal === 'minimize' ? Math.min(...values) : Math.max(...values);
  return { trial: t, value };
}

/** Refuses a resume whose sweep already ended (unless a higher run cap makes room for more trials). */
export function checkResumable(state: SweepState, runCap: number): void {
  if (state.status === 'finished' && runCap <= state.trials.length) {
    throw new ArginatorError(
      'USAGE',
      'sweep.already-finished',
      `sweep ${state.id} finished (${state.endReason ?? 'done'}) with ${state.trials.length} trials`,
      'start a new sweep, or raise the cap: arginator sweep --resume ID --run-cap N',
    );
  }
}
