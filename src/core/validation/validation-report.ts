// The result of validating one input: a verdict per rule with its findings, and the statistics the plots show.
import type { InputFormat, SplitSide } from './validation-input.ts';
import type { RuleName, RuleSeverity } from './settings.ts';

export type RuleStatus = 'pass' | 'fail' | 'skipped' | 'off';

export interface Finding {
  /** The proteins concerned (a duplicate group, a leaking pair, one outlier). */
  readonly ids: readonly string[];
  readonly message: string;
}

export interface RuleResult {
  readonly rule: RuleName;
  readonly title: string;
  readonly severity: RuleSeverity;
  /** pass: nothing found; fail: findings (an error-severity fail fails validation); skipped: not applicable. */
  readonly status: RuleStatus;
  /** One sentence: what was checked and found, with the threshold. */
  readonly summary: string;
  /** Number of findings (all of them; `findings` lists at most settings.maxListed). */
  readonly count: number;
  readonly findings: readonly Finding[];
}

export interface ClassCount {
  readonly label: string;
  readonly count: number;
  readonly fraction: number;
}

export interface ValidationStats {
  readonly records: number;
  readonly labelled: boolean;
  /** Counts per task label (unknown labels under their written form). */
  readonly classes: readonly ClassCount[];
  /** Counts per binary label (beta-lactamase or not), the original's view. */
  readonly binaryClasses: readonly ClassCount[];
  /** Sequence lengths per label ('all' when unlabelled). */
  readonly lengths: Readonly<Record<string, readonly number[]>>;
  /** Vector lengths seen and how many vectors have each. */
  readonly dimensions: readonly { readonly dim: number; readonly count: number }[];
  readonly splitSizes?: Readonly<Record<SplitSide, number>> | undefined;
}

export interface ValidationReport {
  readonly source: string;
  readonly format: InputFormat;
  readonly task: string;
  readonly split?: string | undefined;
  /** False when a rule of severity error failed. */
  readonly passed: boolean;
  readonly failedRules: readonly RuleName[];
  readonly warningRules: readonly RuleName[];
  readonly rules: readonly RuleResult[];
  readonly stats: ValidationStats;
  readonly notes: readonly string[];
  /** Milliseconds per stage (reading is the caller's), e.g. { near_duplicates: 812 }. */
  readonly timings: Readonly<Record<string, number>>;
}
