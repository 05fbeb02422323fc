// Parsing of GET /v1/drift, /v1/drift/latest and /v1/drift/reports/{id} into the contract's types: words checked, numbers finite.
import { DRIFT_CHECK_STATUSES, DRIFT_TRIGGERS, isOneOf } from './contract.ts';
import { isObj, ShapeError } from './guards.ts';
import type {
  DriftCheckJson,
  DriftHistogramJson,
  DriftHistoryItemJson,
  DriftReportJson,
  DriftTrigger,
  FeatureVerdict,
} from './types.ts';

type Obj = Readonly<Record<string, unknown>>;

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const objects = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);
const numbers = (v: unknown): number[] => (Array.isArray(v) ? v.map((x) => num(x) ?? 0) : []);
const shares = (v: unknown): Record<string, number> =>
  isObj(v)
    ? Object.fromEntries(
        Object.entries(v).flatMap(([k, x]) => (num(x) === null ? [] : [[k, x as number]])),
      )
    : {};
const trigger = (v: unknown): DriftTrigger | null => (isOneOf(DRIFT_TRIGGERS, v) ? v : null);

function req<T>(value: T | null, what: string): T {
  if (value === null) {
    throw new ShapeError(`drift report: missing or bad ${what}`);
  }
  return value;
}

function current(v: unknown): DriftReportJson['current'] {
  const c = isObj(v) ? v : {};
  return { source: str(c['source']) ?? '', rows: num(c['rows']) ?? 0, seen: num(c['seen']) ?? 0 };
}

const TESTS = ['ks', 'chi-square', 'wasserstein', 'jensen-shannon'] as const;
const RULES = ['p ≤ threshold', 'p < threshold', 'distance ≥ threshold'] as const;

function feature(f: Obj): FeatureVerdict {
  const test = f['test'];
  const rule = f['rule'];
  if (!isOneOf(TESTS, test) || !isOneOf(RULES, rule)) {
    throw new ShapeError(`drift feature: unknown test '${String(test)}' or rule '${String(rule)}'`);
  }
  return {
    name: req(str(f['name']), 'feature name'),
    kind: f['kind'] === 'categorical' ? 'categorical' : 'numeric',
    description: str(f['description']) ?? '',
    test,
    statistic: req(num(f['statistic']), 'feature statistic'),
    raw: num(f['raw']) ?? Number.NaN,
    threshold: req(num(f['threshold']), 'feature threshold'),
    rule,
    drift: f['drift'] === true,
  };
}

function histogram(h: Obj): DriftHistogramJson {
  const name = req(str(h['name']), 'histogram name');
  const reference = numbers(h['reference']);
  const cur = numbers(h['current']);
  if (h['kind'] === 'categorical') {
    const categories = Array.isArray(h['categories']) ? h['categories'].map(String) : [];
    return { name, kind: 'categorical', categories, reference, current: cur };
  }
  const edges = numbers(h['edges']);
  if (edges.length !== reference.length + 1 || reference.length !== cur.length) {
    throw new ShapeError(`drift histogram ${name}: edges and counts do not match`);
  }
  return { name, kind: 'numeric', edges, reference, current: cur };
}

function multivariate(v: unknown, key: 'classifier' | 'mmd'): Obj {
  const m = isObj(v) && isObj(v[key]) ? v[key] : null;
  if (m === null || num(m['statistic']) === null || num(m['threshold']) === null) {
    throw new ShapeError(`drift report: missing ${key} test`);
  }
  return m;
}

export function parseDriftReport(v: unknown): DriftReportJson {
  if (!isObj(v)) {
    throw new ShapeError('drift report: expected an object');
  }
  const classifier = multivariate(v['multivariate'], 'classifier');
  const mmd = multivariate(v['multivariate'], 'mmd');
  const rows = isObj(v['rows']) ? v['rows'] : {};
  const labels = isObj(v['labels']) ? v['labels'] : {};
  const reference = isObj(v['reference']) ? v['reference'] : {};
  const novelty = isObj(v['novelty']) ? v['novelty'] : null;
  return {
    id: req(str(v['id']), 'id'),
    createdAt: str(v['createdAt']) ?? '',
    trigger: trigger(v['trigger']),
    model: str(v['model']) ?? '',
    drift: v['drift'] === true,
    share: req(num(v['share']), 'share'),
    shareThreshold: num(v['shareThreshold']) ?? 0.5,
    driftedFeatures: num(v['driftedFeatures']) ?? 0,
    features: objects(v['features']).map(feature),
    multivariate: {
      classifier: {
        test: 'domain-classifier',
        statistic: num(classifier['statistic']) ?? 0,
        threshold: num(classifier['threshold']) ?? 0,
        drift: classifier['drift'] === true,
        trainRows: num(classifier['trainRows']) ?? 0,
        testRows: num(classifier['testRows']) ?? 0,
      },
      mmd: {
        test: 'mmd',
        mmd2: num(mmd['mmd2']) ?? 0,
        statistic: num(mmd['statistic']) ?? 0,
        threshold: num(mmd['threshold']) ?? 0,
        drift: mmd['drift'] === true,
        bandwidth: num(mmd['bandwidth']) ?? 0,
        permutations: num(mmd['permutations']) ?? 0,
        rows: {
          reference: num(isObj(mmd['rows']) ? mmd['rows']['reference'] : null) ?? 0,
          current: num(isObj(mmd['rows']) ? mmd['rows']['current'] : null) ?? 0,
        },
      },
    },
    rows: { reference: num(rows['reference']) ?? 0, current: num(rows['current']) ?? 0 },
    pcaExplainedVariance: num(v['pcaExplainedVariance']) ?? 0,
    labels: { reference: shares(labels['reference']), current: shares(labels['current']) },
    novelty:
      novelty === null || num(novelty['rate']) === null
        ? undefined
        : { counts: shares(novelty['counts']), rate: num(novelty['rate']) ?? 0 },
    seed: num(v['seed']) ?? 0,
    reference: { source: str(reference['source']) ?? '', rows: num(reference['rows']) ?? 0 },
    current: current(v['current']),
    histograms: objects(v['histograms']).map(histogram),
  };
}

function historyItem(v: Obj): DriftHistoryItemJson {
  return {
    id: req(str(v['id']), 'id'),
    createdAt: str(v['createdAt']) ?? '',
    trigger: trigger(v['trigger']),
    model: str(v['model']) ?? '',
    drift: v['drift'] === true,
    share: req(num(v['share']), 'share'),
    driftedFeatures: num(v['driftedFeatures']) ?? 0,
    featureCount: num(v['featureCount']) ?? 0,
    noveltyRate: num(v['noveltyRate']),
    classifierAuc: num(v['classifierAuc']) ?? 0,
    current: current(v['current']),
  };
}

export function parseDriftHistory(v: unknown): DriftHistoryItemJson[] {
  if (!isObj(v)) {
    throw new ShapeError('drift history: expected an object');
  }
  return objects(v['reports']).map(historyItem);
}

export function parseDriftCheck(v: unknown): DriftCheckJson {
  if (!isObj(v)) {
    throw new ShapeError('drift check: expected an object');
  }
  const status = v['status'];
  const by = trigger(v['trigger']);
  if (!isOneOf(DRIFT_CHECK_STATUSES, status) || by === null || by === 'cli') {
    throw new ShapeError(`drift check: unknown status '${String(status)}' or trigger`);
  }
  const error = isObj(v['error']) ? v['error'] : null;
  const links = isObj(v['links']) ? v['links'] : {};
  const id = req(str(v['id']), 'check id');
  return {
    id,
    status,
    trigger: by,
    source: str(v['source']) ?? '',
    model: str(v['model']) ?? '',
    proteinsDone: num(v['proteinsDone']) ?? 0,
    proteinsTotal: num(v['proteinsTotal']) ?? 0,
    createdAt: str(v['createdAt']) ?? '',
    finishedAt: str(v['finishedAt']),
    reportId: str(v['reportId']),
    error:
      error === null
        ? null
        : {
            code: str(error['code']) ?? '',
            reason: str(error['reason']) ?? '',
            detail: str(error['detail']) ?? '',
          },
    links: { self: str(links['self']) ?? `/v1/drift/checks/${id}`, report: str(links['report']) },
  };
}
