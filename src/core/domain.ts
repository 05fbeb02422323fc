// The product's words, declared once: tasks, labels, job states, table formats, novelty and evidence words.
// Everything else (CLI, server schemas, job store, prediction table, the web UI's types) derives
// from here, so the API and the UI cannot drift apart. Pure constants: no imports, no effects.

/** What a classifier predicts. */
export const TASKS = ['binary', 'multiclass'] as const;
export type Task = (typeof TASKS)[number];
/** The task when none is given (CLI --task, POST /v1/jobs). */
export const DEFAULT_TASK: Task = 'multiclass';

/** The multiclass label of a protein that is not a beta-lactamase. */
export const NOT_BETALACTAMASE = 'NBL';
/** The Ambler classes, in label order. */
export const AMBLER_CLASSES = ['A', 'B', 'C', 'D'] as const;
/** Multiclass labels of the product (Ambler classes + not a beta-lactamase), in model order. */
export const MULTICLASS_LABELS = [...AMBLER_CLASSES, NOT_BETALACTAMASE] as const;
export type MulticlassLabel = (typeof MULTICLASS_LABELS)[number];

/** Binary labels of the product: positive first, as the binary model's label order. */
export const BINARY_LABELS = ['Betalactamase', 'Non-Betalactamase'] as const;
export type BinaryLabel = (typeof BINARY_LABELS)[number];
export const BINARY_POSITIVE: BinaryLabel = BINARY_LABELS[0];
export const BINARY_NEGATIVE: BinaryLabel = BINARY_LABELS[1];

/** The labels a task's model predicts, in model order. */
export function taskLabels(task: Task): readonly string[] {
  return task === 'binary' ? BINARY_LABELS : MULTICLASS_LABELS;
}

/** The label a task uses for "not a beta-lactamase". */
export function negativeLabel(task: Task): string {
  return task === 'binary' ? BINARY_NEGATIVE : NOT_BETALACTAMASE;
}

/** A job's states (docs/api.md). `expired`: finished, and its files are gone after the retention. */
export const JOB_STATUSES = [
  'queued',
  'running',
  'completed',
  'failed',
  'cancelled',
  'expired',
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
/** States a job is still working in (it may be cancelled). */
export const ACTIVE_JOB_STATUSES = ['queued', 'running'] as const satisfies readonly JobStatus[];
/** States a job never leaves on its own (only the sweeper moves them on, to `expired`). */
export const FINISHED_JOB_STATUSES = [
  'completed',
  'failed',
  'cancelled',
] as const satisfies readonly JobStatus[];

/** Formats of the prediction table. */
export const TABLE_FORMATS = ['csv', 'tsv', 'json'] as const;
export type TableFormat = (typeof TABLE_FORMATS)[number];
export const DEFAULT_TABLE_FORMAT: TableFormat = 'csv';

/** How far a protein is from the references (the prediction table's `novelty` column). */
export const NOVELTY_CLASSES = ['known', 'distant', 'novel'] as const;
export type Novelty = (typeof NOVELTY_CLASSES)[number];

/**
 * How the nearest reference was matched (the prediction table's `method`; AMRFinderPlus's words,
 * docs/prediction.md): EXACT identical over the full length, CLOSE ≥ 90% identity and ≥ 90%
 * coverage, PARTIAL ≥ 90% identity but < 90% coverage, DISTANT a significant alignment below that,
 * MODEL a β-lactamase call with no significant alignment, NONE neither.
 */
export const EVIDENCE_METHODS = ['EXACT', 'CLOSE', 'PARTIAL', 'DISTANT', 'MODEL', 'NONE'] as const;
export type EvidenceMethod = (typeof EVIDENCE_METHODS)[number];

/** Whether a β-lactamase call is a carbapenemase (the `carbapenemase` column; empty for other calls). */
export const CARBAPENEMASE_CALLS = ['yes', 'no', 'uncertain'] as const;
export type CarbapenemaseCall = (typeof CARBAPENEMASE_CALLS)[number];

/** True when `value` is one of `words` (narrows a string read from outside to the word type). */
export function isOneOf<const W extends string>(words: readonly W[], value: unknown): value is W {
  return typeof value === 'string' && (words as readonly string[]).includes(value);
}

/** Words as a message lists them: ['csv', 'tsv', 'json'] → 'csv, tsv or json'. */
export function orList(words: readonly string[]): string {
  return words.length <= 1
    ? words.join('')
    : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1] ?? ''}`;
}
