// Parsing of GET /v1/sweeps and /v1/sweeps/{id} into the contract's types: states checked against the UI's word lists, numbers finite or null.
import { isOneOf, SWEEP_STATUSES, TRIAL_STATES } from './contract.ts';
import type { TrialState } from './contract.ts';
import { isObj, ShapeError } from './guards.ts';
import type {
  SweepBestJson,
  SweepJson,
  SweepParallelJson,
  SweepSummaryJson,
  SweepTrialJson,
} from './types.ts';

type Obj = Readonly<Record<string, unknown>>;
type Param = SweepBestJson['params'][string];

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const count = (v: unknown): number => Math.max(0, Math.trunc(num(v) ?? 0));
const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.flatMap((x) => (typeof x === 'string' ? [x] : [])) : [];
const objects = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);

function reqStr(o: Obj, what: string, key: string): string {
  const v = str(o[key]);
  if (v === null) {
    throw new ShapeError(`${what}: missing '${key}'`);
  }
  return v;
}

function params(v: unknown): Record<string, Param> {
  return isObj(v) ? (v as Record<string, Param>) : {};
}

function best(v: unknown): SweepBestJson | null {
  if (!isObj(v)) {
    return null;
  }
  const trial = num(v['trial']);
  const value = num(v['value']);
  return trial === null || value === null
    ? null
    : {
        trial,
        value,
        run_id: str(v['run_id']),
        params: params(v['params']),
        overrides: strings(v['overrides']),
      };
}

export function parseSweepSummary(v: unknown): SweepSummaryJson {
  if (!isObj(v)) {
    throw new ShapeError('sweep: expected an object');
  }
  const id = reqStr(v, 'sweep', 'id');
  const status = v['status'];
  if (!isOneOf(SWEEP_STATUSES, status)) {
    throw new ShapeError(`sweep ${id}: unknown status '${String(status)}'`);
  }
  const method = v['method'];
  if (method !== 'grid' && method !== 'random' && method !== 'bayes') {
    throw new ShapeError(`sweep ${id}: unknown method '${String(method)}'`);
  }
  const m = isObj(v['metric']) ? v['metric'] : null;
  const states = isObj(v['trial_states']) ? v['trial_states'] : {};
  const run = isObj(v['run']) ? v['run'] : null;
  const runStatus = run === null ? null : run['status'];
  return {
    id,
    name: str(v['name']),
    method,
    metric:
      m === null || str(m['name']) === null
        ? null
        : {
            name: str(m['name']) ?? '',
            goal: m['goal'] === 'maximize' ? 'maximize' : 'minimize',
            target: num(m['target']),
          },
    status,
    error: str(v['error']),
    created_at: str(v['created_at']) ?? '',
    updated_at: str(v['updated_at']) ?? '',
    run_cap: count(v['run_cap']),
    parallel: count(v['parallel']),
    seed: count(v['seed']),
    source: str(v['source']) ?? '',
    trials_total: count(v['trials_total']),
    trial_states: Object.fromEntries(TRIAL_STATES.map((s) => [s, count(states[s])])) as Record<
      TrialState,
      number
    >,
    best: best(v['best']),
    end_reason: str(v['end_reason']),
    run:
      run === null ||
      str(run['id']) === null ||
      (runStatus !== 'running' &&
        runStatus !== 'finished' &&
        runStatus !== 'failed' &&
        runStatus !== 'killed')
        ? null
        : { id: str(run['id']) ?? '', status: runStatus },
  };
}

export function parseSweeps(v: unknown): SweepSummaryJson[] {
  if (!isObj(v)) {
    throw new ShapeError('sweeps: expected an object');
  }
  return objects(v['sweeps']).map(parseSweepSummary);
}

function trial(t: Obj): SweepTrialJson {
  const state = t['state'];
  const index = num(t['index']);
  if (index === null || !isOneOf(TRIAL_STATES, state)) {
    throw new ShapeError(`sweep trial: bad index or state '${String(state)}'`);
  }
  return {
    index,
    state,
    params: params(t['params']),
    value: num(t['value']),
    history: Array.isArray(t['history']) ? t['history'].map(num) : [],
    run_id: str(t['run_id']),
    attempts: count(t['attempts']),
    started_at: str(t['started_at']),
    finished_at: str(t['finished_at']),
    error: str(t['error']),
    stop_reason: str(t['stop_reason']),
    overrides: strings(t['overrides']),
    // Shown only as numbers in a tooltip; the server's shape is kept as it is.
    suggestion: isObj(t['suggestion'])
      ? (t['suggestion'] as unknown as SweepTrialJson['suggestion'])
      : null,
  };
}

function parallel(v: unknown): SweepParallelJson {
  const o = isObj(v) ? v : {};
  const axes = objects(o['axes']).map((a) => ({
    name: str(a['name']) ?? '',
    low: str(a['low']) ?? '',
    high: str(a['high']) ?? '',
  }));
  const lines = objects(o['trials']).flatMap((l) => {
    const trialIndex = num(l['trial']);
    const value = num(l['value']);
    const positions = Array.isArray(l['positions']) ? l['positions'].map(num) : [];
    // A line needs a finite position on every axis.
    if (
      trialIndex === null ||
      value === null ||
      positions.length !== axes.length ||
      positions.some((p) => p === null)
    ) {
      return [];
    }
    return [
      {
        trial: trialIndex,
        positions: positions as number[],
        labels: strings(l['labels']),
        value,
      },
    ];
  });
  return { axes, trials: lines };
}

export function parseSweep(v: unknown): SweepJson {
  const summary = parseSweepSummary(v);
  const o = v as Obj;
  const links = isObj(o['links']) ? o['links'] : {};
  const self = `/v1/sweeps/${encodeURIComponent(summary.id)}`;
  return {
    ...summary,
    description: str(o['description']),
    spec_text: str(o['spec_text']) ?? '',
    parameters: objects(o['parameters']) as unknown as SweepJson['parameters'],
    early_terminate: isObj(o['early_terminate'])
      ? (o['early_terminate'] as unknown as SweepJson['early_terminate'])
      : null,
    base_overrides: strings(o['base_overrides']),
    notes: strings(o['notes']),
    warnings: strings(o['warnings']),
    trials: objects(o['trials']).map(trial),
    importance: objects(o['importance']).flatMap((r) => {
      const name = str(r['name']);
      const importance = num(r['importance']);
      return name === null || importance === null
        ? []
        : [{ name, importance, correlation: num(r['correlation']) }];
    }),
    parallel_coordinates: parallel(o['parallel_coordinates']),
    links: {
      self: str(links['self']) ?? self,
      report_md: str(links['report_md']) ?? `${self}/report.md`,
      report_html: str(links['report_html']) ?? `${self}/report.html`,
      run: str(links['run']),
    },
  };
}
