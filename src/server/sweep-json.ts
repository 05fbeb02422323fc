// The JSON of /v1/sweeps: a sweep's state.json (and its tracked run's liveness) in the contract of src/core/sweep/sweep-contract.ts.
import type {
  SweepBestJson,
  SweepJson,
  SweepStatus,
  SweepSummaryJson,
  SweepTrialJson,
} from '../core/sweep/sweep-contract.ts';
import { TRIAL_STATES } from '../core/sweep/sweep-contract.ts';
import { trialBest } from '../core/sweep/bayes.ts';
import type { SweepSpec, TrialState } from '../core/sweep/types.ts';
import type { RunRecord } from '../pipeline/ports.ts';
import type { SweepState, TrialRecord } from '../pipeline/sweep/run-sweep.ts';
import { sweepBest } from '../pipeline/sweep/run-sweep.ts';
import { sweepReportData } from '../pipeline/sweep/sweep-report.ts';

export type { SweepJson, SweepSummaryJson };

const finite = (v: number | undefined): number | null =>
  v !== undefined && Number.isFinite(v) ? v : null;

/**
 * A sweep whose state.json still says running is read through its tracked run: when that run
 * reads as killed or failed (its process is gone, docs/tracking.md), the sweep is interrupted and
 * its running trials were killed with it. Without a run (sweeps made before it), as recorded.
 */
function liveness(
  state: SweepState,
  run: RunRecord | undefined,
): { status: SweepStatus; error: string | null } {
  if (state.status === 'running' && run !== undefined && run.status !== 'running') {
    return {
      status: 'interrupted',
      error: `${run.error ?? `its run ended ${run.status}`}; resume with 'arginator sweep --resume ${state.id}'`,
    };
  }
  return { status: state.status, error: null };
}

function trialState(t: TrialRecord, status: SweepStatus): TrialState {
  return status === 'interrupted' && t.state === 'running' ? 'killed' : t.state;
}

function bestJson(spec: SweepSpec, state: SweepState): SweepBestJson | null {
  const best = sweepBest(spec, state);
  return best === undefined
    ? null
    : {
        trial: best.trial.index,
        value: best.value,
        run_id: best.trial.runId ?? null,
        params: best.trial.params,
        overrides: best.trial.overrides,
      };
}

export function sweepSummaryJson(
  spec: SweepSpec,
  state: SweepState,
  run: RunRecord | undefined,
): SweepSummaryJson {
  const { status, error } = liveness(state, run);
  const counts = Object.fromEntries(TRIAL_STATES.map((s) => [s, 0])) as Record<TrialState, number>;
  for (const t of state.trials) {
    counts[trialState(t, status)] += 1;
  }
  return {
    id: state.id,
    name: spec.name ?? null,
    method: spec.method,
    metric:
      spec.metric === undefined
        ? null
        : { name: spec.metric.name, goal: spec.metric.goal, target: spec.metric.target ?? null },
    status,
    error,
    created_at: state.createdAt,
    updated_at: state.updatedAt,
    run_cap: state.runCap,
    parallel: state.parallel,
    seed: state.seed,
    source: state.source,
    trials_total: state.trials.length,
    trial_states: counts,
    best: bestJson(spec, state),
    end_reason: state.endReason ?? null,
    run: run === undefined ? null : { id: run.id, status: run.status },
  };
}

function trialJson(spec: SweepSpec, t: TrialRecord, status: SweepStatus): SweepTrialJson {
  const s = t.suggestion;
  return {
    index: t.index,
    state: trialState(t, status),
    params: t.params,
    value: spec.metric === undefined ? null : finite(trialBest(t, spec.metric.goal)),
    history: t.history.map((v) => finite(v)),
    run_id: t.runId ?? null,
    attempts: t.attempts,
    started_at: t.startedAt ?? null,
    finished_at: t.finishedAt ?? null,
    error: t.error ?? null,
    stop_reason: t.stopReason ?? null,
    overrides: t.overrides,
    suggestion:
      s === undefined
        ? null
        : {
            mode: s.mode,
            predicted_value: finite(s.predictedValue),
            predicted_std: finite(s.predictedStd),
            expected_improvement: finite(s.expectedImprovement),
            probability_of_improvement: finite(s.probabilityOfImprovement),
            length_scale: finite(s.lengthScale),
          },
  };
}

type ReportData = ReturnType<typeof sweepReportData>;

/**
 * The report data (importance forest, parallel coordinates) depends only on the ended trials:
 * it is computed once per change of them, not on every poll (a 100-tree forest on 100 trials
 * takes about half a second on the shared 2-core machine).
 */
export class SweepReportCache {
  private readonly entries = new Map<string, { key: string; data: ReportData }>();
  private readonly capacity: number;

  constructor(capacity = 32) {
    this.capacity = capacity;
  }

  get(spec: SweepSpec, state: SweepState): ReportData {
    const key = [
      state.seed,
      state.specText,
      ...state.trials
        .filter((t) => t.state === 'finished' || t.state === 'stopped')
        .map((t) => `${t.index}:${t.state}:${String(t.final)}:${t.history.join(' ')}`),
    ].join('\n');
    const hit = this.entries.get(state.id);
    if (hit?.key === key) {
      return hit.data;
    }
    const data = sweepReportData(spec, state);
    this.entries.delete(state.id);
    this.entries.set(state.id, { key, data });
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) {
        this.entries.delete(oldest);
      }
    }
    return data;
  }
}

/** One sweep: the summary, its configuration, every trial, importance and the parallel-coordinates data. */
export function sweepJson(
  spec: SweepSpec,
  state: SweepState,
  run: RunRecord | undefined,
  cache: SweepReportCache = new SweepReportCache(1),
): SweepJson {
  const summary = sweepSummaryJson(spec, state, run);
  const data = cache.get(spec, state);
  const e = spec.earlyTerminate;
  const self = `/v1/sweeps/${encodeURIComponent(state.id)}`;
  return {
    ...summary,
    description: spec.description ?? null,
    spec_text: state.specText,
    parameters: spec.parameters,
    early_terminate:
      e === undefined
        ? null
        : {
            type: e.type,
            min_iter: e.minIter ?? null,
            max_iter: e.maxIter ?? null,
            s: e.s ?? null,
            eta: e.eta,
            strict: e.strict,
          },
    base_overrides: state.baseOverrides,
    notes: state.notes,
    warnings: state.warnings,
    trials: state.trials.map((t) => trialJson(spec, t, summary.status)),
    importance: data.importance.map((r) => ({
      name: r.name,
      importance: r.importance,
      correlation: finite(r.correlation),
    })),
    parallel_coordinates: {
      axes: data.parallel.axes,
      trials: data.parallel.trials.map((t) => ({
        trial: t.trial,
        positions: t.positions,
        labels: t.labels,
        value: t.metric,
      })),
    },
    links: {
      self,
      report_md: `${self}/report.md`,
      report_html: `${self}/report.html`,
      run: run === undefined ? null : `/v1/runs/${encodeURIComponent(run.id)}`,
    },
  };
}
