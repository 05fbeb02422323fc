// Ports the use cases need from the outside world; adapters in src/store and src/io implement them.

/** Wall-clock time, injectable so runs are testable. */
export interface Clock {
  now(): Date;
}

/** Where a use case reports progress: a fraction in [0,1] (or undefined) and a human message. */
export type ProgressSink = (fraction: number | undefined, message: string) => void;

export type RunStatus = 'running' | 'completed' | 'cancelled' | 'failed';

/** What a run folder holds in run.json. */
export interface RunRecord {
  readonly id: string;
  readonly command: string;
  readonly status: RunStatus;
  readonly startedAt: string;
  readonly finishedAt?: string | undefined;
  readonly packageVersion: string;
  readonly gitCommit?: string | undefined;
  readonly environment: Readonly<Record<string, string>>;
  readonly dataFingerprint?: string | undefined;
  readonly summary?: Readonly<Record<string, unknown>> | undefined;
  readonly error?: string | undefined;
}

/** One open run: files go into its folder as the run proceeds. */
export interface RunHandle {
  readonly id: string;
  readonly dir: string;
  writeJson(name: string, value: unknown): Promise<void>;
  writeText(name: string, text: string): Promise<void>;
  writeBytes(name: string, bytes: Uint8Array): Promise<void>;
  /** Appends one JSON line to metrics.jsonl. */
  appendMetrics(row: Readonly<Record<string, unknown>>): Promise<void>;
  finish(
    status: Exclude<RunStatus, 'running'>,
    details: { summary?: Record<string, unknown>; error?: string },
  ): Promise<RunRecord>;
}

export interface RunTracker {
  start(record: Omit<RunRecord, 'id' | 'status' | 'startedAt'>): Promise<RunHandle>;
  list(): Promise<RunRecord[]>;
  get(id: string): Promise<RunRecord>;
  /** Absolute path of a file inside a run folder (for plots and artifacts shown to users). */
  pathOf(id: string, name: string): string;
  readJson(id: string, name: string): Promise<unknown>;
}
