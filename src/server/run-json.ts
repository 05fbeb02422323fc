// The JSON of /v1/runs and /v1/runs/{id}: run.json records and metrics.json, field by field in snake_case.
import { z } from 'zod';

import type { RunRecord } from '../pipeline/ports.ts';

/** A run as the API shows it (docs/api.md: all JSON field names are snake_case). */
export interface RunJson {
  readonly id: string;
  readonly command: string;
  readonly status: string;
  readonly started_at: string;
  readonly finished_at: string | null;
  readonly package_version: string;
  readonly git_commit: string | null;
  /** Node version, platform, CPU, kernels: one-word keys. */
  readonly environment: Readonly<Record<string, string>>;
  readonly data_fingerprint: string | null;
  /** Written by the train use case with snake_case keys (best_epoch, test_f1, model_version…). */
  readonly summary: Readonly<Record<string, unknown>> | null;
  readonly error: string | null;
}

export function runJson(run: RunRecord): RunJson {
  return {
    id: run.id,
    command: run.command,
    status: run.status,
    started_at: run.startedAt,
    finished_at: run.finishedAt ?? null,
    package_version: run.packageVersion,
    git_commit: run.gitCommit ?? null,
    environment: run.environment,
    data_fingerprint: run.dataFingerprint ?? null,
    summary: run.summary ?? null,
    error: run.error ?? null,
  };
}

// metrics.json (pipeline/train.ts): its own keys are snake_case; the nested classification reports
// and calibration (core/metrics) are camelCase. Parsed leniently: older runs lack some fields.
const scores = z.object({ precision: z.number(), recall: z.number(), f1: z.number() });
const classScores = scores.extend({ label: z.string(), support: z.number() });
const report = z.object({
  labels: z.array(z.string()).optional(),
  n: z.number().optional(),
  accuracy: z.number().optional(),
  mcc: z.number().optional(),
  perClass: z.array(classScores).optional(),
  macro: scores.optional(),
  weighted: scores.optional(),
  binary: classScores.extend({ index: z.number() }).nullable().optional(),
  f1: z.number().optional(),
  f1Average: z.string().optional(),
  confusionMatrix: z.array(z.array(z.number())).optional(),
});
const reliability = z.object({
  n: z.number().optional(),
  bins: z
    .array(
      z.object({
        lower: z.number(),
        upper: z.number(),
        count: z.number(),
        meanConfidence: z.number(),
        accuracy: z.number(),
      }),
    )
    .optional(),
  ece: z.number().optional(),
  mce: z.number().optional(),
});
const metricsSchema = z.object({
  best_epoch: z.number().optional(),
  epochs_run: z.number().optional(),
  stopped_early: z.boolean().optional(),
  cancelled: z.boolean().optional(),
  split: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  test: report.optional(),
  test_roc_auc: z.number().nullable().optional(),
  test_average_precision: z.number().nullable().optional(),
  fusion: z.object({ alpha: z.number(), temperature: z.number(), nll: z.number() }).optional(),
  test_classifier_only: report.optional(),
  test_homology_only: report.nullable().optional(),
  calibration: z
    .object({
      temperature: z.number().optional(),
      eceBefore: z.number().optional(),
      eceAfter: z.number().optional(),
      before: reliability.optional(),
      after: reliability.optional(),
    })
    .optional(),
});

type Report = z.infer<typeof report>;
type Reliability = z.infer<typeof reliability>;

function reportJson(r: Report): Record<string, unknown> {
  return {
    labels: r.labels,
    n: r.n,
    accuracy: r.accuracy,
    mcc: r.mcc,
    per_class: r.perClass,
    macro: r.macro,
    weighted: r.weighted,
    binary: r.binary,
    f1: r.f1,
    f1_average: r.f1Average,
    confusion_matrix: r.confusionMatrix,
  };
}

function reliabilityJson(d: Reliability): Record<string, unknown> {
  return {
    n: d.n,
    bins: d.bins?.map((b) => ({
      lower: b.lower,
      upper: b.upper,
      count: b.count,
      mean_confidence: b.meanConfidence,
      accuracy: b.accuracy,
    })),
    ece: d.ece,
    mce: d.mce,
  };
}

/** metrics.json in snake_case (absent fields stay absent), or null when it has another shape. */
export function runMetricsJson(metrics: unknown): Record<string, unknown> | null {
  const parsed = metricsSchema.safeParse(metrics);
  if (!parsed.success) {
    return null;
  }
  const m = parsed.data;
  const c = m.calibration;
  return {
    best_epoch: m.best_epoch,
    epochs_run: m.epochs_run,
    stopped_early: m.stopped_early,
    cancelled: m.cancelled,
    split: m.split,
    test: m.test === undefined ? undefined : reportJson(m.test),
    test_roc_auc: m.test_roc_auc,
    test_average_precision: m.test_average_precision,
    fusion: m.fusion,
    test_classifier_only:
      m.test_classifier_only === undefined ? undefined : reportJson(m.test_classifier_only),
    test_homology_only:
      m.test_homology_only == null ? m.test_homology_only : reportJson(m.test_homology_only),
    calibration:
      c === undefined
        ? undefined
        : {
            temperature: c.temperature,
            ece_before: c.eceBefore,
            ece_after: c.eceAfter,
            before: c.before === undefined ? undefined : reliabilityJson(c.before),
            after: c.after === undefined ? undefined : reliabilityJson(c.after),
          },
  };
}
