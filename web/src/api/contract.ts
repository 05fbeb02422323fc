// The API's words as the UI shows them. The word types come from src/core/domain.ts (type-only: the
// bundle imports nothing from src); each table below is a Record over one of those types, so a word
// added there fails to compile here until the UI has its text. api-contract.e2e.test.ts checks the
// runtime lists against /openapi.json.
import type {
  BinaryLabel,
  CarbapenemaseCall,
  EvidenceMethod,
  JobStatus,
  MulticlassLabel,
  Novelty,
  TableFormat,
  Task,
} from '../../../src/core/domain.ts';
import type { RunStatus } from '../../../src/core/tracking/run-contract.ts';
import type { SweepStatus, TrialState } from '../../../src/core/sweep/sweep-contract.ts';
import type { DriftCheckStatus, DriftTrigger } from '../../../src/core/drift/drift-contract.ts';
import type {
  GateReport,
  PromoteBody,
  PromoteResponse,
  RollbackBody,
  RollbackResponse,
  TagsBody,
} from '../../../src/core/model-registry.ts';

// The registry's bodies and gate report, as the server declares them (src/core/model-registry.ts).
export type { GateReport, PromoteBody, PromoteResponse, RollbackBody, RollbackResponse, TagsBody };

export type { DriftCheckStatus, DriftTrigger, RunStatus, SweepStatus, TrialState };
export type {
  BinaryLabel,
  CarbapenemaseCall,
  EvidenceMethod,
  JobStatus,
  MulticlassLabel,
  Novelty,
  TableFormat,
  Task,
};

export interface StatusText {
  /** The badge text. */
  readonly label: string;
  /** The badge's tooltip: what the state means for the user. */
  readonly meaning: string;
  /** What the progress line says before the percentage. */
  readonly progress: string;
  /** True when the job will not change any more (its event stream ends). */
  readonly final: boolean;
  /** True while the job may still be cancelled. */
  readonly active: boolean;
}

export const JOB_STATUS_TEXT: Readonly<Record<JobStatus, StatusText>> = {
  queued: {
    label: 'queued',
    meaning: 'waiting for a free worker',
    progress: 'Queued',
    final: false,
    active: true,
  },
  running: {
    label: 'running',
    meaning: 'being classified',
    progress: 'Classifying…',
    final: false,
    active: true,
  },
  completed: {
    label: 'completed',
    meaning: 'results ready',
    progress: 'Done',
    final: true,
    active: false,
  },
  failed: {
    label: 'failed',
    meaning: 'stopped with an error',
    progress: 'Failed at',
    final: true,
    active: false,
  },
  cancelled: {
    label: 'cancelled',
    meaning: 'cancelled before it finished',
    progress: 'Cancelled at',
    final: true,
    active: false,
  },
  expired: {
    label: 'expired',
    meaning: 'results deleted after the retention period',
    progress: 'Expired at',
    final: true,
    active: false,
  },
};

/** A tracked run's states (src/core/tracking/run-contract.ts): the badge tooltip, and whether it is over. */
export const RUN_STATUS_TEXT: Readonly<Record<RunStatus, { meaning: string; final: boolean }>> = {
  running: { meaning: 'still running: the curves follow it live', final: false },
  finished: { meaning: 'finished', final: true },
  failed: { meaning: 'stopped with an error', final: true },
  killed: { meaning: 'stopped before it finished (cancelled, or its process died)', final: true },
};

/** A sweep's states (src/core/sweep/sweep-contract.ts): the badge tooltip, and whether it is over. */
export const SWEEP_STATUS_TEXT: Readonly<Record<SweepStatus, { meaning: string; final: boolean }>> =
  {
    running: { meaning: 'trials are running: the page follows it live', final: false },
    finished: { meaning: 'finished: run_cap, target or the grid reached', final: true },
    interrupted: {
      meaning:
        'stopped before run_cap (Ctrl-C, a kill or a crash); arginator sweep --resume continues it',
      final: true,
    },
  };

/** A trial's states, W&B's words: the badge tooltip. */
export const TRIAL_STATE_TEXT: Readonly<Record<TrialState, string>> = {
  pending: 'waiting for a free slot',
  running: 'training',
  finished: 'trained to the end',
  failed: 'stopped with an error',
  stopped: 'ended early by hyperband',
  killed: 'interrupted with its sweep',
};

export const TASK_TEXT: Readonly<Record<Task, string>> = {
  binary: 'Binary',
  multiclass: 'Multiclass',
};

export const TABLE_FORMAT_TEXT: Readonly<Record<TableFormat, string>> = {
  csv: 'CSV',
  tsv: 'TSV',
  json: 'JSON',
};

/** In the order the filters show them (nearest first). */
export const NOVELTY_TEXT: Readonly<Record<Novelty, string>> = {
  known: 'known',
  distant: 'distant',
  novel: 'novel',
};

/** What each method word says about the nearest alignment (the evidence panel's tooltip). */
export const EVIDENCE_METHOD_TEXT: Readonly<Record<EvidenceMethod, string>> = {
  EXACT: 'identical to the reference over its full length',
  CLOSE: '≥ 90% identity over ≥ 90% of the reference',
  PARTIAL: '≥ 90% identity, but over < 90% of the reference',
  DISTANT: 'a significant alignment (e-value ≤ 0.001) below 90% identity',
  MODEL: 'the model calls a β-lactamase without a significant alignment',
  NONE: 'no significant alignment, and not a β-lactamase',
};

/** The carbapenemase call as the evidence panel shows it. */
export const CARBAPENEMASE_TEXT: Readonly<Record<CarbapenemaseCall, string>> = {
  yes: 'carbapenemase',
  no: 'not a carbapenemase',
  uncertain: 'carbapenemase uncertain',
};

/** Record keys in declaration order, typed as the Record's key type. */
function keysOf<K extends string>(record: Readonly<Record<K, unknown>>): readonly K[] {
  return Object.keys(record) as K[];
}

/** What made a drift report, as the drift page's history says it. */
export const DRIFT_TRIGGER_TEXT: Readonly<Record<DriftTrigger, string>> = {
  cli: 'arginator drift',
  api: 'POST /v1/drift',
  schedule: 'scheduled check',
};

/** A drift check's states as the drift page's check line says them; `final`: it will not change. */
export const DRIFT_CHECK_STATUS_TEXT: Readonly<
  Record<DriftCheckStatus, { text: string; final: boolean }>
> = {
  queued: { text: 'Queued', final: false },
  running: { text: 'Checking…', final: false },
  completed: { text: 'Done', final: true },
  failed: { text: 'Failed', final: true },
  cancelled: { text: 'Cancelled', final: true },
};

export const JOB_STATUSES = keysOf(JOB_STATUS_TEXT);
export const RUN_STATUSES = keysOf(RUN_STATUS_TEXT);
export const SWEEP_STATUSES = keysOf(SWEEP_STATUS_TEXT);
export const TRIAL_STATES = keysOf(TRIAL_STATE_TEXT);
export const TASKS = keysOf(TASK_TEXT);
export const TABLE_FORMATS = keysOf(TABLE_FORMAT_TEXT);
export const NOVELTY_CLASSES = keysOf(NOVELTY_TEXT);
export const EVIDENCE_METHODS = keysOf(EVIDENCE_METHOD_TEXT);
export const CARBAPENEMASE_CALLS = keysOf(CARBAPENEMASE_TEXT);
export const DRIFT_TRIGGERS = keysOf(DRIFT_TRIGGER_TEXT);
export const DRIFT_CHECK_STATUSES = keysOf(DRIFT_CHECK_STATUS_TEXT);

/** The model's label order (the table's p_ columns and the map legend). */
export const MULTICLASS_LABELS = [
  'A',
  'B',
  'C',
  'D',
  'NBL',
] as const satisfies readonly MulticlassLabel[];
export const BINARY_LABELS = [
  'Betalactamase',
  'Non-Betalactamase',
] as const satisfies readonly BinaryLabel[];

/** True when `value` is one of `words` (narrows a string read from the API). */
export function isOneOf<const W extends string>(words: readonly W[], value: unknown): value is W {
  return typeof value === 'string' && (words as readonly string[]).includes(value);
}
