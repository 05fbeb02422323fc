// The JSON of /v1/sweeps, declared once for the server and the web UI (docs/sweeps.md, API).
// Pure types and constants: the web bundle imports these types only (erased by the build).
import type { RunStatus } from '../tracking/run-contract.ts';
import type { Goal, ParamSpec, ParamValue, SweepMethod, TrialState } from './types.ts';

export type { Goal, ParamSpec, ParamValue, SweepMethod, TrialState };

/**
 * A sweep's states: `interrupted` = stopped before run_cap (Ctrl-C, a kill, a crash: its process
 * is gone); `arginator sweep --resume ID` continues it.
 */
export const SWEEP_STATUSES = ['running', 'finished', 'interrupted'] as const;
export type SweepStatus = (typeof SWEEP_STATUSES)[number];

/** A trial's states (W&B's words): `stopped` = ended early by hyperband, `killed` = interrupted. */
const TRIAL_STATE_SET: Readonly<Record<TrialState, true>> = {
  pending: true,
  running: true,
  finished: true,
  failed: true,
  stopped: true,
  killed: true,
};
/** Every trial state (a Record over TrialState: a state added there fails to compile here). */
export const TRIAL_STATES = Object.keys(TRIAL_STATE_SET) as readonly TrialState[];

export const SWEEP_METHODS = ['grid', 'random', 'bayes'] as const satisfies readonly SweepMethod[];

export interface SweepMetricJson {
  readonly name: string;
  readonly goal: Goal;
  readonly target: number | null;
}

/** The best ended trial by the metric (its best value over its epochs, as W&B's). */
export interface SweepBestJson {
  readonly trial: number;
  readonly value: number;
  readonly run_id: string | null;
  readonly params: Readonly<Record<string, ParamValue>>;
  /** The config overrides it trained with: `arginator train <overrides>` reproduces it. */
  readonly overrides: readonly string[];
}

/** The sweep's own tracked run (kind sweep, same id as the sweep); null for sweeps made before it existed. */
export interface SweepRunRefJson {
  readonly id: string;
  readonly status: RunStatus;
}

/** One sweep in GET /v1/sweeps (newest first). */
export interface SweepSummaryJson {
  readonly id: string;
  readonly name: string | null;
  readonly method: SweepMethod;
  readonly metric: SweepMetricJson | null;
  readonly status: SweepStatus;
  /** Why it is interrupted when its process died, or null. */
  readonly error: string | null;
  readonly created_at: string;
  readonly updated_at: string;
  readonly run_cap: number;
  readonly parallel: number;
  readonly seed: number;
  /** The sweep file as given on the command line. */
  readonly source: string;
  readonly trials_total: number;
  /** Trials by state (every state present, 0 when none). */
  readonly trial_states: Readonly<Record<TrialState, number>>;
  readonly best: SweepBestJson | null;
  /** Why no more trials were made (run_cap, target, grid exhausted), once finished. */
  readonly end_reason: string | null;
  readonly run: SweepRunRefJson | null;
}

/** Parameters of the bayes suggestion that proposed a trial (W&B's GP and expected improvement). */
export interface SweepSuggestionJson {
  readonly mode: 'random' | 'gp';
  readonly predicted_value: number | null;
  readonly predicted_std: number | null;
  readonly expected_improvement: number | null;
  readonly probability_of_improvement: number | null;
  readonly length_scale: number | null;
}

export interface SweepTrialJson {
  /** 0-based, in the order the trials were suggested. */
  readonly index: number;
  readonly state: TrialState;
  readonly params: Readonly<Record<string, ParamValue>>;
  /** The trial's metric: its best value over the epochs (or the final value), null while none. */
  readonly value: number | null;
  /** The metric after each epoch (null where the epoch did not report it). */
  readonly history: readonly (number | null)[];
  readonly run_id: string | null;
  readonly attempts: number;
  readonly started_at: string | null;
  readonly finished_at: string | null;
  readonly error: string | null;
  /** Why hyperband stopped it. */
  readonly stop_reason: string | null;
  readonly overrides: readonly string[];
  readonly suggestion: SweepSuggestionJson | null;
}

/** A parallel-coordinates axis: a parameter (or the metric, last) with its labelled ends. */
export interface SweepAxisJson {
  readonly name: string;
  readonly low: string;
  readonly high: string;
}

/**
 * The parallel-coordinates plot's data, as the report draws it: one line per ended trial with a
 * value, positions in [0, 1] on each axis (a parameter's CDF, the space the GP searches;
 * categorical values evenly by index; the metric scaled between its lowest and highest value).
 */
export interface SweepParallelJson {
  readonly axes: readonly SweepAxisJson[];
  readonly trials: readonly {
    readonly trial: number;
    readonly positions: readonly number[];
    readonly labels: readonly string[];
    readonly value: number;
  }[];
}

/** Permutation importance of a random forest (shares summing to 1) and Pearson r with the metric. */
export interface SweepImportanceJson {
  readonly name: string;
  readonly importance: number;
  readonly correlation: number | null;
}

/** GET /v1/sweeps/{id}: the sweep's configuration, trials, best trial, importance and plot data. */
export interface SweepJson extends SweepSummaryJson {
  readonly description: string | null;
  /** The sweep file's text (W&B format). */
  readonly spec_text: string;
  /** Sorted by name, with W&B's defaults filled in. */
  readonly parameters: readonly ParamSpec[];
  readonly early_terminate: {
    readonly type: 'hyperband';
    readonly min_iter: number | null;
    readonly max_iter: number | null;
    readonly s: number | null;
    readonly eta: number;
    readonly strict: boolean;
  } | null;
  /** Config overrides applied to every trial before its parameters. */
  readonly base_overrides: readonly string[];
  readonly notes: readonly string[];
  readonly warnings: readonly string[];
  readonly trials: readonly SweepTrialJson[];
  /** Empty with fewer than 4 ended trials (too few to rank parameters). */
  readonly importance: readonly SweepImportanceJson[];
  readonly parallel_coordinates: SweepParallelJson;
  readonly links: {
    readonly self: string;
    readonly report_md: string;
    readonly report_html: string;
    /** The sweep's tracked run, when it has one. */
    readonly run: string | null;
  };
}

export interface SweepListJson {
  readonly sweeps: readonly SweepSummaryJson[];
}
