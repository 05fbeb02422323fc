// The tracking store's words and the JSON of /v1/runs, declared once for the store, the API and the web UI.
// Pure types and constants: the web bundle imports these types only (erased by the build).

/** What produced a run. A sweep's trials and a promotion gate point at their parent with parent_run_id. */
export const RUN_KINDS = ['train', 'evaluate', 'sweep', 'sweep-trial', 'promotion-gate'] as const;
export type RunKind = (typeof RUN_KINDS)[number];

/**
 * A run's states, MLflow's words. `killed`: stopped before it finished, by the user (Ctrl-C,
 * cancel) or because its process died (seen on read: docs/tracking.md).
 */
export const RUN_STATUSES = ['running', 'finished', 'failed', 'killed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** Content hashes (sha256 hex) of what a run read; null = not used by this run. */
export interface RunDataJson {
  /** One hash over the three below (and the task): equal fingerprints, equal inputs. */
  readonly fingerprint: string;
  readonly dataset: string | null;
  readonly labels: string | null;
  /** The cluster table the split grouped by (from split.clusters or computed), null without one. */
  readonly clusters: string | null;
}

export interface RunGitJson {
  readonly commit: string;
  /** Tracked files had uncommitted changes. */
  readonly dirty: boolean;
}

/** A run as GET /v1/runs and GET /v1/runs/{id} show it (docs/api.md: snake_case field names). */
export interface RunJson {
  readonly id: string;
  readonly kind: RunKind;
  readonly name: string | null;
  readonly command: string;
  readonly status: RunStatus;
  /** Why a run failed or was killed (including "its process died"). */
  readonly error: string | null;
  readonly started_at: string;
  readonly finished_at: string | null;
  /** Seconds from start to finish, or to now while running. */
  readonly duration_seconds: number | null;
  readonly parent_run_id: string | null;
  readonly tags: Readonly<Record<string, string>>;
  readonly package_version: string;
  /** The commit hash, with "+dirty" when tracked files had changes (as before issue 14). */
  readonly git_commit: string | null;
  readonly git: RunGitJson | null;
  /** Node version, platform, CPU, kernels: one-word keys. */
  readonly environment: Readonly<Record<string, string>>;
  /** data.fingerprint for runs that have it; older runs: the dataset fingerprint they recorded. */
  readonly data_fingerprint: string | null;
  readonly data: RunDataJson | null;
  /** Headline numbers written at the end (best_epoch, test_f1, model_version…). */
  readonly summary: Readonly<Record<string, unknown>> | null;
}

/** One logged value: MLflow's metric point (timestamp in ms since the epoch). */
export interface MetricPointJson {
  readonly step: number;
  readonly value: number;
  readonly timestamp: number;
}

/** GET /v1/runs/{id}/metrics: every per-step series of a run, by metric key. */
export interface RunMetricsJson {
  readonly run_id: string;
  readonly status: RunStatus;
  readonly metrics: Readonly<Record<string, readonly MetricPointJson[]>>;
}
