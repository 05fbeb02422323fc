// The data-validation rules, their severities and thresholds, with their defaults (the config schema reuses them).

/** Every rule `arginator validate` checks, in report order (docs/validation.md). */
export const VALIDATION_RULES = [
  'dimensions',
  'finite',
  'duplicate_ids',
  'duplicate_sequences',
  'duplicate_vectors',
  'near_duplicates',
  'split_leakage',
  'class_balance',
  'unknown_labels',
  'invalid_residues',
  'ambiguous_residues',
  'length_outliers',
  'composition_outliers',
] as const;
export type RuleName = (typeof VALIDATION_RULES)[number];

/** error: a finding fails validation (exit 4, `train` refuses); warning: reported only; off: not checked. */
export const RULE_SEVERITIES = ['error', 'warning', 'off'] as const;
export type RuleSeverity = (typeof RULE_SEVERITIES)[number];

/** Which labels the class-balance rule counts. */
export const CLASS_BALANCE_VIEWS = ['binary', 'task'] as const;
export type ClassBalanceView = (typeof CLASS_BALANCE_VIEWS)[number];

export interface ValidationSettings {
  readonly rules: Readonly<Record<RuleName, RuleSeverity>>;
  /** Every vector must have this many values; null: the most common length in the input. */
  readonly expectedDim: number | null;
  /** Two different sequences at or above this identity (identities / shorter length) are near-duplicates. */
  readonly nearDuplicateIdentity: number;
  /** A sequence on one side of a split at or above this identity to one on another side is a leak. */
  readonly leakageIdentity: number;
  /** Smallest share of the proteins each class must have (the original system's 10%). */
  readonly minClassFraction: number;
  /** binary: beta-lactamase vs not, the original's rule; task: every label of the task. */
  readonly classBalanceView: ClassBalanceView;
  /** A length whose robust z-score (median and MAD of log length, per label) exceeds this is an outlier. */
  readonly lengthOutlierZ: number;
  /** A composition whose robust z-score of its distance from the median composition exceeds this is an outlier. */
  readonly compositionOutlierZ: number;
  /** A sequence with a larger share of X (unknown or ambiguous residues: B, J, O, U, Z, X) is flagged. */
  readonly maxAmbiguousFraction: number;
  /** Prefilter candidates aligned per sequence in the near-duplicate and leakage searches. */
  readonly candidates: number;
  /** Findings listed per rule in the reports (all are counted). */
  readonly maxListed: number;
}

export const DEFAULT_RULE_SEVERITIES: Readonly<Record<RuleName, RuleSeverity>> = {
  dimensions: 'error',
  finite: 'error',
  duplicate_ids: 'error',
  duplicate_sequences: 'error',
  duplicate_vectors: 'error',
  near_duplicates: 'warning',
  split_leakage: 'error',
  class_balance: 'error',
  unknown_labels: 'error',
  invalid_residues: 'error',
  ambiguous_residues: 'warning',
  length_outliers: 'warning',
  composition_outliers: 'warning',
};

export const DEFAULT_VALIDATION_SETTINGS: ValidationSettings = {
  rules: DEFAULT_RULE_SEVERITIES,
  expectedDim: null,
  nearDuplicateIdentity: 0.95,
  leakageIdentity: 0.9,
  minClassFraction: 0.1,
  classBalanceView: 'binary',
  lengthOutlierZ: 6,
  compositionOutlierZ: 6,
  maxAmbiguousFraction: 0.1,
  candidates: 20,
  maxListed: 50,
};
