// Ports the use cases need from the outside world; adapters in src/store and src/io implement them.
import type { RunKind, RunStatus } from '../core/tracking/run-contract.ts';

/** Wall-clock time, injectable so runs are testable. */
export interface Clock {
  now(): Date;
}

/** Where a use case reports progress: a fraction in [0,1] (or undefined) and a human message. */
export type ProgressSink = (fraction: number | undefined, message: string) => void;

export type { RunKind, RunStatus } from '../core/tracking/run-contract.ts';

/** Statuses of runs written before issue 14, still accepted by finish() and normalised on read. */
export type LegacyRunStatus = 'completed' | 'cancelled';

/** Content hashes of what a run read (sha256 hex); null = not used. */
export interface RunData {
  /** One hash over dataset, labels, clusters (and task): equal fingerprints, equal inputs. */
  readonly fingerprint: string;
  readonly dataset: string | null;
  readonly labels: string | null;
  /** The cluster table the split grouped by (a clusters file or computed clusters). */
  readonly clusters: string | null;
}

/** Which process runs a run, so a reader can tell a live run from one whose process died. */
export interface RunProcess {
  readonly pid: number;
  readonly host: string;
  /** Process start time in clock ticks since boot (Linux /proc/PID/stat), against pid reuse. */
  readonly startTicks?: number | undefined;
}

/** What a run folder holds in run.json. */
export interface RunRecord {
  readonly id: string;
  /** Absent in runs written before issue 14: read as 'train'. */
  readonly kind: RunKind;
  /** A human name (MLflow's mlflow.runName); the id when absent. */
  readonly name?: string | undefined;
  readonly command: string;
  readonly status: RunStatus;
  readonly startedAt: string;
  readonly finishedAt?: string | undefined;
  /** Seconds from start to finish; on read of a running run, to now. */
  readonly durationSeconds?: number | undefined;
  /** A sweep trial's sweep, a gate's candidate run… */
  readonly parentRunId?: string | undefined;
  readonly tags?: Readonly<Record<string, string>> | undefined;
  /** The resolved config (on read of older runs: config.json's config). */
  readonly params?: Readonly<Record<string, unknown>> | undefined;
  readonly packageVersion: string;
  /** The commit hash, with "+dirty" when tracked files had changes (the pre-issue-14 field). */
  readonly gitCommit?: string | undefined;
  /** Absent outside a git checkout. */
  readonly git?: { readonly commit: string; readonly dirty: boolean } | undefined;
  readonly environment: Readonly<Record<string, string>>;
  /** data.fingerprint when data is known; older runs: the dataset content fingerprint. */
  readonly dataFingerprint?: string | undefined;
  readonly data?: RunData | undefined;
  readonly process?: RunProcess | undefined;
  readonly summary?: Readonly<Record<string, unknown>> | undefined;
  readonly error?: string | undefined;
}

/** What a caller gives to start a run (the tracker adds id, status, start time and process). */
export type RunInit = Omit<
  RunRecord,
  'id' | 'status' | 'startedAt' | 'finishedAt' | 'durationSeconds' | 'kind' | 'process'
> & {
  readonly kind?: RunKind | undefined;
  /**
   * The caller's id (a sweep's run has the sweep's id, so its trials' parent names both). When a
   * run with this id exists it is resumed, as MLflow's start_run(run_id): running again, in this
   * process, with its start time and metrics kept.
   */
  readonly id?: string | undefined;
};

/** One logged value at a step, as MLflow logs it (timestamp: ms since the epoch). */
export interface MetricPoint {
  readonly key: string;
  readonly value: number;
  readonly step: number;
  readonly timestamp: number;
}

/** A file of a run folder other than run.json and metrics.jsonl. */
export interface RunArtifact {
  /** Relative to the run folder, with '/'. */
  readonly path: string;
  readonly bytes: number;
}

/** One open run: files go into its folder as the run proceeds. */
export interface RunHandle {
  readonly id: string;
  readonly dir: string;
  writeJson(name: string, value: unknown): Promise<void>;
  writeText(name: string, text: string): Promise<void>;
  writeBytes(name: string, bytes: Uint8Array): Promise<void>;
  /** Appends one point per finite number of `values` at `step` to metrics.jsonl. */
  logMetrics(step: number, values: Readonly<Record<string, number>>): Promise<void>;
  /**
   * Logs a row of numbers at its `step` (or `epoch`) field: logMetrics for callers written before
   * issue 14. Non-numeric fields are ignored.
   */
  appendMetrics(row: Readonly<Record<string, unknown>>): Promise<void>;
  /** Adds tags and facts learnt while running (data hashes, params); rewrites run.json. */
  update(patch: {
    tags?: Readonly<Record<string, string>>;
    data?: RunData;
    params?: Readonly<Record<string, unknown>>;
  }): Promise<RunRecord>;
  finish(
    status: Exclude<RunStatus, 'running'> | LegacyRunStatus,
    details: { summary?: Record<string, unknown>; error?: string },
  ): Promise<RunRecord>;
}

export interface RunTracker {
  /** A new run, or (init.id of an existing run) that run resumed. */
  start(record: RunInit): Promise<RunHandle>;
  /** Oldest first. A running run whose process is gone reads as killed. */
  list(): Promise<RunRecord[]>;
  get(id: string): Promise<RunRecord>;
  /** Every logged point of a run, in logging order (older runs' per-epoch rows as points). */
  metrics(id: string): Promise<MetricPoint[]>;
  /** The files of a run folder (model, plots, config, split…), sorted by path. */
  artifacts(id: string): Promise<RunArtifact[]>;
  /** Absolute path of a file inside a run folder (for plots and artifacts shown to users). */
  pathOf(id: string, name: string): string;
  readJson(id: string, name: string): Promise<unknown>;
}
