// The registry's words in the API contract: the model JSON, the gate report, and the bodies of the registry actions (the web UI imports these types).

/** What one promotion gate measured and decided; stored with the version it promoted (or refused). */
export interface GateReport {
  readonly version: string;
  /** The alias the promotion was for, scoped (`champion:multiclass`). */
  readonly alias: string;
  /** The version the candidate was compared with (the alias's current holder), if any. */
  readonly baseline: string | undefined;
  readonly at: string;
  readonly passed: boolean;
  /** True when `--force` promoted a version whose gate failed (the override is recorded here). */
  readonly forced: boolean;
  /** One line per failed check; empty when every check passed. */
  readonly reasons: readonly string[];
  readonly quality: {
    /** The benchmark split file and the number of its test proteins that were scored. */
    readonly split: string;
    readonly proteins: number;
    /** Macro F1 over the classes; binary models: F1 of the positive class. */
    readonly metric: 'macro_f1' | 'binary_f1';
    readonly candidate: number;
    readonly baseline: number | undefined;
    readonly tolerance: number;
    readonly passed: boolean;
  };
  readonly latency: {
    /** Proteins in the fixed input (the first test proteins of the split, in file order). */
    readonly proteins: number;
    readonly runs: number;
    /** Median wall time of one prediction of the fixed input, milliseconds. */
    readonly candidateMs: number;
    readonly baselineMs: number | undefined;
    readonly maxMs: number;
    readonly passed: boolean;
  };
}

/** A model as GET /v1/models and the registry actions return it. */
export interface ModelJson {
  readonly version: string;
  readonly task: string;
  /** Scoped aliases pointing at this version: latest:<task>, champion:<task>, challenger:<task>, … */
  readonly aliases: readonly string[];
  readonly created_at: string;
  readonly run_id: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly metrics: Readonly<Record<string, unknown>>;
  readonly tags: Readonly<Record<string, string>>;
  /** Every gate run for this version, oldest first. */
  readonly gates: readonly GateReport[];
}

/** POST /v1/models/{version}/promote */
export interface PromoteBody {
  /** Alias name (default champion); scoped to the model's task. */
  readonly alias?: string;
  /** Promote even if the gate fails (recorded in the report). */
  readonly force?: boolean;
}

export interface PromoteResponse {
  readonly report: GateReport;
  readonly model: ModelJson;
}

/** POST /v1/models/rollback */
export interface RollbackBody {
  readonly alias?: string;
  readonly task?: 'binary' | 'multiclass';
}

export interface RollbackResponse {
  readonly alias: string;
  readonly from: string;
  /** null: the alias is unset again (serving falls back to latest:<task>). */
  readonly to: string | null;
}

/** POST /v1/models/{version}/tags; an empty value removes a tag. */
export interface TagsBody {
  readonly tags: Readonly<Record<string, string>>;
}
