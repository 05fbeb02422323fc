// Use case: promote a registered model to an alias (champion by default) through a gate: benchmark quality against the current holder, and latency.
import { ArginatorError } from '../core/errors.ts';
import type { Prediction } from '../core/model/predictor.ts';
import type { ProteinRecord } from '../core/sequence/protein-record.ts';
import { scoreCalls } from './evaluate-model.ts';
import type { CatalogIndex, GateReport, ModelCatalog, ResolvedModel } from './model-catalog.ts';
import { CHAMPION, scopedAlias } from './model-catalog.ts';
import type { RunInit, RunTracker } from './ports.ts';
import type { PredictionModel } from './predict.ts';
import { withTrackedRun } from './tracked-run.ts';

/** The fixed benchmark: the test proteins of a published split with their true labels. */
export interface GateBenchmark {
  /** The split file, as shown in the report. */
  readonly split: string;
  readonly records: readonly ProteinRecord[];
  /** True label of each record, in the task's words (A–D, NBL; Betalactamase / Non-Betalactamase). */
  readonly labels: readonly string[];
}

export interface GateSettings {
  readonly f1Tolerance: number;
  readonly maxLatencyMs: number;
  readonly latencyProteins: number;
  readonly latencyRuns: number;
}

/** A model borrowed for the gate; `release` closes it if the gate loaded it itself. */
export interface GateModel {
  readonly model: PredictionModel;
  release(): Promise<void>;
}

export interface PromotionDeps {
  readonly catalog: ModelCatalog;
  /** Loads a registered model adapted to its own task (the sha256 check included). */
  readonly load: (entry: ResolvedModel) => Promise<GateModel>;
  /** The benchmark of a task (its labels), e.g. read once and kept. */
  readonly benchmark: (task: string) => Promise<GateBenchmark>;
  /** Predicts records with a model, in order (inline in the CLI, through the batcher in the server). */
  readonly predict: (
    model: PredictionModel,
    records: readonly ProteinRecord[],
  ) => Promise<readonly Prediction[]>;
  readonly settings: GateSettings;
  readonly now: () => Date;
  /** Milliseconds from an arbitrary origin (performance.now). */
  readonly clockMs: () => number;
  /**
   * Where each gate is recorded as a run of kind promotion-gate (docs/tracking.md), with the
   * process's environment; absent: the report is stored with the version only.
   */
  readonly runs?:
    | {
        readonly tracker: RunTracker;
        readonly environment: Pick<RunInit, 'packageVersion' | 'gitCommit' | 'git' | 'environment'>;
      }
    | undefined;
}

export interface PromotionRequest {
  /** Version or alias of the candidate. */
  readonly ref: string;
  /** Alias name (default champion); scoped to the candidate's task. */
  readonly alias?: string | undefined;
  /** Promote even if the gate fails; the report records the override. */
  readonly force?: boolean | undefined;
  /** Called once the candidate is loaded and passed, before the alias moves (the server warms it). */
  readonly beforeSwitch?: ((entry: ResolvedModel) => Promise<void>) | undefined;
}

export interface PromotionOutcome {
  readonly report: GateReport;
  readonly index: CatalogIndex;
}

/** The error of a refused promotion: the one-line reason (CLI exit 3, HTTP 409). */
export function gateFailedError(report: GateReport): ArginatorError {
  return new ArginatorError(
    'BAD_INPUT',
    'registry.gate-failed',
    `promotion of ${report.version} to ${report.alias} refused: ${report.reasons.join('; ')}`,
    'train a better model, raise registry.gate_f1_tolerance / registry.gate_max_latency_ms, or promote with --force (recorded in the gate report)',
  );
}

/**
 * Runs the gate for `request.ref` against the alias's current holder and moves the alias when it
 * passes (or when forced). The report is stored with the candidate either way.
 */
export async function promoteModel(
  deps: PromotionDeps,
  request: PromotionRequest,
): Promise<PromotionOutcome> {
  const index = await deps.catalog.index();
  const entry = deps.catalog.locate(index, request.ref);
  const alias = scopedAlias(request.alias ?? CHAMPION, entry.task);
  const baselineVersion = index.aliases[alias];
  if (baselineVersion === entry.version) {
    throw new ArginatorError(
      'USAGE',
      'registry.already-promoted',
      `${entry.version} is ${alias} already`,
      "see 'arginator models list'",
    );
  }
  const gate = () => runGate(deps, entry, alias, baselineVersion, request.force === true);
  const tracked = deps.runs;
  const report =
    tracked === undefined
      ? await gate()
      : (
          await withTrackedRun(
            tracked.tracker,
            {
              ...tracked.environment,
              kind: 'promotion-gate',
              name: `gate ${entry.version} → ${alias}`,
              command: `models promote ${entry.version} --alias ${alias}${request.force === true ? ' --force' : ''}`,
              params: {
                candidate: entry.version,
                alias,
                baseline: baselineVersion ?? null,
                ...deps.settings,
              },
              tags: {
                candidate: entry.version,
                alias,
                ...(baselineVersion === undefined ? {} : { baseline: baselineVersion }),
              },
            },
            async (run) => {
              const r = await gate();
              await run.writeJson('gate-report.json', r);
              return {
                value: r,
                summary: {
                  passed: r.passed,
                  forced: r.forced,
                  candidate_f1: r.quality.candidate,
                  baseline_f1: r.quality.baseline ?? null,
                  candidate_latency_ms: r.latency.candidateMs,
                  reasons: r.reasons,
                },
              };
            },
          )
        ).value;
  if (!report.passed && !report.forced) {
    await deps.catalog.recordGate(report);
    throw gateFailedError(report);
  }
  await request.beforeSwitch?.(entry);
  const updated = await deps.catalog.setAlias(alias, entry.version, { gate: report });
  return { report, index: updated };
}

async function runGate(
  deps: PromotionDeps,
  entry: ResolvedModel,
  alias: string,
  baselineVersion: string | undefined,
  force: boolean,
): Promise<GateReport> {
  const s = deps.settings;
  const benchmark = await deps.benchmark(entry.task);
  if (benchmark.records.length === 0) {
    throw new ArginatorError(
      'CONFIG',
      'registry.empty-benchmark',
      `the gate's benchmark ${benchmark.split} has no test proteins in the dataset`,
      'point registry.gate_split at a split.json whose test ids are in paths.dataset',
    );
  }
  const candidate = await deps.load(entry);
  try {
    const baseline =
      baselineVersion === undefined
        ? undefined
        : await deps.load(deps.catalog.locate(await deps.catalog.index(), baselineVersion));
    try {
      const fixed = benchmark.records.slice(0, s.latencyProteins);
      const candidateF1 = await f1Of(deps, candidate.model, benchmark);
      const baselineF1 =
        baseline === undefined ? undefined : await f1Of(deps, baseline.model, benchmark);
      const candidateMs = await medianMs(deps, candidate.model, fixed, s.latencyRuns);
      const baselineMs =
        baseline === undefined
          ? undefined
          : await medianMs(deps, baseline.model, fixed, s.latencyRuns);
      const qualityPassed =
        baselineF1 === undefined || candidateF1.f1 >= baselineF1.f1 - s.f1Tolerance;
      const latencyPassed = candidateMs <= s.maxLatencyMs;
      const reasons: string[] = [];
      if (!qualityPassed) {
        reasons.push(
          `test F1 ${candidateF1.f1.toFixed(4)} is more than ${s.f1Tolerance} below ${baselineVersion}'s ${baselineF1.f1.toFixed(4)} on ${benchmark.records.length} proteins of ${benchmark.split}`,
        );
      }
      if (!latencyPassed) {
        reasons.push(
          `median latency ${candidateMs.toFixed(1)} ms on ${fixed.length} proteins exceeds registry.gate_max_latency_ms ${s.maxLatencyMs}`,
        );
      }
      const passed = reasons.length === 0;
      return {
        version: entry.version,
        alias,
        baseline: baselineVersion,
        at: deps.now().toISOString(),
        passed,
        forced: !passed && force,
        reasons,
        quality: {
          split: benchmark.split,
          proteins: benchmark.records.length,
          metric: candidateF1.metric,
          candidate: candidateF1.f1,
          baseline: baselineF1?.f1,
          tolerance: s.f1Tolerance,
          passed: qualityPassed,
        },
        latency: {
          proteins: fixed.length,
          runs: s.latencyRuns,
          candidateMs,
          baselineMs,
          maxMs: s.maxLatencyMs,
          passed: latencyPassed,
        },
      };
    } finally {
      await baseline?.release();
    }
  } finally {
    await candidate.release();
  }
}

async function f1Of(
  deps: PromotionDeps,
  model: PredictionModel,
  benchmark: GateBenchmark,
): Promise<{ f1: number; metric: 'macro_f1' | 'binary_f1' }> {
  // Scored as `arginator evaluate` scores (pipeline/evaluate-model.ts).
  const { report } = scoreCalls(
    model,
    benchmark.labels,
    await deps.predict(model, benchmark.records),
  );
  return { f1: report.f1, metric: report.f1Average === 'binary' ? 'binary_f1' : 'macro_f1' };
}

/** Median wall time of `runs` predictions of `records`, after one untimed warm-up. */
async function medianMs(
  deps: PromotionDeps,
  model: PredictionModel,
  records: readonly ProteinRecord[],
  runs: number,
): Promise<number> {
  await deps.predict(model, records);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = deps.clockMs();
    await deps.predict(model, records);
    times.push(deps.clockMs() - started);
  }
  times.sort((a, b) => a - b);
  const mid = Math.floor(times.length / 2);
  return times.length % 2 === 1
    ? (times[mid] as number)
    : ((times[mid - 1] as number) + (times[mid] as number)) / 2;
}
