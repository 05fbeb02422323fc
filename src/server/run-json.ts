// The JSON of /v1/runs and /v1/runs/{id}: run.json records and metrics.json, field by field in snake_case.
import { z } from 'zod';

import type { MetricPointJson, RunJson, RunMetricsJson } from '../core/tracking/run-contract.ts';
import type { MetricPoint, RunRecord } from '../pipeline/ports.ts';

export type { MetricPointJson, RunJson, RunMetricsJson };

/** run.json → the API's run (src/core/tracking/run-contract.ts, shared with the web UI). */
export function runJson(run: RunRecord): RunJson {
  return {
    id: run.id,
    kind: run.kind,
    name: run.name ?? null,
    command: run.command,
    status: run.status,
    error: run.error ?? null,
    started_at: run.startedAt,
    finished_at: run.finishedAt ?? null,
    duration_seconds:
      run.durationSeconds === undefined ? null : Number(run.durationSeconds.toFixed(3)),
    parent_run_id: run.parentRunId ?? null,
    tags: run.tags ?? {},
    package_version: run.packageVersion,
    git_commit: run.gitCommit ?? null,
    git: run.git ?? null,
    environment: run.environment,
    data_fingerprint: run.data?.fingerprint ?? run.dataFingerprint ?? null,
    data: run.data ?? null,
    summary: run.summary ?? null,
  };
}

/** Every per-step series of a run, by key, in step order (ties: logging order). */
export function runMetricSeries(run: RunRecord, points: readonly MetricPoint[]): RunMetricsJson {
  const series: Record<string, MetricPointJson[]> = {};
  for (const p of points) {
    (series[p.key] ??= []).push({ step: p.step, value: p.value, timestamp: p.timestamp });
  }
  for (const list of Object.values(series)) {
    list.sort((a, b) => a.step - b.step);
  }
  return { run_id: run.id, status: run.status, metrics: series };
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
