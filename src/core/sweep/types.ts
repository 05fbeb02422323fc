// The W&B sweep model as plain data: parameters and their distributions, metric, early termination, trials.

/** A parameter value as W&B passes it to a run (YAML scalars or lists). */
export type ParamValue = string | number | boolean | null | readonly ParamValue[];

/** Every distribution W&B's sweeps engine knows besides beta (the original never used it). */
export const DISTRIBUTIONS = [
  'constant',
  'categorical',
  'int_uniform',
  'uniform',
  'q_uniform',
  'log_uniform',
  'log_uniform_values',
  'q_log_uniform',
  'q_log_uniform_values',
  'inv_log_uniform',
  'inv_log_uniform_values',
  'normal',
  'q_normal',
  'log_normal',
  'q_log_normal',
] as const;
export type Distribution = (typeof DISTRIBUTIONS)[number];

/**
 * One parameter with W&B's defaults filled in. `min`/`max` are exponents (natural log) for
 * `log_uniform`, `q_log_uniform` and `inv_log_uniform` and plain values for the `*_values` forms,
 * as in W&B.
 */
export type ParamSpec =
  | { readonly name: string; readonly distribution: 'constant'; readonly value: ParamValue }
  | {
      readonly name: string;
      readonly distribution: 'categorical';
      readonly values: readonly ParamValue[];
    }
  | {
      readonly name: string;
      readonly distribution:
        | 'int_uniform'
        | 'uniform'
        | 'log_uniform'
        | 'log_uniform_values'
        | 'inv_log_uniform'
        | 'inv_log_uniform_values';
      readonly min: number;
      readonly max: number;
    }
  | {
      readonly name: string;
      readonly distribution: 'q_uniform' | 'q_log_uniform' | 'q_log_uniform_values';
      readonly min: number;
      readonly max: number;
      readonly q: number;
    }
  | {
      readonly name: string;
      readonly distribution: 'normal' | 'log_normal';
      readonly mu: number;
      readonly sigma: number;
    }
  | {
      readonly name: string;
      readonly distribution: 'q_normal' | 'q_log_normal';
      readonly mu: number;
      readonly sigma: number;
      readonly q: number;
    };

export type Goal = 'minimize' | 'maximize';

export interface MetricSpec {
  readonly name: string;
  readonly goal: Goal;
  /** Stop creating trials once a finished trial reaches it (W&B's `target`). */
  readonly target?: number | undefined;
}

/** W&B's hyperband early termination: either `min_iter` (with eta) or `max_iter` and `s`. */
export interface HyperbandSpec {
  readonly type: 'hyperband';
  readonly minIter?: number | undefined;
  readonly maxIter?: number | undefined;
  readonly s?: number | undefined;
  readonly eta: number;
  /** Compare the value at the band instead of the best value so far (stops more runs). */
  readonly strict: boolean;
}

export type SweepMethod = 'grid' | 'random' | 'bayes';

export interface SweepSpec {
  readonly name?: string | undefined;
  readonly description?: string | undefined;
  readonly method: SweepMethod;
  readonly metric?: MetricSpec | undefined;
  /** Sorted by name, as W&B's HyperParameterSet does (so the GP's columns are stable). */
  readonly parameters: readonly ParamSpec[];
  readonly runCap?: number | undefined;
  readonly earlyTerminate?: HyperbandSpec | undefined;
}

/**
 * A trial's state, in W&B's words where they exist: `stopped` is an early-terminated run
 * (hyperband), `killed` a run interrupted by the user or a crash of the sweep.
 */
export type TrialState = 'pending' | 'running' | 'finished' | 'failed' | 'stopped' | 'killed';

export interface Trial {
  /** 0-based; the order in which trials were suggested. */
  readonly index: number;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly state: TrialState;
  /** The metric after each epoch (W&B's run history of the metric). */
  readonly history: readonly number[];
  /** A metric reported only once at the end (e.g. test_f1); else undefined. */
  readonly final?: number | undefined;
}
