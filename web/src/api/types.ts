// The shapes of docs/api.md the UI reads, after parsing (see guards.ts).
import type { GateReport, JobStatus, Task } from './contract.ts';

// The words (states, tasks, formats) are declared once, in src/core/domain.ts, via contract.ts.
export type { JobStatus, Novelty, TableFormat, Task } from './contract.ts';
// The tracking store's JSON (GET /v1/runs/{id}/metrics), declared once with the server's.
export type {
  MetricPointJson,
  RunMetricsJson,
  RunStatus,
} from '../../../src/core/tracking/run-contract.ts';
// The sweeps' JSON (GET /v1/sweeps, /v1/sweeps/{id}), declared once with the server's.
export type {
  SweepAxisJson,
  SweepBestJson,
  SweepImportanceJson,
  SweepJson,
  SweepMetricJson,
  SweepParallelJson,
  SweepStatus,
  SweepSummaryJson,
  SweepTrialJson,
  TrialState,
} from '../../../src/core/sweep/sweep-contract.ts';
// The drift reports' JSON (GET /v1/drift, /v1/drift/latest, /v1/drift/reports/{id}), declared once with the server's.
export type {
  DriftCheckJson,
  DriftHistogramJson,
  DriftHistoryItemJson,
  DriftHistoryJson,
  DriftReportJson,
  DriftTrigger,
  FeatureVerdict,
} from '../../../src/core/drift/drift-contract.ts';
export type {
  GateReport,
  PromoteBody,
  PromoteResponse,
  RollbackBody,
  RollbackResponse,
} from './contract.ts';

export interface JobError {
  readonly code: string;
  readonly reason: string;
  readonly detail: string;
}

export interface Job {
  readonly id: string;
  readonly status: JobStatus;
  readonly task: Task;
  readonly progress: number;
  readonly proteins_done: number | null;
  readonly proteins_total: number | null;
  readonly input_name: string | null;
  readonly model_version: string | null;
  readonly created_at: string | null;
  readonly finished_at: string | null;
  /** When the input and results are (or were) deleted; the record stays, as `expired`. */
  readonly expires_at: string | null;
  readonly error: JobError | null;
  readonly summary: {
    readonly counts: Readonly<Record<string, number>>;
    readonly novelty: Readonly<Record<string, number>>;
  } | null;
  readonly links: {
    readonly self: string;
    readonly events: string;
    readonly results: string;
    readonly map: string;
  };
}

export interface Problem {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly hint: string | null;
  readonly reason: string | null;
  readonly code: string | null;
}

export interface ReferenceMap {
  readonly model_version: string;
  readonly labels: readonly string[];
  readonly references: readonly { id: string; label: string; x: number; y: number }[];
}

export interface QueryMap {
  readonly model_version: string | null;
  readonly queries: readonly {
    id: string;
    predicted_label: string;
    novelty: string | null;
    x: number;
    y: number;
  }[];
}

export interface ModelInfo {
  readonly version: string;
  readonly task: string;
  readonly aliases: readonly string[];
  readonly created_at: string | null;
  readonly run_id: string | null;
  /** Flat numeric metrics (nested objects flattened with dots). */
  readonly metrics: Readonly<Record<string, number>>;
  /** Free-form key=value tags. */
  readonly tags: Readonly<Record<string, string>>;
  /** The promotion gates run for this version, oldest first (as the server stores them). */
  readonly gates: readonly GateReport[];
}

export interface RunPlot {
  readonly name: string;
  readonly png: string | null;
  readonly svg: string | null;
}

export interface RunInfo {
  readonly id: string;
  /** train, evaluate, sweep, sweep-trial, promotion-gate (runs before issue 14: train). */
  readonly kind: string;
  readonly parent_run_id: string | null;
  readonly status: string;
  readonly task: string | null;
  readonly started_at: string | null;
  readonly finished_at: string | null;
  readonly command: string | null;
  readonly model_version: string | null;
  /** Headline numbers (run summary or metrics), flattened. */
  readonly summary: Readonly<Record<string, number>>;
}

export interface RunDetail extends RunInfo {
  readonly metrics: Readonly<Record<string, number>>;
  /** Per-class scores of the test set, if the run reports them. */
  readonly perClass: readonly {
    label: string;
    precision: number;
    recall: number;
    f1: number;
    support: number;
  }[];
  readonly plots: readonly RunPlot[];
}
