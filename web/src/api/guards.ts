// Parsing of unknown JSON from the API into the UI's types; tolerant of extra and camelCase fields.
import { isOneOf, JOB_STATUSES, RUN_STATUSES, TASKS } from './contract.ts';
import type {
  GateReport,
  Job,
  JobError,
  ModelInfo,
  Problem,
  QueryMap,
  ReferenceMap,
  MetricPointJson,
  RunDetail,
  RunInfo,
  RunMetricsJson,
  RunPlot,
} from './types.ts';

type Obj = Readonly<Record<string, unknown>>;

/** Thrown when a response does not have the documented shape. */
export class ShapeError extends Error {
  override readonly name = 'ShapeError';
}

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function obj(v: unknown, what: string): Obj {
  if (!isObj(v)) {
    throw new ShapeError(`${what}: expected an object`);
  }
  return v;
}

/** The first present field among snake_case and camelCase spellings. */
function field(o: Obj, ...names: string[]): unknown {
  for (const n of names) {
    if (o[n] !== undefined) {
      return o[n];
    }
  }
  return undefined;
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function reqStr(o: Obj, what: string, ...names: string[]): string {
  const v = str(field(o, ...names));
  if (v === null) {
    throw new ShapeError(`${what}: missing '${names[0] ?? ''}'`);
  }
  return v;
}

export function parseJob(v: unknown): Job {
  const o = obj(v, 'job');
  const id = reqStr(o, 'job', 'id', 'job_id');
  const statusText = reqStr(o, 'job', 'status');
  if (!isOneOf(JOB_STATUSES, statusText)) {
    throw new ShapeError(`job: unknown status '${statusText}'`);
  }
  const status = statusText;
  // A job without a task is a multiclass one (the API's default); an unknown task is a new word.
  const task = field(o, 'task') ?? 'multiclass';
  if (!isOneOf(TASKS, task)) {
    throw new ShapeError(`job: unknown task ${JSON.stringify(task)}`);
  }
  const links = isObj(o['links']) ? o['links'] : {};
  const self = str(links['self']) ?? `/v1/jobs/${encodeURIComponent(id)}`;
  const summary = isObj(o['summary']) ? o['summary'] : null;
  return {
    id,
    status,
    task,
    progress: Math.min(100, Math.max(0, num(o['progress']) ?? 0)),
    proteins_done: num(field(o, 'proteins_done', 'proteinsDone')),
    proteins_total: num(field(o, 'proteins_total', 'proteinsTotal')),
    input_name: str(field(o, 'input_name', 'inputName')),
    model_version: str(field(o, 'model_version', 'modelVersion')),
    created_at: str(field(o, 'created_at', 'createdAt')),
    finished_at: str(field(o, 'finished_at', 'finishedAt')),
    expires_at: str(field(o, 'expires_at', 'expiresAt')),
    error: parseJobError(o['error']),
    summary:
      summary === null
        ? null
        : { counts: numberRecord(summary['counts']), novelty: numberRecord(summary['novelty']) },
    links: {
      self,
      events: str(links['events']) ?? `${self}/events`,
      results: str(links['results']) ?? `${self}/results`,
      map: str(links['map']) ?? `${self}/map`,
    },
  };
}

function parseJobError(v: unknown): JobError | null {
  if (typeof v === 'string') {
    return { code: 'INTERNAL', reason: '', detail: v };
  }
  if (!isObj(v)) {
    return null;
  }
  return {
    code: str(v['code']) ?? 'INTERNAL',
    reason: str(v['reason']) ?? '',
    detail: str(field(v, 'detail', 'message')) ?? 'the job failed',
  };
}

function numberRecord(v: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (isObj(v)) {
    for (const [k, x] of Object.entries(v)) {
      const n = num(x);
      if (n !== null) {
        out[k] = n;
      }
    }
  }
  return out;
}

/**
 * Numeric leaves of a nested object, keyed by dotted path (arrays are skipped).
 * @example flattenNumbers({ test: { f1: 0.9, macro: { recall: 0.8 } } }) // { 'test.f1': 0.9, 'test.macro.recall': 0.8 }
 */
export function flattenNumbers(v: unknown, prefix = ''): Record<string, number> {
  const out: Record<string, number> = {};
  if (!isObj(v)) {
    return out;
  }
  for (const [k, x] of Object.entries(v)) {
    const path = prefix === '' ? k : `${prefix}.${k}`;
    if (typeof x === 'number' && Number.isFinite(x)) {
      out[path] = x;
    } else if (isObj(x)) {
      Object.assign(out, flattenNumbers(x, path));
    }
  }
  return out;
}

/** A problem+json body (or anything else) as a Problem; never throws. */
export function parseProblem(v: unknown, status: number, fallback: string): Problem {
  const o = isObj(v) ? v : {};
  return {
    status: num(o['status']) ?? status,
    title: str(o['title']) ?? `HTTP ${status}`,
    detail: str(field(o, 'detail', 'message', 'error')) ?? fallback,
    hint: str(o['hint']),
    reason: str(o['reason']),
    code: str(o['code']),
  };
}

export function parseReferenceMap(v: unknown): ReferenceMap {
  const o = obj(v, 'reference map');
  const refs = Array.isArray(o['references']) ? o['references'] : [];
  const references = refs.filter(isObj).flatMap((r) => {
    const x = num(r['x']);
    const y = num(r['y']);
    return x === null || y === null
      ? []
      : [{ id: str(r['id']) ?? '', label: str(r['label']) ?? '', x, y }];
  });
  const labels = Array.isArray(o['labels'])
    ? o['labels'].flatMap((l) => (typeof l === 'string' ? [l] : []))
    : [...new Set(references.map((r) => r.label))];
  return { model_version: str(field(o, 'model_version')) ?? '', labels, references };
}

export function parseQueryMap(v: unknown): QueryMap {
  const o = obj(v, 'query map');
  const qs = Array.isArray(o['queries']) ? o['queries'] : [];
  return {
    model_version: str(field(o, 'model_version')),
    queries: qs.filter(isObj).flatMap((q) => {
      const x = num(q['x']);
      const y = num(q['y']);
      return x === null || y === null
        ? []
        : [
            {
              id: str(field(q, 'id', 'protein_id')) ?? '',
              predicted_label: str(q['predicted_label']) ?? '',
              novelty: str(q['novelty']),
              x,
              y,
            },
          ];
    }),
  };
}

export function parseModels(v: unknown): ModelInfo[] {
  const o = obj(v, 'models');
  const list = Array.isArray(o['models']) ? o['models'] : [];
  return list.filter(isObj).map((m) => ({
    version: reqStr(m, 'model', 'version'),
    task: str(m['task']) ?? '',
    aliases: Array.isArray(m['aliases'])
      ? m['aliases'].flatMap((a) => (typeof a === 'string' ? [a] : []))
      : [],
    created_at: str(field(m, 'created_at', 'createdAt')),
    run_id: str(field(m, 'run_id', 'runId')),
    metrics: flattenNumbers(m['metrics']),
    tags: isObj(m['tags'])
      ? Object.fromEntries(
          Object.entries(m['tags']).flatMap(([k, t]) => (typeof t === 'string' ? [[k, t]] : [])),
        )
      : {},
    gates: Array.isArray(m['gates']) ? m['gates'].filter(isGateReport) : [],
  }));
}

/** A gate report as src/core/model-registry.ts declares it (the fields the UI shows are checked). */
function isGateReport(g: unknown): g is GateReport {
  return (
    isObj(g) &&
    typeof g['version'] === 'string' &&
    typeof g['alias'] === 'string' &&
    typeof g['passed'] === 'boolean' &&
    typeof g['forced'] === 'boolean' &&
    Array.isArray(g['reasons']) &&
    isObj(g['quality']) &&
    typeof g['quality']['candidate'] === 'number' &&
    isObj(g['latency']) &&
    typeof g['latency']['candidateMs'] === 'number'
  );
}

function parseRunInfo(r: Obj): RunInfo {
  const summary = isObj(r['summary']) ? r['summary'] : {};
  const config = isObj(r['config']) ? r['config'] : {};
  return {
    id: reqStr(r, 'run', 'id', 'run_id'),
    kind: str(r['kind']) ?? 'train',
    parent_run_id: str(field(r, 'parent_run_id', 'parentRunId')),
    status: str(r['status']) ?? '',
    task: str(field(r, 'task')) ?? str(field(config, 'task')),
    started_at: str(field(r, 'started_at', 'startedAt', 'created_at', 'createdAt')),
    finished_at: str(field(r, 'finished_at', 'finishedAt')),
    command: str(r['command']),
    model_version: str(field(r, 'model_version', 'modelVersion')) ?? str(summary['model_version']),
    summary: flattenNumbers(summary),
  };
}

export function parseRuns(v: unknown): RunInfo[] {
  const o = obj(v, 'runs');
  const list = Array.isArray(o['runs']) ? o['runs'] : [];
  return list.filter(isObj).map(parseRunInfo);
}

export function parseRunDetail(v: unknown): RunDetail {
  const o = obj(v, 'run');
  // The record may be the run.json fields at the top level, or nested under `run`.
  const base = isObj(o['run']) ? { ...o['run'], ...o } : o;
  const info = parseRunInfo(base);
  const metricsRaw = isObj(o['metrics']) ? o['metrics'] : {};
  const test = isObj(metricsRaw['test']) ? metricsRaw['test'] : {};
  const perClassRaw = Array.isArray(test['perClass'])
    ? test['perClass']
    : Array.isArray(test['per_class'])
      ? test['per_class']
      : [];
  const plotsRaw = Array.isArray(o['plots']) ? o['plots'] : [];
  const plots: RunPlot[] = plotsRaw.flatMap((p) => {
    if (typeof p === 'string') {
      return [{ name: p, png: null, svg: null }];
    }
    if (!isObj(p)) {
      return [];
    }
    return [{ name: str(p['name']) ?? '', png: str(p['png']), svg: str(p['svg']) }];
  });
  return {
    ...info,
    metrics: flattenNumbers(metricsRaw),
    perClass: perClassRaw.filter(isObj).map((c) => ({
      label: str(c['label']) ?? '',
      precision: num(c['precision']) ?? 0,
      recall: num(c['recall']) ?? 0,
      f1: num(c['f1']) ?? 0,
      support: num(c['support']) ?? 0,
    })),
    plots,
  };
}

/** GET /v1/runs/{id}/metrics: series by key; points without a finite step and value are dropped. */
export function parseRunMetrics(v: unknown): RunMetricsJson {
  const o = obj(v, 'run metrics');
  const status = o['status'];
  if (!isOneOf(RUN_STATUSES, status)) {
    throw new ShapeError(`run metrics: unknown status '${String(status)}'`);
  }
  const raw = isObj(o['metrics']) ? o['metrics'] : {};
  const metrics: Record<string, MetricPointJson[]> = {};
  for (const [key, list] of Object.entries(raw)) {
    if (!Array.isArray(list)) {
      continue;
    }
    metrics[key] = list.filter(isObj).flatMap((p) => {
      const step = num(p['step']);
      const value = num(p['value']);
      return step === null || value === null
        ? []
        : [{ step, value, timestamp: num(p['timestamp']) ?? 0 }];
    });
  }
  return { run_id: reqStr(o, 'run metrics', 'run_id'), status, metrics };
}
